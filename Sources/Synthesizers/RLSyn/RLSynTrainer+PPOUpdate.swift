//===----------------------------------------------------------------------===//
// RLSyn's policy update: PPO epochs over the rollout, each step's objective written once for a block of rows.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

extension RLSynTrainer {
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
        let result = ppoGradients(minibatch, presence: presence[m], blocks: blocks, recorded: epoch == 0 && m == 0 ? minibatch.rollout : nil)
        policyOptimizer.update(result.gradients)
        stats = (result.loss, result.entropy)
      }
    }
    return stats
  }

  /// The surrogate loss, entropy and policy gradients of one PPO step on the records of `b` (no update).
  ///
  /// With `blocks` > 1 the records are split into row blocks, one worker each: the policy's forward passes first,
  /// then each block's share of the loss (``ppoLoss(_:rows:output:presence:expected:part:)``) and its gradients,
  /// summed in block order. The mean-matching penalty is a function of the whole batch's mean, so each block carries
  /// its first-order term `Σ_j c_j Σ_i e_ij` with `c_j = ∂P/∂ē_j / n` from the forward passes' means: the same
  /// gradient as the whole batch's. One block (and the per-factor objective, which is not split) is one graph on the
  /// calling thread, on `recorded` when given (the policy's output for `b.z` at the current weights).
  func ppoGradients(_ b: RolloutBatch, presence: Matrix, blocks: Int,
                    recorded: RLSynPolicy.Output? = nil) -> (loss: Float, entropy: Float, gradients: [Matrix]) {
    let cfg = configuration
    let policy = online
    let n = b.records.rows
    let needsExpected = cfg.meanPenalty > 0 || b.correlationGradient != nil
    guard blocks > 1 && !b.perFactor else {
      let out = recorded ?? policy(b.z, records: b.records)
      let expected = needsExpected ? expectedValues(out, presence: presence) : nil
      let (loss, surrogate, h) = ppoLoss(b, rows: 0..<n, output: out, presence: presence, expected: expected, part: .whole)
      return (surrogate, h, gradients(of: loss, withRespectTo: policy.parameters).map(\.value))
    }
    let ranges = DataParallel.rowBlocks(rows: n, blocks: blocks)
    let presences = ranges.map { presence.rows($0) }
    let forward = DataParallel.map(ranges.count, threads: blocks) { i -> (out: RLSynPolicy.Output, expected: Variable?) in
      let out = policy(Variable(b.z.value.rows(ranges[i])), records: b.records.rows(ranges[i]))
      return (out, needsExpected ? self.expectedValues(out, presence: presences[i]) : nil)
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
      let part = PPOLossPart.block(share: Float(ranges[i].count) / Float(n), meanPenaltyCoefficients: penaltyCoefficients)
      let (loss, surrogate, h) = self.ppoLoss(b, rows: ranges[i], output: forward[i].out, presence: presences[i],
                                              expected: forward[i].expected, part: part)
      return (surrogate, h, gradients(of: loss, withRespectTo: policy.parameters).map(\.value))
    }
    return (parts.reduce(0) { $0 + $1.loss }, parts.reduce(0) { $0 + $1.entropy }, DataParallel.sum(parts.map(\.gradients)))
  }

  /// What one ``ppoLoss(_:rows:output:presence:expected:part:)`` covers of its step's batch.
  enum PPOLossPart {
    /// The whole batch in one graph, with the mean-matching penalty itself.
    case whole
    /// A row block weighing `share` of the batch (its rows' count over the batch's), with the mean-matching
    /// penalty's first-order term `Σ c ⊙ e` (nil when the penalty is off): the penalty is a function of the whole batch.
    case block(share: Float, meanPenaltyCoefficients: Matrix?)
  }

  /// The PPO objective `−mean min(ρA, clip(ρ)A) + c_v·mean(V − r)² − β·mean H + λm·P (+ the correlation penalty's
  /// first-order term)` for the records `rows` of `b`, given the policy's `output` and the penalties' `expected`
  /// values (``expectedValues(_:presence:)``, nil when no penalty needs them) for those rows; with its surrogate and
  /// entropy values. A block's terms are its share of the batch means, so the blocks' losses sum to the batch's.
  func ppoLoss(_ b: RolloutBatch, rows r: Range<Int>, output out: RLSynPolicy.Output, presence: Matrix, expected: Variable?,
               part: PPOLossPart) -> (loss: Variable, surrogate: Float, entropy: Float) {
    let cfg = configuration
    let policy = online
    let records = b.records.rows(r), advantages = b.advantages.rows(r), oldLogProbability = b.oldLogProbability.rows(r)
    var share: Float? = nil
    if case .block(let s, _) = part { share = s }
    // The whole batch's terms are not multiplied by 1, so its graph is the one the saved models were trained with.
    func shared(_ term: Variable) -> Variable { share.map { term * $0 } ?? term }
    let logProbability = b.perFactor ? nil : policy.logProbability(of: records, under: out)
    let surrogate: Variable
    if let logProbability {
      surrogate = shared(PPO.clippedSurrogateLoss(logProbability: logProbability, oldLogProbability: oldLogProbability,
                                                  advantages: advantages, epsilon: cfg.clipEpsilon))
    } else {
      // Mean over records of the sum over factors, like the whole-record log-probability sums its columns.
      let perFactorLogProbability = perFactor(policy.logProbabilityPerColumn(of: records, under: out))
      surrogate = shared(PPO.clippedSurrogateLoss(logProbability: perFactorLogProbability, oldLogProbability: oldLogProbability,
                                                  advantages: advantages, epsilon: cfg.clipEpsilon) * Float(advantages.cols))
    }
    let valueLoss = shared((out.value - Variable(b.rewards.rows(r))).squared().mean())
    // The closed form has no sampling noise; the reference code's estimate is −mean log π of the stored actions (a
    // block reuses its surrogate's log π; the whole batch builds it anew, which sums its gradients in another order).
    let sampled = share == nil ? nil : logProbability
    let h = shared(cfg.entropyEstimate == .closedForm ? policy.entropy(out, presence: presence).mean()
      : -(sampled ?? policy.logProbability(of: records, under: out)).mean())
    var loss = surrogate + valueLoss * cfg.valueCoefficient - h * cfg.entropyCoefficient
    if let expected {
      switch part {
      case .whole: if cfg.meanPenalty > 0 { loss = loss + meanMatchingPenalty(expected: expected) * cfg.meanPenalty }
      case .block(_, let c): if let c { loss = loss + (expected * Variable(c)).sum() }
      }
      // The correlation penalty's first-order term at the rollout's policy: its gradient, without its GEMMs in every step.
      if let g = b.correlationGradient { loss = loss + (expected * Variable(g.rows(r))).sum() }
    }
    return (loss, surrogate.value.scalarValue, h.value.scalarValue)
  }
}
