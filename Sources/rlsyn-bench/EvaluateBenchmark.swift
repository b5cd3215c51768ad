import ArgumentParser
import Evaluation
import Foundation
import NumericCore
import TabularData

/// `rlsyn-bench evaluate`: wall-clock time of the evaluation suite on a realistic split
/// (default: SUPPORT2, 6,373 training / 2,732 holdout rows, 6,373 synthetic rows).
///
/// The synthetic table is a column-wise shuffled copy of the training split (a stand-in with the
/// right size and marginals). Times (1) the library path in process — read the three CSVs, run every
/// metric, encode the JSON — with a per-stage breakdown, and (2) the real `rlsyn evaluate` executable
/// next to this one, with `--json` and `--report`, as a user would run it (target: ≤ 20 s).
struct EvaluateBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Time `rlsyn evaluate` on a stratified split with a column-wise shuffled copy of the training rows.")

  @Option(help: "The full dataset to split (default: examples/data/support2.csv).") var data: String?
  @Option(help: "The binary outcome column.") var outcome = "death_180d"
  @Option(help: "Runs to time (the best and the median are printed).") var repeats = 3
  @Option(help: "BLAS threads (default: the library's).") var threads: Int?
  @Option(help: "Also time one nearest-neighbour search of N × N random rows with 100 features (0 = skip).") var neighbors = 10_000

  func run() throws {
    if let threads { BLAS.setThreadCount(threads) }
    let source = data.map { URL(fileURLWithPath: $0) } ?? Self.defaultData()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rlsyn-bench-evaluate-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }

    let table = try CSVReader.read(source)
    let labels = table.column(outcome).map { $0 ?? "" }
    guard let parts = StratifiedSplit.split(labels: labels, trainFraction: 0.7, seed: 0) else { throw ValidationError("cannot split \(source.path)") }
    let train = table.selectingRows(parts.train), holdout = table.selectingRows(parts.holdout)
    let shuffled = EvaluationTable(train).columnwiseShuffled(seed: 1)
    let files = ["train", "holdout", "synthetic"].map { dir.appendingPathComponent("\($0).csv") }
    try CSVWriter.write(train, to: files[0])
    try CSVWriter.write(holdout, to: files[1])
    try CSVWriter.write(try DataTable(columnNames: shuffled.columnNames, columns: shuffled.columns), to: files[2])
    print("BLAS: \(BLAS.summary)")
    print("data: \(source.lastPathComponent), \(table.columnCount) columns; train \(train.rowCount), holdout \(holdout.rowCount), synthetic \(shuffled.rowCount) (column-wise shuffled train)")

    // (1) Library path, in process.
    var times: [Double] = []
    var last: EvaluationSummary?
    for _ in 0..<max(1, repeats) {
      let t0 = DispatchTime.now().uptimeNanoseconds
      let tables = try files.map { EvaluationTable(try CSVReader.read($0), label: $0.lastPathComponent) }
      let result = try Evaluator.evaluate(train: tables[0], holdout: tables[1], synthetic: tables[2], outcome: outcome)
      _ = try result.summary.jsonData()
      times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
      last = result.summary
    }
    times.sort()
    print(String(format: "in process (read 3 CSVs + all metrics + JSON): best %.2f s, median %.2f s over %d runs", times[0], times[times.count / 2], times.count))
    if let s = last {
      let stages = ["parse", "utility", "fidelity", "detection", "distances", "attribute inference"]
      print("  last run by stage: " + stages.map { String(format: "%@ %.2f s", $0, s.stageSeconds[$0] ?? 0) }.joined(separator: ", "))
    }

    if neighbors > 0 {
      var rng = RandomSource(seed: 3)
      let q = rng.uniformMatrix(rows: neighbors, cols: 100), r = rng.uniformMatrix(rows: neighbors, cols: 100)
      let t0 = DispatchTime.now().uptimeNanoseconds
      let nn = NearestNeighbors.nearest(queries: q, reference: r)
      let t = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
      print(String(format: "nearest neighbours %d × %d × 100 (blocks of 512 rows, %.0f MB working block): %.2f s (mean distance %.3f)",
                   neighbors, neighbors, Double(512 * neighbors * 4) / 1e6, t, nn.distances.reduce(0, +) / Double(neighbors)))
    }

    // (2) The executable, as a user runs it.
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("rlsyn")
    guard FileManager.default.isExecutableFile(atPath: exe.path) else {
      print("rlsyn executable not found next to rlsyn-bench (build it: swift build -c release); skipped the end-to-end timing")
      return
    }
    var exeTimes: [Double] = []
    for _ in 0..<max(1, repeats) {
      let p = Process()
      p.executableURL = exe
      p.arguments = ["evaluate", "--train", files[0].path, "--holdout", files[1].path, "--synthetic", files[2].path,
                     "--outcome", outcome, "--json", dir.appendingPathComponent("m.json").path,
                     "--report", dir.appendingPathComponent("r.html").path]
      p.standardOutput = FileHandle.nullDevice
      let t0 = DispatchTime.now().uptimeNanoseconds
      try p.run()
      p.waitUntilExit()
      exeTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
      guard p.terminationStatus == 0 else { throw ValidationError("rlsyn evaluate exited with status \(p.terminationStatus)") }
    }
    exeTimes.sort()
    print(String(format: "rlsyn evaluate --json --report (whole process): best %.2f s, median %.2f s over %d runs (target ≤ 20 s)",
                 exeTimes[0], exeTimes[exeTimes.count / 2], exeTimes.count))
  }

  /// `examples/data/support2.csv` of the package this binary was built from (or of the working directory).
  static func defaultData() -> URL {
    let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("examples/data/support2.csv")
    if FileManager.default.fileExists(atPath: fromSource.path) { return fromSource }
    return URL(fileURLWithPath: "examples/data/support2.csv")
  }
}
