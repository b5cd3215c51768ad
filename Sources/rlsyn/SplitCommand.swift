import ArgumentParser
import Evaluation
import Foundation
import TabularData

/// `rlsyn split`: a stratified train/holdout split for the evaluation protocol.
struct SplitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "split",
    abstract: "Split a CSV into train.csv and holdout.csv, stratified by the outcome.",
    discussion: """
      Cells are copied unchanged. The same --seed always gives the same split (docs/evaluation.md). \
      --shuffled-copy also writes shuffled_train.csv, a column-wise shuffled copy of the training rows: \
      a negative control for `rlsyn evaluate` (perfect marginals, no relationships, no copied records).
      """)

  @OptionGroup var input: DataInputOptions
  @Option(help: ArgumentHelp("The binary outcome column to stratify by.", valueName: "COL"))
  var outcome: String
  @Option(help: "Share of rows that go to train.csv (strictly between 0 and 1).")
  var trainFraction: Double = 0.7
  @Option(help: "Seed of the random split.")
  var seed: UInt64 = 0
  @Option(help: ArgumentHelp("Folder for train.csv and holdout.csv (created if missing; existing files are replaced).", valueName: "DIR"))
  var outputDir: String
  @Flag(help: "Also write shuffled_train.csv (every column of train.csv permuted independently).")
  var shuffledCopy = false

  func run() throws {
    try reportingErrors {
      guard trainFraction > 0 && trainFraction < 1 else {
        throw TabularError(.invalidArgument, "--train-fraction must be strictly between 0 and 1 (got \(trainFraction))")
      }
      let loaded = try input.load(outcome: outcome)
      let table = loaded.table
      let labels = table.column(outcome).map { $0 ?? "" }
      guard let parts = StratifiedSplit.split(labels: labels, trainFraction: trainFraction, seed: seed) else {
        throw TabularError(.tooFewRows, file: input.data, "\(table.rowCount) rows cannot be split with --train-fraction \(trainFraction)")
      }
      let dir = URL(fileURLWithPath: outputDir)
      do {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      } catch {
        throw TabularError(.writeFailed, file: outputDir, "cannot create the output folder (\(error.localizedDescription))")
      }
      let train = table.selectingRows(parts.train), holdout = table.selectingRows(parts.holdout)
      var outputs: [(String, DataTable)] = [("train.csv", train), ("holdout.csv", holdout)]
      if shuffledCopy {
        let shuffled = EvaluationTable(train, label: "train").columnwiseShuffled(seed: seed &+ 1)
        outputs.append(("shuffled_train.csv", try DataTable(columnNames: shuffled.columnNames, columns: shuffled.columns)))
      }
      // All files or none (temporary names first, then renamed).
      try writeAllOrNothing(outputs.map { name, t in (dir.appendingPathComponent(name), { try CSVWriter.write(t, to: $0) }) })
      let classes = Set(labels).sorted()
      func counts(_ idx: [Int]) -> String { classes.map { c in "\(c): \(idx.filter { labels[$0] == c }.count)" }.joined(separator: ", ") }
      print("\(input.data): \(table.rowCount) rows → train \(parts.train.count) (\(counts(parts.train))), holdout \(parts.holdout.count) (\(counts(parts.holdout)))")
      print("wrote \(outputs.map { dir.appendingPathComponent($0.0).path }.joined(separator: ", "))")
    }
  }
}
