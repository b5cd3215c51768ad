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
      unless --preset is given; --preset paper runs the reference code's configuration (paper-small or paper-large by \
      the row count; 30,000 iterations, see docs/rlsyn.md). Every hyperparameter below overrides the preset and is \
      recorded in the model file.
      """)

  @OptionGroup var input: DataInputOptions
  @Option(name: .long, help: "Where to write the model file.") var model: String
  @Option(help: "Random seed: the same seed gives the same model on the same machine and thread count.") var seed: UInt64 = 0
  @Option(help: "Which synthesizer to fit: rlsyn, gan or diffusion.") var synthesizer: SynthesizerKind = .rlsyn
  @Option(help: "RLSyn hyperparameter preset: \(RLSynSynthesizer.presets.joined(separator: " or ")) (default: by row count).") var preset: String?
  @Option(help: "Training iterations (RLSyn policy updates; GAN generator updates; diffusion training steps).") var iterations: Int?
  @Option(help: "Records per rollout and per discriminator batch (GAN, diffusion: per training step).") var batchSize: Int?
  @Option(help: "Latent noise dimension (RLSyn, GAN).") var noiseDimension: Int?
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
  @Option(help: "Mean-matching penalty weight λm (its columns: --mean-penalty-scope).") var meanPenalty: Float?
  @Option(help: "Columns of the mean-matching penalty: continuous (paper) or all.") var meanPenaltyScope: RLSynConfiguration.MeanPenaltyScope?
  @Option(help: "Apply the R1 penalty every N discriminator steps (weight γ·N).") var r1Interval: Int?
  @Option(help: "Reward from the discriminator's logit D(x): probability (σ(D), the paper), log-probability (log σ(D)) or logit (D).") var reward: RLSynConfiguration.RewardForm?
  @Option(help: "PPO advantage: value (r − V(z) per record, the paper) or counterfactual (per column, against a redraw of that column).") var advantage: RLSynConfiguration.AdvantageEstimator?
  @Option(help: "Gaussian spread: per-record (a log-std head, the paper's text) or shared (one per column, the reference code).") var logStd: RLSynConfiguration.LogStdParameterization?
  @Option(help: "Entropy bonus estimate: closed-form or sample (−mean log π, the reference code).") var entropyEstimate: RLSynConfiguration.EntropyEstimate?
  @Option(help: "Decay of the saved moving average of the policy weights (RLSyn; 0 = save the trained weights).") var policyAverageDecay: Float?
  @Flag(inversion: .prefixedNo, help: "Use the rollout's records as the first discriminator fake batch (concurrent discriminator; RLSyn).") var reuseRolloutFakes: Bool?
  @Flag(inversion: .prefixedNo, help: "Show the discriminator fakes rounded and clipped as the CSV will hold them (RLSyn).") var roundTripFakes: Bool?
  @Flag(help: "Run the discriminator steps after the PPO epochs (the paper's order) instead of concurrently on the second core.") var sequential = false
  @Flag(help: "Start the policy heads from random weights instead of the data's marginals.") var noMarginalInitialization = false
  @Option(help: "Numeric column encoding: quantile, standard or minmax.") var encoding: NumericEncoding = .quantile
  @Option(help: "Iterations between progress reports.") var logEvery: Int?
  @Option(help: "Progress format: text (stderr) or json (one object per line on stdout).") var logFormat: LogFormat = .text
  @Option(help: "The most threads training uses (default: every core).") var threads: Int?
  @Flag(help: "No progress output.") var quiet = false
  @OptionGroup(title: "GAN and diffusion options") var baselines: BaselineOptions

  enum LogFormat: String, ExpressibleByArgument { case text, json }

  func run() throws {
    try reportingErrors { try fit() }
  }

  func fit() throws {
    let modelURL = URL(fileURLWithPath: model)
    let loaded = try input.load()
    let table = loaded.table, schema = loaded.schema, data = input.data
    var options = FitOptions(seed: seed, encoding: EncodingOptions(numeric: encoding), preset: preset, sourceFile: data, threads: threads)
    options.iterations = iterations
    options.batchSize = batchSize
    options.logEvery = logEvery
    options.adjust(RLSynSynthesizer.self) { [self] c in applyRLSynOptions(to: &c) }
    baselines.adjust(&options, noiseDimension: noiseDimension)
    if !quiet && logFormat == .text {
      let rows = table.rowCount
      let resolved = preset == "paper" ? RLSynConfiguration.Preset.paper(rows: rows).rawValue : preset
      let presetNote = synthesizer == .rlsyn ? "preset \(resolved ?? RLSynConfiguration.Preset.automatic(rows: rows).rawValue), " : ""
      FileHandle.standardError.write(Data("fitting \(synthesizer.rawValue) on \(data): \(rows) rows, \(schema.columns.count) columns (\(presetNote)seed \(seed))\n".utf8))
    }
    let reporter = ProgressReporter(format: logFormat, quiet: quiet)
    do {
      let fitted = try SyntheticDataModel.fit(table, schema: schema, synthesizer: synthesizer, options: options, progress: reporter.report)
      try fitted.save(to: modelURL, createdBy: "rlsyn \(RLSynCommand.version)")
      if !quiet && logFormat == .text {
        FileHandle.standardError.write(Data(String(format: "done in %.1f s; model written to %@\n", fitted.fitSeconds ?? 0, model).utf8))
      }
    } catch let interrupted as FitInterrupted {
      if let partial = interrupted.partialModel {
        try? partial.save(to: modelURL, createdBy: "rlsyn \(RLSynCommand.version)")
        throw CommandFailure("\(interrupted.reason); the last good model was written to \(model)")
      }
      throw CommandFailure(interrupted.reason)
    }
  }

  /// The RLSyn-only options given on the command line.
  func applyRLSynOptions(to c: inout RLSynConfiguration) {
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
    if let v = reward { c.reward = v }
    if let v = advantage { c.advantageEstimator = v }
    if let v = roundTripFakes { c.roundTripFakes = v }
    if let v = reuseRolloutFakes { c.reuseRolloutFakes = v }
    if let v = policyAverageDecay { c.policyAverageDecay = v }
    if let v = logStd { c.logStd = v }
    if let v = entropyEstimate { c.entropyEstimate = v }
    if noMarginalInitialization { c.marginalInitialization = false }
    if sequential { c.concurrentDiscriminator = false }
  }
}

extension SynthesizerKind: ExpressibleByArgument {
  public init?(argument: String) {
    guard SynthesizerRegistry.standard.kinds.contains(SynthesizerKind(rawValue: argument)) else { return nil }
    self.init(rawValue: argument)
  }
  public static var allValueStrings: [String] { SynthesizerRegistry.standard.kinds.map(\.rawValue) }
}
extension NumericEncoding: ExpressibleByArgument {}
extension RLSynConfiguration.MeanPenaltyScope: ExpressibleByArgument {}
extension RLSynConfiguration.RewardForm: ExpressibleByArgument {}
extension RLSynConfiguration.AdvantageEstimator: ExpressibleByArgument {}
extension RLSynConfiguration.LogStdParameterization: ExpressibleByArgument {}
extension RLSynConfiguration.EntropyEstimate: ExpressibleByArgument {}

/// Prints training progress as text lines on stderr or JSON lines on stdout.
struct ProgressReporter {
  let format: FitCommand.LogFormat
  let quiet: Bool

  func report(_ p: TrainingProgress) {
    if quiet { return }
    switch format {
    case .text: FileHandle.standardError.write(Data((p.textLine + "\n").utf8))
    case .json: FileHandle.standardOutput.write(Data((p.jsonLine + "\n").utf8))
    }
  }
}
