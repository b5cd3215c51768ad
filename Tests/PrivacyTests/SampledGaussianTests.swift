import Foundation
import Testing
@testable import Privacy

/// The sampled Gaussian's RDP against checks independent of the series: direct numerical integration of A_α, the
/// integer formula at orders next to a fractional one, and the limits.
@Suite struct SampledGaussianTests {
  /// A_α = ∫ μ₀(z) ((1 − q) + q e^{(2z − 1)/(2σ²)})^α dz by the trapezoid rule on a fine grid (log space per point).
  static func logAByQuadrature(q: Double, sigma: Double, alpha: Double) -> Double {
    let lo = -40 * sigma, hi = 40 * sigma + 1 + 2 * alpha * sigma * sigma
    let n = 400_000
    let h = (hi - lo) / Double(n)
    var logs = [Double](repeating: 0, count: n + 1)
    for i in 0...n {
      let z = lo + Double(i) * h
      let logMu0 = -z * z / (2 * sigma * sigma) - log(sigma * (2 * Double.pi).squareRoot())
      let logRatio = LogSpace.add(log1p(-q), log(q) + (2 * z - 1) / (2 * sigma * sigma))
      logs[i] = logMu0 + alpha * logRatio + (i == 0 || i == n ? log(0.5) : 0)
    }
    let top = logs.max()!
    return top + log(logs.reduce(0) { $0 + exp($1 - top) } * h)
  }

  @Test(arguments: [
    (0.01, 1.0, 2.5), (0.1, 0.8, 1.1), (0.1, 2.0, 7.3), (0.5, 1.0, 1.5), (0.5, 5.0, 1.1), (0.05, 0.5, 1.3),
    (0.001, 5.0, 10.9), (0.3, 1.5, 4.0), (0.3, 1.5, 12),
  ])
  func agreesWithQuadrature(_ q: Double, _ sigma: Double, _ alpha: Double) {
    let series = SampledGaussian.renyiDivergence(order: alpha, samplingRate: q, noiseMultiplier: sigma, series: .signed)
    let quadrature = Self.logAByQuadrature(q: q, sigma: sigma, alpha: alpha) / (alpha - 1)
    #expect(abs(series - quadrature) <= 1e-6 * quadrature + 1e-12, "series \(series), quadrature \(quadrature)")
    // The default sums the terms' magnitudes: never below the exact value (+∞ when it gives the order up).
    let bound = SampledGaussian.renyiDivergence(order: alpha, samplingRate: q, noiseMultiplier: sigma)
    #expect(bound >= quadrature * (1 - 1e-6), "bound \(bound), quadrature \(quadrature)")
  }

  /// Just off an integer order the fractional series must meet the integer formula.
  @Test(arguments: [(0.01, 1.0), (0.1, 0.5), (0.5, 2.0), (0.05, 5.0)])
  func fractionalMeetsIntegerOrders(_ q: Double, _ sigma: Double) {
    for alpha in [2.0, 3, 5, 9] {
      let integer = SampledGaussian.renyiDivergence(order: alpha, samplingRate: q, noiseMultiplier: sigma)
      for offset in [-1e-7, 1e-7] {
        for series in SampledGaussian.Series.allCases {
          let fractional = SampledGaussian.renyiDivergence(
            order: alpha + offset, samplingRate: q, noiseMultiplier: sigma, series: series)
          #expect(abs(fractional - integer) <= 1e-5 * integer, "α \(alpha)\(offset) \(series): \(fractional) vs \(integer)")
        }
      }
    }
  }

  @Test func limits() {
    #expect(SampledGaussian.renyiDivergence(order: 2.5, samplingRate: 0, noiseMultiplier: 1) == 0)
    #expect(SampledGaussian.renyiDivergence(order: 2.5, samplingRate: 0.1, noiseMultiplier: 0) == .infinity)
    #expect(SampledGaussian.renyiDivergence(order: 3, samplingRate: 1, noiseMultiplier: 2) == 3.0 / 8)
    // Sampling only helps: below the unsampled Gaussian at every order, and nondecreasing in α.
    let orders = RDPAccountant.defaultOrders
    let rdp = SampledGaussian.renyiDivergences(orders: orders, samplingRate: 0.2, noiseMultiplier: 1.3, series: .signed)
    for (alpha, r) in zip(orders, rdp) { #expect(r > 0 && r < alpha / (2 * 1.3 * 1.3)) }
    #expect(zip(rdp, rdp.dropFirst()).allSatisfy { $0 <= $1 * (1 + 1e-12) })
    // The default bound is above the exact value, or +∞ at the small orders where its series does not settle within
    // 1000 terms (here 1.1 to 1.7, as in dp-accounting).
    let bound = SampledGaussian.renyiDivergences(orders: orders, samplingRate: 0.2, noiseMultiplier: 1.3)
    for (b, r) in zip(bound, rdp) { #expect(b >= r * (1 - 1e-12)) }
    #expect(bound.filter(\.isInfinite).count == 7 && bound.prefix(7).allSatisfy(\.isInfinite))
    // Small q: RDP ≈ q² α (e^{1/σ²} − 1) / 2 at moderate α.
    let small = SampledGaussian.renyiDivergence(order: 2, samplingRate: 1e-4, noiseMultiplier: 1)
    let approx = 1e-8 * 2 * (exp(1) - 1) / 2
    #expect(abs(small - approx) <= 1e-3 * approx)
  }

  @Test func logErfcIsContinuousAcrossItsTwoMethods() {
    for x in [-30.0, -1, 0, 1, 5, 19.999] { #expect(abs(LogSpace.logErfc(x) - log(erfc(x))) <= 1e-12 * max(1, abs(log(erfc(x))))) }
    let below = LogSpace.logErfc(20 - 1e-12), above = LogSpace.logErfc(20)
    #expect(abs(below - above) <= 1e-12 * abs(above))
    // Far tail against the asymptotic series log erfc(x) ≈ −x² − log(x√π) + log(1 − 1/(2x²) + 3/(4x⁴)).
    let x = 300.0
    let asymptotic = -x * x - log(x * Double.pi.squareRoot()) + log1p(-1 / (2 * x * x) + 3 / (4 * x * x * x * x))
    #expect(abs(LogSpace.logErfc(x) - asymptotic) <= 1e-12 * abs(asymptotic))
  }
}
