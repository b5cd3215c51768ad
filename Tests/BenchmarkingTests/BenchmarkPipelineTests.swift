import Foundation
import Testing
import Benchmarking
import Evaluation
import Reporting
import Synthesizers
import TabularData

/// The `rlsyn benchmark` pipeline as a library call, on a table small enough to fit in a second.
@Suite struct BenchmarkPipelineTests {
  /// 90 rows: a numeric column, a categorical one and a binary outcome that depends on both.
  static func writeTable(rows: Int = 90) throws -> (folder: URL, data: URL) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rlsyn-benchmarking-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    var lines = ["age,colour,y"]
    for i in 0..<rows {
      let age = 20 + (i * 37) % 50, colour = ["red", "green", "blue"][(i * 7) % 3]
      lines.append("\(age),\(colour),\((age > 40) != (colour == "blue") ? 1 : 0)")
    }
    let data = folder.appendingPathComponent("tiny.csv")
    try (lines.joined(separator: "\n") + "\n").write(to: data, atomically: true, encoding: .utf8)
    return (folder, data)
  }

  static func plan(_ folder: URL, data: URL, seeds: Int = 2) -> BenchmarkPlan {
    BenchmarkPlan(dataName: data.path, outcome: "y", synthesizers: [.gan, .rlsyn], seeds: seeds, trainFraction: 0.7, threads: 1,
                  outputFolder: folder.appendingPathComponent("out").path, command: "rlsyn benchmark tiny.csv", notes: ["tool 1.0"])
  }

  @Test func fitsSamplesAndEvaluatesEverySynthesizerOnEverySeed() throws {
    let (folder, data) = try Self.writeTable()
    defer { try? FileManager.default.removeItem(at: folder) }
    var fits: [String] = [], logged: [String] = [], progress: [String] = []
    let done = try BenchmarkPipeline.run(Self.plan(folder, data: data), load: { try TabularInput.load(data: data, outcome: "y") },
                                         fitOptions: { kind, seed in
                                           fits.append("\(kind.rawValue)/\(seed)")
                                           var options = FitOptions(seed: seed, threads: 1)
                                           options.iterations = 2
                                           return options
                                         }, log: { logged.append($0) }, progress: { progress.append($0) })
    let r = done.result
    // One fit per synthesizer and seed, with the options the closure gave (2 iterations each).
    #expect(fits == ["gan/0", "rlsyn/0", "gan/1", "rlsyn/1"])
    #expect(progress.filter { $0.hasSuffix(": 2 iterations in " + $0.split(separator: " ").suffix(2).joined(separator: " ")) }.count == 4)
    #expect(logged == ["benchmark on \(data.path): 90 rows, outcome y; synthesizers gan, rlsyn; 2 seeds"])
    #expect(r.synthesizers == ["gan", "rlsyn"] && r.seeds == [0, 1] && r.outcome == "y" && r.command == "rlsyn benchmark tiny.csv")
    #expect(r.runs.map { "\($0.synthesizer)/\($0.seed)" } == fits)
    // A stratified 70 / 30 split of 90 rows; the synthetic tables as large as the training split.
    #expect(r.runs.allSatisfy { $0.trainRows == 63 && $0.holdoutRows == 27 && $0.metrics.syntheticRowCount == 63 })
    #expect(r.runs.allSatisfy { $0.metrics.value(.utility(.r2r, .gradientBoosting)) != nil && $0.fitSeconds >= 0 })
    // The real reference does not depend on the synthesizer: same split, same R2R.
    #expect(r.runs[0].metrics.utility.lr.r2r == r.runs[1].metrics.utility.lr.r2r)
    #expect(r.notes.first?.hasPrefix("BLAS: ") == true && r.notes[1] == "tool 1.0")
    #expect(r.notes.dropFirst(2).map { String($0.prefix { $0 != ":" }) } == ["gan configuration", "rlsyn configuration"])
    #expect(r.notes[2].contains("\"iterations\":2"))
    // ROC curves of the first seed only, per synthesizer, both kinds.
    #expect(Set(done.rocCurves.keys) == ["gan", "rlsyn"] && Set(done.rocCurves["gan"]!.keys) == [.realOnReal, .syntheticOnReal])
    // Every split, synthetic table and evaluation is on disk; the evaluation JSON is `rlsyn evaluate --json`'s.
    let runs = folder.appendingPathComponent("out/runs")
    let files = try FileManager.default.contentsOfDirectory(atPath: runs.path).sorted()
    #expect(files == ["seed0-gan.csv", "seed0-gan.json", "seed0-holdout.csv", "seed0-rlsyn.csv", "seed0-rlsyn.json", "seed0-train.csv",
                      "seed1-gan.csv", "seed1-gan.json", "seed1-holdout.csv", "seed1-rlsyn.csv", "seed1-rlsyn.json", "seed1-train.csv"])
    let summary = try EvaluationSummary(jsonData: Data(contentsOf: runs.appendingPathComponent("seed1-rlsyn.json")))
    #expect(summary.rows == [.train: 63, .holdout: 27, .synthetic: 63] && summary.metrics == r.runs[3].metrics)
    #expect(try CSVReader.read(runs.appendingPathComponent("seed0-gan.csv")).rowCount == 63)
    #expect(r.markdown().contains("| metric | gan | rlsyn | best |"))
  }

  @Test func quietRunsLogOnlyTheOpeningLineAndTablesTooSmallToSplitThrow() throws {
    let (folder, data) = try Self.writeTable()
    defer { try? FileManager.default.removeItem(at: folder) }
    var logged: [String] = []
    _ = try BenchmarkPipeline.run(Self.plan(folder, data: data, seeds: 1), load: { try TabularInput.load(data: data, outcome: "y") },
                                  fitOptions: { _, seed in
                                    var options = FitOptions(seed: seed, threads: 1)
                                    options.iterations = 1
                                    return options
                                  }, log: { logged.append($0) })
    #expect(logged.count == 1)
    // A table too small to split.
    let (small, tiny) = try Self.writeTable(rows: 1)
    defer { try? FileManager.default.removeItem(at: small) }
    #expect(throws: TabularError.self) {
      try BenchmarkPipeline.run(Self.plan(small, data: tiny, seeds: 1), load: { try TabularInput.load(data: tiny) },
                                fitOptions: { _, seed in FitOptions(seed: seed) }, log: { _ in })
    }
  }
}
