//===----------------------------------------------------------------------===//
// RLSyn's step: the order of its parts, the cores they run on, and their wall-clock seconds.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

extension RLSynTrainer {
  /// One iteration: rollout, PPO epochs and discriminator steps.
  public func step(_ context: TrainingContext) -> RLSynStepMetrics {
    let cfg = configuration
    let policy = online
    let scale = learningRateScale(iteration: context.iteration)
    policyOptimizer.learningRate = cfg.policyLearningRate * scale
    discriminatorOptimizer.learningRate = cfg.discriminatorLearningRate * scale
    func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    // The likelihood warm-up runs once, before the first iteration (RLSynTrainer+Warmup.swift).
    if context.iteration == 1 && warmsUp { likelihoodWarmup(threads: context.threads) }
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
      let pending = pendingDiscriminatorInputs(reusing: cfg.reuseRolloutFakes ? batchData.records : nil)
      // The two tasks touch disjoint state, so on one thread (run one after the other) they give the same numbers;
      // DataParallel gives each one BLAS thread and this thread's subnormal mode.
      let tasks = DataParallel.map(2, threads: context.threads) { task -> (stats: (Float, Float), seconds: Double) in
        let taskStart = now()
        let stats: (Float, Float)
        if task == 0 { stats = self.ppoEpochs(batchData) }
        else { stats = self.discriminatorSteps(self.drawFakes(pending, from: self.fakeSource)) }
        return (stats, now() - taskStart)
      }
      policyStats = tasks[0].stats
      discriminatorStats = tasks[1].stats
      (timings.policy, timings.discriminator) = (tasks[0].seconds, tasks[1].seconds)
    } else {
      // The paper's order: PPO epochs, then K D steps on fresh fakes from the updated policy. On several cores each
      // step's batch is split into row blocks, one per core (DataParallel), instead of splitting its products.
      let blocks = DataParallel.defaultBlocks(batch: cfg.batchSize, threads: context.threads)
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
    var metrics = RLSynStepMetrics(meanReward: rewards.mean(), discriminatorLoss: discriminatorStats.bce, r1Penalty: discriminatorStats.r1,
                                   policyLoss: policyStats.loss, entropy: policyStats.entropy)
    if let dp = cfg.privacy {
      // ε is recomputed only when it is reported (the accountant sums a series per order).
      if context.iteration % Swift.max(cfg.logEvery, 1) == 0 || context.iteration >= cfg.iterations {
        epsilonSpent = Float(dp.epsilonSpent(afterSteps: discriminatorStepCount))
      }
      metrics.epsilon = epsilonSpent
    }
    return metrics
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


  /// Wall-clock seconds of one iteration's parts as ``step(_:)`` ran them: the rollout, then the PPO epochs and the
  /// discriminator's task (fakes and K steps), side by side when concurrent and one after the other when sequential.
  @_spi(Benchmark) public struct StepTimings: Sendable {
    public var rollout = 0.0, policy = 0.0, discriminator = 0.0, total = 0.0
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
}
