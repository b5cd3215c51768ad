import ArgumentParser
import Foundation
import Synthesizers
import TabularData

/// The RLSyn hyperparameters a user tunes, on `rlsyn fit` and `rlsyn benchmark`: sizes, learning rates and the
/// method parameters the paper names. Each overrides the preset (and `--config`) and is stored in the model file;
/// every other field is an expert setting of the `--config` file (docs/rlsyn.md).
struct RLSynOptions: ParsableArguments {
  @Option(help: "Latent noise dimension (RLSyn; with rlsyn fit also the GAN).") var noiseDimension: Int?
  @Option(help: "Policy hidden width.") var policyWidth: Int?
  @Option(help: "Discriminator hidden width.") var discriminatorWidth: Int?
  @Option(help: "Policy Adam learning rate.") var policyLearningRate: Float?
  @Option(help: "Discriminator Adam learning rate.") var discriminatorLearningRate: Float?
  @Option(help: "Discriminator steps K per policy update.") var discriminatorSteps: Int?
  @Option(help: "PPO epochs per rollout.") var ppoEpochs: Int?
  @Option(help: "PPO clip range ε.") var clipEpsilon: Float?
  @Option(help: "Entropy bonus β.") var entropyCoefficient: Float?
  @Option(help: "R1 gradient-penalty weight γ.") var r1Gamma: Float?
  @Option(help: "Mean-matching penalty weight λm.") var meanPenalty: Float?
  @Option(help: ArgumentHelp("Differential privacy: fit RLSyn with (ε, δ)-DP at this ε (needs --metadata declaring every column's kind, levels and bounds; docs/privacy.md).", valueName: "ε"))
  var epsilon: Double?
  @Option(help: ArgumentHelp("δ of a private fit (default 1e-5, or 1/rows above 100,000 rows).", valueName: "δ"))
  var delta: Double?
  @Option(help: ArgumentHelp("σ of a private fit's noise (default: the smallest that keeps the fit within --epsilon; with --epsilon the fit stops when the budget is spent).", valueName: "σ"))
  var noiseMultiplier: Double?

  /// The private-fit request, if --epsilon or --noise-multiplier was given (checked as the options are parsed).
  func privacyRequest() throws -> PrivacyRequest? {
    guard epsilon != nil || noiseMultiplier != nil || delta != nil else { return nil }
    let request = PrivacyRequest(epsilon: epsilon, delta: delta, noiseMultiplier: noiseMultiplier)
    do { try request.validate() } catch let e as TrainingError { throw CommandFailure(e.description) }  // one line, no usage
    return request
  }

  func validate() throws { _ = try privacyRequest() }

  /// Registers ``apply(to:)`` for RLSyn fits in `options`, and the private-fit request with the metadata it uses.
  func adjust(_ options: inout FitOptions, metadata: Metadata? = nil, metadataFile: String? = nil) {
    options.adjust(RLSynSynthesizer.self) { [self] c in apply(to: &c) }
    options.privacy = try? privacyRequest()
    options.publicMetadata = metadata
    options.publicMetadataFile = metadataFile
  }

  /// Applies the options given to an RLSyn configuration.
  func apply(to c: inout RLSynConfiguration) {
    if let v = noiseDimension { c.noiseDimension = v }
    if let v = policyWidth { c.policyWidth = v }
    if let v = discriminatorWidth { c.discriminatorWidth = v }
    if let v = policyLearningRate { c.policyLearningRate = v }
    if let v = discriminatorLearningRate { c.discriminatorLearningRate = v }
    if let v = discriminatorSteps { c.discriminatorSteps = v }
    if let v = ppoEpochs { c.ppoEpochs = v }
    if let v = clipEpsilon { c.clipEpsilon = v }
    if let v = entropyCoefficient { c.entropyCoefficient = v }
    if let v = r1Gamma { c.r1Gamma = v }
    if let v = meanPenalty { c.meanPenalty = v }
  }
}

/// `--config FILE`: expert settings of every synthesizer and the encoding, in the model file's JSON shape.
struct ConfigurationFileOption: ParsableArguments {
  @Option(help: ArgumentHelp(
    "Expert settings: a JSON object with sections rlsyn, gan, diffusion (fields as in a model file's configuration) and encoding; applied after the preset, before the options above (docs/rlsyn.md).",
    valueName: "FILE"))
  var config: String?

  /// Reads the file into `options`, if one was given.
  func read(into options: inout FitOptions) throws {
    guard let config else { return }
    try options.readConfigurationFile(URL(fileURLWithPath: config), name: config)
  }

  /// The file's bytes, read once (nil when none was given): a pipe such as `<(echo …)` can be read only once.
  func contents() throws -> Data? {
    guard let config else { return nil }
    return try FitOptions.configurationFileContents(URL(fileURLWithPath: config), name: config)
  }
}
