import Foundation
import Testing
@testable import Privacy

/// The accountant against Google's dp-accounting `RdpAccountant` (reference values in
/// `Fixtures/dp-accounting-reference.json`, made by `docs/experiments/scripts/dp-accounting-reference.py`; the package
/// version and command are in the file) and against properties that hold whatever the reference says.
@Suite struct RDPAccountantTests {
  struct Point: Decodable { let q: Double; let sigma: Double; let steps: Int; let delta: Double; let epsilon: Double }
  struct Reference: Decodable { let package: String; let command: String; let points: [Point] }

  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/dp-accounting-reference.json")

  @Test func agreesWithDPAccountingWithinOnePercent() throws {
    let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Self.fixture))
    #expect(reference.points.count >= 30)
    // One step's RDP per (q, σ), composed by scaling (what the accountant does for T identical steps).
    var perStep: [String: [Double]] = [:]
    var worst = (relative: 0.0, point: reference.points[0], ours: 0.0)
    for p in reference.points {
      let key = "\(p.q) \(p.sigma)"
      let step = perStep[key] ?? SampledGaussian.renyiDivergences(
        orders: RDPAccountant.defaultOrders, samplingRate: p.q, noiseMultiplier: p.sigma)
      perStep[key] = step
      let ours = try RDPAccountant.epsilon(
        orders: RDPAccountant.defaultOrders, rdp: step.map { Double(p.steps) * $0 }, delta: p.delta).epsilon
      let relative = p.epsilon == 0 ? abs(ours) : abs(ours - p.epsilon) / p.epsilon
      #expect(relative <= 0.01, "q \(p.q) σ \(p.sigma) T \(p.steps) δ \(p.delta): ours \(ours), dp-accounting \(p.epsilon)")
      if relative > worst.relative { worst = (relative, p, ours) }
    }
    // The accountant API gives the same figure as the scaled per-step RDP.
    let p = reference.points[reference.points.count / 2]
    let direct = try RDPAccountant.epsilon(samplingRate: p.q, noiseMultiplier: p.sigma, steps: p.steps, delta: p.delta)
    #expect(abs(direct - p.epsilon) <= 0.01 * p.epsilon)
    print("PrivacyTests: \(reference.points.count) points against \(reference.package); worst relative error "
      + "\(worst.relative) at q \(worst.point.q) σ \(worst.point.sigma) T \(worst.point.steps) δ \(worst.point.delta) "
      + "(ours \(worst.ours), reference \(worst.point.epsilon))")
  }

  /// The exact (signed) series never gives more ε than the default bound, and gives dp-accounting's figure (1 %)
  /// wherever ε ≤ 10; above, where the best order is below 2, it may be much tighter.
  @Test func signedSeriesIsNeverLooserAndAgreesWhereEpsilonIsSmall() throws {
    let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Self.fixture))
    let orders = RDPAccountant.defaultOrders
    var steps: [String: (bound: [Double], exact: [Double])] = [:]
    for p in reference.points {
      let key = "\(p.q) \(p.sigma)"
      let step = steps[key] ?? (
        SampledGaussian.renyiDivergences(orders: orders, samplingRate: p.q, noiseMultiplier: p.sigma),
        SampledGaussian.renyiDivergences(orders: orders, samplingRate: p.q, noiseMultiplier: p.sigma, series: .signed))
      steps[key] = step
      for (b, e) in zip(step.bound, step.exact) { #expect(e <= b * (1 + 1e-9), "q \(p.q) σ \(p.sigma)") }
      let exact = try RDPAccountant.epsilon(orders: orders, rdp: step.exact.map { Double(p.steps) * $0 }, delta: p.delta).epsilon
      #expect(exact <= p.epsilon * (1 + 1e-6))
      if p.epsilon <= 10 {
        #expect(abs(exact - p.epsilon) <= 0.01 * p.epsilon, "q \(p.q) σ \(p.sigma) T \(p.steps): \(exact) vs \(p.epsilon)")
      }
    }
  }

  @Test func defaultOrdersAreDPAccountings() {
    let orders = RDPAccountant.defaultOrders
    #expect(orders.count == 156)
    #expect(orders.first == 1.1 && orders[98] == 10.9 && orders[99] == 11 && orders[151] == 63)
    #expect(Array(orders.suffix(4)) == [128, 256, 512, 1024])
    #expect(zip(orders, orders.dropFirst()).allSatisfy { $0 < $1 })
  }

  @Test func epsilonGrowsWithStepsAndSamplingRateAndFallsWithNoise() throws {
    let qs = [0.001, 0.01, 0.05, 0.1, 0.5, 1]
    let sigmas = [0.5, 0.8, 1, 2, 5]
    let steps = [1, 10, 100, 1000, 10000]
    func eps(_ q: Double, _ s: Double, _ t: Int) throws -> Double {
      try RDPAccountant.epsilon(samplingRate: q, noiseMultiplier: s, steps: t, delta: 1e-5)
    }
    for q in [0.01, 0.1, 1] {
      for s in [0.8, 2] {
        let e = try steps.map { try eps(q, s, $0) }
        #expect(zip(e, e.dropFirst()).allSatisfy { $0 < $1 }, "steps, q \(q) σ \(s): \(e)")
      }
    }
    for s in [0.8, 2] {
      for t in [1, 100] {
        let e = try qs.map { try eps($0, s, t) }
        #expect(zip(e, e.dropFirst()).allSatisfy { $0 < $1 }, "q, σ \(s) T \(t): \(e)")
      }
    }
    for q in [0.01, 0.5] {
      for t in [1, 1000] {
        let e = try sigmas.map { try eps(q, $0, t) }
        #expect(zip(e, e.dropFirst()).allSatisfy { $0 > $1 }, "σ, q \(q) T \(t): \(e)")
      }
    }
    // Smaller δ costs more ε.
    #expect(try RDPAccountant.epsilon(samplingRate: 0.01, noiseMultiplier: 1, steps: 1000, delta: 1e-6) > eps(0.01, 1, 1000))
  }

  @Test func noSamplingIsThePlainGaussianComposition() throws {
    for (sigma, steps) in [(0.5, 1), (1.0, 100), (2.0, 1000), (5.0, 10000)] {
      var accountant = RDPAccountant()
      try accountant.composeSampledGaussian(samplingRate: 1, noiseMultiplier: sigma, steps: steps)
      for (alpha, r) in zip(accountant.orders, accountant.rdp) {
        #expect(abs(r - Double(steps) * alpha / (2 * sigma * sigma)) <= 1e-12 * r)
      }
      // The conversion by hand: min over orders of T α/(2σ²) + log((α − 1)/α) − (log δ + log α)/(α − 1).
      let delta = 1e-5
      let byHand = accountant.orders.map { a in
        Double(steps) * a / (2 * sigma * sigma) + log((a - 1) / a) - (log(delta) + log(a)) / (a - 1)
      }.min()!
      #expect(abs(try accountant.epsilon(delta: delta) - max(0, byHand)) <= 1e-12 * byHand)
    }
  }

  @Test func compositionAddsUp() throws {
    var a = RDPAccountant(), b = RDPAccountant()
    try a.composeSampledGaussian(samplingRate: 0.02, noiseMultiplier: 1.1, steps: 300)
    for _ in 0..<3 { try b.composeSampledGaussian(samplingRate: 0.02, noiseMultiplier: 1.1, steps: 100) }
    #expect(b.steps == 300)
    for (x, y) in zip(a.rdp, b.rdp) { #expect(abs(x - y) <= 1e-12 * x) }
    #expect(try RDPAccountant().epsilon(delta: 1e-5) == 0)
  }

  @Test(arguments: [
    (1.0, 1e-5, 0.01, 1000), (3.0, 1e-5, 0.01, 1000), (10.0, 1e-5, 0.05, 2000), (0.5, 1e-6, 0.001, 10000),
    (2.0, 1e-5, 1.0, 10), (8.0, 1e-6, 0.2, 500),
  ])
  func calibrationRoundTrip(_ target: Double, _ delta: Double, _ q: Double, _ steps: Int) throws {
    let sigma = try RDPAccountant.noiseMultiplier(forEpsilon: target, delta: delta, samplingRate: q, steps: steps)
    let reached = try RDPAccountant.epsilon(samplingRate: q, noiseMultiplier: sigma, steps: steps, delta: delta)
    #expect(reached <= target)
    #expect(reached >= 0.995 * target, "σ \(sigma) reaches ε \(reached) for target \(target)")
    // The smallest such σ: 0.1 % less noise overspends.
    let less = try RDPAccountant.epsilon(samplingRate: q, noiseMultiplier: sigma * 0.999, steps: steps, delta: delta)
    #expect(less > target)
  }

  @Test func stepsRoundTrip() throws {
    for (target, q, sigma) in [(1.0, 0.01, 1.0), (3.0, 0.05, 1.5), (10.0, 1.0, 5.0)] {
      let t = try RDPAccountant.steps(forEpsilon: target, delta: 1e-5, samplingRate: q, noiseMultiplier: sigma)
      #expect(t >= 1)
      #expect(try RDPAccountant.epsilon(samplingRate: q, noiseMultiplier: sigma, steps: t, delta: 1e-5) <= target)
      #expect(try RDPAccountant.epsilon(samplingRate: q, noiseMultiplier: sigma, steps: t + 1, delta: 1e-5) > target)
    }
    // A budget below one step's cost buys no step.
    #expect(try RDPAccountant.steps(forEpsilon: 0.1, delta: 1e-5, samplingRate: 1, noiseMultiplier: 1) == 0)
  }

  @Test func badInputsAreOneLineErrors() {
    let cases: [(PrivacyAccountingError, () throws -> Any)] = [
      (.invalidEpsilon(0), { try RDPAccountant.noiseMultiplier(forEpsilon: 0, delta: 1e-5, samplingRate: 0.1, steps: 10) }),
      (.invalidEpsilon(-1), { try RDPAccountant.steps(forEpsilon: -1, delta: 1e-5, samplingRate: 0.1, noiseMultiplier: 1) }),
      (.invalidDelta(0), { try RDPAccountant.epsilon(samplingRate: 0.1, noiseMultiplier: 1, steps: 10, delta: 0) }),
      (.invalidDelta(1), { try RDPAccountant.noiseMultiplier(forEpsilon: 1, delta: 1, samplingRate: 0.1, steps: 10) }),
      (.invalidSamplingRate(0), { try RDPAccountant.epsilon(samplingRate: 0, noiseMultiplier: 1, steps: 10, delta: 1e-5) }),
      (.invalidSamplingRate(1.5), { try RDPAccountant.noiseMultiplier(forEpsilon: 1, delta: 1e-5, samplingRate: 1.5, steps: 1) }),
      (.invalidNoiseMultiplier(0), { try RDPAccountant.epsilon(samplingRate: 0.1, noiseMultiplier: 0, steps: 10, delta: 1e-5) }),
      (.invalidSteps(0), { try RDPAccountant.noiseMultiplier(forEpsilon: 1, delta: 1e-5, samplingRate: 0.1, steps: 0) }),
      (.invalidSteps(-3), { try RDPAccountant.epsilon(samplingRate: 0.1, noiseMultiplier: 1, steps: -3, delta: 1e-5) }),
    ]
    for (expected, call) in cases {
      #expect(throws: expected) { _ = try call() }
      #expect(!expected.description.contains("\n") && !expected.description.isEmpty)
    }
  }
}
