import ArgumentParser
import Foundation
import NumericCore
import TabularData
import Synthesizers

/// `rlsyn fit`: learn a generator from a CSV and save it as a model file.
struct FitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fit",
    abstract: "Fit a synthesizer (RLSyn by default) to a CSV table and save the model.",
    discussion: """
      The preset (small or large) is chosen from the row count (≤ \(RLSynConfiguration.Preset.smallRowLimit) rows: small) \
      unless --preset is given; every hyperparameter below overrides it and is recorded in the model file.
      """)

  @OptionGroup var input: DataInputOptions
  @Option(name: .long, help: "Where to write the model file.") var model: String
  @Option(help: "Random seed: the same seed gives the same model on the same machine and thread count.") var seed: UInt64 = 0
  @Option(help: "Which synthesizer to fit: rlsyn, gan or diffusion.") var synthesizer: SynthesizerKind = .rlsyn
  @Option(help: "Hyperparameter preset: small or large (default: by row count).") var preset: RLSynConfiguration.Preset?
  @Option(help: "Training iterations (policy updates).") var iterations: Int?
  @Option(help: "Records per rollout and per discriminator batch.") var batchSize: Int?
  @Option(help: "Latent noise dimension.") var noiseDimension: Int?
  @Option(help: "Policy hidden width.") var policyWidth: Int?
  @Option(help: "Discriminator hidden width.") var discriminatorWidth: Int?
  @Option(help: "Policy Adam learning rate.") var policyLearningRate: Float?
  @Option(help: "Discriminator Adam learning rate.") var discriminatorLearningRate: Float?
  @Option(help: "R1 gradient-penalty weight γ.") var r1Gamma: Float?
  @Option(help: "Discriminator steps K per policy update.") var discriminatorSteps: Int?
  @Option(help: "PPO epochs per rollout.") var ppoEpochs: Int?
  @Option(help: "PPO clip range ε.") var clipEpsilon: Float?
  @Option(help: "Value-loss weight.") var valueCoefficient: Float?
  @Option(help: "Entropy bonus β.") var entropyCoefficient: Float?
  @Option(help: "Mean-matching penalty λm on continuous columns.") var meanPenalty: Float?
  @Option(help: "Columns of the mean-matching penalty: continuous (paper) or all.") var meanPenaltyScope: RLSynConfiguration.MeanPenaltyScope?
  @Option(help: "Apply the R1 penalty every N discriminator steps (weight γ·N).") var r1Interval: Int?
  @Flag(help: "Run the discriminator steps after the PPO epochs (the paper's order) instead of concurrently on the second core.") var sequential = false
  @Flag(help: "Start the policy heads from random weights instead of the data's marginals.") var noMarginalInitialization = false
  @Option(help: "Numeric column encoding: quantile, standard or minmax.") var encoding: NumericEncoding = .quantile
  @Option(help: "Iterations between progress reports.") var logEvery: Int?
  @Option(help: "Progress format: text (stderr) or json (one object per line on stdout).") var logFormat: LogFormat = .text
  @Option(help: "BLAS threads (default: the library's, usually the number of cores).") var threads: Int?
  @Flag(help: "No progress output.") var quiet = false
  @OptionGroup(title: "GAN and diffusion options") var baselines: BaselineOptions

  enum LogFormat: String, ExpressibleByArgument { case text, json }

  func run() throws {
    try reportingErrors { try fit() }
  }

  func fit() throws {
    if let threads { BLAS.setThreadCount(threads) }
    let modelURL = URL(fileURLWithPath: model)
    let loaded = try input.load()
    let table = loaded.table, schema = loaded.schema, data = input.data
    var options = FitOptions(seed: seed, encoding: EncodingOptions(numeric: encoding), rlsynPreset: preset, sourceFile: data) { c in
      if let v = iterations { c.iterations = v }
      if let v = batchSize { c.batchSize = v }
      if let v = noiseDimension { c.noiseDimension = v }
      if let v = policyWidth { c.policyWidth = v }
      if let v = discriminatorWidth { c.discriminatorWidth = v }
      if let v = policyLearningRate { c.policyLearningRate = v }
      if let v = discriminatorLearningRate { c.discriminatorLearningRate = v }
      if let v = r1Gamma { c.r1Gamma = v }
      if let v = discriminatorSteps { c.discriminatorSteps = v }
      if let v = ppoEpochs { c.ppoEpochs = v }
      if let v = clipEpsilon { c.clipEpsilon = v }
      if let v = valueCoefficient { c.valueCoefficient = v }
      if let v = entropyCoefficient { c.entropyCoefficient = v }
      if let v = meanPenalty { c.meanPenalty = v }
      if let v = meanPenaltyScope { c.meanPenaltyScope = v }
      if let v = r1Interval { c.r1Interval = v }
      if noMarginalInitialization { c.marginalInitialization = false }
      if sequential { c.concurrentDiscriminator = false }
      if let v = logEvery { c.logEvery = v }
    }
    options.gan = { [baselines, iterations, batchSize, noiseDimension, logEvery] c in
      baselines.apply(to: &c, iterations: iterations, batchSize: batchSize, noiseDimension: noiseDimension, logEvery: logEvery)
    }
    options.diffusion = { [baselines, iterations, batchSize, logEvery] c in
      baselines.apply(to: &c, iterations: iterations, batchSize: batchSize, logEvery: logEvery)
    }
    if !quiet && logFormat == .text {
      let rows = table.rowCount
      let presetNote = synthesizer == .rlsyn ? "preset \((preset ?? .automatic(rows: rows)).rawValue), " : ""
      FileHandle.standardError.write(Data("fitting \(synthesizer.rawValue) on \(data): \(rows) rows, \(schema.columns.count) columns (\(presetNote)seed \(seed))\n".utf8))
    }
    let reporter = ProgressReporter(format: logFormat, quiet: quiet)
    do {
      let fitted = try SyntheticDataModel.fit(table, schema: schema, synthesizer: synthesizer, options: options, progress: reporter.report)
      try fitted.save(to: modelURL, createdBy: "rlsyn \(RLSynCommand.version)")
      if !quiet && logFormat == .text {
        FileHandle.standardError.write(Data(String(format: "done in %.1f s; model written to %@\n", fitted.summary.seconds, model).utf8))
      }
    } catch let interrupted as FitInterrupted {
      if let partial = interrupted.partialModel {
        try? partial.save(to: modelURL, createdBy: "rlsyn \(RLSynCommand.version)")
        throw CommandFailure("\(interrupted.reason); the last good model was written to \(model)")
      }
      throw CommandFailure(interrupted.reason)
    }
  }
}

extension SynthesizerKind: ExpressibleByArgument {}
extension RLSynConfiguration.Preset: ExpressibleByArgument {}
extension NumericEncoding: ExpressibleByArgument {}
extension RLSynConfiguration.MeanPenaltyScope: ExpressibleByArgument {}

/// Prints training progress as text lines on stderr or JSON lines on stdout.
struct ProgressReporter {
  let format: FitCommand.LogFormat
  let quiet: Bool

  func report(_ p: FitProgress) {
    if quiet { return }
    switch format {
    case .text:
      let m = p.metrics.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key.replacingOccurrences(of: "_", with: " "), $0.value) }
      let line = String(format: "iteration %d/%d  %@  elapsed %.1fs  remaining %.1fs\n", p.iteration, p.iterations, m.joined(separator: "  "), p.elapsedSeconds, p.remainingSeconds)
      FileHandle.standardError.write(Data(line.utf8))
    case .json:
      var object: [String: Any] = ["iteration": p.iteration, "iterations": p.iterations,
                                   "elapsed_seconds": p.elapsedSeconds, "remaining_seconds": p.remainingSeconds]
      for (k, v) in p.metrics { object[k] = Double(v) }
      if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
        FileHandle.standardOutput.write(data + Data("\n".utf8))
      }
    }
  }
}
