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
/// `LogSpace.logErfc`, accurate where erfc underflows) and summed in log space, so nothing overflows for σ down to 0.1
/// or α up to 1024. Past k = α + 1 the fractional series alternates in sign with magnitudes that fall like k^{−α−2}
/// (slowly when q is large). Two ways to sum it (`Series`):
/// - `.magnitudeBound` (the default, what dp-accounting 0.6 computes): the terms' magnitudes are summed, an upper
///   bound on A_α and so a conservative RDP, until both parts' terms decrease and are below e⁻³⁰ of the running
///   total; an order not settled within 1000 terms is given +∞ (ignored by the ε conversion). This is what makes
///   the accountant's ε agree with dp-accounting's.
/// - `.signed`: the exact series, signs kept (positive and negative terms summed apart, subtracted once), until past
///   k = α + 1 both parts' terms decrease and are below e⁻³² of the total (an alternating series' truncation error is
///   below its next term), within `maxSignedTerms` terms, else +∞. Checked against numerical integration of A_α. It
///   is never above the bound; the two give the same ε (well within 1 %) where ε ≤ 10, but where the best order is
///   below 2 — large ε, or q ≥ 0.05 with σ ≤ 1 over many steps — the exact ε can be much smaller (for q = 0.1, σ =
///   0.5, 10,000 steps, δ = 10⁻⁵: 807 against 2,231).
public enum SampledGaussian {
  /// How the fractional-order series is summed (see the type's documentation).
  public enum Series: String, Sendable, Codable, CaseIterable {
    /// Sum of the terms' magnitudes, at most `maxMagnitudeTerms` terms: an upper bound on A_α, dp-accounting's figures.
    case magnitudeBound
    /// The exact alternating series, at most `maxSignedTerms` terms.
    case signed
  }

  /// Terms of the fractional-order series summed at most before the order is given up (+∞), for `.magnitudeBound`.
  public static let maxMagnitudeTerms = 1000
  /// Terms of the fractional-order series summed at most before the order is given up (+∞), for `.signed`.
  public static let maxSignedTerms = 200_000

  /// RDP of one step of the sampled Gaussian mechanism at order `order` (α > 1), in nats.
  ///
  /// - q = 0 gives 0, σ = 0 or α = +∞ gives +∞, q = 1 gives the plain Gaussian's α / (2σ²).
  /// - Otherwise log(A_α)/(α − 1) with A_α as in the type's documentation (integer α: finite sum; fractional α:
  ///   the two convergent series, summed as `series` says).
  /// - Precondition: 0 ≤ q ≤ 1, σ ≥ 0, α > 1.
  public static func renyiDivergence(
    order alpha: Double, samplingRate q: Double, noiseMultiplier sigma: Double, series: Series = .magnitudeBound
  ) -> Double {
    precondition((0...1).contains(q), "sampling rate must be in [0, 1]")
    precondition(sigma >= 0, "noise multiplier must be ≥ 0")
    precondition(alpha > 1, "Rényi order must be > 1")
    if q == 0 { return 0 }
    if sigma == 0 || alpha == .infinity { return .infinity }
    if q == 1 { return alpha / (2 * sigma * sigma) }
    let logA = alpha == alpha.rounded() && alpha < 1e6
      ? logAInteger(q: q, sigma: sigma, alpha: Int(alpha))
      : logAFractional(q: q, sigma: sigma, alpha: alpha, series: series)
    return logA / (alpha - 1)
  }

  /// RDP at each order of `orders` (see `renyiDivergence(order:samplingRate:noiseMultiplier:)`).
  public static func renyiDivergences(
    orders: [Double], samplingRate q: Double, noiseMultiplier sigma: Double, series: Series = .magnitudeBound
  ) -> [Double] {
    orders.map { renyiDivergence(order: $0, samplingRate: q, noiseMultiplier: sigma, series: series) }
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

  /// log A_α for fractional α > 1 and 0 < q < 1: the two series A₀ + A₁ cut at z₀, summed as `series` says.
  static func logAFractional(q: Double, sigma: Double, alpha: Double, series: Series) -> Double {
    let logQ = log(q), log1mQ = log1p(-q), inv2s2 = 1 / (2 * sigma * sigma)
    let z0 = sigma * sigma * (log1mQ - logQ) + 0.5
    let erfcScale = 1 / (2.0.squareRoot() * sigma)
    let logHalf = -0.6931471805599453
    let signed = series == .signed
    // Terms with C(α, k) > 0 (all of them for the magnitude bound) and with C(α, k) < 0, each summed in log space.
    var positive = -Double.infinity, negative = -Double.infinity
    var logBinomial = 0.0, binomialPositive = true  // log |C(α, k)| and its sign
    var previous0 = Double.infinity, previous1 = Double.infinity
    for k in 0..<(signed ? maxSignedTerms : maxMagnitudeTerms) {
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
      if binomialPositive || !signed { positive = LogSpace.add(positive, pair) } else { negative = LogSpace.add(negative, pair) }
      let settling = k > 0 && term0 < previous0 && term1 < previous1
      previous0 = term0
      previous1 = term1
      guard settling else { continue }
      if !signed {
        if max(term0, term1) < positive - 30 { return positive }
      } else if i > alpha + 1, max(term0, term1) < positive - 32 {
        guard negative < positive else { return -.infinity }
        let total = LogSpace.subtract(positive, negative)
        if max(term0, term1) < total - 32 { return total }
      }
    }
    return .infinity
  }
}
