import Foundation

/// Rényi differential privacy of the sampled Gaussian mechanism: each record of the data set is included
/// independently with probability q (Poisson sampling), the included records' contributions (each of L2 norm at most
/// the sensitivity) are summed, and Gaussian noise of standard deviation σ × sensitivity is added. Neighbouring data
/// sets differ by adding or removing one record.
///
/// Formulas of Mironov, Talwar and Zhang, "Rényi Differential Privacy of the Sampled Gaussian Mechanism" (2019):
/// the mechanism's RDP at order α is log(A_α) / (α − 1) with A_α = E_{z∼μ₀}[(μ(z)/μ₀(z))^α], where μ₀ = N(0, σ²),
/// μ₁ = N(1, σ²) and μ = (1 − q)μ₀ + qμ₁ (sensitivity scaled to 1).
///
/// - Integer α: the binomial expansion is finite and every term positive,
///   A_α = Σ_{k=0…α} C(α, k) (1 − q)^{α−k} q^k exp((k² − k) / (2σ²)).
/// - Fractional α: the real line is cut at z₀ = σ² log(1/q − 1) + ½, where qμ₁ = (1 − q)μ₀ − the point the
///   binomial series in μ₁/μ₀ (left part) and in μ₀/μ₁ (right part) converge on each side. Then A_α = A₀ + A₁ with
///   A₀ = Σ_{k≥0} C(α, k) (1 − q)^{α−k} q^k exp((k² − k)/(2σ²)) · ½ erfc((k − z₀) / (√2 σ)) and
///   A₁ = Σ_{k≥0} C(α, k) q^{α−k} (1 − q)^k exp(((α−k)² − (α−k))/(2σ²)) · ½ erfc((z₀ − (α − k)) / (√2 σ)),
///   C(α, k) = α(α − 1)…(α − k + 1)/k! the generalised binomial coefficient, negative for every other k > α + 1.
///
/// Numerics: every term is formed as a sign and a logarithm (log |C(α, k)| by the running product, log erfc by
/// `LogSpace.logErfc`, accurate where erfc underflows), positive and negative terms are summed separately in log
/// space and subtracted once at the end, so nothing overflows for σ down to 0.1 or α up to 1024. The fractional series
/// is alternating past k = α + 1 with terms that fall like k^{−α−2}; it is summed, signs kept (the exact series, not a
/// bound on it), until both parts' terms decrease and are below e⁻³² of the running total, which bounds the
/// truncation error by that much. A series that has not met this after `maxFractionalTerms` terms gives +∞ (the order
/// is then ignored by the ε conversion, which is conservative).
public enum SampledGaussian {
  /// Terms of the fractional-order series summed at most before the order is given up (+∞).
  public static let maxFractionalTerms = 200_000

  /// RDP of one step of the sampled Gaussian mechanism at order `order` (α > 1), in nats.
  ///
  /// - q = 0 gives 0, σ = 0 or α = +∞ gives +∞, q = 1 gives the plain Gaussian's α / (2σ²).
  /// - Otherwise log(A_α)/(α − 1) with A_α as in the type's documentation (integer α: finite sum; fractional α:
  ///   the two convergent series).
  /// - Precondition: 0 ≤ q ≤ 1, σ ≥ 0, α > 1.
  public static func renyiDivergence(order alpha: Double, samplingRate q: Double, noiseMultiplier sigma: Double) -> Double {
    precondition((0...1).contains(q), "sampling rate must be in [0, 1]")
    precondition(sigma >= 0, "noise multiplier must be ≥ 0")
    precondition(alpha > 1, "Rényi order must be > 1")
    if q == 0 { return 0 }
    if sigma == 0 || alpha == .infinity { return .infinity }
    if q == 1 { return alpha / (2 * sigma * sigma) }
    let logA = alpha == alpha.rounded() && alpha < 1e6
      ? logAInteger(q: q, sigma: sigma, alpha: Int(alpha))
      : logAFractional(q: q, sigma: sigma, alpha: alpha)
    return logA / (alpha - 1)
  }

  /// RDP at each order of `orders` (see `renyiDivergence(order:samplingRate:noiseMultiplier:)`).
  public static func renyiDivergences(orders: [Double], samplingRate q: Double, noiseMultiplier sigma: Double) -> [Double] {
    orders.map { renyiDivergence(order: $0, samplingRate: q, noiseMultiplier: sigma) }
  }

  /// log A_α for integer α ≥ 2 and 0 < q < 1: the finite binomial sum, all terms positive.
  static func logAInteger(q: Double, sigma: Double, alpha: Int) -> Double {
    let logQ = log(q), log1mQ = log1p(-q), inv2s2 = 1 / (2 * sigma * sigma)
    var logBinomial = 0.0  // log C(α, k), by the running product
    var total = -Double.infinity
    for k in 0...alpha {
      if k > 0 { logBinomial += log(Double(alpha - k + 1)) - log(Double(k)) }
      let kd = Double(k)
      let term = logBinomial + kd * logQ + Double(alpha - k) * log1mQ + (kd * kd - kd) * inv2s2
      total = LogSpace.add(total, term)
    }
    return total
  }

  /// log A_α for fractional α > 1 and 0 < q < 1: the two series A₀ + A₁ cut at z₀, signs kept.
  static func logAFractional(q: Double, sigma: Double, alpha: Double) -> Double {
    let logQ = log(q), log1mQ = log1p(-q), inv2s2 = 1 / (2 * sigma * sigma)
    let z0 = sigma * sigma * (log1mQ - logQ) + 0.5
    let erfcScale = 1 / (2.0.squareRoot() * sigma)
    let logHalf = -0.6931471805599453
    // Positive and negative parts of the sum A₀ + A₁, each in log space.
    var positive = -Double.infinity, negative = -Double.infinity
    var logBinomial = 0.0, binomialPositive = true  // log |C(α, k)| and its sign
    var previous0 = Double.infinity, previous1 = Double.infinity
    for k in 0..<maxFractionalTerms {
      if k > 0 {
        let factor = alpha - Double(k - 1)  // C(α, k) = C(α, k − 1) (α − k + 1) / k
        logBinomial += log(abs(factor)) - log(Double(k))
        if factor < 0 { binomialPositive.toggle() }
      }
      let i = Double(k), j = alpha - i
      let term0 = logBinomial + i * logQ + j * log1mQ + (i * i - i) * inv2s2
        + logHalf + LogSpace.logErfc((i - z0) * erfcScale)
      let term1 = logBinomial + j * logQ + i * log1mQ + (j * j - j) * inv2s2
        + logHalf + LogSpace.logErfc((z0 - j) * erfcScale)
      let pair = LogSpace.add(term0, term1)
      if binomialPositive { positive = LogSpace.add(positive, pair) } else { negative = LogSpace.add(negative, pair) }
      if i > alpha + 1, term0 < previous0, term1 < previous1, max(term0, term1) < positive - 32 {
        guard negative < positive else { return -.infinity }
        let total = LogSpace.subtract(positive, negative)
        if max(term0, term1) < total - 32 { return total }
      }
      previous0 = term0
      previous1 = term1
    }
    return .infinity
  }
}
