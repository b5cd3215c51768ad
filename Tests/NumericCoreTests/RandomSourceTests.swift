//===----------------------------------------------------------------------===//
// RandomSource: determinism, moments, permutations, categorical draws and split streams.
//
// Every test is seeded, so it is deterministic; the tolerances are stated as multiples
// of the statistic's standard error (5σ), so they also hold for other seeds with
// overwhelming probability.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Testing

@Suite struct RandomSourceTests {
  static let draws = 100_000

  @Test func sameSeedGivesIdenticalSequences() {
    var a = RandomSource(seed: 2024), b = RandomSource(seed: 2024)
    for _ in 0..<1000 { #expect(a.next() == b.next()) }
    #expect((0..<1000).map { _ in a.uniform() } == (0..<1000).map { _ in b.uniform() })
    #expect((0..<1001).map { _ in a.normal() } == (0..<1001).map { _ in b.normal() })
    #expect(a.normalMatrix(rows: 7, cols: 13) == b.normalMatrix(rows: 7, cols: 13))
    #expect(a.permutation(50) == b.permutation(50))
    #expect(a.categorical(weights: [1, 2, 3]) == b.categorical(weights: [1, 2, 3]))
  }

  @Test func outputsMatchTheDocumentedAlgorithm() {
    // The reference expansion reproduces SplitMix64's published first output for seed 0 …
    #expect(Self.referenceSplitMix(seed: 0, count: 1) == [0xE220_A839_7B1D_CDAF])
    // … and the generator equals a straight-line xoshiro256** over that state, for several seeds.
    for seed: UInt64 in [0, 1, 42, .max] {
      var r = RandomSource(seed: seed)
      #expect((0..<20).map { _ in r.next() } == Self.referenceXoshiro(seed: seed, count: 20), "seed \(seed)")
    }
  }

  /// SplitMix64 (Steele, Lea & Flood 2014) outputs, written out independently of the library.
  static func referenceSplitMix(seed: UInt64, count: Int) -> [UInt64] {
    var x = seed
    return (0..<count).map { _ in
      x = x &+ 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  /// xoshiro256** (Blackman & Vigna 2018) seeded with four SplitMix64 outputs, written out independently.
  static func referenceXoshiro(seed: UInt64, count: Int) -> [UInt64] {
    var s = referenceSplitMix(seed: seed, count: 4)
    func rotl(_ v: UInt64, _ k: UInt64) -> UInt64 { (v << k) | (v >> (64 - k)) }
    var out: [UInt64] = []
    for _ in 0..<count {
      out.append(rotl(s[1] &* 5, 7) &* 9)
      let t = s[1] << 17
      s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
      s[3] = rotl(s[3], 45)
    }
    return out
  }

  @Test func differentSeedsDiffer() {
    var a = RandomSource(seed: 1), b = RandomSource(seed: 2)
    let xa = (0..<100).map { _ in a.next() }, xb = (0..<100).map { _ in b.next() }
    #expect(xa != xb)
    #expect(Set(xa).intersection(xb).isEmpty)
  }

  @Test func uniformMoments() {
    var r = RandomSource(seed: 11)
    let n = Self.draws
    let xs = (0..<n).map { _ in Double(r.uniform()) }
    #expect(xs.allSatisfy { $0 >= 0 && $0 < 1 })
    let mean = xs.reduce(0, +) / Double(n)
    let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
    // U[0,1): mean 1/2 (s.e. √(1/12/n) = 9.1e-4), variance 1/12 (s.e. √((1/80 − 1/144)/n) = 2.4e-4).
    #expect(Swift.abs(mean - 0.5) < 5 * 9.2e-4)
    #expect(Swift.abs(variance - 1.0 / 12) < 5 * 2.4e-4)
    // Deciles each hold 10 % (s.e. √(0.09/n) = 9.5e-4).
    var bins = [Int](repeating: 0, count: 10)
    for x in xs { bins[Int(x * 10)] += 1 }
    for b in bins { #expect(Swift.abs(Double(b) / Double(n) - 0.1) < 5 * 9.5e-4) }

    let ds = (0..<n).map { _ in r.uniformDouble() }
    #expect(ds.allSatisfy { $0 >= 0 && $0 < 1 })
    #expect(Swift.abs(ds.reduce(0, +) / Double(n) - 0.5) < 5 * 9.2e-4)
  }

  @Test func normalMoments() {
    var r = RandomSource(seed: 12)
    let n = Self.draws
    let xs = (0..<n).map { _ in Double(r.normal()) }
    #expect(xs.allSatisfy { $0.isFinite })
    let mean = xs.reduce(0, +) / Double(n)
    let m2 = xs.reduce(0) { $0 + pow($1 - mean, 2) } / Double(n)
    let m3 = xs.reduce(0) { $0 + pow($1 - mean, 3) } / Double(n)
    let m4 = xs.reduce(0) { $0 + pow($1 - mean, 4) } / Double(n)
    // N(0,1): s.e. of mean 1/√n = 3.2e-3, of variance √(2/n) = 4.5e-3,
    // of skewness √(6/n) = 7.7e-3, of kurtosis √(24/n) = 1.5e-2.
    #expect(Swift.abs(mean) < 5 * 3.2e-3)
    #expect(Swift.abs(m2 - 1) < 5 * 4.5e-3)
    #expect(Swift.abs(m3 / pow(m2, 1.5)) < 5 * 7.7e-3)
    #expect(Swift.abs(m4 / (m2 * m2) - 3) < 5 * 1.5e-2)
    // P(|x| < 1) = 0.6827, P(|x| < 2) = 0.9545 (s.e. ≤ 1.5e-3).
    let within1 = Double(xs.filter { Swift.abs($0) < 1 }.count) / Double(n)
    let within2 = Double(xs.filter { Swift.abs($0) < 2 }.count) / Double(n)
    #expect(Swift.abs(within1 - 0.682_689) < 5 * 1.5e-3)
    #expect(Swift.abs(within2 - 0.954_500) < 5 * 0.7e-3)
  }

  @Test func matricesHaveRequestedParameters() {
    var r = RandomSource(seed: 13)
    let nm = r.normalMatrix(rows: 400, cols: 250, mean: 3, std: 0.5)
    #expect(nm.shape == (400, 250))
    let v = nm.storage.map(Double.init)
    let mean = v.reduce(0, +) / Double(v.count)
    let sd = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)).squareRoot()
    #expect(Swift.abs(mean - 3) < 5 * 0.5 / 316.2)
    #expect(Swift.abs(sd - 0.5) < 5 * 0.5 * (0.5 / 100_000).squareRoot())
    let um = r.uniformMatrix(rows: 300, cols: 7, lower: -2, upper: 5)
    #expect(um.storage.allSatisfy { $0 >= -2 && $0 < 5 })
    #expect(Swift.abs(Double(um.mean()) - 1.5) < 5 * 7 / (12.0 * 2100).squareRoot())
    #expect(r.normalMatrix(rows: 0, cols: 5).shape == (0, 5))
  }

  @Test func permutationIsAPermutation() {
    var r = RandomSource(seed: 14)
    for n in [0, 1, 2, 3, 10, 1000] {
      let p = r.permutation(n)
      #expect(p.count == n)
      #expect(p.sorted() == Array(0..<n))
    }
  }

  @Test func permutationIsUniform() {
    // All 24 permutations of 4 elements, 48 000 draws: 2 000 expected each.
    var r = RandomSource(seed: 15)
    var counts: [[Int]: Int] = [:]
    let n = 48_000
    for _ in 0..<n { counts[r.permutation(4), default: 0] += 1 }
    #expect(counts.count == 24)
    let expected = Double(n) / 24
    let chiSquare = counts.values.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
    // χ² with 23 degrees of freedom: mean 23, P(χ² > 60) ≈ 4e-5.
    #expect(chiSquare < 60, "χ² = \(chiSquare)")
    // Every element lands in every position ~1/4 of the time (larger n).
    var position = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
    for _ in 0..<20_000 { for (i, v) in r.permutation(10).enumerated() { position[v][i] += 1 } }
    for row in position { for c in row { #expect(Swift.abs(Double(c) / 20_000 - 0.1) < 5 * 2.1e-3) } }
  }

  @Test func categoricalFrequencies() {
    var r = RandomSource(seed: 16)
    let weights: [Float] = [0.1, 0, 0.5, 0.4, 0]
    var counts = [Int](repeating: 0, count: weights.count)
    for _ in 0..<Self.draws { counts[r.categorical(weights: weights)] += 1 }
    #expect(counts[1] == 0 && counts[4] == 0, "zero weights are never drawn")
    for (i, w) in weights.enumerated() where w > 0 {
      let p = Double(w), se = (p * (1 - p) / Double(Self.draws)).squareRoot()
      #expect(Swift.abs(Double(counts[i]) / Double(Self.draws) - p) < 5 * se, "category \(i): \(counts[i])")
    }
    // Unnormalised weights behave like their normalised form; a single positive weight always wins.
    var c2 = [0, 0]
    for _ in 0..<20_000 { c2[r.categorical(weights: [2, 6])] += 1 }
    #expect(Swift.abs(Double(c2[1]) / 20_000 - 0.75) < 5 * 3.1e-3)
    #expect((0..<100).allSatisfy { _ in r.categorical(weights: [0, 0, 3]) == 2 })
  }

  @Test func integerBelowIsInRangeAndUniform() {
    var r = RandomSource(seed: 17)
    var counts = [Int](repeating: 0, count: 7)
    for _ in 0..<70_000 {
      let v = r.integer(below: 7)
      #expect(v >= 0 && v < 7)
      counts[v] += 1
    }
    for c in counts { #expect(Swift.abs(Double(c) - 10_000) < 5 * 93.6) }
    #expect((0..<10).allSatisfy { _ in r.integer(below: 1) == 0 })
  }

  @Test func splitStreamsDiffer() {
    var parent = RandomSource(seed: 18)
    var childA = parent.split(), childB = parent.split()
    let a = (0..<100).map { _ in childA.next() }
    let b = (0..<100).map { _ in childB.next() }
    let p = (0..<100).map { _ in parent.next() }
    #expect(a != b && a != p && b != p)
    #expect(Set(a).intersection(b).isEmpty && Set(a).intersection(p).isEmpty)
    // Splitting is itself deterministic.
    var again = RandomSource(seed: 18)
    var childAgain = again.split()
    #expect((0..<100).map { _ in childAgain.next() } == a)
    // Split streams are not correlated: sample correlation of uniforms ≈ 0 (s.e. 1/√n).
    var u = RandomSource(seed: 19)
    var v = u.split()
    let n = 20_000
    let xs = (0..<n).map { _ in Double(u.uniform()) - 0.5 }, ys = (0..<n).map { _ in Double(v.uniform()) - 0.5 }
    let corr = zip(xs, ys).reduce(0) { $0 + $1.0 * $1.1 } / (xs.reduce(0) { $0 + $1 * $1 } * ys.reduce(0) { $0 + $1 * $1 }).squareRoot()
    #expect(Swift.abs(corr) < 5 / Double(n).squareRoot())
  }

  @Test func worksAsAStandardLibraryGenerator() {
    var r = RandomSource(seed: 20)
    var s = RandomSource(seed: 20)
    #expect([1, 2, 3, 4, 5].shuffled(using: &r) == [1, 2, 3, 4, 5].shuffled(using: &s))
    #expect(Int.random(in: 10..<20, using: &r) == Int.random(in: 10..<20, using: &s))
  }
}
