//===----------------------------------------------------------------------===//
// Seeded, explicit random number generation (no global state).
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A seeded pseudo-random generator: **xoshiro256\*\*** (Blackman & Vigna, 2018) whose
/// 256-bit state is expanded from a 64-bit seed with **SplitMix64**.
///
/// The same seed always yields the same sequence on every platform. The generator
/// is a value type passed explicitly (`inout`), so there is no hidden global state.
/// Derived streams for independent consumers come from ``split()``.
///
/// - Uniform `Float` values use the top 24 bits: `k · 2⁻²⁴`, `k ∈ [0, 2²⁴)`.
/// - Normal values use Marsaglia's polar method in `Float` (no trigonometry; about 1.27
///   pairs of uniforms per pair of normals), caching the second variate of each pair.
public struct RandomSource: RandomNumberGenerator, Sendable {
  @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
  @usableFromInline var cachedNormal: Float? = nil

  /// Seeds the generator; equal seeds give equal sequences.
  public init(seed: UInt64) {
    var x = seed
    func splitMix(_ x: inout UInt64) -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = splitMix(&x); s1 = splitMix(&x); s2 = splitMix(&x); s3 = splitMix(&x)
  }

  /// The next 64 random bits.
  @inlinable
  public mutating func next() -> UInt64 {
    let result = rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 45)
    return result
  }

  @inlinable func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// An independent generator seeded from this one's next output.
  public mutating func split() -> RandomSource { RandomSource(seed: next()) }

  /// Uniform in `[0, 1)` with 24 bits of resolution.
  @inlinable
  public mutating func uniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

  /// Uniform in `[0, 1)` with 53 bits of resolution.
  @inlinable
  public mutating func uniformDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

  /// A standard normal variate (Marsaglia's polar method).
  @inlinable
  public mutating func normal() -> Float {
    if let c = cachedNormal { cachedNormal = nil; return c }
    let (a, b) = normalPair()
    cachedNormal = b
    return a
  }

  /// Two independent standard normal variates: `u, v ~ U(−1, 1)` until `0 < s = u² + v² < 1`,
  /// then `(u, v) · √(−2 ln s / s)`.
  @inlinable
  public mutating func normalPair() -> (Float, Float) {
    while true {
      let bits = next()
      // Two 24-bit uniforms in (−1, 1) from one 64-bit draw.
      let u = Float(Int32(truncatingIfNeeded: bits >> 40) - 8_388_608) * (1.0 / 8_388_608.0)
      let v = Float(Int32(truncatingIfNeeded: (bits >> 16) & 0xFF_FFFF) - 8_388_608) * (1.0 / 8_388_608.0)
      let s = u * u + v * v
      if s >= 1 || s == 0 { continue }
      let m = (-2 * logf(s) / s).squareRoot()
      return (u * m, v * m)
    }
  }

  /// A matrix of independent `N(mean, std²)` values.
  public mutating func normalMatrix(rows: Int, cols: Int, mean: Float = 0, std: Float = 1) -> Matrix {
    var m = Matrix(rows: rows, cols: cols)
    m.withUnsafeMutableBufferPointer { p in
      var i = 0
      while i + 1 < p.count {
        let (a, b) = normalPair()
        p[i] = mean + std * a
        p[i + 1] = mean + std * b
        i += 2
      }
      if i < p.count { p[i] = mean + std * normal() }
    }
    return m
  }

  /// A matrix of independent `U[lower, upper)` values.
  public mutating func uniformMatrix(rows: Int, cols: Int, lower: Float = 0, upper: Float = 1) -> Matrix {
    var m = Matrix(rows: rows, cols: cols)
    m.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] = lower + (upper - lower) * uniform() }
    }
    return m
  }

  /// An index drawn with probability proportional to `weights` (non-negative, not all 0).
  public mutating func categorical(weights: [Float]) -> Int {
    let total = weights.reduce(0, +)
    precondition(total > 0, "categorical: weights must have a positive sum")
    let u = uniform() * total
    var acc: Float = 0
    for (i, w) in weights.enumerated() {
      acc += w
      if u < acc { return i }
    }
    return weights.lastIndex { $0 > 0 } ?? 0
  }

  /// A uniformly random integer in `0..<upperBound` (unbiased, Lemire's method via the standard library).
  @inlinable
  public mutating func integer(below upperBound: Int) -> Int { Int.random(in: 0..<upperBound, using: &self) }

  /// A uniformly random permutation of `0..<n` (Fisher–Yates).
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    if n < 2 { return p }
    for i in stride(from: n - 1, to: 0, by: -1) {
      let j = integer(below: i + 1)
      p.swapAt(i, j)
    }
    return p
  }
}

