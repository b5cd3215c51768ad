import ArgumentParser
import Synthesizers

/// The RLSyn hyperparameters of `rlsyn fit` and `rlsyn benchmark`; each overrides the preset and is stored in the model file.
struct RLSynOptions: ParsableArguments {
  @Option(help: "Latent noise dimension (RLSyn; with rlsyn fit also the GAN).") var noiseDimension: Int?
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
  @Option(help: "Correlation-matching penalty weight λc over the mean penalty's columns (0 = off).") var correlationPenalty: Float?
  @Option(help: "Encoded columns up to which the correlation penalty applies (0 = no limit); wider tables use its anchored form.") var correlationPenaltyMaxWidth: Int?
  @Option(help: "Weight of the correlation penalty's anchored form past --correlation-penalty-max-width columns: anchor columns against every column (0 = off).") var anchoredCorrelationPenalty: Float?
  @Option(help: "Anchor columns of the anchored correlation penalty: Gaussian columns first, then the discrete columns of largest variance.") var correlationPenaltyAnchors: Int?
  @Option(help: "Encoded columns past which the mean-matching penalty's sum is scaled to this many columns' worth (0 = plain sum).") var meanPenaltyReferenceWidth: Int?
  @Option(help: "Apply the R1 penalty every N discriminator steps (weight γ·N).") var r1Interval: Int?
  @Option(help: "Reward from the discriminator's logit D(x): probability (σ(D), the paper), log-probability (log σ(D)) or logit (D).") var reward: RLSynConfiguration.RewardForm?
  @Option(help: "PPO advantage: value (r − V(z) per record, the paper) or counterfactual (per column, against a redraw of that column).") var advantage: RLSynConfiguration.AdvantageEstimator?
  @Option(help: "Gaussian spread: per-record (a log-std head, the paper's text) or shared (one per column, the reference code).") var logStd: RLSynConfiguration.LogStdParameterization?
  @Option(help: "Entropy bonus estimate: closed-form or sample (−mean log π, the reference code).") var entropyEstimate: RLSynConfiguration.EntropyEstimate?
  @Option(help: "Decay of the saved moving average of the policy weights (RLSyn; 0 = save the trained weights).") var policyAverageDecay: Float?
  @Option(help: "Decoupled weight decay on the policy's weight matrices (RLSyn; 0 = none).") var policyWeightDecay: Float?
  @Option(help: "Learning rates at the last iteration as a fraction of their start (constant for the first half, then linear; 1 = constant).") var finalLearningRateFraction: Float?
  @Option(help: "Batches of --batch-size records per rollout; each PPO epoch steps once per batch (RLSyn; 0, the default: 2 up to 256 encoded columns, else 1; 1 = the reference code).") var rolloutBatches: Int?
  @Flag(inversion: .prefixedNo, help: "Use the rollout's records as the first discriminator fake batch (concurrent discriminator; RLSyn; default on).") var reuseRolloutFakes: Bool?
  @Flag(inversion: .prefixedNo, help: "Show the discriminator fakes rounded and clipped as the CSV will hold them (RLSyn; pair with --no-dequantize-levels, so that real records keep their spikes too).") var roundTripFakes: Bool?
  @Flag(help: "Run the discriminator steps after the PPO epochs (the paper's order) instead of concurrently on the second core.") var sequential = false
  @Flag(help: "Start the policy heads from random weights instead of the data's marginals.") var noMarginalInitialization = false

  /// Registers ``apply(to:)`` for RLSyn fits in `options`.
  func adjust(_ options: inout FitOptions) {
    options.adjust(RLSynSynthesizer.self) { [self] c in apply(to: &c) }
  }

  /// Applies the options given to an RLSyn configuration.
  func apply(to c: inout RLSynConfiguration) {
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
    if let v = meanPenaltyReferenceWidth { c.meanPenaltyReferenceWidth = v }
    if let v = correlationPenalty { c.correlationPenalty = v }
    if let v = correlationPenaltyMaxWidth { c.correlationPenaltyMaxWidth = v }
    if let v = anchoredCorrelationPenalty { c.anchoredCorrelationPenalty = v }
    if let v = correlationPenaltyAnchors { c.correlationPenaltyAnchors = v }
    if let v = r1Interval { c.r1Interval = v }
    if let v = reward { c.reward = v }
    if let v = advantage { c.advantageEstimator = v }
    if let v = roundTripFakes { c.roundTripFakes = v }
    if let v = reuseRolloutFakes { c.reuseRolloutFakes = v }
    if let v = policyAverageDecay { c.policyAverageDecay = v }
    if let v = logStd { c.logStd = v }
    if let v = entropyEstimate { c.entropyEstimate = v }
    if let v = finalLearningRateFraction { c.finalLearningRateFraction = v }
    if let v = policyWeightDecay { c.policyWeightDecay = v }
    if let v = rolloutBatches { c.rolloutBatches = v }
    if noMarginalInitialization { c.marginalInitialization = false }
    if sequential { c.concurrentDiscriminator = false }
  }
}
