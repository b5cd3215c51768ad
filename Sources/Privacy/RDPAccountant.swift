import Foundation

/// A request the accountant cannot answer; `description` is a one-line message for the user.
public enum PrivacyAccountingError: Error, Equatable, Sendable, CustomStringConvertible {
  /// ε must be a finite number > 0.
  case invalidEpsilon(Double)
  /// δ must lie in the open interval (0, 1).
  case invalidDelta(Double)
  /// The Poisson sampling rate q must lie in (0, 1].
  case invalidSamplingRate(Double)
  /// The noise multiplier σ must be a finite number > 0.
  case invalidNoiseMultiplier(Double)
  /// The number of steps must be ≥ 0 (≥ 1 for calibration).
  case invalidSteps(Int)
  /// No noise multiplier up to `RDPAccountant.maxNoiseMultiplier` reaches the target ε.
  case epsilonUnreachable(epsilon: Double, delta: Double, samplingRate: Double, steps: Int)

  public var description: String {
    switch self {
    case .invalidEpsilon(let e): return "epsilon must be a finite number > 0 (got \(e))"
    case .invalidDelta(let d): return "delta must be in the open interval (0, 1) (got \(d))"
    case .invalidSamplingRate(let q): return "the sampling rate must be in (0, 1] (got \(q))"
    case .invalidNoiseMultiplier(let s): return "the noise multiplier must be a finite number > 0 (got \(s))"
    case .invalidSteps(let t): return "the number of steps must be positive (got \(t))"
    case let .epsilonUnreachable(e, d, q, t):
      return "no noise multiplier up to \(RDPAccountant.maxNoiseMultiplier) reaches epsilon \(e) at delta \(d) "
        + "with sampling rate \(q) over \(t) steps"
    }
  }
}

/// Rényi-DP accountant for the Poisson-sampled Gaussian mechanism (DP-SGD), with the (ε, δ) conversion and the
/// orders of Google's dp-accounting `RdpAccountant`, against which it is tested (1 % relative over a grid of q, σ,
/// steps and δ; fixture in `Tests/PrivacyTests/Fixtures`).
///
/// The state is one RDP value per order: composition adds them (RDP composes additively at each order), so T
/// identical steps cost T times one step's RDP, computed once by `SampledGaussian`. Neighbouring data sets differ by
/// one added or removed record.
///
/// Conversion to (ε, δ) (`epsilon(orders:rdp:delta:)`), at each order α with RDP r, the smallest ε allowed by either
/// - the improved conversion of Canonne, Kamath and Steinke (2020) / Balle et al. (2020):
///   ε = r + log((α − 1)/α) − (log δ + log α)/(α − 1), used for α > 1.01 (below, it is numerically unstable and
///   never the best); or
/// - ε = 0 when 1 − e^{−r} < δ² (r bounds the KL divergence, and by Bretagnolle–Huber the total variation distance
///   is at most √(1 − e^{−KL}) < δ).
/// The reported ε is the minimum over orders, floored at 0; orders whose RDP is +∞ play no part.
public struct RDPAccountant: Sendable {
  /// dp-accounting's `DEFAULT_RDP_ORDERS`: 1.1, 1.2, …, 10.9 (computed as 1 + x/10, x = 1…99), 11, 12, …, 63,
  /// 128, 256, 512, 1024 (156 orders).
  public static let defaultOrders: [Double] = {
    let tenths: [Double] = (1..<100).map { (x: Int) -> Double in 1 + Double(x) / 10 }
    let integers: [Double] = (11..<64).map { (x: Int) -> Double in Double(x) }
    let powers: [Double] = [128, 256, 512, 1024]
    return tenths + integers + powers
  }()

  /// The largest noise multiplier `noiseMultiplier(forEpsilon:delta:samplingRate:steps:orders:)` tries.
  public static let maxNoiseMultiplier = 1e6

  /// Rényi orders α (each > 1) at which the divergence is tracked.
  public let orders: [Double]
  /// How the sampled Gaussian's fractional-order series is summed (`SampledGaussian.Series`; the default
  /// `.magnitudeBound` is dp-accounting's, `.signed` is exact and can be tighter where ε is large).
  public let series: SampledGaussian.Series
  /// Accumulated RDP (nats) at each order, aligned with `orders`; all 0 before any composition.
  public private(set) var rdp: [Double]
  /// Steps composed so far (all mechanisms counted).
  public private(set) var steps: Int = 0

  /// An empty accountant (no privacy spent). Precondition: every order > 1.
  public init(orders: [Double] = RDPAccountant.defaultOrders, series: SampledGaussian.Series = .magnitudeBound) {
    precondition(!orders.isEmpty && orders.allSatisfy { $0 > 1 }, "Rényi orders must be > 1")
    self.orders = orders
    self.series = series
    self.rdp = Array(repeating: 0, count: orders.count)
  }

  /// Adds `steps` steps of the Poisson-sampled Gaussian mechanism at rate q with noise multiplier σ:
  /// rdp[α] += steps · `SampledGaussian.renyiDivergence(order: α, samplingRate: q, noiseMultiplier: σ)`.
  /// Throws for q outside (0, 1], σ not finite and > 0, or steps < 0.
  public mutating func composeSampledGaussian(samplingRate q: Double, noiseMultiplier sigma: Double, steps: Int = 1) throws {
    try Self.validate(samplingRate: q, noiseMultiplier: sigma)
    guard steps >= 0 else { throw PrivacyAccountingError.invalidSteps(steps) }
    guard steps > 0 else { return }
    let step = SampledGaussian.renyiDivergences(orders: orders, samplingRate: q, noiseMultiplier: sigma, series: series)
    for i in rdp.indices { rdp[i] += Double(steps) * step[i] }
    self.steps += steps
  }

  /// ε of everything composed so far at `delta` (see the type's documentation for the conversion).
  public func epsilon(delta: Double) throws -> Double {
    try Self.epsilon(orders: orders, rdp: rdp, delta: delta).epsilon
  }

  /// The (ε, δ) conversion: the smallest ε over orders and the order that gives it (see the type's documentation).
  /// An ε of +∞ (no order usable) comes with order +∞. Throws for δ outside (0, 1).
  public static func epsilon(orders: [Double], rdp: [Double], delta: Double) throws -> (epsilon: Double, order: Double) {
    precondition(orders.count == rdp.count, "one RDP value per order")
    try validate(delta: delta)
    let logDelta = log(delta)
    var best = (epsilon: Double.infinity, order: Double.infinity)
    for (alpha, r) in zip(orders, rdp) where !r.isNaN {
      precondition(alpha > 1, "Rényi orders must be > 1")
      let eps: Double
      if r <= 0 || -expm1(-r) < delta * delta {
        eps = 0  // r < 0 only by rounding; otherwise the KL bound already gives δ.
      } else if alpha > 1.01 {
        eps = r + log1p(-1 / alpha) - (logDelta + log(alpha)) / (alpha - 1)
      } else {
        continue
      }
      if eps < best.epsilon { best = (eps, alpha) }
    }
    return (max(0, best.epsilon), best.order)
  }

  /// ε after `steps` steps of the Poisson-sampled Gaussian mechanism (rate q, noise multiplier σ) at `delta`.
  /// steps = 0 gives 0.
  public static func epsilon(
    samplingRate q: Double, noiseMultiplier sigma: Double, steps: Int, delta: Double,
    orders: [Double] = RDPAccountant.defaultOrders, series: SampledGaussian.Series = .magnitudeBound
  ) throws -> Double {
    var accountant = RDPAccountant(orders: orders, series: series)
    try accountant.composeSampledGaussian(samplingRate: q, noiseMultiplier: sigma, steps: steps)
    return try accountant.epsilon(delta: delta)
  }

  /// The largest number of steps (rate q, noise multiplier σ) whose ε at `delta` is at most `epsilon`; 0 when even
  /// one step costs more. One step's RDP is computed once, then the steps are found by doubling and bisection on the
  /// (nondecreasing) ε of T · RDP, capped at 2⁵³.
  public static func steps(
    forEpsilon epsilon: Double, delta: Double, samplingRate q: Double, noiseMultiplier sigma: Double,
    orders: [Double] = RDPAccountant.defaultOrders, series: SampledGaussian.Series = .magnitudeBound
  ) throws -> Int {
    try validate(epsilon: epsilon)
    try validate(delta: delta)
    try validate(samplingRate: q, noiseMultiplier: sigma)
    let step = SampledGaussian.renyiDivergences(orders: orders, samplingRate: q, noiseMultiplier: sigma, series: series)
    func fits(_ t: Int) throws -> Bool {
      try Self.epsilon(orders: orders, rdp: step.map { Double(t) * $0 }, delta: delta).epsilon <= epsilon
    }
    guard try fits(1) else { return 0 }
    let cap = 1 << 53
    var lo = 1, hi = 2  // fits(lo), and !fits(hi) once the doubling stops below the cap
    while hi < cap, try fits(hi) { lo = hi; hi *= 2 }
    if hi >= cap { return cap }
    while hi - lo > 1 {
      let mid = lo + (hi - lo) / 2
      if try fits(mid) { lo = mid } else { hi = mid }
    }
    return lo
  }

  /// The smallest noise multiplier σ (to a relative 10⁻⁴) whose ε after `steps` steps at rate q is at most
  /// `epsilon` at `delta`: doubling from σ = 1 (or halving, down to 2⁻¹⁰) brackets it, then bisection on σ, keeping
  /// the upper end, whose ε never exceeds the target (ε falls with σ at every order). With σ to 10⁻⁴ the returned ε is
  /// within about 0.05 % below the target. Throws for invalid inputs, steps < 1, or when σ =
  /// `maxNoiseMultiplier` is not enough.
  public static func noiseMultiplier(
    forEpsilon epsilon: Double, delta: Double, samplingRate q: Double, steps: Int,
    orders: [Double] = RDPAccountant.defaultOrders, series: SampledGaussian.Series = .magnitudeBound
  ) throws -> Double {
    try validate(epsilon: epsilon)
    try validate(delta: delta)
    try validate(samplingRate: q, noiseMultiplier: 1)
    guard steps >= 1 else { throw PrivacyAccountingError.invalidSteps(steps) }
    func fits(_ sigma: Double) throws -> Bool {
      try Self.epsilon(samplingRate: q, noiseMultiplier: sigma, steps: steps, delta: delta, orders: orders, series: series)
        <= epsilon
    }
    var lo = 0.0, hi = 1.0  // !fits(lo) (σ = 0 is no privacy), fits(hi) once bracketed
    if try fits(hi) {
      // Halve while it still fits; a σ below 2⁻¹⁰ is answered as 2⁻¹⁰ (such a budget is no real constraint).
      while hi > 0x1p-10 {
        let half = hi / 2
        guard try fits(half) else { lo = half; break }
        hi = half
      }
      if lo == 0 { return hi }
    } else {
      while true {
        lo = hi
        hi *= 2
        if hi > maxNoiseMultiplier {
          guard try fits(maxNoiseMultiplier) else {
            throw PrivacyAccountingError.epsilonUnreachable(epsilon: epsilon, delta: delta, samplingRate: q, steps: steps)
          }
          hi = maxNoiseMultiplier
          break
        }
        if try fits(hi) { break }
      }
    }
    while hi - lo > 1e-4 * hi {
      let mid = (lo + hi) / 2
      if try fits(mid) { hi = mid } else { lo = mid }
    }
    return hi
  }

  static func validate(epsilon: Double) throws {
    guard epsilon.isFinite, epsilon > 0 else { throw PrivacyAccountingError.invalidEpsilon(epsilon) }
  }

  static func validate(delta: Double) throws {
    guard delta > 0, delta < 1 else { throw PrivacyAccountingError.invalidDelta(delta) }
  }

  static func validate(samplingRate q: Double, noiseMultiplier sigma: Double) throws {
    guard q > 0, q <= 1 else { throw PrivacyAccountingError.invalidSamplingRate(q) }
    guard sigma.isFinite, sigma > 0 else { throw PrivacyAccountingError.invalidNoiseMultiplier(sigma) }
  }
}
