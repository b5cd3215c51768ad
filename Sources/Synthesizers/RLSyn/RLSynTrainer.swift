//===----------------------------------------------------------------------===//
// The RLSyn training loop: rollout, PPO epochs, then K discriminator steps.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

/// One progress report of ``RLSynTrainer``.
public struct RLSynProgress: Sendable, Codable {
  public var iteration: Int
  public var iterations: Int
  /// Mean reward σ(D(x)) of the rollout batch.
  public var meanReward: Float
  /// Discriminator BCE (real + fake) of its last step.
  public var discriminatorLoss: Float
  /// R1 penalty of the discriminator's last step.
  public var r1Penalty: Float
  /// Clipped surrogate loss of the last PPO epoch.
  public var policyLoss: Float
  /// Mean closed-form entropy per record.
  public var entropy: Float
  public var elapsedSeconds: Double
  public var remainingSeconds: Double
}

/// Why training stopped early.
public enum RLSynTrainingError: Error, CustomStringConvertible {
  /// A loss or parameter became NaN or infinite; the model was restored to `lastGoodIteration`.
  case diverged(iteration: Int, lastGoodIteration: Int, quantity: String)
  /// The configuration or the data cannot be trained on.
  case invalid(String)

  public var description: String {
    switch self {
    case let .diverged(iteration, lastGood, quantity):
      "training diverged at iteration \(iteration) (\(quantity) is not finite); the model was restored to iteration \(lastGood)"
    case let .invalid(reason): reason
    }
  }
}

/// Trains an ``RLSynModel`` on encoded records.
///
/// Each iteration (after the reference code):
/// 1. Rollout: `z ~ N(0, I)`, records `x ~ π(·|z)`, `log π_old(x|z)`, `V(z)`, rewards `r = σ(D(x))`
///    from the discriminator as it stands; advantages `A = r − V`, normalised over the batch.
/// 2. `ppoEpochs` full-batch Adam steps on
///    `−mean min(ρA, clip(ρ,1±ε)A) + c_v·mean(V − r)² − β·mean H(π(·|z)) + λm·mean_j(mean_i μ_ij·present_ij − m̄_j)²`.
/// 3. `K` discriminator steps on a real batch and fresh fakes from the updated policy, with BCE + R1.
/// No discriminator gradient reaches the policy: rewards are plain numbers.
public final class RLSynTrainer {
  public let model: RLSynModel
  public let discriminator: Discriminator
  let data: Matrix
  let policyOptimizer: Adam
  let discriminatorOptimizer: Adam
  var rng: RandomSource
  var realOrder: [Int] = []
  var realCursor = 0
  /// Column means of the training records (the mean-matching targets), and `1 / variance` weights.
  let columnMeans: Matrix
  let inverseVariances: Matrix
  var discriminatorStepCount = 0
  public private(set) var completedIterations = 0

  /// - Parameters:
  ///   - data: encoded training records laid out as `layout` describes.
  ///   - seed: every random choice (initialisation, noise, sampling, batches) derives from it.
  public init(configuration: RLSynConfiguration, layout: RecordLayout, data: Matrix, seed: UInt64) throws {
    if let problem = configuration.validationError() { throw RLSynTrainingError.invalid("invalid configuration: \(problem)") }
    guard layout.isWellFormed, data.cols == layout.width else { throw RLSynTrainingError.invalid("the record layout does not match the encoded data") }
    guard data.rows >= 2 else { throw RLSynTrainingError.invalid("need at least 2 training records") }
    guard data.isFinite else { throw RLSynTrainingError.invalid("the encoded training data contains NaN or infinite values") }
    var root = RandomSource(seed: seed)
    model = RLSynModel(configuration: configuration, layout: layout, seed: root.next())
    var drng = root.split()
    discriminator = Discriminator(inputs: layout.width, width: configuration.discriminatorWidth, rng: &drng)
    rng = root.split()
    self.data = data
    if configuration.marginalInitialization { model.policy.initializeToMarginals(of: data) }
    policyOptimizer = Adam(parameters: model.policy.parameters, learningRate: configuration.policyLearningRate)
    discriminatorOptimizer = Adam(parameters: discriminator.parameters, learningRate: configuration.discriminatorLearningRate)
    columnMeans = data.meanOverRows()
    inverseVariances = data.varianceOverRows().map { 1 / Swift.max($0, 1e-4) }
  }

  var configuration: RLSynConfiguration { model.configuration }

  /// The next `n` real records, cycling through a fresh permutation each pass (like a shuffled DataLoader).
  func nextRealBatch(_ n: Int) -> Matrix {
    var indices: [Int] = []
    indices.reserveCapacity(n)
    while indices.count < n {
      if realCursor >= realOrder.count { realOrder = rng.permutation(data.rows); realCursor = 0 }
      let take = Swift.min(n - indices.count, realOrder.count - realCursor)
      indices.append(contentsOf: realOrder[realCursor..<(realCursor + take)])
      realCursor += take
    }
    return data.gatherRows(indices)
  }

  /// One iteration; returns its progress numbers (times left 0).
  func iterate() -> RLSynProgress {
    let cfg = configuration
    let policy = model.policy
    let batch = cfg.batchSize

    // 1. Rollout with the current policy and discriminator.
    let z = Variable(rng.normalMatrix(rows: batch, cols: cfg.noiseDimension))
    let rollout = policy(z)
    let records = policy.sample(rollout, rng: &rng)
    let rewards = discriminator.rewards(records)
    let batchData = RolloutBatch(z: z, rollout: rollout, records: records, rewards: rewards,
                                 oldLogProbability: policy.logProbability(of: records, under: rollout).value)

    var policyStats = (loss: Float(0), entropy: Float(0))
    var discriminatorStats = (bce: Float(0), r1: Float(0))
    if cfg.concurrentDiscriminator && cfg.discriminatorSteps > 0 {
      // 2+3 at once: D trains on fakes from the policy before this update (one update of lag, like the
      // reward), so the PPO epochs and the D steps touch disjoint state and run on two cores.
      let inputs = UncheckedSendableBox(discriminatorInputs(policy: policy))
      let rolloutBatch = UncheckedSendableBox(batchData)
      let box = UncheckedSendableBox(self)
      let results = UncheckedSendableBox(ParallelResults())
      DispatchQueue.concurrentPerform(iterations: 2) { task in
        if task == 0 { results.value.policy = box.value.ppoEpochs(rolloutBatch.value) }
        else { results.value.discriminator = box.value.discriminatorSteps(inputs.value) }
      }
      policyStats = results.value.policy
      discriminatorStats = results.value.discriminator
    } else {
      // The paper's order: PPO epochs, then K D steps on fresh fakes from the updated policy.
      policyStats = ppoEpochs(batchData)
      if cfg.discriminatorSteps > 0 { discriminatorStats = discriminatorSteps(discriminatorInputs(policy: policy)) }
    }
    completedIterations += 1
    return RLSynProgress(iteration: completedIterations, iterations: cfg.iterations, meanReward: rewards.mean(),
                         discriminatorLoss: discriminatorStats.bce, r1Penalty: discriminatorStats.r1,
                         policyLoss: policyStats.loss, entropy: policyStats.entropy,
                         elapsedSeconds: 0, remainingSeconds: 0)
  }

  /// What the PPO epochs need from the rollout.
  struct RolloutBatch {
    let z: Variable
    let rollout: RLSynPolicy.Output
    let records: Matrix
    let rewards: Matrix
    let oldLogProbability: Matrix
  }

  final class ParallelResults {
    var policy = (loss: Float(0), entropy: Float(0))
    var discriminator = (bce: Float(0), r1: Float(0))
  }

  /// `ppoEpochs` full-batch Adam steps on the PPO objective; returns the last surrogate loss and entropy.
  func ppoEpochs(_ b: RolloutBatch) -> (loss: Float, entropy: Float) {
    let cfg = configuration
    let policy = model.policy
    let advantages = PPO.normalizedAdvantages(rewards: b.rewards, values: b.rollout.value.value)
    let presence = model.layout.presenceMask(b.records)
    var stats = (loss: Float(0), entropy: Float(0))
    for epoch in 0..<cfg.ppoEpochs {
      // The first epoch's parameters are the rollout's, so its recorded forward pass is reused.
      let out = epoch == 0 ? b.rollout : policy(b.z)
      let logProbability = policy.logProbability(of: b.records, under: out)
      let surrogate = PPO.clippedSurrogateLoss(logProbability: logProbability, oldLogProbability: b.oldLogProbability,
                                               advantages: advantages, epsilon: cfg.clipEpsilon)
      let valueLoss = (out.value - Variable(b.rewards)).squared().mean()
      let h = policy.entropy(out, presence: presence).mean()
      var loss = surrogate + valueLoss * cfg.valueCoefficient - h * cfg.entropyCoefficient
      if cfg.meanPenalty > 0 { loss = loss + meanMatchingPenalty(out, presence: presence) * cfg.meanPenalty }
      policyOptimizer.minimize(loss)
      stats = (surrogate.value.scalarValue, h.value.scalarValue)
    }
    return stats
  }

  /// K real batches and K fake batches (all fakes from one forward pass of the policy as it is now).
  func discriminatorInputs(policy: RLSynPolicy) -> (real: [Matrix], fake: Matrix) {
    let batch = configuration.batchSize, k = configuration.discriminatorSteps
    let fakeZ = Variable(rng.normalMatrix(rows: batch * k, cols: configuration.noiseDimension))
    let fakes = policy.sample(policy(fakeZ), rng: &rng)
    return ((0..<k).map { _ in nextRealBatch(batch) }, fakes)
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

  /// `Σ_j (E[x_j] − x̄_j)² / Var(x_j)` over the configured columns, where `E[x_j]` is the batch mean
  /// of the policy's expected value of column j (μ·present, σ(logit), softmax probability).
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
    return ((generated - Variable(target)).squared() * Variable(weights)).sum()
  }

  /// Runs all iterations, reporting every `logEvery` iterations (and at the end).
  ///
  /// A non-finite loss or parameter stops training with ``RLSynTrainingError/diverged(iteration:lastGoodIteration:quantity:)``
  /// after restoring the parameters of the last report whose values were all finite.
  public func train(progress: (RLSynProgress) -> Void = { _ in }) throws {
    let start = DispatchTime.now().uptimeNanoseconds
    // With the D steps on the second core, BLAS gets one thread per task.
    let blasThreads = BLAS.threadCount
    if configuration.concurrentDiscriminator { BLAS.setThreadCount(1) }
    defer { BLAS.setThreadCount(blasThreads) }
    var snapshot = (model.policy.parameters + discriminator.parameters).map(\.value)
    var snapshotIteration = completedIterations
    while completedIterations < configuration.iterations {
      var report = iterate()
      let numbers: [(String, Float)] = [("the mean reward", report.meanReward), ("the discriminator loss", report.discriminatorLoss),
                                        ("the policy loss", report.policyLoss), ("the entropy", report.entropy), ("the R1 penalty", report.r1Penalty)]
      if let bad = numbers.first(where: { !$0.1.isFinite }) {
        restore(snapshot)
        throw RLSynTrainingError.diverged(iteration: report.iteration, lastGoodIteration: snapshotIteration, quantity: bad.0)
      }
      let isReport = report.iteration % Swift.max(configuration.logEvery, 1) == 0 || report.iteration == configuration.iterations
      if isReport {
        let params = (model.policy.parameters + discriminator.parameters).map(\.value)
        guard params.allSatisfy(\.isFinite) else {
          restore(snapshot)
          throw RLSynTrainingError.diverged(iteration: report.iteration, lastGoodIteration: snapshotIteration, quantity: "a parameter")
        }
        snapshot = params
        snapshotIteration = report.iteration
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        report.elapsedSeconds = elapsed
        report.remainingSeconds = elapsed / Double(report.iteration) * Double(configuration.iterations - report.iteration)
        progress(report)
      }
    }
  }

  func restore(_ values: [Matrix]) {
    for (p, v) in zip(model.policy.parameters + discriminator.parameters, values) { p.value = v }
  }
}

/// Hands a non-Sendable reference to `concurrentPerform` workers that touch disjoint state.
final class UncheckedSendableBox<T>: @unchecked Sendable {
  var value: T
  init(_ value: T) { self.value = value }
}
