import Foundation
import NumericCore

/// How one source column is laid out in the matrix (absolute matrix column indices).
struct ColumnCoder: Codable, Sendable, Equatable {
  var kind: ColumnKind
  /// The Gaussian column of a numeric source column.
  var gaussian: Int?
  /// The Bernoulli column of a binary source column (1 = its second level).
  var value: Int?
  /// The Bernoulli missingness indicator (numeric, binary and constant columns with missing values).
  var indicator: Int?
  /// The one-hot group of a categorical column (levels in schema order, then the missing level).
  var group: Range<Int>?
  /// The group's "missing" level, if the column has missing values.
  var missingLevel: Int?
  /// The fitted map of a numeric column.
  var transform: NumericTransform?
}

/// A fitted, reversible map between a ``DataTable`` and the model matrix (rows × ``EncodingLayout/width``).
///
/// - Continuous and integer columns: one Gaussian column through a ``NumericTransform`` (default
///   ``NumericEncoding/quantile``); a missing cell encodes as the transform's centre (0; 0.5 for
///   min-max) plus 1 in the column's missingness indicator.
/// - Binary: one Bernoulli column (1 = second level); with missing values, plus an indicator.
/// - Categorical: a one-hot group; with missing values the group gets one extra last level, "missing",
///   because missing is one more mutually exclusive outcome and a single softmax head then learns it
///   jointly with the levels (an indicator beside a one-hot group could say "missing" and "level 3" at once).
/// - Constant: no column (an indicator if it has missing values). Identifier: no column.
///
/// Decoding inverts this: inverse transform, integers rounded, values clipped to the training range
/// and formatted like the input; Bernoulli > 0.5 → second level; argmax within a group; an indicator
/// > 0.5 (or the missing level winning) → empty cell. Identifiers are written as row numbers.
///
/// Fit the schema on all the data you will ever encode (say train + holdout) and the encoder on the
/// training rows: the schema fixes the levels and which columns can be missing, the training rows fix
/// the transforms and the clipping range.
public struct TableEncoder: Codable, Sendable {
  /// Where each source column lives in the matrix.
  public var layout: EncodingLayout
  /// The schema the encoder was fitted with (column order of decoded tables).
  public var schema: Schema
  /// The options it was fitted with.
  public var options: EncodingOptions
  var coders: [ColumnCoder]

  /// Fits the transforms of the numeric columns to `table` and lays out the matrix.
  ///
  /// - Throws: ``TabularError`` if `table` lacks a column of `schema` or has extra ones, if a numeric
  ///   column holds text, or `options.perColumn` names an unknown or non-numeric column.
  /// - Parameter publicBounds: fit every numeric transform on the schema's `minimum…maximum` alone, reading no
  ///   value of the table (a differentially private fit, whose bounds are declared public).
  /// - Parameter histograms: with `publicBounds`, per numeric column counts in bins over `minimum…maximum`
  ///   (a private fit's noisy histograms): a quantile transform from them
  ///   (``NumericTransform/init(histogramEdges:counts:)``) instead of min–max.
  public init(fitting table: DataTable, schema: Schema, options: EncodingOptions = .init(), publicBounds: Bool = false,
              histograms: [String: BinnedCounts] = [:]) throws {
    self.schema = schema
    self.options = options
    for name in options.perColumn.keys.sorted() where schema.column(named: name)?.isNumeric != true {
      throw TabularError(.invalidArgument, column: name, "a per-column numeric encoding needs a continuous or integer column")
    }
    for column in schema.columns where column.kind == .datetime || column.kind == .personal {
      throw TabularError(.invalidArgument, column: column.name,
                         "a \(column.kind.rawValue) column cannot be encoded directly; fit a TablePreparation first")
    }
    let mapping = try Self.columnMapping(schema, table)
    var coders = schema.columns.map { ColumnCoder(kind: $0.kind) }
    var blocks: [EncodedBlock] = []
    var next = 0

    // Gaussian block.
    for (c, column) in schema.columns.enumerated() where column.isNumeric {
      coders[c].gaussian = next
      blocks.append(EncodedBlock(column: column.name, isMissingIndicator: false, distribution: .gaussian, range: next..<next + 1))
      next += 1
    }
    let gaussianColumns = 0..<next
    // Bernoulli block: binary values, then indicators.
    let bernoulliStart = next
    for (c, column) in schema.columns.enumerated() where column.kind == .binary {
      coders[c].value = next
      blocks.append(EncodedBlock(column: column.name, isMissingIndicator: false, distribution: .bernoulli, range: next..<next + 1))
      next += 1
    }
    for (c, column) in schema.columns.enumerated()
    where column.hasMissing && (column.isNumeric || column.kind == .binary || column.kind == .constant) {
      coders[c].indicator = next
      blocks.append(EncodedBlock(column: column.name, isMissingIndicator: true, distribution: .bernoulli, range: next..<next + 1))
      next += 1
    }
    let bernoulliColumns = bernoulliStart..<next
    // Categorical groups.
    var groups: [Range<Int>] = []
    for (c, column) in schema.columns.enumerated() where column.kind == .categorical {
      let levels = column.categories.count + (column.hasMissing ? 1 : 0)
      let group = next..<next + levels
      coders[c].group = group
      coders[c].missingLevel = column.hasMissing ? group.upperBound - 1 : nil
      blocks.append(EncodedBlock(column: column.name, isMissingIndicator: false, distribution: .categorical, range: group,
                                 missingLevel: coders[c].missingLevel))
      groups.append(group)
      next += levels
    }
    let indicators = schema.columns.indices.filter { schema.columns[$0].isNumeric }.map { coders[$0].indicator }
    layout = EncodingLayout(width: next, blocks: blocks, gaussianColumns: gaussianColumns, bernoulliColumns: bernoulliColumns,
                            categoricalGroups: groups, missingIndicatorForGaussian: indicators)

    // Numeric transforms, fitted on this table's values.
    for (c, column) in schema.columns.enumerated() where column.isNumeric {
      let values = publicBounds ? [] : try Self.numericValues(table, mapping[c])
      let method = options.perColumn[column.name] ?? options.numeric
      let fallback = (column.minimum ?? 0)...(Swift.max(column.minimum ?? 0, column.maximum ?? 0))
      if publicBounds, let histogram = histograms[column.name], !histogram.counts.isEmpty, fallback.upperBound > fallback.lowerBound {
        coders[c].transform = NumericTransform(histogramEdges: histogram.edges, counts: histogram.counts)
        continue
      }
      coders[c].transform = NumericTransform(method: method, values: values, knots: options.quantileKnots, fallback: fallback,
                                             discrete: column.kind == .integer && options.integersTakeObservedValues,
                                             repeatedValueMultiplicity: column.kind == .continuous ? options.repeatedValueMultiplicity : 0)
    }
    self.coders = coders
  }

  /// For each Gaussian matrix column (in order), the value a missing cell encodes as (the transform's
  /// centre: 0, or 0.5 under min-max). Generators write it into the slots of values they mark missing, so
  /// that a missing value looks the same in real and synthetic records.
  public var missingValueForGaussian: [Float] {
    schema.columns.indices.filter { schema.columns[$0].isNumeric }.map { coders[$0].transform?.centre ?? 0 }
  }

  /// For each schema column, the index of the same-named column of `table`.
  static func columnMapping(_ schema: Schema, _ table: DataTable) throws -> [Int] {
    let absent = schema.columnNames.filter { table.columnIndex($0) == nil }
    if !absent.isEmpty {
      throw TabularError(.columnMismatch, file: table.source,
                         "the data lacks column\(absent.count == 1 ? "" : "s") \(absent.map { "'\($0)'" }.joined(separator: ", ")) of the schema")
    }
    let known = Set(schema.columnNames)
    let extra = table.columnNames.filter { !known.contains($0) }
    if !extra.isEmpty {
      throw TabularError(.columnMismatch, file: table.source,
                         "column\(extra.count == 1 ? "" : "s") \(extra.map { "'\($0)'" }.joined(separator: ", ")) \(extra.count == 1 ? "is" : "are") not in the schema")
    }
    return schema.columnNames.map { table.columnIndex($0)! }
  }

  /// The non-missing values of a numeric column.
  static func numericValues(_ table: DataTable, _ index: Int) throws -> [Double] {
    let cells = table.storage[index]
    var values: [Double] = []
    values.reserveCapacity(cells.count)
    try cells.bytes.withUnsafeBufferPointer { p in
      for r in 0..<cells.count where !cells.missing[r] {
        let s = cells.start(r)
        guard let base = p.baseAddress, let number = parseNumber(base + s, cells.end(r) - s), number.value.isFinite else {
          throw table.error(.notANumber, row: r, column: index, "\(quoted(cells.string(r) ?? "")) is not a number, but the schema says the column is numeric")
        }
        values.append(number.value)
      }
    }
    return values
  }
}

extension DataTable {
  /// The values of a column as numbers (`NaN` for missing cells), parsed straight from the stored bytes.
  ///
  /// - Throws: ``TabularError/Code/notANumber`` naming the file, row and column of the first cell that
  ///   is not a number.
  public func numbers(_ name: String) throws -> [Double] {
    guard let index = columnIndex(name) else {
      throw TabularError(.columnMismatch, file: source, column: name, "no such column")
    }
    let cells = storage[index]
    var values = [Double](repeating: .nan, count: rowCount)
    try cells.bytes.withUnsafeBufferPointer { p in
      for r in 0..<rowCount where !cells.missing[r] {
        let s = cells.start(r)
        guard let base = p.baseAddress, let number = parseNumber(base + s, cells.end(r) - s) else {
          throw error(.notANumber, row: r, column: index, "\(quoted(cells.string(r) ?? "")) is not a number")
        }
        values[r] = number.value
      }
    }
    return values
  }
}
