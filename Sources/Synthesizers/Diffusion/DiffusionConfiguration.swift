//===----------------------------------------------------------------------===//
// Hyperparameters of the tabular denoising-diffusion baseline.
//===----------------------------------------------------------------------===//

/// Every hyperparameter of the diffusion baseline (TabDDPM / EHRDiff family). Stored inside model files.
///
/// Gaussian DDPM (Ho et al. 2020) on the whole encoded record, ε-prediction with the simple MSE loss,
/// an MLP denoiser with a sinusoidal time embedding (TabDDPM's `MLPDiffusion`), an exponential
/// moving average of the weights for sampling (as EHRDiff), and ancestral sampling. The budget is sized
/// for a 2-core CPU; see `docs/baselines.md`.
public struct DiffusionConfiguration: Codable, Sendable, Equatable {
  /// Training steps (Adam updates).
  public var iterations: Int
  /// Records per training step.
  public var batchSize: Int
  /// Diffusion steps T of the forward process.
  public var timesteps: Int
  /// The β schedule.
  public var schedule: NoiseSchedule.Kind
  /// Network evaluations when sampling (≤ T): the schedule is respaced to this many evenly spread
  /// timesteps (improved DDPM). Equal to `timesteps` for plain ancestral sampling.
  public var samplingSteps: Int
  /// Width of the denoiser's hidden layers.
  public var width: Int
  /// Number of hidden ReLU layers after the input projection.
  public var depth: Int
  /// Dimension of the sinusoidal time embedding.
  public var timeEmbeddingDimension: Int
  /// Adam learning rate.
  public var learningRate: Float
  /// Decoupled weight decay (AdamW).
  public var weightDecay: Float
  /// Decay of the exponential moving average of the weights used for sampling
  /// (with the usual warm-up `min(decay, (1 + step)/(10 + step))`); 0 disables it.
  public var emaDecay: Float
  /// The predicted clean record x̂₀ is clipped to `±clipDenoised` at each sampling step (0 = no clipping).
  public var clipDenoised: Float
  /// Training steps between progress reports.
  public var logEvery: Int
  /// The denoiser gets its per-column input skip (``Denoiser``) when the encoded record is wider than this
  /// (default 256, so narrow tables train as before; 0: always). Model files from before it read as never.
  public var columnSkipMinWidth: Int

  /// Whether a record of `width` encoded columns gets the per-column input skip.
  public func appliesColumnSkip(width: Int) -> Bool { width > columnSkipMinWidth }

  /// Tables with at most this many training rows get the small-data budget (the same limit as RLSyn's presets).
  public static let smallRowLimit = 5_000

  /// The documented defaults for a training table of `rows` rows: 1,500 training steps up to
  /// ``smallRowLimit`` rows, 3,000 above. The batch size is capped at `rows`.
  public init(rows: Int = .max) {
    iterations = rows <= Self.smallRowLimit ? 1_500 : 3_000
    batchSize = Swift.min(256, Swift.max(rows, 2))
    timesteps = 1_000
    schedule = .cosine
    samplingSteps = 50
    width = 256
    depth = 2
    timeEmbeddingDimension = 64
    learningRate = 1e-3
    weightDecay = 0
    emaDecay = 0.995
    clipDenoised = 6
    logEvery = 100
    columnSkipMinWidth = 256
  }

  /// Checks ranges; returns a description of the first invalid value.
  public func validationError() -> String? {
    if iterations < 1 { return "iterations must be at least 1" }
    if batchSize < 2 { return "batch size must be at least 2" }
    if timesteps < 1 { return "need at least one diffusion step" }
    if samplingSteps < 1 || samplingSteps > timesteps { return "sampling steps must be between 1 and the number of diffusion steps" }
    if width < 1 || depth < 1 { return "the denoiser needs at least one hidden layer of positive width" }
    if timeEmbeddingDimension < 2 || timeEmbeddingDimension % 2 != 0 { return "the time-embedding dimension must be even and at least 2" }
    if !(learningRate > 0) { return "the learning rate must be positive" }
    if !(weightDecay >= 0) { return "weight decay must be non-negative" }
    if !(emaDecay >= 0 && emaDecay < 1) { return "the EMA decay must be in [0, 1)" }
    if !(clipDenoised >= 0) { return "the clip bound must be non-negative" }
    if columnSkipMinWidth < 0 { return "the column-skip width must be non-negative" }
    return nil
  }
}

extension DiffusionConfiguration {
  /// Older model files have no column skip: they were trained without it whatever their width.
  public static var fieldsAddedLater: ConfigurationPatch { ["columnSkipMinWidth": .int(.max)] }

  /// The defaults (every field but the column skip was in the first model files).
  public static func storedBase(_ stored: [String: JSONValue]) throws -> DiffusionConfiguration? { DiffusionConfiguration() }
}
