//===----------------------------------------------------------------------===//
// DDPM noise schedules, the forward process and one ancestral denoising step.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore

/// A DDPM variance schedule β₁…β_T (Ho et al. 2020) with the quantities the forward process and the
/// ancestral sampler need. Timesteps are 1-based: `t ∈ 1…T`, and `ᾱ₀ = 1`. Computed in `Double`.
///
/// - forward: `x_t = √ᾱ_t · x₀ + √(1 − ᾱ_t) · ε`, `ᾱ_t = Π_{s≤t} (1 − β_s)`;
/// - posterior `q(x_{t−1} | x_t, x₀) = N(c₀(t)·x₀ + c_t(t)·x_t, β̃_t)` with
///   `c₀ = √ᾱ_{t−1} β_t / (1 − ᾱ_t)`, `c_t = √α_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t)`,
///   `β̃_t = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t)`.
public struct NoiseSchedule: Sendable, Equatable {
  /// The schedule families.
  public enum Kind: String, Codable, Sendable, CaseIterable {
    /// `ᾱ(t) = f(t)/f(0)`, `f(t) = cos²((t/T + s)/(1 + s) · π/2)`, `s = 0.008`, each β capped at 0.999
    /// (Nichol & Dhariwal 2021).
    case cosine
    /// β evenly spaced from `1e-4·1000/T` to `0.02·1000/T` (Ho et al. 2020, rescaled for `T ≠ 1000`).
    case linear
  }

  /// `β_t` for `t = 1…T` (index `t − 1`).
  public let betas: [Double]
  /// `ᾱ_t` for `t = 0…T` (index `t`; `ᾱ₀ = 1`).
  public let alphaBars: [Double]

  /// A schedule from explicit betas (each in (0, 1)).
  public init(betas: [Double]) {
    precondition(!betas.isEmpty && betas.allSatisfy { $0 > 0 && $0 < 1 }, "betas must lie in (0, 1)")
    self.betas = betas
    var bars = [1.0]
    for b in betas { bars.append(bars.last! * (1 - b)) }
    alphaBars = bars
  }

  /// A schedule of `kind` with `T = timesteps`.
  public init(kind: Kind, timesteps: Int) {
    precondition(timesteps >= 1)
    let T = Double(timesteps)
    switch kind {
    case .cosine:
      let s = 0.008
      func f(_ t: Double) -> Double { let c = cos((t / T + s) / (1 + s) * Double.pi / 2); return c * c }
      let f0 = f(0)
      self.init(betas: (1...timesteps).map { t in Swift.min(1 - (f(Double(t)) / f0) / (f(Double(t - 1)) / f0), 0.999) })
    case .linear:
      let scale = 1000 / T
      let lo = scale * 1e-4, hi = scale * 0.02
      self.init(betas: (0..<timesteps).map { k in timesteps == 1 ? lo : lo + (hi - lo) * Double(k) / Double(timesteps - 1) })
    }
  }

  /// `T`.
  public var timesteps: Int { betas.count }

  /// `β_t`.
  public func beta(_ t: Int) -> Double { betas[t - 1] }
  /// `ᾱ_t` (`t = 0…T`).
  public func alphaBar(_ t: Int) -> Double { alphaBars[t] }

  /// The posterior-mean coefficients `(c₀, c_t)` of `μ̃(x_t, x₀) = c₀·x₀ + c_t·x_t` and the posterior variance β̃_t.
  public func posterior(_ t: Int) -> (x0: Double, xt: Double, variance: Double) {
    let b = beta(t), a = 1 - b, abar = alphaBar(t), abarPrev = alphaBar(t - 1)
    return (abarPrev.squareRoot() * b / (1 - abar), a.squareRoot() * (1 - abarPrev) / (1 - abar), b * (1 - abarPrev) / (1 - abar))
  }

  /// The schedule restricted to the increasing timesteps `steps` (ending at T), as improved DDPM's
  /// respacing: `ᾱ'_k = ᾱ_{steps[k]}` and `β'_k = 1 − ᾱ'_k / ᾱ'_{k−1}`. Sampling with it takes
  /// `steps.count` network evaluations instead of T.
  public func respaced(_ steps: [Int]) -> NoiseSchedule {
    precondition(!steps.isEmpty && zip(steps, steps.dropFirst()).allSatisfy { $0 < $1 } && steps.first! >= 1 && steps.last! <= timesteps)
    var previous = 1.0
    var newBetas: [Double] = []
    for t in steps {
      let ab = alphaBar(t)
      newBetas.append(Swift.min(1 - ab / previous, 0.999))
      previous = ab
    }
    return NoiseSchedule(betas: newBetas)
  }

  /// `count` timesteps evenly spread over `1…T`, always including 1 and T.
  public func evenlySpacedSteps(_ count: Int) -> [Int] {
    let k = Swift.max(1, Swift.min(count, timesteps))
    if k == 1 { return [timesteps] }
    var steps: [Int] = []
    for i in 0..<k {
      let t = Int((1 + Double(timesteps - 1) * Double(i) / Double(k - 1)).rounded())
      if steps.last != t { steps.append(t) }
    }
    return steps
  }

  /// `x_t = √ᾱ_t · x₀ + √(1 − ᾱ_t) · ε` with one timestep per row.
  public func noised(_ x0: Matrix, noise: Matrix, timesteps t: [Int]) -> Matrix {
    precondition(x0.hasShape(of: noise) && t.count == x0.rows)
    let a = Matrix.column(t.map { Float(alphaBar($0).squareRoot()) })
    let s = Matrix.column(t.map { Float((1 - alphaBar($0)).squareRoot()) })
    return x0 * a + noise * s
  }

  /// One ancestral step `x_t → x_{t−1}` from the predicted noise `ε̂ = ε_θ(x_t, t)`:
  /// `x̂₀ = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t`, clipped to `±clip` when given, then
  /// `x_{t−1} = c₀·x̂₀ + c_t·x_t + √β̃_t · z` (no noise at `t = 1`; `z` is `noise`).
  ///
  /// Without clipping this equals `(x_t − β_t/√(1 − ᾱ_t) · ε̂) / √α_t + √β̃_t · z`.
  public func step(_ xt: Matrix, predictedNoise: Matrix, t: Int, noise: Matrix?, clip: Float? = nil) -> Matrix {
    precondition(xt.hasShape(of: predictedNoise))
    let abar = alphaBar(t)
    var x0 = (xt - predictedNoise * Float((1 - abar).squareRoot())) * Float(1 / abar.squareRoot())
    if let c = clip { x0 = x0.clamped(lower: -c, upper: c) }
    let p = posterior(t)
    var out = x0 * Float(p.x0) + xt * Float(p.xt)
    if t > 1, let z = noise {
      precondition(z.hasShape(of: xt))
      out = out + z * Float(p.variance.squareRoot())
    }
    return out
  }
}
