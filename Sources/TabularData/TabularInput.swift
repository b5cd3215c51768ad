import Foundation

/// A data file read and described, ready for encoding.
public struct LoadedTable: Sendable {
  /// The cells as read.
  public var table: DataTable
  /// The inferred schema, with metadata overrides and the outcome applied.
  public var schema: Schema
  /// The metadata file's contents, if one was given.
  public var metadata: Metadata?
}

/// The one way every command reads its data: CSV, optional metadata overrides, schema inference,
/// optional outcome check; so `--metadata` behaves the same everywhere.
public enum TabularInput {
  /// Reads `data`, applies `metadata` (if any), infers the schema and checks `outcome` (or the
  /// metadata's `outcome`) when given.
  ///
  /// - Parameters:
  ///   - dataName / metadataName: how the files are named in error messages (default: the path as given).
  /// - Throws: ``TabularError`` with a one-line message naming file, row and column.
  public static func load(data: URL, dataName: String? = nil, metadata: URL? = nil, metadataName: String? = nil,
                          outcome: String? = nil, readOptions: CSVReadOptions = .init(),
                          inference: InferenceOptions = .init()) throws -> LoadedTable {
    let overrides = try metadata.map { try Metadata.load(from: $0, displayName: metadataName) }
    var options = readOptions
    if options.displayName == nil { options.displayName = dataName }
    let table = try CSVReader.read(data, options: options)
    var schema = try Schema.infer(from: table, overrides: Metadata.naming(outcome: outcome, in: overrides), options: inference)
    if let outcome = outcome ?? overrides?.outcome {
      try schema.validateOutcome(outcome, in: table)
    }
    return LoadedTable(table: table, schema: schema, metadata: overrides)
  }
}
