import Foundation

/// Arithmetic on numbers stored as their natural logarithms, for sums whose terms overflow or underflow a `Double`.
enum LogSpace {
  /// log(eˣ + eʸ), exact to rounding for any pair (−∞ stands for 0).
  static func add(_ x: Double, _ y: Double) -> Double {
    let (hi, lo) = x >= y ? (x, y) : (y, x)
    if lo == -.infinity { return hi }
    return hi + log1p(exp(lo - hi))
  }

  /// log(eˣ − eʸ) for x ≥ y; −∞ when x = y.
  static func subtract(_ x: Double, _ y: Double) -> Double {
    precondition(x >= y, "LogSpace.subtract needs x ≥ y")
    if y == -.infinity { return x }
    if x == y { return -.infinity }
    let d = y - x  // < 0
    // log(1 − eᵈ): log(−expm1(d)) is accurate near d = 0, log1p(−eᵈ) for very negative d.
    return x + (d > -0.6931471805599453 ? log(-expm1(d)) : log1p(-exp(d)))
  }

  /// log(erfc(x)) for any finite x, accurate to a few ulps where erfc(x) underflows too.
  ///
  /// Below x = 20 this is `log(erfc(x))` of the C library (erfc(20) ≈ 5·10⁻¹⁷⁶ is still a normal
  /// `Double`). Above, it is −x² − ½ log π − log K(x) with K the continued fraction
  /// K(x) = x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))), evaluated from its 40th level up; at
  /// x ≥ 20 that depth is converged far beyond double precision.
  static func logErfc(_ x: Double) -> Double {
    if x < 20 { return log(erfc(x)) }
    var k = x
    for n in stride(from: 40, through: 1, by: -1) { k = x + (Double(n) / 2) / k }
    return -x * x - 0.5723649429247001 - log(k)  // 0.57236… = ½ log π
  }
}
