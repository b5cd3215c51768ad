//===----------------------------------------------------------------------===//
// The RLSyn trainer's state and set-up; each part of its step is an extension (RLSynTrainer+Concern.swift).
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

/// The figures of one RLSyn iteration.
public struct RLSynStepMetrics: TrainingMetrics {
  /// Mean reward of the rollout batch, in the configured form (σ(D), log σ(D) or the logit D).
  public var meanReward: Float
  /// Discriminator BCE (real + fake) of its last step.
  public var discriminatorLoss: Float
  /// R1 penalty of the discriminator's last step (0 when none of this iteration's steps applied it).
  public var r1Penalty: Float
  /// Clipped surrogate loss of the last PPO epoch.
  public var policyLoss: Float
  /// Mean entropy per record (the configured estimate).
  public var entropy: Float
  /// A private fit's ε spent so far (nil for an ordinary fit).
  public var epsilon: Float? = nil

  public var figures: [TrainingFigure] {
    [TrainingFigure("mean_reward", meanReward), TrainingFigure("discriminator_loss", discriminatorLoss),
     TrainingFigure("policy_loss", policyLoss), TrainingFigure("entropy", entropy), TrainingFigure("r1_penalty", r1Penalty)]
      + (epsilon.map { [TrainingFigure("epsilon", $0, reportsLatest: true)] } ?? [])
  }
}

/// Trains an ``RLSynModel`` on encoded records.
///
/// Each iteration (after the reference code):
/// 1. Rollout: `z ~ N(0, I)`, records `x ~ π(·|z)`, `log π_old(x|z)`, `V(z)`, rewards `r` from the
///    discriminator as it stands (`σ(D(x))` in the paper; ``RLSynConfiguration/reward``); advantages `A = r − V`, normalised over the batch.
/// 2. `ppoEpochs` passes over the rollout, one Adam step per batch of records (one full-batch step per epoch by default) on
///    `−mean min(ρA, clip(ρ,1±ε)A) + c_v·mean(V − r)² − β·mean H(π(·|z)) + λm·P`, where the
///    mean-matching penalty `P` is ``meanMatchingPenalty(expected:)``.
/// 3. `K` discriminator steps (``Discriminator/loss(real:fake:gamma:)``) on real batches and fakes:
///    after the update from the updated policy (`concurrentDiscriminator == false`, the paper's order),
///    or concurrently with step 2 on fakes from the policy before the update (the default).
/// No discriminator gradient reaches the policy: rewards are plain numbers.
///
/// The parts live in extensions: +Schedule (``step(_:)``, the order and cores of the parts), +Rollout (step 1),
/// +PPOUpdate (step 2), +Penalties (its mean and correlation penalties) and +DiscriminatorTask (step 3).
public final class RLSynTrainer: SynthesizerTrainer {
  /// The saved generator: the moving average of ``online``'s weights when
  /// ``RLSynConfiguration/policyAverageDecay`` > 0, else the trained policy itself.
  public let model: RLSynModel
  /// The policy that rolls out and is optimised.
  public let online: RLSynPolicy
  /// D_φ: scores the rollout's records (the rewards) and trains on real against fake batches.
  public let discriminator: Discriminator
  /// Adam on ``online``'s parameters (weight decay on its weight matrices only).
  let policyOptimizer: Adam
  /// Adam on ``discriminator``'s parameters.
  let discriminatorOptimizer: Adam
  /// Every draw after initialisation, taken on the calling thread in the fit's order (workers get split streams).
  var rng: RandomSource
  /// The discriminator's real batches, from the training records.
  var realBatches: BatchCycler
  /// The mean-matching penalty's fixed parts (``penaltyTarget(layout:configuration:columnMeans:inverseVariances:)``).
  let meanPenaltyTarget: (means: Matrix, weights: Matrix, scale: Float)
  /// The correlation penalty's fixed parts (``correlationTarget(layout:configuration:data:meanTarget:)``), nil when it is off.
  let correlationPenaltyTarget: CorrelationTarget?
  /// Discriminator steps so far: the lazy R1 term applies on every ``RLSynConfiguration/r1Interval``-th.
  var discriminatorStepCount = 0
  /// A private fit's training records (Poisson-sampled for each discriminator step) and the stream of its noise;
  /// nil for an ordinary fit, whose draws stay as they were.
  let privateRecords: Matrix?
  var privacyNoise: RandomSource?
  /// The ε a private fit had spent at the last report.
  var epsilonSpent: Float = 0
  /// ``RecordLayout/factorMembership()`` of the layout (per-column terms → per-factor sums); nil when every factor is
  /// the record column of its own index, where the sums are the terms themselves (wide tables of binary codes).
  let factorMembership: Matrix?
  /// A copy of ``online``'s weights taken before each concurrent iteration: the discriminator's core draws its
  /// fakes from it while the PPO epochs update ``online`` on the other core.
  let fakeSource: RLSynPolicy
  /// When non-nil, ``step(_:)`` appends the wall-clock seconds of its parts here (`rlsyn-bench iteration`).
  @_spi(Benchmark) public var stepTimings: [StepTimings]? = nil

  /// - Parameters:
  ///   - data: encoded training records laid out as `layout` describes.
  ///   - seed: every random choice (initialisation, noise, sampling, batches) derives from it.
  public init(configuration: RLSynConfiguration, layout: RecordLayout, data: Matrix, seed: UInt64) throws {
    try TrainingError.check(configuration: configuration, layout: layout, data: data)
    var root = RandomSource(seed: seed)
    model = RLSynModel(configuration: configuration, layout: layout, seed: root.next())
    var drng = root.split()
    discriminator = Discriminator(inputs: layout.width, width: configuration.discriminatorWidth, rng: &drng)
    rng = root.split()
    realBatches = BatchCycler(data: data)
    privateRecords = configuration.privacy != nil ? data : nil
    privacyNoise = configuration.privacy != nil ? root.split() : nil
    var noise = privacyNoise
    let released = configuration.privacy?.meanNoiseMultiplier.map { Self.releasedMeans(data, bound: Self.meanReleaseBound(layout), noiseMultiplier: $0, rng: &noise!) }
    privacyNoise = noise
    if configuration.marginalInitialization {
      if let released {
        // Quantile scores are standard normal by construction; rates and level shares from the released means.
        model.policy.initializeToMarginals(means: released.means, gaussianMoments: Array(repeating: (0, 1), count: layout.gaussian.count))
      } else {
        model.policy.initializeToMarginals(of: data)
      }
    }
    if configuration.policyAverageDecay > 0 {
      // A second policy with the same starting weights is trained; the model's policy tracks its average.
      var unused = RandomSource(seed: 0)
      online = RLSynPolicy(configuration: configuration, layout: layout, rng: &unused)
      for (o, m) in zip(online.parameters, model.policy.parameters) { o.value = m.value }
    } else {
      online = model.policy
    }
    policyOptimizer = Adam(parameters: online.parameters, learningRate: configuration.policyLearningRate,
                           weightDecay: configuration.policyWeightDecay,
                           decaying: online.parameters.map { $0.name?.hasSuffix(".weight") ?? false })
    discriminatorOptimizer = Adam(parameters: discriminator.parameters, learningRate: configuration.discriminatorLearningRate)
    factorMembership = layout.factors.enumerated().allSatisfy { $1 == [$0] } ? nil : layout.factorMembership()
    var unusedWeights = RandomSource(seed: 0)
    fakeSource = RLSynPolicy(configuration: configuration, layout: layout, rng: &unusedWeights)
    // The training records' column means (the mean-matching targets) and `1 / variance` weights; in a private fit the
    // means released once with Gaussian noise (DifferentialPrivacy.meanNoiseMultiplier), weights from them alone.
    var columnMeans = data.meanOverRows()
    var inverseVariances = data.varianceOverRows().map { 1 / Swift.max($0, 1e-4) }
    if let released {
      columnMeans = released.means
      inverseVariances = released.inverseVariances
    }
    meanPenaltyTarget = Self.penaltyTarget(layout: layout, configuration: configuration, columnMeans: columnMeans,
                                           inverseVariances: inverseVariances)
    let penaltyWidth = meanPenaltyTarget.means.cols
    if configuration.appliesCorrelationPenalty(width: penaltyWidth) {
      correlationPenaltyTarget = Self.correlationTarget(layout: layout, configuration: configuration, data: data, meanTarget: meanPenaltyTarget)
    } else if configuration.appliesAnchoredCorrelationPenalty(width: penaltyWidth) {
      correlationPenaltyTarget = Self.anchoredCorrelationTarget(layout: layout, configuration: configuration, data: data,
                                                                meanTarget: meanPenaltyTarget)
    } else {
      correlationPenaltyTarget = nil
    }
  }

  public var configuration: RLSynConfiguration { model.configuration }

  public var trainedParameters: [Variable] { online.parameters + discriminator.parameters }

  public var weightAverage: WeightAverage? {
    configuration.policyAverageDecay > 0
      ? WeightAverage(online: online.parameters, average: model.policy.parameters, decay: configuration.policyAverageDecay) : nil
  }

  /// With the discriminator on a second core, each of the two tasks gets one BLAS thread.
  public func blasThreads(available threads: Int) -> Int {
    configuration.concurrentDiscriminator && configuration.discriminatorSteps > 0 ? 1 : threads
  }

  /// The learning-rate multiplier of iteration `iteration` (from 1): 1 for the first half, then linear down to
  /// ``RLSynConfiguration/finalLearningRateFraction`` at the last iteration.
  func learningRateScale(iteration: Int) -> Float {
    let cfg = configuration
    let half = cfg.iterations / 2
    guard cfg.finalLearningRateFraction < 1, iteration > half, cfg.iterations > half else { return 1 }
    let progress = Float(iteration - half) / Float(cfg.iterations - half)
    return 1 - (1 - cfg.finalLearningRateFraction) * Swift.min(progress, 1)
  }
}

extension RLSynTrainer {
  /// A private fit's clipping norm B for the means' release: √(Gaussian columns + Bernoulli columns + one-hot groups),
  /// the norm of a record with every Bernoulli value 1 and every normal score ±1; a record beyond it is scaled down.
  /// From the layout alone (public).
  public static func meanReleaseBound(_ layout: RecordLayout) -> Float {
    Float(Swift.max(layout.gaussian.count + layout.bernoulli.count + layout.categoricalGroups.count, 1)).squareRoot()
  }

  /// The encoded columns' means released once with Gaussian noise (a private fit's mean-penalty targets and marginal
  /// start), and `1 / variance` weights from them alone. Each record is clipped to L2 norm `bound`, so the sum's
  /// sensitivity is `bound` and its noise's standard deviation `z · bound`.
  static func releasedMeans(_ data: Matrix, bound: Float, noiseMultiplier z: Double, rng: inout RandomSource) -> (means: Matrix, inverseVariances: Matrix) {
    let d = data.cols, n = Float(data.rows)
    let norms = data.rowSquaredNorms()
    var sum = [Float](repeating: 0, count: d)
    for i in 0..<data.rows {
      let norm = norms[i, 0].squareRoot(), scale = norm > bound ? bound / norm : 1
      for j in 0..<d { sum[j] += scale * data[i, j] }
    }
    let noise = rng.normalMatrix(rows: 1, cols: d, std: Float(z) * bound)
    let means = Matrix(rows: 1, cols: d) { out in for j in 0..<d { out[j] = (sum[j] + noise[0, j]) / n } }
    // Weights as for a unit-variance score or a Bernoulli share, whichever is smaller.
    return (means, means.map { m in 1 / Swift.max(Swift.min(m * (1 - m), 1), 1e-2) })
  }
}
