import ArgumentParser
import Evaluation
import Foundation
import Reporting
import TabularData

/// `rlsyn evaluate`: utility, fidelity and privacy of a synthetic table against its training and holdout data.
struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Score a synthetic table for utility, fidelity and privacy against the real training and holdout splits.",
    discussion: """
      Prints a compact table; --json writes every number, --report a self-contained HTML report. \
      Definitions: docs/evaluation.md (they follow score.py and the RLSyn paper).
      """)

  @Option(help: ArgumentHelp("The real rows the generator was trained on.", valueName: "TRAIN.csv"))
  var train: String
  @Option(help: ArgumentHelp("Real rows the generator never saw (same columns).", valueName: "HOLDOUT.csv"))
  var holdout: String
  @Option(help: ArgumentHelp("The synthetic rows to judge (same columns).", valueName: "SYN.csv"))
  var synthetic: String
  @Option(help: ArgumentHelp("The binary outcome column.", valueName: "COL"))
  var outcome: String
  @Option(help: ArgumentHelp("Write all metrics as JSON to this file.", valueName: "OUT.json"))
  var json: String?
  @Option(help: ArgumentHelp("Write the HTML report to this file.", valueName: "OUT.html"))
  var report: String?
  @Option(help: ArgumentHelp("Metadata JSON whose column kinds override the evaluation's own typing.", valueName: "META.json"))
  var metadata: String?
  @Option(help: ArgumentHelp("Comma-separated columns the attribute-inference attacker knows (default: outcome + common quasi-identifiers).", valueName: "A,B,…"))
  var knownColumns: String?
  @Option(help: "Seed of the detection classifier's sampling.")
  var seed: UInt64 = 0

  func run() throws {
    try reportingErrors {
      let meta = try metadata.map { try Metadata.load(from: URL(fileURLWithPath: $0), displayName: $0) }
      let trainTable = try TabularInput.load(data: URL(fileURLWithPath: train), dataName: train,
                                             metadata: metadata.map { URL(fileURLWithPath: $0) }, metadataName: metadata,
                                             outcome: outcome).table
      let holdoutTable = try TabularInput.load(data: URL(fileURLWithPath: holdout), dataName: holdout,
                                               metadata: metadata.map { URL(fileURLWithPath: $0) }, metadataName: metadata,
                                               outcome: outcome).table
      let syntheticTable = try CSVReader.read(URL(fileURLWithPath: synthetic), options: CSVReadOptions(displayName: synthetic))
      var options = EvaluationOptions()
      options.seed = seed
      if let k = knownColumns {
        options.knownColumns = k.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      }
      let tr = EvaluationTable(trainTable, label: train)
      let typing = ColumnTyping(inferringFrom: tr, overrides: meta.map(ColumnTyping.overrides(from:)) ?? [:])
      let result = try Evaluator.evaluate(train: tr, holdout: EvaluationTable(holdoutTable, label: holdout),
                                          synthetic: EvaluationTable(syntheticTable, label: synthetic),
                                          outcome: outcome, options: options, typing: typing)
      // Render everything before writing anything, then write each file atomically.
      let jsonData = try json.map { _ in try result.summary.jsonData() }
      let html = report.map { _ in
        HTMLReport.render(result, context: .init(train: train, holdout: holdout, synthetic: synthetic))
      }
      if let path = json, let data = jsonData { try AtomicFile.write(data, to: URL(fileURLWithPath: path)) }
      if let path = report, let html { try AtomicFile.write(Data(html.utf8), to: URL(fileURLWithPath: path)) }
      print(result.summary.formattedTable())
      print("")
      print(String(format: "evaluated in %.1f s", result.summary.seconds)
            + (json.map { "; JSON: \($0)" } ?? "") + (report.map { "; report: \($0)" } ?? ""))
    }
  }
}
