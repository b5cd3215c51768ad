//===----------------------------------------------------------------------===//
// The RLSyn training loop: rollout, PPO epochs, then K discriminator steps.
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

  public var figures: [TrainingFigure] {
    [TrainingFigure("mean_reward", meanReward), TrainingFigure("discriminator_loss", discriminatorLoss),
     TrainingFigure("policy_loss", policyLoss), TrainingFigure("entropy", entropy), TrainingFigure("r1_penalty", r1Penalty)]
  }
}

/// Trains an ``RLSynModel`` on encoded records.
///
/// Each iteration (after the reference code):
/// 1. Rollout: `z ~ N(0, I)`, records `x ~ π(·|z)`, `log π_old(x|z)`, `V(z)`, rewards `r` from the
///    discriminator as it stands (`σ(D(x))` in the paper; ``RLSynConfiguration/reward``); advantages `A = r − V`, normalised over the batch.
/// 2. `ppoEpochs` passes over the rollout, one Adam step per batch of records (one full-batch step per epoch by default) on
///    `−mean min(ρA, clip(ρ,1±ε)A) + c_v·mean(V − r)² − β·mean H(π(·|z)) + λm·P`, where the
///    mean-matching penalty `P` is ``meanMatchingPenalty(_:presence:)``.
/// 3. `K` discriminator steps (``Discriminator/loss(real:fake:gamma:)``) on real batches and fakes:
///    after the update from the updated policy (`concurrentDiscriminator == false`, the paper's order),
///    or concurrently with step 2 on fakes from the policy before the update (the default).
/// No discriminator gradient reaches the policy: rewards are plain numbers.
public final class RLSynTrainer: SynthesizerTrainer {
  /// The saved generator: the moving average of ``online``'s weights when
  /// ``RLSynConfiguration/policyAverageDecay`` > 0, else the trained policy itself.
  public let model: RLSynModel
  /// The policy that rolls out and is optimised.
  public let online: RLSynPolicy
  public let discriminator: Discriminator
  let policyOptimizer: Adam
  let discriminatorOptimizer: Adam
  var rng: RandomSource
  var realBatches: BatchCycler
  /// Column means of the training records (the mean-matching targets), and `1 / variance` weights.
  let columnMeans: Matrix
  let inverseVariances: Matrix
  var discriminatorStepCount = 0
  /// ``RecordLayout/factorMembership()`` of the layout (per-column terms → per-factor sums).
  let factorMembership: Matrix

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
    if configuration.marginalInitialization { model.policy.initializeToMarginals(of: data) }
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
    factorMembership = layout.factorMembership()
    columnMeans = data.meanOverRows()
    inverseVariances = data.varianceOverRows().map { 1 / Swift.max($0, 1e-4) }
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

  /// One iteration: rollout, PPO epochs and discriminator steps.
  public func step(_ context: TrainingContext) -> RLSynStepMetrics {
    let cfg = configuration
    let policy = online
    let scale = learningRateScale(iteration: context.iteration)
    policyOptimizer.learningRate = cfg.policyLearningRate * scale
    discriminatorOptimizer.learningRate = cfg.discriminatorLearningRate * scale
    // 1. Rollout with the current policy and discriminator.
    let batchData = rollout()
    let rewards = batchData.rewards

    var policyStats = (loss: Float(0), entropy: Float(0))
    var discriminatorStats = (bce: Float(0), r1: Float(0))
    if cfg.concurrentDiscriminator && cfg.discriminatorSteps > 0 {
      // 2+3 at once: D trains on fakes from the policy before this update (one update of lag, like the
      // reward), so the PPO epochs and the D steps touch disjoint state and run on two cores.
      let inputs = UncheckedSendableBox(discriminatorInputs(policy: policy, reusing: cfg.reuseRolloutFakes ? batchData.records : nil))
      let rolloutBatch = UncheckedSendableBox(batchData)
      let box = UncheckedSendableBox(self)
      let results = UncheckedSendableBox(ParallelResults())
      let work: @Sendable (Int) -> Void = { task in
        BLAS.withThreadLimit(1) {
          if task == 0 { results.value.policy = box.value.ppoEpochs(rolloutBatch.value) }
          else { results.value.discriminator = box.value.discriminatorSteps(inputs.value) }
        }
      }
      // The two tasks touch disjoint state, so running them one after the other gives the same numbers.
      if context.threads > 1 { DispatchQueue.concurrentPerform(iterations: 2, execute: work) } else { work(0); work(1) }
      policyStats = results.value.policy
      discriminatorStats = results.value.discriminator
    } else {
      // The paper's order: PPO epochs, then K D steps on fresh fakes from the updated policy.
      policyStats = ppoEpochs(batchData)
      if cfg.discriminatorSteps > 0 { discriminatorStats = discriminatorSteps(discriminatorInputs(policy: policy)) }
    }
    return RLSynStepMetrics(meanReward: rewards.mean(), discriminatorLoss: discriminatorStats.bce, r1Penalty: discriminatorStats.r1,
                            policyLoss: policyStats.loss, entropy: policyStats.entropy)
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

  /// Draws a rollout batch from the online policy and scores it with the discriminator as it stands.
  func rollout() -> RolloutBatch {
    let cfg = configuration
    let policy = online
    let z = Variable(rng.normalMatrix(rows: cfg.batchSize * cfg.rolloutBatches(width: model.layout.width), cols: cfg.noiseDimension))
    let out = policy(z)
    let records = policy.sample(out, rng: &rng)
    let rewards = discriminator.rewards(discriminatorView(records), form: cfg.reward)
    switch cfg.advantageEstimator {
    case .value:
      return RolloutBatch(z: z, rollout: out, records: records, rewards: rewards,
                          oldLogProbability: policy.logProbability(of: records, under: out).value,
                          advantages: PPO.normalizedAdvantages(rewards: rewards, values: out.value.value), perFactor: false)
    case .counterfactual:
      let redraw = policy.sample(out, rng: &rng)
      let advantages = rewards - counterfactualRewards(records: records, rewards: rewards, redraw: redraw)
      return RolloutBatch(z: z, rollout: out, records: records, rewards: rewards,
                          oldLogProbability: policy.logProbabilityPerColumn(of: records, under: out).value.matmul(factorMembership),
                          advantages: PPO.scaledAdvantages(advantages), perFactor: true)
    }
  }

  /// Wall-clock seconds of each part of an iteration, measured one after the other on the calling thread,
  /// `repeats` times (`rlsyn-bench iteration` prints their medians). Trains the model as ``step(_:)`` would.
  @_spi(Benchmark) public func timePhases(repeats: Int) -> [(phase: String, seconds: [Double])] {
    func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    var t: [String: [Double]] = [:]
    func lap(_ name: String, _ start: UInt64) { t[name, default: []].append(Double(now() - start) / 1e9) }
    let cfg = configuration
    for _ in 0..<repeats {
      var start = now()
      let batch = rollout()
      lap("rollout (sample, rewards, log π)", start)
      start = now()
      _ = ppoEpochs(batch)
      lap("PPO epochs (\(cfg.ppoEpochs))", start)
      guard cfg.discriminatorSteps > 0 else { continue }
      start = now()
      let inputs = discriminatorInputs(policy: online)
      lap("discriminator fakes (\(cfg.discriminatorSteps) batches)", start)
      let fake = inputs.fake.rows(0..<cfg.batchSize)
      start = now()
      discriminatorOptimizer.minimize(discriminator.loss(real: inputs.real[0], fake: fake, gamma: 0).total)
      lap("one discriminator step, BCE only", start)
      start = now()
      discriminatorOptimizer.minimize(discriminator.loss(real: inputs.real[0], fake: fake, gamma: cfg.r1Gamma).total)
      lap("one discriminator step, BCE + R1", start)
    }
    let order = ["rollout", "PPO", "discriminator fakes", "one discriminator step, BCE only", "one discriminator step, BCE + R1"]
    return t.sorted { a, b in
      (order.firstIndex { a.key.hasPrefix($0) } ?? 9) < (order.firstIndex { b.key.hasPrefix($0) } ?? 9)
    }.map { ($0.key, $0.value) }
  }

  /// What the PPO epochs need from the rollout.
  struct RolloutBatch {
    let z: Variable
    /// The policy's output for `z` as recorded by the rollout (nil for a slice of the rollout, whose rows it does not match).
    let rollout: RLSynPolicy.Output?
    let records: Matrix
    let rewards: Matrix
    /// `n × 1` (whole records) or `n × F` (per factor, when `perFactor`).
    let oldLogProbability: Matrix
    let advantages: Matrix
    let perFactor: Bool
  }

  /// `n × F` rewards of the records with factor f's columns taken from `redraw` (a second draw from the same
  /// policy outputs), for every factor f. Only the (record, factor) pairs whose redraw differs are scored: a
  /// discrete factor is often drawn the same twice, and then its counterfactual reward is the record's own.
  /// The variants go through the discriminator as one stacked batch.
  func counterfactualRewards(records: Matrix, rewards: Matrix, redraw: Matrix) -> Matrix {
    let factors = model.layout.factors
    let n = records.rows, w = records.cols, f = factors.count
    var pairs: [(row: Int, factor: Int)] = []
    pairs.reserveCapacity(n * f)
    records.withUnsafeBufferPointer { x in
      redraw.withUnsafeBufferPointer { y in
        for i in 0..<n {
          for (k, columns) in factors.enumerated() where columns.contains(where: { x[i * w + $0] != y[i * w + $0] }) {
            pairs.append((i, k))
          }
        }
      }
    }
    var out = Matrix(rows: n, cols: f) { o in
      for i in 0..<n { for k in 0..<f { o[i * f + k] = rewards.storage[i] } }
    }
    guard !pairs.isEmpty else { return out }
    var stacked = Matrix(rows: pairs.count, cols: w)
    stacked.withUnsafeMutableBufferPointer { s in
      records.withUnsafeBufferPointer { x in
        redraw.withUnsafeBufferPointer { y in
          for (p, pair) in pairs.enumerated() {
            let row = s.baseAddress! + p * w
            row.update(from: x.baseAddress! + pair.row * w, count: w)
            for c in factors[pair.factor] { row[c] = y[pair.row * w + c] }
          }
        }
      }
    }
    let r = discriminator.rewards(discriminatorView(stacked), form: configuration.reward)
    out.withUnsafeMutableBufferPointer { o in
      for (p, pair) in pairs.enumerated() { o[pair.row * f + pair.factor] = r.storage[p] }
    }
    return out
  }

  final class ParallelResults {
    var policy = (loss: Float(0), entropy: Float(0))
    var discriminator = (bce: Float(0), r1: Float(0))
  }

  /// `ppoEpochs` passes over the rollout, one Adam step on the PPO objective per batch of
  /// ``RLSynConfiguration/batchSize`` records (one full-batch step per epoch when the rollout is one batch);
  /// returns the last surrogate loss and entropy.
  func ppoEpochs(_ b: RolloutBatch) -> (loss: Float, entropy: Float) {
    let cfg = configuration
    let batches = b.records.rows / cfg.batchSize
    let minibatches = batches <= 1 ? [b] : (0..<batches).map { m -> RolloutBatch in
      let r = (m * cfg.batchSize)..<((m + 1) * cfg.batchSize)
      return RolloutBatch(z: Variable(b.z.value.rows(r)), rollout: nil, records: b.records.rows(r), rewards: b.rewards.rows(r),
                          oldLogProbability: b.oldLogProbability.rows(r), advantages: b.advantages.rows(r), perFactor: b.perFactor)
    }
    let presence = minibatches.map { model.layout.presenceMask($0.records) }
    var stats = (loss: Float(0), entropy: Float(0))
    for epoch in 0..<cfg.ppoEpochs {
      for (m, minibatch) in minibatches.enumerated() {
        // The first step runs on the rollout's parameters, so a whole-rollout batch reuses its recorded forward pass.
        let out = (epoch == 0 ? minibatch.rollout : nil) ?? online(minibatch.z)
        stats = ppoStep(minibatch, output: out, presence: presence[m])
      }
    }
    return stats
  }

  /// One Adam step on `−mean min(ρA, clip(ρ)A) + c_v·mean(V − r)² − β·mean H + λm·P` for the records of `b`,
  /// given the policy's current `output` for `b.z`.
  func ppoStep(_ b: RolloutBatch, output out: RLSynPolicy.Output, presence: Matrix) -> (loss: Float, entropy: Float) {
    let cfg = configuration
    let policy = online
    let advantages = b.advantages
    let surrogate: Variable
    if b.perFactor {
      // Mean over records of the sum over factors, like the whole-record log-probability sums its columns.
      let logProbability = policy.logProbabilityPerColumn(of: b.records, under: out).matmul(Variable(factorMembership))
      surrogate = PPO.clippedSurrogateLoss(logProbability: logProbability, oldLogProbability: b.oldLogProbability,
                                           advantages: advantages, epsilon: cfg.clipEpsilon) * Float(advantages.cols)
    } else {
      let logProbability = policy.logProbability(of: b.records, under: out)
      surrogate = PPO.clippedSurrogateLoss(logProbability: logProbability, oldLogProbability: b.oldLogProbability,
                                           advantages: advantages, epsilon: cfg.clipEpsilon)
    }
    let valueLoss = (out.value - Variable(b.rewards)).squared().mean()
    // The closed form has no sampling noise; the reference code's estimate is −mean log π of the stored actions.
    let h = cfg.entropyEstimate == .closedForm ? policy.entropy(out, presence: presence).mean()
      : -policy.logProbability(of: b.records, under: out).mean()
    var loss = surrogate + valueLoss * cfg.valueCoefficient - h * cfg.entropyCoefficient
    if cfg.meanPenalty > 0 { loss = loss + meanMatchingPenalty(out, presence: presence) * cfg.meanPenalty }
    policyOptimizer.minimize(loss)
    return (surrogate.value.scalarValue, h.value.scalarValue)
  }

  /// K real batches and K fake batches (all fakes from one forward pass of the policy as it is now).
  /// With `reusing`, the rollout's records (drawn from the same policy) are the first fake batches (as many as
  /// the rollout has, up to K) and only the rest are drawn.
  func discriminatorInputs(policy: RLSynPolicy, reusing rolloutRecords: Matrix? = nil) -> (real: [Matrix], fake: Matrix) {
    let batch = configuration.batchSize, k = configuration.discriminatorSteps
    let reused = rolloutRecords.map { Swift.min($0.rows / batch, k) } ?? 0
    let drawn = k - reused
    var fakes = Matrix(rows: 0, cols: model.layout.width)
    if drawn > 0 {
      let fakeZ = Variable(rng.normalMatrix(rows: batch * drawn, cols: configuration.noiseDimension))
      fakes = policy.sample(policy(fakeZ), rng: &rng)
    }
    if let rolloutRecords, reused > 0 {
      let first = rolloutRecords.rows(0..<(reused * batch))
      fakes = drawn > 0 ? Matrix.concatenateRows([first, fakes]) : first
    }
    return ((0..<k).map { _ in realBatches.next(batch, rng: &rng) }, discriminatorView(fakes))
  }

  /// Records as the discriminator sees them: round-tripped through the CSV's precision when
  /// ``RLSynConfiguration/roundTripFakes`` is set, else as drawn.
  func discriminatorView(_ records: Matrix) -> Matrix {
    configuration.roundTripFakes ? model.layout.roundTripped(records) : records
  }

  /// K discriminator steps (BCE + R1, lazily every `r1Interval` steps); returns the last BCE and R1.
  func discriminatorSteps(_ inputs: (real: [Matrix], fake: Matrix)) -> (bce: Float, r1: Float) {
    let cfg = configuration, batch = cfg.batchSize
    var stats = (bce: Float(0), r1: Float(0))
    for (k, real) in inputs.real.enumerated() {
      let fake = inputs.fake.rows((k * batch)..<((k + 1) * batch))
      let lazy = discriminatorStepCount % cfg.r1Interval == 0
      discriminatorStepCount += 1
      let (total, bce, penalty) = discriminator.loss(real: real, fake: fake, gamma: lazy ? cfg.r1Gamma * Float(cfg.r1Interval) : 0)
      discriminatorOptimizer.minimize(total)
      stats.bce = bce
      if lazy { stats.r1 = penalty / Float(cfg.r1Interval) }
    }
    return stats
  }

  /// The mean-matching penalty `Σ_j (E[x_j] − x̄_j)² / Var(x_j)` over the columns of ``RLSynConfiguration/meanPenaltyScope``:
  /// `x̄_j` and `Var(x_j)` are the training column's mean and variance (floored at 1e-4), and `E[x_j]` is the batch
  /// mean of the policy's expected value of column j (μ·present, σ(logit), softmax probability), so it has a gradient.
  /// Past ``RLSynConfiguration/meanPenaltyReferenceWidth`` columns the sum is scaled down to that many columns' worth.
  func meanMatchingPenalty(_ out: RLSynPolicy.Output, presence: Matrix) -> Variable {
    let layout = model.layout
    var expected: [Variable] = []
    var columns: [Range<Int>] = []
    if layout.gaussian.count > 0 { expected.append(out.mean * Variable(presence)); columns.append(layout.gaussian) }
    if configuration.meanPenaltyScope == .all {
      if layout.bernoulli.count > 0 { expected.append(out.bernoulliLogits.sigmoid()); columns.append(layout.bernoulli) }
      if layout.categorical.count > 0 { expected.append(out.categoricalLogProbabilities.exp()); columns.append(layout.categorical) }
    }
    guard !expected.isEmpty else { return Variable.scalar(0) }
    let generated = Variable.concatenateColumns(expected).meanOverRows()
    let target = Matrix.concatenateColumns(columns.map { columnMeans.columns($0) })
    let weights = Matrix.concatenateColumns(columns.map { inverseVariances.columns($0) })
    let sum = ((generated - Variable(target)).squared() * Variable(weights)).sum()
    let width = target.cols, reference = configuration.meanPenaltyReferenceWidth
    return reference > 0 && width > reference ? sum * (Float(reference) / Float(width)) : sum
  }
}

/// Hands a non-Sendable reference to `concurrentPerform` workers that touch disjoint state.
final class UncheckedSendableBox<T>: @unchecked Sendable {
  var value: T
  init(_ value: T) { self.value = value }
}
