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
  /// The mean-matching penalty's fixed parts (``penaltyTarget(layout:configuration:columnMeans:inverseVariances:)``).
  let meanPenaltyTarget: (means: Matrix, weights: Matrix, scale: Float)
  /// The correlation penalty's fixed parts (``correlationTarget(layout:configuration:data:meanTarget:)``), nil when it is off.
  let correlationPenaltyTarget: CorrelationTarget?
  var discriminatorStepCount = 0
  /// ``RecordLayout/factorMembership()`` of the layout (per-column terms → per-factor sums); nil when every factor is
  /// the record column of its own index, where the sums are the terms themselves (wide tables of binary codes).
  let factorMembership: Matrix?
  /// A copy of ``online``'s weights taken before each concurrent iteration: the discriminator's core draws its
  /// fakes from it while the PPO epochs update ``online`` on the other core.
  let fakeSource: RLSynPolicy
  /// When non-nil, ``step(_:)`` appends the wall-clock seconds of its parts here (`rlsyn-bench iteration`).
  @_spi(Benchmark) public var stepTimings: [StepTimings]? = nil

  /// Wall-clock seconds of one iteration's parts as ``step(_:)`` ran them: the rollout, then the PPO epochs and the
  /// discriminator's task (fakes and K steps), side by side when concurrent and one after the other when sequential.
  @_spi(Benchmark) public struct StepTimings: Sendable {
    public var rollout = 0.0, policy = 0.0, discriminator = 0.0, total = 0.0
  }

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
    factorMembership = layout.factors.enumerated().allSatisfy { $1 == [$0] } ? nil : layout.factorMembership()
    var unusedWeights = RandomSource(seed: 0)
    fakeSource = RLSynPolicy(configuration: configuration, layout: layout, rng: &unusedWeights)
    columnMeans = data.meanOverRows()
    inverseVariances = data.varianceOverRows().map { 1 / Swift.max($0, 1e-4) }
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

  /// One iteration: rollout, PPO epochs and discriminator steps.
  public func step(_ context: TrainingContext) -> RLSynStepMetrics {
    let cfg = configuration
    let policy = online
    let scale = learningRateScale(iteration: context.iteration)
    policyOptimizer.learningRate = cfg.policyLearningRate * scale
    discriminatorOptimizer.learningRate = cfg.discriminatorLearningRate * scale
    @Sendable func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    let start = now()
    var timings = StepTimings()
    // 1. Rollout with the current policy and discriminator.
    let batchData = rollout(threads: context.threads)
    timings.rollout = now() - start
    let rewards = batchData.rewards

    var policyStats = (loss: Float(0), entropy: Float(0))
    var discriminatorStats = (bce: Float(0), r1: Float(0))
    if cfg.concurrentDiscriminator && cfg.discriminatorSteps > 0 {
      // 2+3 at once: D trains on fakes from the policy before this update (one update of lag, like the
      // reward), so the PPO epochs and the D steps touch disjoint state and run on two cores.
      // The fakes are drawn on the discriminator's core, from a copy of the policy's weights as they are now.
      copyWeights(from: policy, to: fakeSource)
      let pending = UncheckedSendableBox(pendingDiscriminatorInputs(reusing: cfg.reuseRolloutFakes ? batchData.records : nil))
      let rolloutBatch = UncheckedSendableBox(batchData)
      let box = UncheckedSendableBox(self)
      let results = UncheckedSendableBox(ParallelResults())
      let flush = FloatingPointMode.flushesSubnormals
      let work: @Sendable (Int) -> Void = { task in
        let taskStart = now()
        BLAS.withThreadLimit(1) { FloatingPointMode.withSubnormalsFlushed(flush) {
          if task == 0 { results.value.policy = box.value.ppoEpochs(rolloutBatch.value) }
          else {
            let inputs = box.value.drawFakes(pending.value, from: box.value.fakeSource)
            results.value.discriminator = box.value.discriminatorSteps(inputs)
          }
        } }
        if task == 0 { results.value.policySeconds = now() - taskStart } else { results.value.discriminatorSeconds = now() - taskStart }
      }
      // The two tasks touch disjoint state, so running them one after the other gives the same numbers.
      if context.threads > 1 { DispatchQueue.concurrentPerform(iterations: 2, execute: work) } else { work(0); work(1) }
      policyStats = results.value.policy
      discriminatorStats = results.value.discriminator
      (timings.policy, timings.discriminator) = (results.value.policySeconds, results.value.discriminatorSeconds)
    } else {
      // The paper's order: PPO epochs, then K D steps on fresh fakes from the updated policy. On several cores each
      // step's batch is split into row blocks, one per core (DataParallel), instead of splitting its products.
      let blocks = Self.rowBlocks(batch: cfg.batchSize, threads: context.threads)
      var partStart = now()
      policyStats = ppoEpochs(batchData, blocks: blocks)
      timings.policy = now() - partStart
      partStart = now()
      if cfg.discriminatorSteps > 0 {
        discriminatorStats = discriminatorSteps(discriminatorInputs(policy: policy, blocks: blocks), blocks: blocks)
      }
      timings.discriminator = now() - partStart
    }
    if stepTimings != nil {
      timings.total = now() - start
      stepTimings?.append(timings)
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

  /// Draws a rollout from the online policy and scores it with the discriminator as it stands.
  ///
  /// A rollout of several batches (with the value baseline) draws each batch from its own random stream, split from
  /// the trainer's in order, on up to `threads` cores; its advantages are normalised over the whole rollout, and the
  /// first batch's policy output serves the first PPO step. The numbers do not depend on `threads`.
  func rollout(threads: Int = 1) -> RolloutBatch {
    let cfg = configuration
    let policy = online
    let batches = cfg.rolloutBatches(width: model.layout.width)
    if batches > 1 && cfg.advantageEstimator == .value { return rollout(batches: batches, threads: threads) }
    let z = Variable(rng.normalMatrix(rows: cfg.batchSize * batches, cols: cfg.noiseDimension))
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
                          oldLogProbability: perFactor(policy.logProbabilityPerColumn(of: records, under: out)).value,
                          advantages: PPO.scaledAdvantages(advantages), perFactor: true)
    }
  }

  /// A rollout of `batches` batches, each drawn and scored by one worker from its own random stream.
  func rollout(batches: Int, threads: Int) -> RolloutBatch {
    let cfg = configuration
    let policy = online, discriminator = discriminator
    let streams = (0..<batches).map { _ in rng.split() }
    let trainer = UncheckedSendableBox(self)
    // Forward passes only: the workers read the policy's and the discriminator's weights.
    let drawn = DataParallel.map(batches, threads: threads) { b in
      var stream = streams[b]
      let z = Variable(stream.normalMatrix(rows: cfg.batchSize, cols: cfg.noiseDimension))
      let out = policy(z)
      let records = policy.sample(out, rng: &stream)
      let rewards = discriminator.rewards(trainer.value.discriminatorView(records), form: cfg.reward)
      return (z: z, out: out, records: records, rewards: rewards, logProbability: policy.logProbability(of: records, under: out).value)
    }
    let rewards = Matrix.concatenateRows(drawn.map(\.rewards))
    let advantages = PPO.normalizedAdvantages(rewards: rewards, values: Matrix.concatenateRows(drawn.map(\.out.value.value)))
    let minibatches = drawn.enumerated().map { b, part in
      RolloutBatch(z: part.z, rollout: part.out, records: part.records, rewards: part.rewards, oldLogProbability: part.logProbability,
                   advantages: advantages.rows((b * cfg.batchSize)..<((b + 1) * cfg.batchSize)), perFactor: false)
    }
    return RolloutBatch(z: Variable(Matrix.concatenateRows(drawn.map(\.z.value))), rollout: nil,
                        records: Matrix.concatenateRows(drawn.map(\.records)), rewards: rewards,
                        oldLogProbability: Matrix.concatenateRows(drawn.map(\.logProbability)), advantages: advantages,
                        perFactor: false, minibatches: minibatches)
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
    /// The rollout's batches with their own policy outputs (only the first step, before any update, may use one),
    /// when it was drawn batch by batch (else empty).
    var minibatches: [RolloutBatch] = []
    /// `n × m` gradient of the correlation penalty (times λc) with respect to the expected values of the
    /// penalty's columns, from the rollout's policy (``correlationGradients(_:presence:)``); nil when it is off.
    var correlationGradient: Matrix? = nil
  }

  /// Per-column terms summed per factor.
  func perFactor(_ perColumn: Variable) -> Variable {
    factorMembership.map { perColumn.matmul(Variable($0)) } ?? perColumn
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
    let r: Matrix
    if configuration.roundTripFakes {
      // The discriminator sees rounded records, which are not linear in the changed columns: score each variant whole.
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
      r = discriminator.rewards(discriminatorView(stacked), form: configuration.reward)
    } else {
      r = discriminator.rewards(ofVariants: pairs.map { ($0.row, factors[$0.factor]) }, of: records, replacement: redraw,
                                form: configuration.reward)
    }
    out.withUnsafeMutableBufferPointer { o in
      for (p, pair) in pairs.enumerated() { o[pair.row * f + pair.factor] = r.storage[p] }
    }
    return out
  }

  final class ParallelResults {
    var policy = (loss: Float(0), entropy: Float(0))
    var discriminator = (bce: Float(0), r1: Float(0))
    /// Wall-clock seconds of each task (separate fields: the two workers write one each).
    var policySeconds = 0.0, discriminatorSeconds = 0.0
  }

  /// `ppoEpochs` passes over the rollout, one Adam step on the PPO objective per batch of
  /// ``RLSynConfiguration/batchSize`` records (one full-batch step per epoch when the rollout is one batch);
  /// returns the last surrogate loss and entropy.
  func ppoEpochs(_ b: RolloutBatch, blocks: Int = 1) -> (loss: Float, entropy: Float) {
    let cfg = configuration
    let batches = b.records.rows / cfg.batchSize
    var minibatches = !b.minibatches.isEmpty ? b.minibatches : batches <= 1 ? [b] : (0..<batches).map { m -> RolloutBatch in
      let r = (m * cfg.batchSize)..<((m + 1) * cfg.batchSize)
      return RolloutBatch(z: Variable(b.z.value.rows(r)), rollout: nil, records: b.records.rows(r), rewards: b.rewards.rows(r),
                          oldLogProbability: b.oldLogProbability.rows(r), advantages: b.advantages.rows(r), perFactor: b.perFactor)
    }
    let presence = minibatches.map { model.layout.presenceMask($0.records) }
    if correlationPenaltyTarget != nil {
      for (m, g) in correlationGradients(minibatches, presence: presence).enumerated() { minibatches[m].correlationGradient = g }
    }
    var stats = (loss: Float(0), entropy: Float(0))
    for epoch in 0..<cfg.ppoEpochs {
      for (m, minibatch) in minibatches.enumerated() {
        // Only the first step runs on the rollout's parameters, so only it may reuse the recorded forward pass.
        if blocks > 1 && !minibatch.perFactor {
          stats = ppoStep(minibatch, presence: presence[m], blocks: blocks)
          continue
        }
        let out = (epoch == 0 && m == 0 ? minibatch.rollout : nil) ?? online(minibatch.z)
        stats = ppoStep(minibatch, output: out, presence: presence[m])
      }
    }
    return stats
  }

  /// One Adam step on `−mean min(ρA, clip(ρ)A) + c_v·mean(V − r)² − β·mean H + λm·P` for the records of `b`,
  /// given the policy's current `output` for `b.z`.
  func ppoStep(_ b: RolloutBatch, output out: RLSynPolicy.Output, presence: Matrix) -> (loss: Float, entropy: Float) {
    let (loss, surrogate, h) = ppoLoss(b, output: out, presence: presence)
    policyOptimizer.minimize(loss)
    return (surrogate, h)
  }

  /// The PPO step's loss for the records of `b` given the policy's `output` for `b.z`, with its surrogate and entropy values.
  func ppoLoss(_ b: RolloutBatch, output out: RLSynPolicy.Output, presence: Matrix) -> (loss: Variable, surrogate: Float, entropy: Float) {
    let cfg = configuration
    let policy = online
    let advantages = b.advantages
    let surrogate: Variable
    if b.perFactor {
      // Mean over records of the sum over factors, like the whole-record log-probability sums its columns.
      let logProbability = perFactor(policy.logProbabilityPerColumn(of: b.records, under: out))
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
    if cfg.meanPenalty > 0 || b.correlationGradient != nil, let expected = expectedValues(out, presence: presence) {
      if cfg.meanPenalty > 0 { loss = loss + meanMatchingPenalty(expected: expected) * cfg.meanPenalty }
      // The penalty's first-order term at the rollout's policy: its gradient, without its GEMMs in every step.
      if let g = b.correlationGradient { loss = loss + (expected * Variable(g)).sum() }
    }
    return (loss, surrogate.value.scalarValue, h.value.scalarValue)
  }

  /// Row blocks per step in the sequential order on `threads` cores: one per core (at most 8) for batches up to
  /// ``DataParallel/largestBlockedBatch`` records (512 with OpenBLAS's kernels other than AVX-512 ones, any batch otherwise), else 1 (larger batches split
  /// their products instead).
  static func rowBlocks(batch: Int, threads: Int) -> Int {
    DataParallel.defaultBlocks(batch: batch, threads: threads)
  }

  /// ``ppoStep(_:output:presence:)`` with the records split into `blocks` row blocks, one worker each: the policy's
  /// forward passes first, then each block's share of the loss and its gradients, summed in block order.
  /// The mean-matching penalty is a function of the whole batch's mean, so each block carries its first-order term
  /// `Σ_j c_j Σ_i e_ij` with `c_j = ∂P/∂ē_j / n` from the forward passes' means: the same gradient as the whole batch's.
  func ppoStep(_ b: RolloutBatch, presence: Matrix, blocks: Int) -> (loss: Float, entropy: Float) {
    let result = ppoGradients(b, presence: presence, blocks: blocks)
    policyOptimizer.update(result.gradients)
    return (result.loss, result.entropy)
  }

  /// The surrogate loss, entropy and gradients of ``ppoStep(_:presence:blocks:)`` (no update).
  func ppoGradients(_ b: RolloutBatch, presence: Matrix, blocks: Int) -> (loss: Float, entropy: Float, gradients: [Matrix]) {
    let cfg = configuration
    let policy = online
    let n = b.records.rows
    let ranges = DataParallel.rowBlocks(rows: n, blocks: blocks)
    let trainer = UncheckedSendableBox(self)
    let presences = ranges.map { presence.rows($0) }
    let needsExpected = cfg.meanPenalty > 0 || b.correlationGradient != nil
    let forward = DataParallel.map(ranges.count, threads: blocks) { i -> (out: RLSynPolicy.Output, expected: Variable?) in
      let out = policy(Variable(b.z.value.rows(ranges[i])))
      return (out, needsExpected ? trainer.value.expectedValues(out, presence: presences[i]) : nil)
    }
    var penaltyCoefficients: Matrix?
    let expectedSums = forward.compactMap { $0.expected?.value.sumOverRows() }
    if cfg.meanPenalty > 0, var sums = expectedSums.first {
      let target = meanPenaltyTarget
      for other in expectedSums.dropFirst() { sums += other }
      // P = s · Σ_j w_j (ē_j − t_j)²  ⇒  ∂P/∂e_ij = 2 s w_j (ē_j − t_j) / n, times λm.
      let deviation = sums * (1 / Float(n)) - target.means
      penaltyCoefficients = deviation * target.weights * (2 * target.scale * cfg.meanPenalty / Float(n))
    }
    let parts = DataParallel.map(ranges.count, threads: blocks) { i -> (loss: Float, entropy: Float, gradients: [Matrix]) in
      let r = ranges[i], share = Float(r.count) / Float(n)
      let out = forward[i].out
      let records = b.records.rows(r)
      let logProbability = policy.logProbability(of: records, under: out)
      let surrogate = PPO.clippedSurrogateLoss(logProbability: logProbability, oldLogProbability: b.oldLogProbability.rows(r),
                                               advantages: b.advantages.rows(r), epsilon: cfg.clipEpsilon) * share
      let valueLoss = (out.value - Variable(b.rewards.rows(r))).squared().mean() * share
      let h = (cfg.entropyEstimate == .closedForm ? policy.entropy(out, presence: presences[i]).mean() : -logProbability.mean()) * share
      var loss = surrogate + valueLoss * cfg.valueCoefficient - h * cfg.entropyCoefficient
      if let c = penaltyCoefficients, let expected = forward[i].expected { loss = loss + (expected * Variable(c)).sum() }
      if let g = b.correlationGradient, let expected = forward[i].expected { loss = loss + (expected * Variable(g.rows(r))).sum() }
      let g = gradients(of: loss, withRespectTo: policy.parameters).map(\.value)
      return (surrogate.value.scalarValue, h.value.scalarValue, g)
    }
    return (parts.reduce(0) { $0 + $1.loss }, parts.reduce(0) { $0 + $1.entropy }, DataParallel.sum(parts.map(\.gradients)))
  }

  /// K real batches and K fake batches (all fakes from one forward pass of the policy as it is now).
  /// With `reusing`, the rollout's records (drawn from the same policy) are the first fake batches (as many as
  /// the rollout has, up to K) and only the rest are drawn.
  /// With `blocks` > 1 the fakes are drawn in that many row blocks on as many cores, each from its own random
  /// stream (split in order from the pending inputs' stream).
  func discriminatorInputs(policy: RLSynPolicy, reusing rolloutRecords: Matrix? = nil, blocks: Int = 1) -> (real: [Matrix], fake: Matrix) {
    drawFakes(pendingDiscriminatorInputs(reusing: rolloutRecords), from: policy, blocks: blocks)
  }

  /// What the discriminator's inputs take from the trainer's random stream (the real batches, the fakes' noise and a
  /// stream to sample them with), so that the policy forward pass and the sampling can run later on another core.
  struct PendingDiscriminatorInputs {
    let real: [Matrix]
    let reused: Matrix?
    let noise: Matrix?
    var stream: RandomSource
  }

  func pendingDiscriminatorInputs(reusing rolloutRecords: Matrix?) -> PendingDiscriminatorInputs {
    let batch = configuration.batchSize, k = configuration.discriminatorSteps
    let reusedBatches = rolloutRecords.map { Swift.min($0.rows / batch, k) } ?? 0
    let drawn = k - reusedBatches
    let noise = drawn > 0 ? rng.normalMatrix(rows: batch * drawn, cols: configuration.noiseDimension) : nil
    let stream = rng.split()
    let reused = reusedBatches > 0 ? rolloutRecords?.rows(0..<(reusedBatches * batch)) : nil
    return PendingDiscriminatorInputs(real: (0..<k).map { _ in realBatches.next(batch, rng: &rng) }, reused: reused,
                                      noise: noise, stream: stream)
  }

  /// The K real batches and K fake batches of `pending`, the fakes it still needs drawn from `policy`.
  func drawFakes(_ pending: PendingDiscriminatorInputs, from policy: RLSynPolicy, blocks: Int = 1) -> (real: [Matrix], fake: Matrix) {
    var stream = pending.stream
    var fakes: Matrix?
    if let noise = pending.noise, blocks > 1 {
      let ranges = DataParallel.rowBlocks(rows: noise.rows, blocks: blocks)
      let streams = ranges.map { _ in stream.split() }
      fakes = Matrix.concatenateRows(DataParallel.map(ranges.count, threads: blocks) { i in
        var s = streams[i]
        return policy.sample(policy(Variable(noise.rows(ranges[i]))), rng: &s)
      })
    } else {
      fakes = pending.noise.map { policy.sample(policy(Variable($0)), rng: &stream) }
    }
    if let reused = pending.reused { fakes = fakes.map { Matrix.concatenateRows([reused, $0]) } ?? reused }
    return (pending.real, discriminatorView(fakes ?? Matrix(rows: 0, cols: model.layout.width)))
  }

  /// Copies every weight of `source` into `destination`'s own storage (same architecture).
  func copyWeights(from source: RLSynPolicy, to destination: RLSynPolicy) {
    for (d, s) in zip(destination.parameters, source.parameters) {
      precondition(d.value.count == s.value.count, "copyWeights: architectures differ")
      s.value.withUnsafeBufferPointer { from in d.value.withUnsafeMutableBufferPointer { to in
        if let a = from.baseAddress, let b = to.baseAddress { b.update(from: a, count: from.count) }
      } }
    }
  }

  /// Records as the discriminator sees them: round-tripped through the CSV's precision when
  /// ``RLSynConfiguration/roundTripFakes`` is set, else as drawn.
  func discriminatorView(_ records: Matrix) -> Matrix {
    configuration.roundTripFakes ? model.layout.roundTripped(records) : records
  }

  /// K discriminator steps (BCE + R1, lazily every `r1Interval` steps); returns the last BCE and R1.
  /// With `blocks` > 1 each step's real and fake batches are split into row blocks, one worker each
  /// (both losses are means over rows, so block b carries its share of each).
  func discriminatorSteps(_ inputs: (real: [Matrix], fake: Matrix), blocks: Int = 1) -> (bce: Float, r1: Float) {
    let cfg = configuration, batch = cfg.batchSize
    var stats = (bce: Float(0), r1: Float(0))
    for (k, real) in inputs.real.enumerated() {
      let fake = inputs.fake.rows((k * batch)..<((k + 1) * batch))
      let lazy = discriminatorStepCount % cfg.r1Interval == 0
      discriminatorStepCount += 1
      let gamma = lazy ? cfg.r1Gamma * Float(cfg.r1Interval) : 0
      if blocks > 1 {
        let result = discriminatorGradients(real: real, fake: fake, gamma: gamma, blocks: blocks)
        discriminatorOptimizer.update(result.gradients)
        stats.bce = result.bce
        if lazy { stats.r1 = result.r1 / Float(cfg.r1Interval) }
        continue
      }
      let (total, bce, penalty) = discriminator.loss(real: real, fake: fake, gamma: gamma)
      discriminatorOptimizer.minimize(total)
      stats.bce = bce
      if lazy { stats.r1 = penalty / Float(cfg.r1Interval) }
    }
    return stats
  }

  /// BCE, R1 and gradients of ``Discriminator/loss(real:fake:gamma:)`` over row blocks of equal-sized `real` and
  /// `fake` batches, one worker each.
  func discriminatorGradients(real: Matrix, fake: Matrix, gamma: Float, blocks: Int) -> (bce: Float, r1: Float, gradients: [Matrix]) {
    let ranges = DataParallel.rowBlocks(rows: real.rows, blocks: blocks)
    let d = discriminator, n = Float(real.rows)
    let parts = DataParallel.map(ranges.count, threads: blocks) { i -> (bce: Float, r1: Float, gradients: [Matrix]) in
      let share = Float(ranges[i].count) / n
      let (total, bce, penalty) = d.loss(real: real.rows(ranges[i]), fake: fake.rows(ranges[i]), gamma: gamma)
      return (bce * share, penalty * share, gradients(of: total * share, withRespectTo: d.parameters).map(\.value))
    }
    return (parts.reduce(0) { $0 + $1.bce }, parts.reduce(0) { $0 + $1.r1 }, DataParallel.sum(parts.map(\.gradients)))
  }

  /// The mean-matching penalty `Σ_j (E[x_j] − x̄_j)² / Var(x_j)` over the columns of ``RLSynConfiguration/meanPenaltyScope``:
  /// `x̄_j` and `Var(x_j)` are the training column's mean and variance (floored at 1e-4), and `E[x_j]` is the batch
  /// mean of the policy's expected value of column j (μ·present, σ(logit), softmax probability), so it has a gradient.
  /// Past ``RLSynConfiguration/meanPenaltyReferenceWidth`` columns the sum is scaled down to that many columns' worth.
  func meanMatchingPenalty(_ out: RLSynPolicy.Output, presence: Matrix) -> Variable {
    guard let expected = expectedValues(out, presence: presence) else { return Variable.scalar(0) }
    return meanMatchingPenalty(expected: expected)
  }

  /// ``meanMatchingPenalty(_:presence:)`` from the expected values ``expectedValues(_:presence:)`` returned.
  func meanMatchingPenalty(expected: Variable) -> Variable {
    let target = meanPenaltyTarget
    let sum = ((expected.meanOverRows() - Variable(target.means)).squared() * Variable(target.weights)).sum()
    return target.scale == 1 ? sum : sum * target.scale
  }

  /// `n × m` expected values of the penalty's columns (μ·present, σ(logit), softmax probability), or nil when none are in scope.
  func expectedValues(_ out: RLSynPolicy.Output, presence: Matrix) -> Variable? {
    let layout = model.layout
    var expected: [Variable] = []
    if layout.gaussian.count > 0 { expected.append(out.mean * Variable(presence)) }
    if configuration.meanPenaltyScope == .all {
      if layout.bernoulli.count > 0 { expected.append(RLSynPolicy.bernoulliProbability(online.bernoulliCache(out))) }
      if layout.categorical.count > 0 { expected.append(out.categoricalLogProbabilities.exp()) }
    }
    return expected.isEmpty ? nil : Variable.concatenateColumns(expected)
  }

  /// The penalty's training means and inverse variances over the columns of ``expectedValues(_:presence:)``,
  /// and the factor `reference / width` past ``RLSynConfiguration/meanPenaltyReferenceWidth`` columns (else 1).
  static func penaltyTarget(layout: RecordLayout, configuration: RLSynConfiguration, columnMeans: Matrix,
                            inverseVariances: Matrix) -> (means: Matrix, weights: Matrix, scale: Float) {
    let columns = penaltyColumns(layout: layout, configuration: configuration)
    let means = Matrix.concatenateColumns(columns.map { columnMeans.columns($0) })
    let weights = Matrix.concatenateColumns(columns.map { inverseVariances.columns($0) })
    let width = means.cols, reference = configuration.meanPenaltyReferenceWidth
    return (means, weights, reference > 0 && width > reference ? Float(reference) / Float(width) : 1)
  }
}

extension RLSynTrainer {
  /// The correlation penalty's fixed parts over the mean penalty's columns: the training records' standardised
  /// second moments `T = X̃ᵀX̃ / N`, the mask `M` (1 for pairs from different source columns, 0 within one:
  /// a one-hot group's or a value's own indicator, whose products the expected values do not estimate), the
  /// standardising factors `1/sd`, and the factor `s / m` (`s` the mean penalty's width scale).
  ///
  /// In the anchored form (wide tables) `selection` is the `m × a` one-hot matrix that picks the `a` anchor columns,
  /// and `moments` and `mask` are the anchors' rows only (`a × m`): the penalty covers each anchor against every column.
  struct CorrelationTarget {
    var moments: Matrix
    var mask: Matrix
    var inverseDeviations: Matrix
    var scale: Float
    /// λc of the form in use (``RLSynConfiguration/correlationPenalty`` or ``RLSynConfiguration/anchoredCorrelationPenalty``).
    var weight: Float
    /// Picks the anchor columns (`m × a`); nil for the full form, whose moments are square and symmetric.
    var selection: Matrix? = nil
  }

  /// `(e − x̄) / sd` for expected values (or records) over the mean penalty's columns.
  func standardized(_ expected: Variable) -> Variable {
    (expected - Variable(meanPenaltyTarget.means)) * Variable(correlationPenaltyTarget!.inverseDeviations)
  }

  /// `s/m · Σ_jk M_jk (S_A − T)_jk (S_B − T)_jk` for standardised expected values `Ẽ` (n × m), with `S_A`, `S_B`
  /// the second moments `ẼᵀẼ / rows` of the batch's first and second halves. The two halves are independent
  /// draws, so its expectation is the squared distance `Σ M (S − T)²` of the policy's moments from the target's,
  /// without the plug-in estimate's `Var(Ŝ)` (of order 1/n per pair), whose gradient would shrink the expected
  /// values towards the means.
  func correlationPenalty(standardized e: Variable, target: CorrelationTarget) -> Variable {
    let halves = Self.correlationHalves(rows: e.rows)
    let a = e.rows(halves.a), b = e.rows(halves.b)
    let selection = target.selection.map { Variable($0) }
    func left(_ x: Variable) -> Variable { selection.map { x.matmul($0) } ?? x }
    let momentsA = left(a).matmul(a, transposeSelf: true) * (1 / Float(halves.a.count))
    let momentsB = left(b).matmul(b, transposeSelf: true) * (1 / Float(halves.b.count))
    let mask = Variable(target.mask), t = Variable(target.moments)
    return ((momentsA - t) * mask * (momentsB - t)).sum() * target.scale
  }

  /// Each minibatch's rows of `λc · ∂P/∂e · minibatches`: the gradient of the correlation penalty with respect to
  /// the expected values `e`, from the rollout's policy outputs (recomputed for minibatches without one), with the
  /// penalty over the whole rollout and its halves the first and second half of the rollout's rows (with two
  /// batches, one batch each). Each step adds `Σ e ⊙ g` to its loss: the penalty's first-order term, so its
  /// products run once per iteration instead of in every step. Times the minibatch count, so that each step
  /// pulls as hard as a penalty over its own minibatch would.
  func correlationGradients(_ minibatches: [RolloutBatch], presence: [Matrix]) -> [Matrix] {
    guard let target = correlationPenaltyTarget, !minibatches.isEmpty else { return [] }
    let expected = zip(minibatches, presence).map { b, p in
      expectedValues(b.rollout ?? online(b.z), presence: p)!.value
    }
    let e = standardized(Variable(Matrix.concatenateRows(expected))).value
    let halves = Self.correlationHalves(rows: e.rows)
    let a = e.rows(halves.a), b = e.rows(halves.b)
    let gradient: Matrix
    if let selection = target.selection {
      // Anchored: S_A = (Ẽ_A P)ᵀ Ẽ_A / |A| (a × m)  ⇒  ∂P/∂Ẽ_A = s/|A| · (Ẽ_A P D_B + Ẽ_A D_Bᵀ Pᵀ), D_B = M ⊙ (S_B − T).
      let anchorsA = a.matmul(selection), anchorsB = b.matmul(selection)
      let deviationA = (anchorsA.matmul(a, transposeSelf: true) * (1 / Float(a.rows)) - target.moments) * target.mask
      let deviationB = (anchorsB.matmul(b, transposeSelf: true) * (1 / Float(b.rows)) - target.moments) * target.mask
      let weight = target.scale * target.weight * Float(minibatches.count)
      func part(_ x: Matrix, _ anchors: Matrix, _ d: Matrix) -> Matrix {
        (anchors.matmul(d) + x.matmul(d, transposeOther: true).matmul(selection, transposeOther: true)) * (weight / Float(x.rows))
      }
      gradient = Matrix.concatenateRows([part(a, anchorsA, deviationB), part(b, anchorsB, deviationA)]) * target.inverseDeviations
    } else {
      // P = s Σ M (S_A − T)(S_B − T), S_A = ẼᵀẼ_A / |A|  ⇒  ∂P/∂Ẽ_A = 2s/|A| · Ẽ_A (M ⊙ (S_B − T)) (M, S, T symmetric).
      let deviationA = (a.matmul(a, transposeSelf: true) * (1 / Float(a.rows)) - target.moments) * target.mask
      let deviationB = (b.matmul(b, transposeSelf: true) * (1 / Float(b.rows)) - target.moments) * target.mask
      let weight = 2 * target.scale * target.weight * Float(minibatches.count)
      gradient = Matrix.concatenateRows([a.matmul(deviationB) * (weight / Float(a.rows)), b.matmul(deviationA) * (weight / Float(b.rows))])
        * target.inverseDeviations   // through ẽ = (e − x̄) / sd
    }
    var start = 0
    return expected.map { part in
      defer { start += part.rows }
      return gradient.rows(start..<(start + part.rows))
    }
  }

  /// The batch's two halves for ``correlationPenalty(standardized:target:)``.
  static func correlationHalves(rows n: Int) -> (a: Range<Int>, b: Range<Int>) { (0..<(n / 2), (n / 2)..<n) }

  /// The columns of ``expectedValues(_:presence:)`` as record-column ranges.
  static func penaltyColumns(layout: RecordLayout, configuration: RLSynConfiguration) -> [Range<Int>] {
    var columns: [Range<Int>] = []
    if layout.gaussian.count > 0 { columns.append(layout.gaussian) }
    if configuration.meanPenaltyScope == .all {
      if layout.bernoulli.count > 0 { columns.append(layout.bernoulli) }
      if layout.categorical.count > 0 { columns.append(layout.categorical) }
    }
    return columns
  }

  /// Records' penalty columns (`ranges`, in order), standardised by the training `means` and `inverseDeviations`.
  static func standardizedPenaltyColumns(_ records: Matrix, ranges: [Range<Int>], means: Matrix, inverseDeviations: Matrix) -> Matrix {
    let m = means.cols
    return (Matrix.concatenateColumns(ranges.map { records.columns($0) }) - means.broadcast(toRows: records.rows, cols: m))
      * inverseDeviations.broadcast(toRows: records.rows, cols: m)
  }

  /// The penalty's mask for the penalty columns `rows` (indices into `columns`) against every penalty column: 1 for
  /// pairs from different source columns, 0 within one.
  static func penaltyMask(layout: RecordLayout, columns: [Int], rows: [Int]) -> Matrix {
    var factorOf = [Int](repeating: -1, count: layout.width)
    for (k, f) in layout.factors.enumerated() { for c in f { factorOf[c] = k } }
    var mask = Matrix(rows: rows.count, cols: columns.count)
    for (i, j) in rows.enumerated() { for k in columns.indices where factorOf[columns[j]] != factorOf[columns[k]] { mask[i, k] = 1 } }
    return mask
  }

  /// ``CorrelationTarget`` for the training records `data`.
  static func correlationTarget(layout: RecordLayout, configuration: RLSynConfiguration, data: Matrix,
                                meanTarget: (means: Matrix, weights: Matrix, scale: Float)) -> CorrelationTarget {
    let ranges = penaltyColumns(layout: layout, configuration: configuration)
    let columns = ranges.flatMap { Array($0) }
    let m = columns.count
    let inverseDeviations = meanTarget.weights.map { $0.squareRoot() }
    let x = standardizedPenaltyColumns(data, ranges: ranges, means: meanTarget.means, inverseDeviations: inverseDeviations)
    let moments = x.matmul(x, transposeSelf: true) * (1 / Float(Swift.max(data.rows, 1)))
    let mask = penaltyMask(layout: layout, columns: columns, rows: Array(0..<m))
    return CorrelationTarget(moments: moments * mask, mask: mask, inverseDeviations: inverseDeviations,
                             scale: meanTarget.scale / Float(Swift.max(m, 1)), weight: configuration.correlationPenalty)
  }

  /// The penalty columns (indices into ``expectedValues(_:presence:)``'s columns) that anchor the anchored form: the
  /// Gaussian columns first, then the discrete columns of largest training variance (`1 / inverseVariances`; never
  /// one at the variance floor, a constant column), ``RLSynConfiguration/correlationPenaltyAnchors`` in all, in order.
  static func correlationAnchors(layout: RecordLayout, configuration: RLSynConfiguration, inverseVariances: Matrix) -> [Int] {
    let count = configuration.correlationPenaltyAnchors, m = inverseVariances.count
    let gaussianCount = Swift.min(layout.gaussian.count, m)
    let gaussian = Array((0..<gaussianCount).filter { inverseVariances[0, $0] < 1e4 }.prefix(count))
    let variable = (gaussianCount..<m).filter { inverseVariances[0, $0] < 1e4 }
      .sorted { inverseVariances[0, $0] < inverseVariances[0, $1] || (inverseVariances[0, $0] == inverseVariances[0, $1] && $0 < $1) }
    return (gaussian + variable.prefix(Swift.max(count - gaussian.count, 0))).sorted()
  }

  /// ``CorrelationTarget`` in the anchored form: each anchor (``correlationAnchors(layout:configuration:inverseVariances:)``)
  /// against every penalty column, with the moments accumulated over blocks of training rows (a wide table's
  /// standardised copy would be as large as the table). Scaled by `s / a`, so that each anchor's row weighs what a
  /// row of the full form weighs.
  /// Nil when no column can anchor (every one constant).
  static func anchoredCorrelationTarget(layout: RecordLayout, configuration: RLSynConfiguration, data: Matrix,
                                        meanTarget: (means: Matrix, weights: Matrix, scale: Float)) -> CorrelationTarget? {
    let ranges = penaltyColumns(layout: layout, configuration: configuration)
    let columns = ranges.flatMap { Array($0) }
    let m = columns.count
    let anchors = correlationAnchors(layout: layout, configuration: configuration, inverseVariances: meanTarget.weights)
    let a = anchors.count
    guard a > 0 else { return nil }
    var selection = Matrix(rows: m, cols: a)
    for (i, j) in anchors.enumerated() { selection[j, i] = 1 }
    let inverseDeviations = meanTarget.weights.map { $0.squareRoot() }
    var moments = Matrix(rows: a, cols: m)
    let blockRows = 8_192
    for start in stride(from: 0, to: data.rows, by: blockRows) {
      let x = standardizedPenaltyColumns(data.rows(start..<Swift.min(start + blockRows, data.rows)), ranges: ranges,
                                         means: meanTarget.means, inverseDeviations: inverseDeviations)
      moments += x.matmul(selection).matmul(x, transposeSelf: true)
    }
    moments = moments * (1 / Float(Swift.max(data.rows, 1)))
    let mask = penaltyMask(layout: layout, columns: columns, rows: anchors)
    return CorrelationTarget(moments: moments * mask, mask: mask, inverseDeviations: inverseDeviations,
                             scale: meanTarget.scale / Float(Swift.max(a, 1)), weight: configuration.anchoredCorrelationPenalty,
                             selection: selection)
  }
}

/// Hands a non-Sendable reference to `concurrentPerform` workers that touch disjoint state.
final class UncheckedSendableBox<T>: @unchecked Sendable {
  var value: T
  init(_ value: T) { self.value = value }
}
