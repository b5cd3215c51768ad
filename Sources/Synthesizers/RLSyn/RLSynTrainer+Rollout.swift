//===----------------------------------------------------------------------===//
// RLSyn's rollout: records from the online policy, their rewards and advantages.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

extension RLSynTrainer {
  /// What the PPO epochs need from the rollout.
  struct RolloutBatch {
    /// The policy's input noise, one row per record.
    let z: Variable
    /// The policy's output for `z` as recorded by the rollout (nil for a slice of the rollout, whose rows it does not match).
    let rollout: RLSynPolicy.Output?
    /// The drawn records, as the policy samples them (the discriminator may see them round-tripped).
    let records: Matrix
    /// `n × 1` rewards from the discriminator (``RLSynConfiguration/reward``).
    let rewards: Matrix
    /// `n × 1` (whole records) or `n × F` (per factor, when `perFactor`).
    let oldLogProbability: Matrix
    /// The advantages, shaped like `oldLogProbability`.
    let advantages: Matrix
    /// Whether the terms are per factor (the counterfactual estimator) rather than per record.
    let perFactor: Bool
    /// The rollout's batches with their own policy outputs (only the first step, before any update, may use one),
    /// when it was drawn batch by batch (else empty).
    var minibatches: [RolloutBatch] = []
    /// `n × m` gradient of the correlation penalty (times λc) with respect to the expected values of the
    /// penalty's columns, from the rollout's policy (``correlationGradients(_:presence:)``); nil when it is off.
    var correlationGradient: Matrix? = nil
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
    let (out, records) = policy.draw(z, rng: &rng)
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
    // Forward passes only: the workers read the policy's and the discriminator's weights.
    let drawn = DataParallel.map(batches, threads: threads) { b in
      var stream = streams[b]
      let z = Variable(stream.normalMatrix(rows: cfg.batchSize, cols: cfg.noiseDimension))
      let (out, records) = policy.draw(z, rng: &stream)
      let rewards = discriminator.rewards(self.discriminatorView(records), form: cfg.reward)
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
}
