//===----------------------------------------------------------------------===//
// WGAN-GP hyperparameters (the EMR-WGAN baseline).
//===----------------------------------------------------------------------===//

/// Every hyperparameter of the WGAN-GP baseline. Stored inside model files.
///
/// The defaults follow Gulrajani et al. (2017) for the loss (λ = 10 gradient penalty on random
/// interpolates, Adam with β = (0.5, 0.9), 5 critic steps per generator step) and EMR-WGAN
/// (Zhang et al. 2020; the RLSyn paper's GAN baseline) for the shape of the networks: an MLP
/// generator whose heads match the record's column families and an MLP critic without
/// normalisation. The budget is sized for a 2-core CPU; see `docs/baselines.md`.
public struct GANConfiguration: Codable, Sendable, Equatable {
  /// How discrete columns are produced when sampling.
  public enum DiscreteSampling: String, Codable, Sendable, CaseIterable {
    /// Bernoulli draw with the sigmoid output as probability; categorical draw from the softmax. (Default: keeps prevalences.)
    case draw
    /// Threshold at 0.5 and argmax (as the EMR-WGAN code does at generation).
    case mode
  }

  /// Generator updates.
  public var iterations: Int
  /// Real (and fake) records per critic and generator step.
  public var batchSize: Int
  /// Dimension of the noise `z ~ N(0, I)`.
  public var noiseDimension: Int
  /// Widths of the generator's hidden ReLU layers.
  public var generatorWidths: [Int]
  /// Widths of the critic's hidden LeakyReLU(0.2) layers.
  public var criticWidths: [Int]
  /// Critic steps per generator step (n_critic).
  public var criticSteps: Int
  /// Gradient-penalty weight λ in `λ · E(‖∇D(x̂)‖₂ − 1)²`.
  public var gradientPenalty: Float
  /// Adam learning rate of the generator.
  public var generatorLearningRate: Float
  /// Adam learning rate of the critic.
  public var criticLearningRate: Float
  /// Adam β₁ (both networks).
  public var beta1: Float
  /// Adam β₂ (both networks).
  public var beta2: Float
  /// Temperature τ of the Gumbel-softmax / binary-concrete relaxation of the discrete columns the
  /// critic sees during training (0 = show the probabilities themselves, as EMR-WGAN's sigmoid outputs).
  public var relaxationTemperature: Float
  /// Start the generator's output biases at the training marginals (prevalences, level frequencies,
  /// means), with the head weights scaled by 0.1 (the same start RLSyn gets).
  public var marginalInitialization: Bool
  /// Decay of the exponential moving average of the generator's weights that is saved and sampled from
  /// (Yazıcı et al. 2019), with the warm-up `min(decay, (1 + step)/(10 + step))`; 0 keeps the last iterate.
  public var generatorAverageDecay: Float
  /// How Bernoulli and categorical columns are produced when sampling.
  public var discreteSampling: DiscreteSampling
  /// Generator updates between progress reports.
  public var logEvery: Int

  /// Tables with at most this many training rows get the small-data budget (the same limit as RLSyn's presets).
  public static let smallRowLimit = 5_000

  /// The documented defaults for a training table of `rows` rows: 600 generator updates up to
  /// ``smallRowLimit`` rows, 2,000 above (larger tables need more updates; see `docs/baselines.md`).
  /// The batch size is capped at `rows`.
  public init(rows: Int = .max) {
    iterations = rows <= Self.smallRowLimit ? 600 : 2_000
    batchSize = Swift.min(256, Swift.max(rows, 2))
    noiseDimension = 64
    generatorWidths = [128, 128]
    criticWidths = [128, 128]
    criticSteps = 5
    gradientPenalty = 10
    generatorLearningRate = 1e-3
    criticLearningRate = 1e-3
    beta1 = 0.5
    beta2 = 0.9
    relaxationTemperature = 0.2
    marginalInitialization = true
    generatorAverageDecay = 0.99
    discreteSampling = .draw
    logEvery = 100
  }

  /// Checks ranges; returns a description of the first invalid value.
  public func validationError() -> String? {
    if iterations < 1 { return "iterations must be at least 1" }
    if batchSize < 2 { return "batch size must be at least 2" }
    if noiseDimension < 1 { return "the noise dimension must be positive" }
    if generatorWidths.isEmpty || criticWidths.isEmpty || (generatorWidths + criticWidths).contains(where: { $0 < 1 }) {
      return "the generator and critic need at least one hidden layer of positive width"
    }
    if criticSteps < 1 { return "need at least one critic step per generator step" }
    if !(gradientPenalty >= 0) { return "the gradient-penalty weight must be non-negative" }
    if !(generatorLearningRate > 0) || !(criticLearningRate > 0) { return "learning rates must be positive" }
    if !(generatorAverageDecay >= 0 && generatorAverageDecay < 1) { return "the generator average decay must be in [0, 1)" }
    if !(relaxationTemperature >= 0) { return "the relaxation temperature must be non-negative" }
    if !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) { return "Adam betas must be in [0, 1)" }
    return nil
  }
}
