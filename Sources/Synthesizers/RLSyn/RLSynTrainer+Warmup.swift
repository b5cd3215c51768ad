//===----------------------------------------------------------------------===//
// RLSyn's likelihood warm-up: a few maximum-likelihood steps on training records before the PPO iterations.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

extension RLSynTrainer {
  /// Whether this fit warms up (``RLSynConfiguration/likelihoodWarmupSteps`` > 0, a policy drawn in blocks, not private).
  var warmsUp: Bool {
    configuration.likelihoodWarmupSteps > 0 && online.blockColumns.count > 1 && configuration.privacy == nil
  }

  /// Up to ``RLSynConfiguration/likelihoodWarmupSteps`` Adam steps (at most ``warmupStepsPerIteration`` per PPO
  /// iteration of the fit; its own optimiser at ``warmupLearningRateMultiplier`` times the policy's learning rate) on
  /// `−mean log π(x | z)` for batches of training records `x`. The noise carries no information about `x`, so the best
  /// the noise path can do is a constant: it is held fixed and enters as its mean over ``warmupNoiseDraws`` draws (the
  /// same figures as fresh noise per batch over 6 seeds on NHEFS and loanapp, 0.5 s sooner on NHEFS). Only the head
  /// biases (the first block's marginals and every block's base), the feedback map (each later block given the earlier
  /// blocks' values, decayed by ``warmupFeedbackDecay``) and a shared log-std, if any, are trained: the same optimum
  /// for a fraction of the products, and the noise path stays as initialised for the PPO iterations.
  ///
  /// The feedback map has width × heads weights, more than a table of a thousand records can pin down, so a tenth of
  /// the training records (``warmupValidationShare``) is held out of the warm-up's batches: every
  /// ``warmupCheckEvery`` steps their mean negative log-likelihood is measured, the warm-up stops once it has not
  /// improved for ``warmupPatience`` checks, and the best weights are kept. Returns the steps taken and the held-out
  /// records' best mean negative log-likelihood per record.
  ///
  /// Each batch is split into two row blocks (one worker each when `threads` > 1), whatever `threads` is, so the
  /// numbers do not depend on it.
  @discardableResult
  func likelihoodWarmup(threads: Int = 1) -> (steps: Int, heldOutLoss: Float) {
    let cfg = configuration
    let policy = online
    guard let feedback = policy.feedback, let mask = policy.feedbackMask else { return (0, 0) }
    let trained = [policy.heads.bias, feedback] + (policy.sharedLogStd.map { [$0] } ?? [])
    let optimizer = Adam(parameters: trained, learningRate: cfg.policyLearningRate * Self.warmupLearningRateMultiplier,
                         weightDecay: Self.warmupFeedbackDecay, decaying: trained.map { $0 === feedback })
    let all = realBatches.data
    let order = rng.permutation(all.rows)
    let heldOutCount = Swift.min(Swift.max(1, Int(Float(all.rows) * Self.warmupValidationShare)), Self.warmupHeldOutLimit)
    let heldOut = all.gatherRows(Array(order[..<heldOutCount]))
    var batches = BatchCycler(data: all.gatherRows(Array(order[heldOutCount...])))
    let ranges = DataParallel.rowBlocks(rows: cfg.batchSize, blocks: 2)
    // The noise path is held fixed and carries no information about x, so it enters as its mean over noise draws.
    let noisePathMean = Variable(policy.noisePathWithoutBias(rng.normalMatrix(rows: Self.warmupNoiseDraws, cols: cfg.noiseDimension))
      .value.meanOverRows())
    func output(_ x: Matrix) -> RLSynPolicy.Output {
      policy.output(heads: (policy.heads.bias + noisePathMean).broadcast(toRows: x.rows, cols: mask.cols)
                      + Variable(x).matmul(feedback * Variable(mask)), rows: x.rows)
    }
    func heldOutLoss() -> Float { -policy.logProbability(of: heldOut, under: output(heldOut)).value.mean() }

    var best = (loss: heldOutLoss(), weights: trained.map(\.value))
    let steps = Swift.min(cfg.likelihoodWarmupSteps, Self.warmupStepsPerIteration * cfg.iterations)
    var step = 0, sinceBest = 0
    while step < steps && sinceBest < Self.warmupPatience {
      let records = batches.next(cfg.batchSize, rng: &rng)
      let n = Float(records.rows)
      optimizer.minimize(blocks: ranges.count, threads: threads) { i in
        let x = records.rows(ranges[i])
        return policy.logProbability(of: x, under: output(x)).sum() * (-1 / n)
      }
      step += 1
      if step % Self.warmupCheckEvery == 0 || step == steps {
        let loss = heldOutLoss()
        if loss < best.loss { best = (loss, trained.map(\.value)); sinceBest = 0 } else { sinceBest += 1 }
      }
    }
    for (parameter, value) in zip(trained, best.weights) { parameter.value = value }
    return (step, best.loss)
  }

  /// The warm-up's learning rate over the policy's: its objective is a fixed likelihood, not a moving reward, and at 3×
  /// the held-out likelihood levels off in about half the steps (NHEFS, loanapp).
  static let warmupLearningRateMultiplier: Float = 3
  /// Decoupled weight decay (AdamW) on the feedback map during the warm-up: it shrinks the conditionals' coefficients,
  /// fitted to as few as a thousand records, towards none (6 seeds: NHEFS LR/GB ratio 0.971/1.018 → 0.976/1.026,
  /// loanapp 0.934/0.895 → 0.939/0.906; 1.0 shrinks too far).
  static let warmupFeedbackDecay: Float = 0.3
  /// The most warm-up steps per PPO iteration of the fit: a step costs about a tenth of an iteration, so a fit asked
  /// for few iterations (a quick look, a test) also warms up briefly; the presets' 800 and more allow the full 4,000.
  static let warmupStepsPerIteration = 5
  /// The share of the training records the likelihood warm-up holds out to decide when to stop.
  static let warmupValidationShare: Float = 0.1
  /// Noise draws whose noise-path outputs are averaged once for the warm-up.
  static let warmupNoiseDraws = 4_096
  /// The most records held out (a tenth of a table of up to 50,000 rows): enough to see the likelihood level off.
  static let warmupHeldOutLimit = 5_000
  /// Warm-up steps between two measurements of the held-out records' likelihood.
  static let warmupCheckEvery = 100
  /// Measurements without improvement after which the warm-up stops.
  static let warmupPatience = 5
}
