import ArgumentParser
import Foundation
import TabularData
import Synthesizers

/// `rlsyn sample`: draw synthetic records from a model file into a CSV.
struct SampleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sample",
    abstract: "Write synthetic records from a fitted model to a CSV shaped like the training table.")

  @Argument(help: "A model file written by `rlsyn fit`.") var model: String
  @Option(help: "Number of records to generate.") var rows: Int
  @Option(help: "The CSV to write (written to a temporary file, then renamed).") var output: String
  @Option(help: "Random seed: the same seed gives the same records.") var seed: UInt64 = 0
  @Option(name: .customLong("condition"),
          help: ArgumentHelp("Only records in which COLUMN holds VALUE (repeatable: every condition holds). Binary, categorical and integer columns.",
                             valueName: "COLUMN=VALUE"))
  var conditions: [String] = []

  func validate() throws {
    guard rows >= 1 else { throw ValidationError("--rows must be at least 1") }
  }

  func run() throws {
    try reportingErrors {
      let parsed = try conditions.map { try SampleCondition(parsing: $0) }
      let fitted = try SyntheticDataModel.load(from: URL(fileURLWithPath: model))
      let table = parsed.isEmpty ? fitted.sample(rows: rows, seed: seed) : try fitted.sample(rows: rows, seed: seed, conditions: parsed)
      try CSVWriter.write(table, to: URL(fileURLWithPath: output))
    }
  }
}
