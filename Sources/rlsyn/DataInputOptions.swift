import ArgumentParser
import Foundation
import TabularData

/// Runs `body`; any error it throws becomes one line `error: …` on standard error and exit status 1
/// (argument-parsing errors, `ExitCode` and `CleanExit` pass through to ArgumentParser unchanged).
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as ExitCode {
    throw error
  } catch let error as CleanExit {
    throw error
  } catch let error as ValidationError {
    throw error
  } catch {
    printError(error)
    throw ExitCode.failure
  }
}

/// Writes `error: <message>` on one line to standard error.
func printError(_ error: Error) {
  let text = (error as? TabularError)?.description ?? String(describing: error)
  writeStandardError("error: " + oneLine(text))
}

/// Writes `warning: <message>` on one line to standard error.
func printWarning(_ message: String) {
  writeStandardError("warning: " + oneLine(message))
}

private func oneLine(_ text: String) -> String {
  text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
}

private func writeStandardError(_ line: String) {
  FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// The arguments of a command that reads a data file: the CSV and `--metadata`, read the same way
/// everywhere (`TabularInput.load`). Errors come back as ``TabularError`` with a one-line message
/// naming file, row and column; call it inside ``reportingErrors(_:)`` for exit status 1.
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
