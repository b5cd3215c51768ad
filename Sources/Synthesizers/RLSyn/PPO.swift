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

  /// The largest |log π − log π_old| passed to `exp` (e^20 ≈ 4.9e8 stays finite in Float).
  public static let logRatioBound: Float = 20

  /// Advantages divided by their root mean square over all entries (no centring: the counterfactual
  /// advantages of ``RLSynConfiguration/AdvantageEstimator/counterfactual`` have mean zero by construction).
  public static func scaledAdvantages(_ a: Matrix) -> Matrix {
    let rms = (a.storage.reduce(Float(0)) { $0 + $1 * $1 } / Float(Swift.max(a.count, 1))).squareRoot()
    return a * (1 / (rms + 1e-8))
  }

  /// The clipped surrogate loss `−mean(min(ρA, clip(ρ, 1−ε, 1+ε)·A))` with `ρ = exp(log π − log π_old)`.
  ///
  /// Its gradient is that of `ρA` where the unclipped term is the minimum and zero where the
  /// clipped term is active (ρ outside `[1−ε, 1+ε]` on the side that would increase the objective).
  ///
  /// The log-ratio is bounded to ±``logRatioBound`` before `exp`: a record's log-probability sums one term per
  /// column, so on wide tables the difference can exceed Float's exponent range.
  public static func clippedSurrogateLoss(logProbability: Variable, oldLogProbability: Matrix, advantages: Matrix, epsilon: Float) -> Variable {
    let ratio = (logProbability - Variable(oldLogProbability)).clamped(lower: -logRatioBound, upper: logRatioBound).exp()
    let a = Variable(advantages)
    let unclipped = ratio * a
    let clipped = ratio.clamped(lower: 1 - epsilon, upper: 1 + epsilon) * a
    return -unclipped.minimum(clipped).mean()
  }
}
