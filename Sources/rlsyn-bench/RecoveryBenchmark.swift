import ArgumentParser
import Foundation
import NumericCore
import Synthesizers

/// `rlsyn-bench recovery`: how well each synthesizer recovers a table of known structure, over seeds.
///
/// The table: `a ~ N(0, 1)`, `b = 0.8a + 0.6ε` (correlation 0.8), and `y ~ Bernoulli(σ(2.5a))`, laid out as two
/// Gaussian columns and one Bernoulli column (the `RLSynRecoveryTests` target). Prints, per seed, the synthetic
/// means, the correlation and `P(y | a > 0)`, `P(y | a ≤ 0)` against the real ones, and the median absolute errors.
struct RecoveryBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "recovery", abstract: "Known-structure recovery over seeds.")

  @Option(help: "Synthesizer to fit.") var synthesizer: String = "rlsyn"
  @Option(help: "Seeds 0..<N of the fit.") var seeds: Int = 10
  @Option(help: "Training iterations (600, as RLSynRecoveryTests).") var iterations: Int = 600
  @Option(help: "Training rows.") var rows: Int = 2000
  @Option(name: .customLong("set"), help: "Override a configuration field, e.g. --set r1Gamma=1 (JSON value).") var settings: [String] = []

  func run() throws {
    let data = Self.correlatedTable(rows: rows, seed: 1)
    let layout = RecordLayout(gaussian: 0..<2, bernoulli: 2..<3, categoricalGroups: [])
    let real = Self.summary(data)
    print("real       " + Self.format(real))
    var errors: [[Float]] = []
    for seed in 0..<UInt64(seeds) {
      let start = DispatchTime.now().uptimeNanoseconds
      let generator: any RecordGenerator
      switch synthesizer {
      case "rlsyn":
        var c = RLSynConfiguration(preset: .small)
        c.iterations = iterations; c.batchSize = 256; c.noiseDimension = 16; c.policyWidth = 64; c.discriminatorWidth = 64
        c.discriminatorSteps = 2
        c = try Self.override(c, with: settings)
        if seed == 0 { print("configuration " + String(decoding: try JSONEncoder().encode(c), as: UTF8.self)) }
        let t = try RLSynTrainer(configuration: c, layout: layout, data: data, seed: seed)
        try t.train()
        generator = t.model
      default:
        throw ValidationError("recovery supports --synthesizer rlsyn")
      }
      var rng = RandomSource(seed: 3)
      let s = Self.summary(generator.generate(rows: 4000, rng: &rng))
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      errors.append(zip(s, real).map { Swift.abs($0 - $1) })
      print("seed \(seed)".padding(toLength: 11, withPad: " ", startingAt: 0) + Self.format(s) + String(format: "  max error %.3f  %.1f s", errors.last!.max()!, seconds))
    }
    let medians = (0..<7).map { k in errors.map { $0[k] }.sorted()[errors.count / 2] }
    print("median |error|: " + Self.format(medians))
  }

  /// `value` with each `key=json` of `settings` replacing that field.
  static func override<C: Codable>(_ value: C, with settings: [String]) throws -> C {
    guard !settings.isEmpty else { return value }
    var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as! [String: Any]
    for s in settings {
      let parts = s.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, object[parts[0]] != nil else { throw ValidationError("--set \(s): unknown field") }
      object[parts[0]] = try JSONSerialization.jsonObject(with: Data(parts[1].utf8), options: [.fragmentsAllowed])
    }
    return try JSONDecoder().decode(C.self, from: JSONSerialization.data(withJSONObject: object))
  }

  static func format(_ v: [Float]) -> String {
    zip(["mean a", "mean b", "corr", "P(y|a>0)", "P(y|a≤0)", "sd a", "sd b"], v).map { String(format: "%@ %+.3f", $0, $1) }.joined(separator: "  ")
  }

  /// Two correlated standard normals and a binary column whose rate depends on them (as in the tests).
  static func correlatedTable(rows: Int, seed: UInt64) -> Matrix {
    var rng = RandomSource(seed: seed)
    var m = Matrix(rows: rows, cols: 3)
    for i in 0..<rows {
      let a = rng.normal(), b = 0.8 * a + 0.6 * rng.normal()
      m[i, 0] = a
      m[i, 1] = b
      m[i, 2] = rng.uniform() < Matrix.sigmoid(2.5 * a) ? 1 : 0
    }
    return m
  }

  /// Means of a and b, their correlation, the rate of y given the sign of a, and the standard deviations of a and b.
  static func summary(_ m: Matrix) -> [Float] {
    let n = Float(m.rows)
    let a = m.column(0), b = m.column(1), y = m.column(2)
    let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
    let sa = (a.map { ($0 - ma) * ($0 - ma) }.reduce(0, +) / n).squareRoot()
    let sb = (b.map { ($0 - mb) * ($0 - mb) }.reduce(0, +) / n).squareRoot()
    let corr = zip(a, b).map { ($0 - ma) * ($1 - mb) }.reduce(0, +) / n / (sa * sb)
    let pos = zip(a, y).filter { $0.0 > 0 }.map(\.1), neg = zip(a, y).filter { $0.0 <= 0 }.map(\.1)
    return [ma, mb, corr, pos.reduce(0, +) / Float(max(pos.count, 1)), neg.reduce(0, +) / Float(max(neg.count, 1)), sa, sb]
  }
}
