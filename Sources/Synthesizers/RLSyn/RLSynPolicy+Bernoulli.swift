//===----------------------------------------------------------------------===//
// The Bernoulli block's log-probability, entropy and expected value from one σ(l) and one softplus(l) per step.
//===----------------------------------------------------------------------===//

import NumericCore
import Autodiff

/// σ(l) and softplus(l) of one batch's Bernoulli logits, each computed at most once and shared by the PPO step's
/// log-probability, entropy and expected values and by all their backward passes.
///
/// The composed operations evaluate softplus twice and σ four times per cell and step (each `softplus` backward
/// recomputes σ); on a 1,456-code table those passes over `384 × 1,456` cells were a fifth of a PPO step.
final class BernoulliCache {
  let logits: Variable
  private(set) lazy var probabilities: Matrix = logits.value.sigmoid()
  private(set) lazy var softplus: Matrix = logits.value.softplus()
  init(logits: Variable) { self.logits = logits }
}

extension RLSynPolicy {
  /// The shared σ / softplus of `output`'s Bernoulli logits (made here for outputs built without one).
  func bernoulliCache(_ output: Output) -> BernoulliCache {
    output.bernoulliCache ?? BernoulliCache(logits: output.bernoulliLogits)
  }

  /// `x · l − softplus(l)` per cell; gradient `x − σ(l)`. First-order only in the logits (the policy's objective is
  /// never differentiated twice).
  static func bernoulliLogProbability(_ cache: BernoulliCache, values x: Matrix) -> Variable {
    let l = cache.logits
    let value = Matrix.combine(x, l.value, cache.softplus) { x, l, sp in x * l - sp }
    return Variable(operationResult: value, inputs: [l]) { g, _, _ in
      [Variable(Matrix.combine(g.value, x, cache.probabilities) { g, x, s in g * (x - s) })]
    }
  }

  /// The entropy `softplus(l) − l σ(l)` per cell; gradient `−l σ(l)(1 − σ(l))`. First-order only.
  static func bernoulliEntropy(_ cache: BernoulliCache) -> Variable {
    let l = cache.logits
    let value = Matrix.combine(cache.softplus, l.value, cache.probabilities) { sp, l, s in sp - l * s }
    return Variable(operationResult: value, inputs: [l]) { g, ins, _ in
      [Variable(Matrix.combine(g.value, ins[0].value, cache.probabilities) { g, l, s in -g * l * s * (1 - s) })]
    }
  }

  /// σ(l) per cell; gradient `σ(l)(1 − σ(l))`. First-order only.
  static func bernoulliProbability(_ cache: BernoulliCache) -> Variable {
    let s = cache.probabilities
    return Variable(operationResult: s, inputs: [cache.logits]) { g, _, _ in
      [Variable(Matrix.combine(g.value, s) { g, s in g * s * (1 - s) })]
    }
  }
}
