//===----------------------------------------------------------------------===//
// RLSyn's discriminator task: real and fake batches, then K steps on BCE + R1.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

extension RLSynTrainer {
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

  /// Takes the ``PendingDiscriminatorInputs`` from the trainer's random stream (on the calling thread, in the fit's order).
  func pendingDiscriminatorInputs(reusing rolloutRecords: Matrix?) -> PendingDiscriminatorInputs {
    let batch = configuration.batchSize, k = configuration.discriminatorSteps
    let reusedBatches = rolloutRecords.map { Swift.min($0.rows / batch, k) } ?? 0
    let drawn = k - reusedBatches
    let noise = drawn > 0 ? rng.normalMatrix(rows: batch * drawn, cols: configuration.noiseDimension) : nil
    let stream = rng.split()
    let reused = reusedBatches > 0 ? rolloutRecords?.rows(0..<(reusedBatches * batch)) : nil
    let real = privateRecords != nil ? (0..<k).map { _ in poissonSample() } : (0..<k).map { _ in realBatches.next(batch, rng: &rng) }
    return PendingDiscriminatorInputs(real: real, reused: reused, noise: noise, stream: stream)
  }

  /// A private fit's real batch: every training record independently with probability q (Poisson sampling, which
  /// the accountant assumes), so the batch's size varies.
  func poissonSample() -> Matrix {
    guard let records = privateRecords, let q = configuration.privacy?.samplingRate else { return Matrix(rows: 0, cols: 0) }
    var chosen: [Int] = []
    chosen.reserveCapacity(Int(q * Double(records.rows) * 1.2) + 8)
    for r in 0..<records.rows where rng.uniformDouble() < q { chosen.append(r) }
    return records.gatherRows(chosen)
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
        return policy.drawRecords(Variable(noise.rows(ranges[i])), rng: &s)
      })
    } else {
      fakes = pending.noise.map { policy.drawRecords(Variable($0), rng: &stream) }
    }
    if let reused = pending.reused { fakes = fakes.map { Matrix.concatenateRows([reused, $0]) } ?? reused }
    return (pending.real, discriminatorView(fakes ?? Matrix(rows: 0, cols: model.layout.width)))
  }

  /// Records as the discriminator sees them: round-tripped through the CSV's precision when
  /// ``RLSynConfiguration/roundTripFakes`` is set, else as drawn.
  func discriminatorView(_ records: Matrix) -> Matrix {
    configuration.roundTripFakes ? model.layout.roundTripped(records) : records
  }

  /// K discriminator steps (BCE + R1, lazily every `r1Interval` steps); returns the last BCE and R1.
  func discriminatorSteps(_ inputs: (real: [Matrix], fake: Matrix), blocks: Int = 1) -> (bce: Float, r1: Float) {
    let cfg = configuration, batch = cfg.batchSize
    var stats = (bce: Float(0), r1: Float(0))
    for (k, real) in inputs.real.enumerated() {
      let fake = inputs.fake.rows((k * batch)..<((k + 1) * batch))
      let lazy = discriminatorStepCount % cfg.r1Interval == 0
      discriminatorStepCount += 1
      let gamma = lazy ? cfg.r1Gamma * Float(cfg.r1Interval) : 0
      let result = configuration.privacy == nil ? discriminatorGradients(real: real, fake: fake, gamma: gamma, blocks: blocks)
        : privateDiscriminatorGradients(real: real, fake: fake, gamma: gamma, blocks: blocks)
      discriminatorOptimizer.update(result.gradients)
      stats.bce = result.bce
      if lazy { stats.r1 = result.r1 / Float(cfg.r1Interval) }
    }
    return stats
  }

  /// BCE, R1 and gradients of ``Discriminator/loss(real:fake:gamma:)`` on equal-sized `real` and `fake` batches
  /// (no update). With `blocks` > 1 the batches are split into row blocks, one worker each: both losses are means
  /// over rows, so each block carries its share of each.
  func discriminatorGradients(real: Matrix, fake: Matrix, gamma: Float, blocks: Int) -> (bce: Float, r1: Float, gradients: [Matrix]) {
    let d = discriminator
    guard blocks > 1 else {
      let (total, bce, penalty) = d.loss(real: real, fake: fake, gamma: gamma)
      return (bce, penalty, gradients(of: total, withRespectTo: d.parameters).map(\.value))
    }
    let ranges = DataParallel.rowBlocks(rows: real.rows, blocks: blocks)
    let n = Float(real.rows)
    let parts = DataParallel.map(ranges.count, threads: blocks) { i -> (bce: Float, r1: Float, gradients: [Matrix]) in
      let share = Float(ranges[i].count) / n
      let (total, bce, penalty) = d.loss(real: real.rows(ranges[i]), fake: fake.rows(ranges[i]), gamma: gamma)
      return (bce * share, penalty * share, gradients(of: total * share, withRespectTo: d.parameters).map(\.value))
    }
    return (parts.reduce(0) { $0 + $1.bce }, parts.reduce(0) { $0 + $1.r1 }, DataParallel.sum(parts.map(\.gradients)))
  }

  /// A private fit's discriminator gradient: DP-SGD on the real records (each record's BCE + R1 gradient clipped
  /// to C, Gaussian noise σC on their sum, divided by the expected batch q·N), the fake records' gradient as usual.
  func privateDiscriminatorGradients(real: Matrix, fake: Matrix, gamma: Float, blocks: Int) -> (bce: Float, r1: Float, gradients: [Matrix]) {
    let dp = configuration.privacy!
    let expected = Float(dp.samplingRate * Double(privateRecords!.rows))
    let result = discriminator.privateGradients(real: real, fake: fake, gamma: gamma, clipNorm: Float(dp.clipNorm),
                                                noiseMultiplier: Float(dp.noiseMultiplier), realDenominator: expected,
                                                rng: &privacyNoise!, blocks: blocks)
    return (result.bce, result.r1, result.gradients)
  }
}
