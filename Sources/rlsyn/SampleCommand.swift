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
  @Option(help: "Number of records to generate (not with --conditions).") var rows: Int?
  @Option(help: "The CSV to write (written to a temporary file, then renamed).") var output: String
  @Option(help: "Random seed: the same seed gives the same records.") var seed: UInt64 = 0
  @Option(name: .customLong("condition"),
          help: ArgumentHelp("Only records in which COLUMN holds VALUE (repeatable: every condition holds). Binary, categorical and integer columns.",
                             valueName: "COLUMN=VALUE"))
  var conditions: [String] = []
  @Option(name: .customLong("conditions"),
          help: ArgumentHelp("A CSV of conditioning columns and num_rows: each line asks for num_rows records with its values (an empty cell sets no condition), as SDV's sample_from_conditions.",
                             valueName: "FILE.csv"))
  var conditionsFile: String?

  func validate() throws {
    switch (rows, conditionsFile) {
    case (nil, nil): throw ValidationError("give --rows (or --conditions FILE.csv)")
    case (.some, .some): throw ValidationError("--rows and --conditions cannot be combined (num_rows in the file sets the rows)")
    case (let n?, nil): guard n >= 1 else { throw ValidationError("--rows must be at least 1") }
    case (nil, .some): break
    }
  }

  func run() throws {
    try reportingErrors {
      let parsed = try conditions.map { try SampleCondition(parsing: $0) }
      let requests = try conditionsFile.map { try Self.requests(URL(fileURLWithPath: $0), adding: parsed) }
      let fitted = try SyntheticDataModel.load(from: URL(fileURLWithPath: model))
      let table: DataTable
      if let requests {
        table = try fitted.sample(requests, seed: seed)
      } else if parsed.isEmpty {
        table = fitted.sample(rows: rows!, seed: seed)
      } else {
        table = try fitted.sample(rows: rows!, seed: seed, conditions: parsed)
      }
      try CSVWriter.write(table, to: URL(fileURLWithPath: output))
    }
  }

  /// The requests of a conditions file: one per line, num_rows records with the line's (non-empty) values.
  static func requests(_ url: URL, adding fixed: [SampleCondition]) throws -> [SyntheticDataModel.ConditionalRequest] {
    let file = try CSVReader.read(url)
    guard let countColumn = file.columnIndex("num_rows") else {
      throw CommandFailure("\(url.path): the conditions file has no num_rows column (columns: \(file.columnNames.joined(separator: ", ")))")
    }
    var requests: [SyntheticDataModel.ConditionalRequest] = []
    for r in 0..<file.rowCount {
      let line = file.line(ofRow: r).map { " (line \($0))" } ?? ""
      guard let text = file.cell(row: r, column: countColumn), let n = Int(text), n >= 0 else {
        throw CommandFailure("\(url.path): row \(r + 1)\(line): num_rows must be a whole number ≥ 0, not '\(file.cell(row: r, column: countColumn) ?? "")'")
      }
      var conditions: [SampleCondition] = []
      for (c, name) in file.columnNames.enumerated() where c != countColumn {
        if let value = file.cell(row: r, column: c) { conditions.append(SampleCondition(column: name, value: value)) }
      }
      requests.append(.init(rows: n, conditions: conditions + fixed))
    }
    guard requests.contains(where: { $0.rows > 0 }) else { throw CommandFailure("\(url.path): the conditions file asks for no rows") }
    return requests
  }
}
