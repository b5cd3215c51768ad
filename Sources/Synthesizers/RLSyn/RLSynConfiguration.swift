//===----------------------------------------------------------------------===//
// RLSyn hyperparameters and the two presets.
//===----------------------------------------------------------------------===//

/// Every RLSyn hyperparameter. Stored inside model files; every field can be overridden
/// from the command line.
///
/// The paper's reference code (see `docs/rlsyn.md`) trains 30,000 iterations on a GPU. Our
/// presets keep its architecture and PPO constants but use fewer iterations with a larger
/// learning rate, and start the heads at the data's marginals, so a fit takes seconds on a
/// 2-core CPU.
public struct RLSynConfiguration: Codable, Sendable, Equatable {
  /// The documented presets.
  public enum Preset: String, Codable, Sendable, CaseIterable {
    /// Small tables (≤ 5,000 rows; the paper's AI-READI regime): 2,000 iterations, or where the policy draws column
    /// by column a likelihood warm-up and 800 cheaper ones, more past 64 source columns
    /// (``RLSynConfiguration/blockDrawnFields``, ``RLSynConfiguration/blockDrawnIterations(_:columns:)``).
    case small
    /// Larger tables: 4,000 iterations, or a likelihood warm-up and 1,600 cheaper ones (more past 64 source columns).
    case large
    /// The reference code's AI-READI configuration (`RL/hyperparams.py`): 30,000 iterations, batch 384, K = 5,
    /// 3 PPO epochs, learning rates 2e-4 / 5e-5, the paper's order and estimators. Hours on a CPU.
    case paperSmall = "paper-small"
    /// The reference code's MIMIC-IV configuration: 30,000 iterations, batch 3,840, K = 3, 2 PPO epochs,
    /// learning rates 5e-4 / 1e-4, discriminator width 256, noise 128.
    case paperLarge = "paper-large"
    /// A differentially private fit's defaults (`--epsilon` without `--preset`): one discriminator step per
    /// iteration, and 1,000 to 2,000 iterations by the row count (``RLSynConfiguration/privateIterations(rows:)``),
    /// so that the budget pays for less noise per step (docs/privacy.md).
    case `private`

    /// Tables with at most this many rows get `small` (and `paper` resolves to `paper-small`).
    public static let smallRowLimit = 5_000

    /// The preset for a training table of `rows` rows.
    public static func automatic(rows: Int) -> Preset { rows <= smallRowLimit ? .small : .large }

    /// `paper-small` or `paper-large` by the row count (what `--preset paper` means).
    public static func paper(rows: Int) -> Preset { rows <= smallRowLimit ? .paperSmall : .paperLarge }

    /// The names a preset can be asked for by: every preset's own, and `paper` (resolved by the row count).
    public static var names: [String] { allCases.map(\.rawValue) + ["paper"] }

    /// The preset `name` means for a table of `rows` rows; nil asks for the automatic one.
    /// - Throws: ``TrainingError/invalid(_:)`` for an unknown name.
    public static func named(_ name: String?, rows: Int) throws -> Preset {
      guard let name else { return automatic(rows: rows) }
      if name == "paper" { return paper(rows: rows) }
      guard let preset = Preset(rawValue: name) else {
        throw TrainingError.invalid("rlsyn has no preset '\(name)' (presets: \(names.joined(separator: ", ")))")
      }
      return preset
    }
  }

  /// The columns the mean-matching penalty applies to.
  public enum MeanPenaltyScope: String, Codable, Sendable, CaseIterable {
    /// Continuous (Gaussian) columns only, as in the paper.
    case continuous
    /// Every column: Gaussian means, Bernoulli prevalences and categorical level frequencies
    /// (our extension; it keeps the marginals in place while PPO learns dependencies).
    case all
  }

  /// How the discriminator's logit `D(x)` becomes the reward.
  public enum RewardForm: String, Codable, Sendable, CaseIterable {
    /// `σ(D(x))` ∈ (0, 1), the paper's reward.
    case probability
    /// `log σ(D(x))`, unbounded below: the non-saturating GAN objective.
    case logProbability = "log-probability"
    /// `D(x)` itself: for an optimal discriminator `log p_data(x) / p_θ(x)`, so the expected reward is −KL(p_θ ‖ p_data).
    case logit
  }

  /// How the PPO advantage of a record is estimated.
  public enum AdvantageEstimator: String, Codable, Sendable, CaseIterable {
    /// `A = r − V(z)` for the whole record, normalised over the batch (the paper).
    case value
    /// One advantage per source column ("factor"): `A_f = r(x) − r(x with factor f redrawn from π_f(·|z))`.
    /// The redraw is independent of `x_f` given `z`, so it is an unbiased baseline for factor f's score, and it
    /// removes the reward noise that the other columns' draws add (PPO then clips each factor's ratio).
    case counterfactual
  }

  /// How the Gaussian heads' spread is parameterised.
  public enum LogStdParameterization: String, Codable, Sendable, CaseIterable {
    /// A log-std output per record, squashed into ``RLSynConfiguration/logStdRange`` (the paper's text).
    case perRecord = "per-record"
    /// One learned log-std per column, the same for every record (the reference code's `log_sigma`).
    case shared
  }

  /// How the entropy bonus is estimated.
  public enum EntropyEstimate: String, Codable, Sendable, CaseIterable {
    /// The closed-form entropy of each record's distribution (no sampling noise).
    case closedForm = "closed-form"
    /// `−mean log π(x|z)` over the rollout's records (the reference code).
    case sample
  }

  /// Which preset the values came from (informational).
  public var preset: Preset = .small
  /// Policy updates (each: one rollout batch, `ppoEpochs` PPO steps, `discriminatorSteps` D steps).
  public var iterations: Int = 2_000
  /// Records per rollout (and real records per discriminator step).
  public var batchSize: Int = 384
  /// Dimension of the latent noise `z ~ N(0, I)`.
  public var noiseDimension: Int = 32
  /// Width of the policy's two hidden ReLU layers.
  public var policyWidth: Int = 128
  /// Width of the discriminator's two hidden LeakyReLU(0.2) layers.
  public var discriminatorWidth: Int = 128
  /// Adam learning rate of the policy and value head.
  public var policyLearningRate: Float = 1e-3
  /// Adam learning rate of the discriminator.
  public var discriminatorLearningRate: Float = 3e-3
  /// R1 penalty weight γ in `γ/2 · E‖∇ₓD(x_real)‖²`.
  public var r1Gamma: Float = 5
  /// Discriminator steps K per policy update.
  // Default: K = 4: the discriminator's core mostly finishes its steps while the PPO epochs still run (NHEFS LR ratio 0.967 → 0.985, SUPPORT2 GB ratio 0.964 → 0.981; docs/rlsyn.md).
  public var discriminatorSteps: Int = 4
  /// PPO epochs over each rollout batch (full batch, as in the reference code).
  public var ppoEpochs: Int = 3
  /// PPO clip range ε.
  public var clipEpsilon: Float = 0.1
  /// Weight of the value loss.
  public var valueCoefficient: Float = 0.5
  /// Entropy bonus β.
  public var entropyCoefficient: Float = 1e-3
  /// Mean-matching penalty λm: `λm · Σ_j (E[x_j] − x̄_j)² / Var(x_j)` over the columns in ``meanPenaltyScope``,
  /// with expectations from the policy's parameters (μ, σ(logit), softmax), so the penalty has a gradient.
  public var meanPenalty: Float = 0.2
  /// Which columns the mean-matching penalty covers.
  public var meanPenaltyScope: MeanPenaltyScope = .all
  /// Past this many encoded columns in scope, the penalty's sum is scaled by `meanPenaltyReferenceWidth / d`,
  /// so its total weight stops growing with the width (λm · 128 · the mean term on a 1,460-column table);
  /// 0 keeps the plain sum. NHEFS (101 encoded columns) and SUPPORT2 (75) are below it, so unchanged.
  public var meanPenaltyReferenceWidth: Int = 128
  /// Correlation-matching penalty λc: `λc · (1/m) Σ_{j,k} (Ê[ẽ_j ẽ_k] − E_data[x̃_j x̃_k])²` over pairs of the
  /// mean penalty's columns from different source columns, with `ẽ` the policy's expected values and `x̃` the
  /// training records, both standardised by the training means and standard deviations. Given the noise the
  /// columns are drawn independently, so the batch mean of `ẽ_j ẽ_k` estimates the policy's second moment and the
  /// penalty has a gradient. Scaled like the mean penalty past ``meanPenaltyReferenceWidth`` columns; 0 turns it off.
  /// Its cost grows with the square of the width, so it applies only up to ``correlationPenaltyMaxWidth`` columns.
  // Default: Off: lower detection AUC on NHEFS, but utility within noise and SUPPORT2's detection worse (docs/rlsyn.md).
  public var correlationPenalty: Float = 0
  /// Encoded columns (of the mean penalty's scope) up to which the correlation penalty applies; wider tables train
  /// with its anchored form instead (``anchoredCorrelationPenalty``; 0 = no limit). At 1,460 columns the full
  /// form's products would add about as much as a whole iteration.
  public var correlationPenaltyMaxWidth: Int = 256
  /// Weight of the correlation penalty's anchored form, used past ``correlationPenaltyMaxWidth`` columns: the same
  /// penalty over the pairs of each of ``correlationPenaltyAnchors`` anchor columns (the Gaussian columns first,
  /// then the discrete columns of largest training variance) with every column, so its products grow with the
  /// width, not its square. On a wide table of sparse codes these are the pairs a linear model's fit rests on:
  /// the outcome and the dense columns against every code. 200 in our presets (it is summed over `a × m` pairs
  /// scaled by `s / a`, with `s` the mean penalty's `128 / m`, so its weight does not grow with the width);
  /// 0 turns it off, as the paper presets do.
  // Default: Past 256 columns only: on the 126,522 × 1,460 MIMIC-shaped table the LR ratio 0.917 → 0.972 (docs/rlsyn.md).
  public var anchoredCorrelationPenalty: Float = 200
  /// The anchored form's anchor columns (at most; columns of zero variance never anchor).
  public var correlationPenaltyAnchors: Int = 32
  /// Apply the R1 penalty on every `r1Interval`-th discriminator step, with weight `γ · r1Interval`
  /// ("lazy regularisation", Karras et al. 2020); 1 = every step, as in the paper.
  public var r1Interval: Int = 3
  /// Run the K discriminator steps concurrently with the PPO epochs (on fakes from the policy before
  /// this iteration's update); `false` is the paper's order (D steps after the update, on fresh fakes).
  public var concurrentDiscriminator: Bool = true
  /// Bounds of the Gaussian heads' log standard deviation.
  public var logStdRange: ClosedRange<Float> = -4...1
  /// Start the heads at the training data's marginals (prevalences, level frequencies, means and spreads).
  public var marginalInitialization: Bool = true
  /// Records between progress reports.
  public var logEvery: Int = 50
  /// The reward's form.
  public var reward: RewardForm = .logit
  /// The advantage estimator. The counterfactual one redraws single columns given z alone, so with it the policy
  /// draws every column at once whatever ``autoregressiveBlocks`` says.
  public var advantageEstimator: AdvantageEstimator = .value
  /// Show the discriminator (for rewards and for its training fakes) the records as they will be written:
  /// Gaussian values decoded, rounded to the column's precision, clipped and encoded again
  /// (``RecordLayout/roundTripped(_:)``). The policy's actions stay continuous; only the reward sees the rounding.
  /// Meant for training data that keeps its spikes (`EncodingOptions.dequantizeLevels` off): with dequantized
  /// real scores, rounded fakes would be the only records on the lattice.
  public var roundTripFakes: Bool = false
  /// Decay of the exponential moving average of the policy's weights that is saved and sampled
  /// (``WeightAverage``); 0 saves the trained weights themselves.
  public var policyAverageDecay: Float = 0
  /// With the concurrent discriminator, use the rollout's records (already drawn from the policy the
  /// discriminator trains against) as the first of its K fake batches, drawing only K − 1.
  // Default: The rollout's records are the first fake batch: one policy forward pass fewer on the critical path.
  public var reuseRolloutFakes: Bool = true
  /// Per-record or shared log-std of the Gaussian heads.
  public var logStd: LogStdParameterization = .perRecord
  /// Closed-form or sample entropy.
  public var entropyEstimate: EntropyEstimate = .closedForm
  /// Both learning rates at the last iteration, as a fraction of their base values: they stay at the base
  /// for the first half of the iterations, then fall linearly to this fraction (1 keeps them constant).
  // Default: Learning rates fall to 30 % over the second half: the last policy is less noisy (docs/rlsyn.md).
  public var finalLearningRateFraction: Float = 0.3
  /// Decoupled weight decay λ (AdamW) on the policy's weight matrices (not its biases): each step shrinks
  /// them by `lr·λ`, a pull towards zero for weights that no consistent gradient holds up. 0 (the default)
  /// disables it; on the MIMIC-shaped proxy λ = 0.05–0.1 raised the LR ratio by about 0.02 (docs/rlsyn.md).
  public var policyWeightDecay: Float = 0
  /// Batches of `batchSize` records in one rollout. Each PPO epoch takes one Adam step per batch (minibatches
  /// of the rollout, advantages normalised over all of it), and with the concurrent discriminator and
  /// ``reuseRolloutFakes`` the rollout's batches are also its first fake batches. 1 is the reference code's
  /// single full-batch rollout. 0 (our presets) chooses by the table's width: 2 up to
  /// ``automaticRolloutWidthLimit`` encoded columns, where the extra PPO steps run beside the discriminator
  /// steps (the longer task on two cores), and 1 above it, where the PPO epochs are the longer task
  /// (``rolloutBatches(width:)``).
  // Default: Two batches per rollout up to 256 encoded columns: six PPO steps beside the discriminator's, nearly free on two cores.
  public var rolloutBatches: Int = 0
  /// Blocks of columns the policy draws one after another, each given the noise and the earlier blocks' values
  /// through a masked linear map from the record to the heads (``RLSynPolicy/draw(_:rng:)``); `log π(x|z)` stays
  /// one pass, so PPO's ratios are exact. 1: every column given the noise alone (the paper's policy); 0: every
  /// source column its own block. Blocks apply up to ``autoregressiveWidthLimit`` encoded columns; wider tables
  /// draw one block (``autoregressiveBlocks(width:)``).
  // Default: 16, and the presets' ``blockDrawnFields`` make it 0 (every source column its own block) together with the
  // likelihood warm-up, which learns each column given all earlier ones. Without the warm-up 16 blocks were better than
  // one block and than one per column (docs/experiments/rlsyn-autoregressive-policy.md).
  public var autoregressiveBlocks: Int = 16
  /// Adam steps of maximum likelihood before the PPO iterations: each maximises `mean log π(x | z)` of a batch of
  /// training records `x` with fresh noise `z` (teacher-forced through the blocks), so a policy drawn in blocks starts
  /// from the records' block-by-block conditionals instead of their marginals. 0 turns it off; it applies only with
  /// more than one block (one block's start is already the marginals) and never in a private fit. It stops earlier when a
  /// held-out tenth of the records stops improving, and takes at most 5 steps per iteration.
  public var likelihoodWarmupSteps: Int = 0
  /// The fit's differential privacy (``DifferentialPrivacy``); nil for an ordinary fit, and then not written.
  public var privacy: DifferentialPrivacy? = nil


  /// The values of `preset`: the declared defaults above with the preset's fields (``presetFields``) applied.
  public init(preset: Preset) {
    do {
      self = try RLSynConfiguration(defaultsOf: preset).applying(Self.presetFields[preset] ?? [:], source: "preset \(preset.rawValue)")
    } catch {
      fatalError("the preset table is inconsistent with the configuration's fields: \(error)")
    }
  }

  /// The declared defaults, labelled as `preset`.
  private init(defaultsOf preset: Preset) { self.preset = preset }

  /// Each preset as the fields it changes from the declared defaults (`small` is the defaults).
  public static let presetFields: [Preset: ConfigurationPatch] = {
    // The reference code: random initialisation, σ(D) reward, r − V advantages, the paper's order, R1 on every
    // step, one shared log-std per column (init 0), the sample entropy. Its mean penalty is computed on detached
    // samples and has no gradient, so λm = 0 reproduces it. It does not bound log σ; a wide range keeps Float
    // finite without binding in practice.
    let paper: ConfigurationPatch = [
      "reward": "probability", "iterations": 30_000, "meanPenalty": 0, "meanPenaltyScope": "continuous",
      "concurrentDiscriminator": false, "r1Interval": 1, "marginalInitialization": false, "logStd": "shared",
      "entropyEstimate": "sample", "reuseRolloutFakes": false, "finalLearningRateFraction": 1, "rolloutBatches": 1,
      "anchoredCorrelationPenalty": 0, "logStdRange": [-8, 3], "logEvery": 500, "autoregressiveBlocks": 1,
    ]
    // `RL/hyperparams.py` of the reference code, for AI-READI and for MIMIC-IV.
    let paperSmall: ConfigurationPatch = [
      "batchSize": 384, "noiseDimension": 112, "policyWidth": 128, "discriminatorWidth": 128, "policyLearningRate": 2e-4,
      "discriminatorLearningRate": 5e-5, "discriminatorSteps": 5, "ppoEpochs": 3,
    ]
    let paperLarge: ConfigurationPatch = [
      "batchSize": 3_840, "noiseDimension": 128, "policyWidth": 128, "discriminatorWidth": 256, "policyLearningRate": 5e-4,
      "discriminatorLearningRate": 1e-4, "discriminatorSteps": 3, "ppoEpochs": 2,
    ]
    return [
      .small: [:],
      .large: ["iterations": 4_000],
      .paperSmall: paper.merging(paperSmall) { _, new in new },
      .paperLarge: paper.merging(paperLarge) { _, new in new },
      .private: ["iterations": 1_000, "discriminatorSteps": 1, "autoregressiveBlocks": 1],
    ]
  }()

  /// What the `small` and `large` presets change on a table whose policy draws in blocks (at least
  /// ``smallTableRowLimit`` training rows, at most ``autoregressiveWidthLimit`` encoded columns): a likelihood warm-up
  /// (``likelihoodWarmupSteps``) learns each column's conditional given the earlier columns (one block per source
  /// column) in steps that cost a tenth of an iteration, so the PPO iterations only refine them, and fewer and cheaper
  /// iterations (two PPO epochs, three discriminator steps) suffice (docs/experiments/rlsyn-likelihood-warmup.md).
  /// They are chosen with the preset, before a configuration file's fields: a file that sets `autoregressiveBlocks`
  /// to 1 should also set `iterations`, `ppoEpochs` and `discriminatorSteps` (the one-block values are 2,000 / 4,000,
  /// 3 and 4).
  public static let blockDrawnFields: [Preset: ConfigurationPatch] = [
    .small: ["autoregressiveBlocks": 0, "likelihoodWarmupSteps": 4_000, "iterations": 800, "ppoEpochs": 2, "discriminatorSteps": 3],
    .large: ["autoregressiveBlocks": 0, "likelihoodWarmupSteps": 4_000, "iterations": 1_600, "ppoEpochs": 2, "discriminatorSteps": 3],
  ]

  /// The iterations of a table drawn column by column with `columns` source columns: `base` up to 64 columns, then in
  /// proportion to the columns up to twice `base` at 128, in hundreds. Each column is a conditional to learn: on
  /// mimic5k (205 columns, 3,500 training rows) 800 iterations gave LR/GB ratios 0.948/0.959 and 1,600 gave
  /// 0.995/1.022 (3 seeds; docs/experiments/rlsyn-likelihood-warmup.md). Issue 35's tables have 25–56 columns.
  public static func blockDrawnIterations(_ base: Int, columns: Int) -> Int {
    let scale = Swift.min(2, Swift.max(1, Double(columns) / 64))
    return Int((Double(base) * scale / 100).rounded()) * 100
  }

  /// What fields a model file lacks were when it was written: each was added later, and the file was trained
  /// without it. Every other missing field takes its value in the preset the file names.
  public static let fieldsAddedLater: ConfigurationPatch = [
    "meanPenaltyReferenceWidth": 0, "correlationPenalty": 0, "anchoredCorrelationPenalty": 0, "reward": "probability",
    "reuseRolloutFakes": false, "finalLearningRateFraction": 1, "policyWeightDecay": 0, "rolloutBatches": 1,
    "autoregressiveBlocks": 1, "likelihoodWarmupSteps": 0,
  ]

  /// A private fit's iterations for a training table of `rows` rows: rows / 3, rounded to hundreds, within
  /// 1,000…2,000. A larger table is sampled at a lower rate per step, so the same ε pays for more steps at the same
  /// noise (measured on NHEFS, 1,140 rows: 1,000 best; SUPPORT2, 6,370 rows: 2,000 best; docs/privacy.md).
  public static func privateIterations(rows: Int) -> Int {
    Swift.min(Swift.max((rows / 3 + 50) / 100 * 100, 1_000), 2_000)
  }

  /// The most iterations of the `small` and `large` presets on a training table of `rows` rows: 1,000 below
  /// ``smallTableRowLimit`` rows, else the preset's count. Past 1,000 iterations a table of a few hundred rows
  /// memorises without gaining utility (500 NHEFS rows, 350 training, 3 seeds: membership AUC 0.528 at 1,000, 0.570 at
  /// 2,000), and so does one of a thousand (980 training rows, 5 seeds, NHEFS / SUPPORT2: 0.531 / 0.513 at 1,960,
  /// 0.517 / 0.512 at 1,000, ratios within 0.02, half the fit time); docs/experiments/rlsyn-small-tables.md.
  public static func smallTableIterations(rows: Int) -> Int { rows < smallTableRowLimit ? 1_000 : .max }

  /// Training rows below which the `small` and `large` presets draw every column at once (one block): on tables of a few hundred
  /// rows 16 blocks memorise (350 and 490 training rows, 3 seeds: membership AUC 0.528 → 0.553 and 0.536 → 0.542;
  /// docs/experiments/rlsyn-autoregressive-policy.md).
  public static let smallTableRowLimit = 1_000

  /// The preset a stored configuration names (its missing fields' values).
  public static func storedBase(_ stored: [String: JSONValue]) throws -> RLSynConfiguration? {
    guard case .string(let name)? = stored["preset"], let preset = Preset(rawValue: name) else {
      throw ConfigurationError("the RLSyn configuration names no known preset")
    }
    return RLSynConfiguration(preset: preset)
  }

  /// Encoded columns up to which ``rolloutBatches`` 0 means two batches.
  public static let automaticRolloutWidthLimit = 256

  /// The batches per rollout for records `width` encoded columns wide: ``rolloutBatches``, or when it is 0,
  /// 2 up to ``automaticRolloutWidthLimit`` columns and 1 above.
  public func rolloutBatches(width: Int) -> Int {
    rolloutBatches > 0 ? rolloutBatches : (width <= Self.automaticRolloutWidthLimit ? 2 : 1)
  }

  /// Encoded columns up to which the policy draws in blocks: past it the feedback map (width × heads) and a pass per
  /// block would cost more than the iteration's products.
  public static let autoregressiveWidthLimit = 256

  /// The policy's blocks for records `width` encoded columns wide: ``autoregressiveBlocks`` (0: every source column
  /// its own block, `Int.max` cut to the factor count) up to ``autoregressiveWidthLimit`` columns, one block above;
  /// one block with the counterfactual advantage estimator, which redraws single columns given z alone.
  public func autoregressiveBlocks(width: Int) -> Int {
    guard width <= Self.autoregressiveWidthLimit, advantageEstimator == .value else { return 1 }
    return autoregressiveBlocks > 0 ? autoregressiveBlocks : Int.max
  }

  /// Whether the correlation penalty (its full form) applies to a table whose mean penalty covers `width` encoded columns.
  public func appliesCorrelationPenalty(width: Int) -> Bool {
    correlationPenalty > 0 && width > 0 && (correlationPenaltyMaxWidth == 0 || width <= correlationPenaltyMaxWidth)
  }

  /// Whether the anchored form applies instead: past ``correlationPenaltyMaxWidth`` columns, with a weight and anchors.
  public func appliesAnchoredCorrelationPenalty(width: Int) -> Bool {
    anchoredCorrelationPenalty > 0 && correlationPenaltyAnchors > 0 && correlationPenaltyMaxWidth > 0 && width > correlationPenaltyMaxWidth
  }

  /// Checks ranges; returns a description of the first invalid value.
  public func validationError() -> String? {
    if iterations < 1 { return "iterations must be at least 1" }
    if batchSize < 2 { return "batch size must be at least 2" }
    if noiseDimension < 1 || policyWidth < 1 || discriminatorWidth < 1 { return "network sizes must be positive" }
    if !(policyLearningRate > 0) || !(discriminatorLearningRate > 0) { return "learning rates must be positive" }
    if discriminatorSteps < 0 || ppoEpochs < 1 { return "need at least one PPO epoch and a non-negative number of discriminator steps" }
    if !(clipEpsilon > 0 && clipEpsilon < 1) { return "clip ε must be in (0, 1)" }
    if r1Gamma < 0 || entropyCoefficient < 0 || meanPenalty < 0 || valueCoefficient < 0 || !(correlationPenalty >= 0) || !(anchoredCorrelationPenalty >= 0) { return "penalty weights must be non-negative" }
    if correlationPenaltyMaxWidth < 0 { return "the correlation penalty's width limit must be 0 (none) or positive" }
    if correlationPenaltyAnchors < 0 { return "the correlation penalty's anchor count must be 0 or positive" }
    if meanPenaltyReferenceWidth < 0 { return "the mean-penalty reference width must be 0 (plain sum) or positive" }
    if r1Interval < 1 { return "the R1 interval must be at least 1" }
    if !(policyAverageDecay >= 0 && policyAverageDecay < 1) { return "the policy average decay must be in [0, 1)" }
    if !(finalLearningRateFraction > 0 && finalLearningRateFraction <= 1) { return "the final learning-rate fraction must be in (0, 1]" }
    if !(policyWeightDecay >= 0 && policyWeightDecay.isFinite) { return "the policy weight decay must be a non-negative number" }
    if rolloutBatches < 0 { return "rollout batches must be 0 (by the width) or positive" }
    if likelihoodWarmupSteps < 0 { return "likelihood warm-up steps must be 0 or positive" }
    if autoregressiveBlocks < 0 { return "autoregressive blocks must be 0 (one per source column) or positive" }
    if logStdRange.lowerBound >= logStdRange.upperBound { return "log-std range must be non-empty" }
    return nil
  }
}
