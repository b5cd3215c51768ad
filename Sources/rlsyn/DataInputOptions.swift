import ArgumentParser
import Foundation
import TabularData

/// Writes `warning: <message>` on one line to standard error.
func printWarning(_ message: String) {
  let line = message.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
  FileHandle.standardError.write(Data(("warning: " + line + "\n").utf8))
}

/// The arguments of a command that reads a data file: the CSV and `--metadata`, read the same way
/// everywhere (`TabularInput.load`). Errors come back as ``TabularError`` with a one-line message
/// naming file, row and column; wrap them in ``CommandFailure`` for exit status 1.
struct DataInputOptions: ParsableArguments {
  @Argument(help: "The data, a CSV file with a header line.")
  var data: String

  @Option(name: .long, help: ArgumentHelp("Metadata JSON (SDV single-table shape, as written by `rlsyn schema`) that overrides inferred column kinds.", valueName: "META.json"))
  var metadata: String?

  /// Reads and describes the data (checking `outcome` if given) and prints inference warnings.
  func load(outcome: String? = nil) throws -> LoadedTable {
    let loaded = try TabularInput.load(data: URL(fileURLWithPath: data), dataName: data,
                                       metadata: metadata.map { URL(fileURLWithPath: $0) }, metadataName: metadata,
                                       outcome: outcome)
    for warning in loaded.schema.warnings { printWarning(warning) }
    return loaded
  }
}
