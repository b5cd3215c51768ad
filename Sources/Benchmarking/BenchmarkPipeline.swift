//===----------------------------------------------------------------------===//
// `rlsyn benchmark`'s pipeline: per seed a split, then per synthesizer a fit, a sample and an evaluation.
//===----------------------------------------------------------------------===//

import Evaluation
import Foundation
import NumericCore
import Reporting
import Synthesizers
import TabularData

/// What to benchmark and where the per-run files go.
public struct BenchmarkPlan: Sendable {
  /// The data file as the user named it (messages, the result's `dataset`).
  public var dataName: String
  /// The binary outcome column.
  public var outcome: String
  /// Synthesizers, in column order.
  public var synthesizers: [SynthesizerKind]
  /// Number of seeds: 0, 1, …, `seeds` − 1, each with its own split, fits and samples.
  public var seeds: Int
  /// Share of rows used for training in each split.
  public var trainFraction: Double
  /// The most threads fits, samples and BLAS use (nil: every core).
  public var threads: Int?
  /// The results folder as the user named it; created if missing, every split, synthetic table and
  /// evaluation is written under its `runs/` folder.
  public var outputFolder: String
  /// The command line that produced the result (``BenchmarkResult/command``).
  public var command: String
  /// Notes after the BLAS line (for example the tool's version); the fitted configurations follow them.
  public var notes: [String]
  /// At most this many rows per table for the distance metrics, and for every metric on wide tables.
  public var rowCap: Int = EvaluationSampling.defaultRowCap

  public init(dataName: String, outcome: String, synthesizers: [SynthesizerKind], seeds: Int, trainFraction: Double,
              threads: Int? = nil, outputFolder: String, command: String, notes: [String] = []) {
    self.dataName = dataName; self.outcome = outcome; self.synthesizers = synthesizers; self.seeds = seeds
    self.trainFraction = trainFraction; self.threads = threads; self.outputFolder = outputFolder
    self.command = command; self.notes = notes
  }
}

/// What ``BenchmarkPipeline/run(_:load:fitOptions:log:progress:)`` yields.
public struct BenchmarkOutcome: Sendable {
  /// The runs, their summary and the settings (``BenchmarkResult/markdown()``, ``BenchmarkResult/jsonData()``).
  public var result: BenchmarkResult
  /// Gradient-boosting ROC curves of the first seed, per synthesizer (``BenchmarkReport/render(_:rocCurves:)``).
  public var rocCurves: [String: [ROCCurveKind: [ROCPoint]]]
}

/// A fit of the benchmark stopped (``FitInterrupted``): which synthesizer, which seed and why.
public struct BenchmarkFitInterrupted: Error, CustomStringConvertible {
  public var synthesizer: SynthesizerKind
  public var seed: UInt64
  public var reason: String
  public var description: String { "\(synthesizer.rawValue), seed \(seed): \(reason)" }
}

/// Several synthesizers × several seeds on one table.
public enum BenchmarkPipeline {
  /// For each seed: a stratified train/holdout split (as `rlsyn split --seed`), then for each synthesizer a fit on
  /// the training rows with `fitOptions(kind, seed)`, a sample as large as the training split and the
  /// evaluation of `rlsyn evaluate`. Writes under `runs/` of the plan's folder every split
  /// (`seed<s>-train.csv`, `seed<s>-holdout.csv`), synthetic table (`seed<s>-<kind>.csv`) and evaluation
  /// (`seed<s>-<kind>.json`).
  ///
  /// - Parameters:
  ///   - load: reads the table; called once. The table is released after the last seed's split, so that on a
  ///     large table the fits that follow hold only the two splits (126,522 × 1,460: about 1 GB less).
  ///   - fitOptions: the options of one fit, given the synthesizer and the seed.
  ///   - log: the opening line.
  ///   - progress: one line per fit and evaluation; `nil` for none.
  /// - Throws: ``TabularError`` for unreadable input, unwritable output or a table too small to split;
  ///   ``BenchmarkFitInterrupted`` when a fit stops.
  public static func run(_ plan: BenchmarkPlan, load: () throws -> LoadedTable,
                         fitOptions: (SynthesizerKind, UInt64) throws -> FitOptions,
                         log: (String) -> Void, progress: ((String) -> Void)? = nil) throws -> BenchmarkOutcome {
    if let threads = plan.threads { BLAS.setThreadCount(threads) }
    let start = DispatchTime.now().uptimeNanoseconds
    func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    let kinds = plan.synthesizers, outcome = plan.outcome, threads = plan.threads
    var loaded: LoadedTable? = try load()
    let meta = loaded!.metadata
    let rowCount = loaded!.table.rowCount
    let labels = loaded!.table.column(outcome).map { $0 ?? "" }
    let runsDir = URL(fileURLWithPath: plan.outputFolder).appendingPathComponent("runs")
    do {
      try FileManager.default.createDirectory(at: runsDir, withIntermediateDirectories: true)
    } catch {
      throw TabularError(.writeFailed, file: plan.outputFolder, "cannot create the output folder (\(error.localizedDescription))")
    }
    var runs: [BenchmarkResult.Run] = []
    var rocCurves: [String: [ROCCurveKind: [ROCPoint]]] = [:]
    var configurations: [SynthesizerKind: String] = [:]
    var privacyNote: String?
    let seedList = (0..<plan.seeds).map(UInt64.init)
    log("benchmark on \(plan.dataName): \(rowCount) rows, outcome \(outcome); synthesizers \(kinds.map(\.rawValue).joined(separator: ", ")); "
        + "\(plan.seeds) seed\(plan.seeds == 1 ? "" : "s")")
    for (si, seed) in seedList.enumerated() {
      guard let parts = StratifiedSplit.split(labels: labels, trainFraction: plan.trainFraction, seed: seed) else {
        throw TabularError(.tooFewRows, file: plan.dataName, "\(rowCount) rows cannot be split with --train-fraction \(plan.trainFraction)")
      }
      let train = loaded!.table.selectingRows(parts.train), holdout = loaded!.table.selectingRows(parts.holdout)
      if si == seedList.count - 1 { loaded = nil; AllocatorTuning.releaseFreedMemory() }
      try CSVWriter.write(train, to: runsDir.appendingPathComponent("seed\(seed)-train.csv"))
      try CSVWriter.write(holdout, to: runsDir.appendingPathComponent("seed\(seed)-holdout.csv"))
      // The schema a fit on the training split would infer (with the metadata's overrides). The evaluation
      // reads every table with it: dates as numbers, made-up identifier and personal columns left out.
      let schema = try Schema.infer(from: train, overrides: Metadata.naming(outcome: outcome, in: meta))
      // Wide tables are evaluated on at most 30,000 rows per table (EvaluationSampling), as score.py does.
      // The per-cell views are made for each evaluation and released before the next fit: on a wide table
      // each is about 0.7 GB, and remaking them takes seconds.
      let rowCap = plan.rowCap
      func trainEval() -> EvaluationTable {
        EvaluationSampling.evaluationTable(train.datesAsNumbers(schema), role: .train, label: "train", rowCap: rowCap, seed: seed)
      }
      let typing = ColumnTyping(inferringFrom: trainEval(), overrides: meta.map(ColumnTyping.overrides(from:)) ?? [:])
      for kind in kinds {
        let tag = "[seed \(si + 1)/\(plan.seeds)] \(kind.rawValue)"
        progress?("\(tag): fitting on \(train.rowCount) rows…")
        let options = try fitOptions(kind, seed)
        let t0 = now()
        let fitted: SyntheticDataModel
        do {
          fitted = try SyntheticDataModel.fit(train, schema: schema, synthesizer: kind, options: options) { p in
            if let progress, p.iteration == p.iterations {
              progress("\(tag): \(p.iterations) iterations in \(String(format: "%.1f", p.elapsedSeconds)) s")
            }
          }
        } catch let e as FitInterrupted {
          throw BenchmarkFitInterrupted(synthesizer: kind, seed: seed, reason: e.reason)
        }
        let fitSeconds = now() - t0
        AllocatorTuning.releaseFreedMemory()
        configurations[kind] = String(decoding: fitted.configurationJSON, as: UTF8.self)
        if privacyNote == nil, let p = (fitted.configuration as? RLSynConfiguration)?.privacy {
          privacyNote = String(format: "Differential privacy: %@ is (ε = %.3g, δ = %.3g)-DP (σ = %.3g, q = %.3g, %d noisy steps, C = %.3g; %@)",
                               kind.rawValue, p.epsilon, p.delta, p.noiseMultiplier, p.samplingRate, p.steps, p.clipNorm, p.accountant)
        }
        // The synthetic table lives only until it is written and its evaluation view is made.
        let (sampleSeconds, syntheticRows, syntheticEval) = try { () throws -> (Double, Int, EvaluationTable) in
          let t1 = now()
          let synthetic = fitted.sample(rows: train.rowCount, seed: seed, threads: threads ?? TrainingContext.defaultThreads)
          let seconds = now() - t1
          try CSVWriter.write(synthetic, to: runsDir.appendingPathComponent("seed\(seed)-\(kind.rawValue).csv"))
          return (seconds, synthetic.rowCount,
                  EvaluationSampling.evaluationTable(synthetic.datesAsNumbers(schema), role: .synthetic, label: kind.rawValue, rowCap: rowCap, seed: seed))
        }()
        AllocatorTuning.releaseFreedMemory()
        let t2 = now()
        var evalOptions = EvaluationOptions()
        evalOptions.seed = seed
        evalOptions.rowCap = rowCap
        evalOptions.inputRows = [.train: train.rowCount, .holdout: holdout.rowCount, .synthetic: syntheticRows]
        // The views are handed over whole, so the evaluation frees each column's cells once parsed.
        var views = [trainEval(), EvaluationSampling.evaluationTable(holdout.datesAsNumbers(schema), role: .holdout, label: "holdout", rowCap: rowCap, seed: seed),
                     consume syntheticEval]
        let evaluation = try Evaluator.evaluate(releasing: &views, outcome: outcome, options: evalOptions, typing: typing)
        let evaluateSeconds = now() - t2
        AllocatorTuning.releaseFreedMemory()
        try AtomicFile.write(try evaluation.summary.jsonData(), to: runsDir.appendingPathComponent("seed\(seed)-\(kind.rawValue).json"))
        if si == 0 { rocCurves[kind.rawValue] = evaluation.details.rocCurves[.gradientBoosting] }
        runs.append(BenchmarkResult.Run(synthesizer: kind.rawValue, seed: seed, trainRows: train.rowCount, holdoutRows: holdout.rowCount,
                                        fitSeconds: fitSeconds, sampleSeconds: sampleSeconds, evaluateSeconds: evaluateSeconds,
                                        metrics: evaluation.summary.metrics))
        if let progress {
          func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "–" }
          let s = evaluation.summary
          progress("\(tag): fit \(String(format: "%.1f", fitSeconds)) s, sample \(String(format: "%.2f", sampleSeconds)) s; "
                   + "S2R gb \(f(s.utility.gb.s2r)) lr \(f(s.utility.lr.s2r)), ratio gb \(f(s.utility.gb.ratio)) lr \(f(s.utility.lr.ratio)), "
                   + "DWD \(f(s.fidelity.dwd)), MIA \(f(s.privacy.mia))")
        }
      }
    }
    var notes = ["BLAS: \(BLAS.summary)"] + plan.notes + (privacyNote.map { [$0] } ?? [])
    for k in kinds { if let c = configurations[k] { notes.append("\(k.rawValue) configuration: \(c)") } }
    let result = BenchmarkResult(dataset: plan.dataName, outcome: outcome, command: plan.command, seeds: seedList,
                                 trainFraction: plan.trainFraction, synthesizers: kinds.map(\.rawValue), runs: runs,
                                 totalSeconds: now(), notes: notes)
    return BenchmarkOutcome(result: result, rocCurves: rocCurves)
  }
}
