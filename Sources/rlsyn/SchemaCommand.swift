import ArgumentParser
import Foundation
import TabularData

/// `rlsyn schema DATA.csv [--output META.json] [--metadata META.json] [--outcome COL]`.
struct SchemaCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema",
    abstract: "Infer the column kinds of a CSV file and write them as SDV-style metadata JSON.",
    discussion: """
      Without --output the JSON goes to standard output. Edit the file (e.g. set "sdtype": "categorical" \
      on a numeric code column) and pass it back with --metadata to this or any other command.
      """)

  @OptionGroup var input: DataInputOptions

  @Option(name: .shortAndLong, help: ArgumentHelp("Write the metadata JSON to this file.", valueName: "META.json"))
  var output: String?

  @Option(help: ArgumentHelp("Check that this column is a usable binary outcome (two classes, no missing cell).", valueName: "COL"))
  var outcome: String?

  func run() throws {
    try reportingErrors {
      let loaded = try input.load(outcome: outcome)
      let metadata = Metadata(schema: loaded.schema)
      guard let output else {
        FileHandle.standardOutput.write(metadata.jsonData())
        return
      }
      try metadata.write(to: URL(fileURLWithPath: output))
      print("\(input.data): \(loaded.table.rowCount) rows; \(loaded.schema.summary)")
      for line in loaded.schema.decisions { print("  " + line) }
      if let outcome = loaded.schema.outcome { print("outcome: \(outcome)") }
      print("metadata written to \(output)")
    }
  }
}
