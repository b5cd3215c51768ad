//===----------------------------------------------------------------------===//
// PPO's pieces for a one-step episode: advantages and the clipped surrogate.
//===----------------------------------------------------------------------===//

import NumericCore
import Autodiff

/// Proximal Policy Optimization for a one-step (contextual bandit) episode: the return is the reward.
public enum PPO {
  /// `A = r − V`, then standardised over the batch: `(A − mean) / (std + 1e-8)` with the
  /// unbiased (n − 1) standard deviation, as `torch.Tensor.std` in the reference code.
  public static func normalizedAdvantages(rewards: Matrix, values: Matrix) -> Matrix {
    let a = rewards - values
    let n = a.count
    let mean = a.mean()
    var ss: Float = 0
    for v in a.storage { ss += (v - mean) * (v - mean) }
    let std = n > 1 ? (ss / Float(n - 1)).squareRoot() : 0
    return (a - mean) * (1 / (std + 1e-8))
  }

  /// The clipped surrogate loss `−mean(min(ρA, clip(ρ, 1−ε, 1+ε)·A))` with `ρ = exp(log π − log π_old)`.
  ///
  /// Its gradient is that of `ρA` where the unclipped term is the minimum and zero where the
  /// clipped term is active (ρ outside `[1−ε, 1+ε]` on the side that would increase the objective).
  public static func clippedSurrogateLoss(logProbability: Variable, oldLogProbability: Matrix, advantages: Matrix, epsilon: Float) -> Variable {
    let ratio = (logProbability - Variable(oldLogProbability)).exp()
    let a = Variable(advantages)
    let unclipped = ratio * a
    let clipped = ratio.clamped(lower: 1 - epsilon, upper: 1 + epsilon) * a
    return -unclipped.minimum(clipped).mean()
  }
}
