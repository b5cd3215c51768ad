import ArgumentParser
import Evaluation
import Foundation
import NumericCore
import Reporting
import Synthesizers
import TabularData

/// `rlsyn benchmark`: split, fit every synthesizer, sample, evaluate, for several seeds; one comparison table.
struct BenchmarkCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "benchmark",
    abstract: "Compare synthesizers (RLSyn, GAN, diffusion) on one CSV over several seeds.",
    discussion: """
      For each seed: a stratified train/holdout split (as `rlsyn split --seed`), then for each synthesizer a fit \
      on the training rows with that seed and its default settings, a sample as large as the training split, and \
      the evaluation of `rlsyn evaluate`. Writes benchmark.md and benchmark.json (mean ± sd per metric and \
      synthesizer, fit and sample times), benchmark.html (comparison plots) and, under runs/, every split, \
      synthetic table and evaluation. Progress goes to standard error. See docs/benchmarks.md. \
      The RLSyn options (and --rlsyn-iterations) change only the RLSyn fits, --noise-dimension included.
      """)

  @OptionGroup var input: DataInputOptions
  @Option(help: ArgumentHelp("The binary outcome column.", valueName: "COL"))
  var outcome: String
  @Option(help: ArgumentHelp("Comma-separated synthesizers, in column order.", valueName: "rlsyn,gan,diffusion"))
  var synthesizers: String = "rlsyn,gan,diffusion"
  @Option(help: "Number of seeds (0, 1, …, N−1): each gives its own split, fits and samples.")
  var seeds: Int = 3
  @Option(help: "Share of rows used for training in each split.")
  var trainFraction: Double = 0.7
  @Option(help: ArgumentHelp("Folder for the results (created if missing; existing files are replaced).", valueName: "DIR"))
  var output: String = "benchmark"
  @Option(help: "The most threads fits, samples and BLAS use (default: every core). 1 is usually fastest on a busy 2-core machine.")
  var threads: Int?
  @Flag(help: "Only the final summary on standard error (no per-run lines).")
  var quiet = false
  @Option(help: "GAN generator updates (default: the GAN default).") var ganIterations: Int?
  @Option(help: "Diffusion training steps (default: the diffusion default).") var diffusionIterations: Int?
  @Option(help: "RLSyn policy updates (default: the preset's).") var rlsynIterations: Int?
  @OptionGroup(title: "RLSyn options (as for rlsyn fit; RLSyn fits only)") var rlsyn: RLSynOptions
  @OptionGroup var configFile: ConfigurationFileOption

  func validate() throws {
    guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
    guard trainFraction > 0 && trainFraction < 1 else { throw ValidationError("--train-fraction must be strictly between 0 and 1") }
    _ = try kinds()
  }

  func kinds() throws -> [SynthesizerKind] {
    let names = synthesizers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !names.isEmpty else { throw ValidationError("--synthesizers needs at least one of rlsyn, gan, diffusion") }
    var out: [SynthesizerKind] = []
    for n in names {
      guard let k = SynthesizerKind(argument: n) else {
        throw ValidationError("unknown synthesizer '\(n)' (choose from \(SynthesizerKind.allValueStrings.joined(separator: ", ")))")
      }
      if !out.contains(k) { out.append(k) }
    }
    return out
  }

  func run() throws {
    try reportingErrors { try benchmark() }
  }

  func say(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }

  func benchmark() throws {
    if let threads { BLAS.setThreadCount(threads) }
    let start = DispatchTime.now().uptimeNanoseconds
    func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    let kinds = try kinds()
    // The whole table is released after the last seed's split, so that on a large table the fits that
    // follow hold only the two splits (126,522 × 1,460: about 1 GB less).
    var loaded: LoadedTable? = try input.load(outcome: outcome)
    let meta = loaded!.metadata
    let rowCount = loaded!.table.rowCount
    let labels = loaded!.table.column(outcome).map { $0 ?? "" }
    let dir = URL(fileURLWithPath: output), runsDir = dir.appendingPathComponent("runs")
    do {
      try FileManager.default.createDirectory(at: runsDir, withIntermediateDirectories: true)
    } catch {
      throw TabularError(.writeFailed, file: output, "cannot create the output folder (\(error.localizedDescription))")
    }
    var runs: [BenchmarkResult.Run] = []
    var rocCurves: [String: [String: [ROCPoint]]] = [:]
    var configurations: [String: String] = [:]
    let seedList = (0..<seeds).map(UInt64.init)
    say("benchmark on \(input.data): \(rowCount) rows, outcome \(outcome); synthesizers \(kinds.map(\.rawValue).joined(separator: ", ")); \(seeds) seed\(seeds == 1 ? "" : "s")")
    for (si, seed) in seedList.enumerated() {
      guard let parts = StratifiedSplit.split(labels: labels, trainFraction: trainFraction, seed: seed) else {
        throw TabularError(.tooFewRows, file: input.data, "\(rowCount) rows cannot be split with --train-fraction \(trainFraction)")
      }
      let train = loaded!.table.selectingRows(parts.train), holdout = loaded!.table.selectingRows(parts.holdout)
      if si == seedList.count - 1 { loaded = nil; AllocatorTuning.releaseFreedMemory() }
      try CSVWriter.write(train, to: runsDir.appendingPathComponent("seed\(seed)-train.csv"))
      try CSVWriter.write(holdout, to: runsDir.appendingPathComponent("seed\(seed)-holdout.csv"))
      // The schema a fit on the training split would infer (with the metadata's overrides).
      let schema = try Schema.infer(from: train, overrides: meta)
      // Wide tables are evaluated on at most 30,000 rows per table (EvaluationSampling), as score.py does.
      // The per-cell views are made for each evaluation and released before the next fit: on a wide table
      // each is about 0.7 GB, and remaking them takes seconds.
      let rowCap = EvaluationSampling.defaultRowCap
      func trainEval() -> EvaluationTable {
        EvaluationSampling.evaluationTable(train, role: "train", label: "train", rowCap: rowCap, seed: seed)
      }
      let typing = ColumnTyping(inferringFrom: trainEval(), overrides: meta.map(ColumnTyping.overrides(from:)) ?? [:])
      for kind in kinds {
        let tag = "[seed \(si + 1)/\(seeds)] \(kind.rawValue)"
        if !quiet { say("\(tag): fitting on \(train.rowCount) rows…") }
        var options = FitOptions(seed: seed, sourceFile: input.data, threads: threads)
        options.iterations = kind == .gan ? ganIterations : kind == .diffusion ? diffusionIterations : kind == .rlsyn ? rlsynIterations : nil
        try configFile.read(into: &options)
        rlsyn.adjust(&options)
        let t0 = now()
        let fitted: SyntheticDataModel
        do {
          fitted = try SyntheticDataModel.fit(train, schema: schema, synthesizer: kind, options: options) { p in
            if !quiet && p.iteration == p.iterations {
              say("\(tag): \(p.iterations) iterations in \(String(format: "%.1f", p.elapsedSeconds)) s")
            }
          }
        } catch let e as FitInterrupted {
          throw CommandFailure("\(kind.rawValue), seed \(seed): \(e.reason)")
        }
        let fitSeconds = now() - t0
        AllocatorTuning.releaseFreedMemory()
        configurations[kind.rawValue] = String(decoding: fitted.configurationJSON, as: UTF8.self)
        // The synthetic table lives only until it is written and its evaluation view is made.
        let (sampleSeconds, syntheticRows, syntheticEval) = try { () throws -> (Double, Int, EvaluationTable) in
          let t1 = now()
          let synthetic = fitted.sample(rows: train.rowCount, seed: seed, threads: threads ?? TrainingContext.defaultThreads)
          let seconds = now() - t1
          try CSVWriter.write(synthetic, to: runsDir.appendingPathComponent("seed\(seed)-\(kind.rawValue).csv"))
          return (seconds, synthetic.rowCount,
                  EvaluationSampling.evaluationTable(synthetic, role: "synthetic", label: kind.rawValue, rowCap: rowCap, seed: seed))
        }()
        AllocatorTuning.releaseFreedMemory()
        let t2 = now()
        var evalOptions = EvaluationOptions()
        evalOptions.seed = seed
        evalOptions.rowCap = rowCap
        evalOptions.inputRows = ["train": train.rowCount, "holdout": holdout.rowCount, "synthetic": syntheticRows]
        // The views are handed over whole, so the evaluation frees each column's cells once parsed.
        var views = [trainEval(), EvaluationSampling.evaluationTable(holdout, role: "holdout", label: "holdout", rowCap: rowCap, seed: seed),
                     consume syntheticEval]
        let evaluation = try Evaluator.evaluate(releasing: &views, outcome: outcome, options: evalOptions, typing: typing)
        let evaluateSeconds = now() - t2
        AllocatorTuning.releaseFreedMemory()
        try AtomicFile.write(try evaluation.summary.jsonData(), to: runsDir.appendingPathComponent("seed\(seed)-\(kind.rawValue).json"))
        if si == 0 { rocCurves[kind.rawValue] = evaluation.details.rocCurves[.gradientBoosting] }
        let run = BenchmarkResult.Run(synthesizer: kind.rawValue, seed: seed, trainRows: train.rowCount, holdoutRows: holdout.rowCount,
                                      fitSeconds: fitSeconds, sampleSeconds: sampleSeconds, evaluateSeconds: evaluateSeconds,
                                      metrics: evaluation.summary.metrics)
        runs.append(run)
        if !quiet {
          func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "–" }
          let s = evaluation.summary
          say("\(tag): fit \(String(format: "%.1f", fitSeconds)) s, sample \(String(format: "%.2f", sampleSeconds)) s; "
              + "S2R gb \(f(s.utility.gb.s2r)) lr \(f(s.utility.lr.s2r)), ratio gb \(f(s.utility.gb.ratio)) lr \(f(s.utility.lr.ratio)), "
              + "DWD \(f(s.fidelity.dwd)), MIA \(f(s.privacy.mia))")
        }
      }
    }
    var notes = ["BLAS: \(BLAS.summary)", "rlsyn \(RLSynCommand.version)"]
    for k in kinds { if let c = configurations[k.rawValue] { notes.append("\(k.rawValue) configuration: \(c)") } }
    let result = BenchmarkResult(dataset: input.data, outcome: outcome, command: commandLine(), seeds: seedList,
                                 trainFraction: trainFraction, synthesizers: kinds.map(\.rawValue), runs: runs,
                                 totalSeconds: now(), notes: notes)
    let markdown = result.markdown(), json = try result.jsonData()
    let html = BenchmarkReport.render(result, rocCurves: rocCurves)
    try writeAllOrNothing([
      (dir.appendingPathComponent("benchmark.md"), { try AtomicFile.write(Data(markdown.utf8), to: $0) }),
      (dir.appendingPathComponent("benchmark.json"), { try AtomicFile.write(json, to: $0) }),
      (dir.appendingPathComponent("benchmark.html"), { try AtomicFile.write(Data(html.utf8), to: $0) }),
    ])
    print(markdown)
    say(String(format: "benchmark finished in %.1f s; wrote %@", result.totalSeconds,
               ["benchmark.md", "benchmark.json", "benchmark.html"].map { dir.appendingPathComponent($0).path }.joined(separator: ", ")))
  }

  /// The command line as typed (arguments with spaces quoted).
  func commandLine() -> String {
    (["rlsyn"] + CommandLine.arguments.dropFirst()).map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
  }
}
