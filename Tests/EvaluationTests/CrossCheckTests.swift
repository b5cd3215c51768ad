import Foundation
import Testing
import TabularData
import TestSupport
@testable import Evaluation

/// Our metrics against scikit-learn/scipy (through the independent scorer score.py) on the bundled
/// data. Reference values: `Fixtures/reference.json`, made once by `Fixtures/make_reference.py` on the
/// split in `Fixtures/splits.json` (sklearn `train_test_split(test_size=0.3, stratify, random_state=0)`).
@Suite struct CrossCheckTests {
  struct Splits: Decodable { let outcome: String; let train: [Int]; let holdout: [Int] }
  struct Reference: Decodable { let rotation_step: Int; let results: [String: [String: Double]] }

  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func load<T: Decodable>(_ name: String, as: T.Type) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(contentsOf: fixtures.appendingPathComponent(name)))
  }

  /// Train and holdout tables of the committed split, rows in scikit-learn's order.
  static func split(_ dataset: String) throws -> (train: EvaluationTable, holdout: EvaluationTable, outcome: String) {
    let splits = try load("splits.json", as: [String: Splits].self)
    let s = try #require(splits[dataset])
    let table = try CSVReader.read(CommandRunner.dataset("\(dataset).csv"))
    return (EvaluationTable(table.selectingRows(s.train), label: "\(dataset) train"),
            EvaluationTable(table.selectingRows(s.holdout), label: "\(dataset) holdout"), s.outcome)
  }

  /// Column j of `t` cyclically shifted: row r takes row (r + (j + 1) · step) mod n (as make_reference.py).
  static func rotated(_ t: EvaluationTable, step: Int) -> EvaluationTable {
    let n = t.rowCount
    return EvaluationTable(label: "rotated", columnNames: t.columnNames, columns: t.columns.enumerated().map { j, col in
      let shift = ((j + 1) * step) % n
      return (0..<n).map { col[($0 + shift) % n] }
    })
  }

  @Test(arguments: ["nhefs/copy", "nhefs/rotated", "support2/rotated"])
  func agreesWithScikitLearn(_ scenario: String) throws {
    let reference = try Self.load("reference.json", as: Reference.self)
    let ref = try #require(reference.results[scenario])
    let parts = scenario.split(separator: "/").map(String.init)
    let (train, holdout, outcome) = try Self.split(parts[0])
    let synthetic = parts[1] == "copy" ? train : Self.rotated(train, step: reference.rotation_step)
    var options = EvaluationOptions()
    options.includeDetection = false
    options.includeAttributeInference = false
    let result = try Evaluator.evaluate(train: train, holdout: holdout, synthetic: synthetic, outcome: outcome, options: options)
    func ours(_ k: String) throws -> Double { try #require(result.summary.metrics.value(forKey: k), "metric \(k)") }
    func theirs(_ k: String) throws -> Double { try #require(ref[k], "reference \(k)") }
    // Acceptance tolerances: LR AUC 0.01, GB AUC 0.03, KS/TV, NMI and MIA 0.01.
    for (key, tol) in [("R2R_lr", 0.01), ("S2R_lr", 0.01), ("R2R_gb", 0.03), ("S2R_gb", 0.03),
                       ("KS_TV", 0.01), ("NMI", 0.01), ("MIA", 0.01),
                       // Not required by the issue, checked as well.
                       ("DWD", 1e-6), ("CORR", 0.005), ("DCR5", 0.005), ("EXACT", 1e-9)] {
      let a = try ours(key), b = try theirs(key)
      #expect(abs(a - b) <= tol, "\(scenario) \(key): ours \(a), scikit-learn \(b)")
    }
  }

  @Test func splitFixtureIsStratifiedSeventyThirty() throws {
    let splits = try Self.load("splits.json", as: [String: Splits].self)
    #expect(splits["nhefs"]?.train.count == 1140 && splits["nhefs"]?.holdout.count == 489)
    #expect(splits["support2"]?.train.count == 6373 && splits["support2"]?.holdout.count == 2732)
  }
}
