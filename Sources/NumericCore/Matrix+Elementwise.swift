//===----------------------------------------------------------------------===//
// Element-wise kernels with row/column/scalar broadcasting.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Matrix {
  /// A new matrix with `transform` applied to every element.
  @inlinable
  public func map(_ transform: (Float) -> Float) -> Matrix {
    withUnsafeBufferPointer { src in
      Matrix(rows: rows, cols: cols) { dst in
        for i in 0..<src.count { dst[i] = transform(src[i]) }
      }
    }
  }

  /// Applies `transform` to every element in place.
  @inlinable
  public mutating func apply(_ transform: (Float) -> Float) {
    withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] = transform(p[i]) }
    }
  }

  /// The shape two operands broadcast to: each dimension must match or be 1.
  @inlinable
  public static func broadcastShape(_ a: Matrix, _ b: Matrix) -> (rows: Int, cols: Int) {
    func dim(_ x: Int, _ y: Int, _ what: String) -> Int {
      if x == y { return x }
      if x == 1 { return y }
      if y == 1 { return x }
      preconditionFailure("Cannot broadcast \(a.rows)×\(a.cols) with \(b.rows)×\(b.cols) (\(what) differ)")
    }
    return (dim(a.rows, b.rows, "rows"), dim(a.cols, b.cols, "columns"))
  }

  /// Combines two matrices element by element, broadcasting a `1 × n` row,
  /// an `m × 1` column or a `1 × 1` scalar across the other operand (on either side).
  ///
  /// Inner loops index row pointers, not `i * cols + j`: overflow-checked index
  /// arithmetic kept the broadcasting paths from vectorising (3× slower than same-shape).
  @inlinable
  public static func combine(_ a: Matrix, _ b: Matrix, _ f: (Float, Float) -> Float) -> Matrix {
    let (r, c) = broadcastShape(a, b)
    return a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        Matrix(rows: r, cols: c) { out in
          guard r > 0, c > 0, let x = pa.baseAddress, let y = pb.baseAddress, let o = out.baseAddress else { return }
          if a.rows == r && a.cols == c && b.rows == r && b.cols == c {
            for i in 0..<(r * c) { o[i] = f(x[i], y[i]) }
            return
          }
          let aRowStride = a.rows == 1 ? 0 : a.cols, aFullRow = a.cols == c && c > 1
          let bRowStride = b.rows == 1 ? 0 : b.cols, bFullRow = b.cols == c && c > 1
          for i in 0..<r {
            let xi = x + i * aRowStride, yi = y + i * bRowStride, oi = o + i * c
            if aFullRow && bFullRow {
              for j in 0..<c { oi[j] = f(xi[j], yi[j]) }
            } else if aFullRow {
              let yv = yi[0]
              for j in 0..<c { oi[j] = f(xi[j], yv) }
            } else if bFullRow {
              let xv = xi[0]
              for j in 0..<c { oi[j] = f(xv, yi[j]) }
            } else {
              let v = f(xi[0], yi[0])
              for j in 0..<c { oi[j] = v }
            }
          }
        }
      }
    }
  }

  /// Combines three same-shaped matrices element by element.
  @inlinable
  public static func combine(_ a: Matrix, _ b: Matrix, _ c: Matrix, _ f: (Float, Float, Float) -> Float) -> Matrix {
    precondition(a.hasShape(of: b) && a.hasShape(of: c), "combine: shapes \(a.rows)×\(a.cols), \(b.rows)×\(b.cols), \(c.rows)×\(c.cols) differ")
    return a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeBufferPointer { pc in
          Matrix(rows: a.rows, cols: a.cols) { out in
            for i in 0..<out.count { out[i] = f(pa[i], pb[i], pc[i]) }
          }
        }
      }
    }
  }

  /// Sets every element to `value`.
  @inlinable
  public mutating func fill(_ value: Float) { apply { _ in value } }

  /// Multiplies every element by `factor` in place.
  @inlinable
  public mutating func scale(by factor: Float) { apply { $0 * factor } }

  /// `self += alpha * other` for same-shaped matrices (an axpy).
  @inlinable
  public mutating func add(_ other: Matrix, scaledBy alpha: Float = 1) {
    precondition(hasShape(of: other), "add: shapes \(rows)×\(cols) and \(other.rows)×\(other.cols) differ")
    other.withUnsafeBufferPointer { po in
      withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count { p[i] += alpha * po[i] }
      }
    }
  }

  // MARK: Arithmetic operators (broadcasting)

  @inlinable public static func + (a: Matrix, b: Matrix) -> Matrix { combine(a, b, +) }
  @inlinable public static func - (a: Matrix, b: Matrix) -> Matrix { combine(a, b, -) }
  @inlinable public static func * (a: Matrix, b: Matrix) -> Matrix { combine(a, b, *) }
  @inlinable public static func / (a: Matrix, b: Matrix) -> Matrix { combine(a, b, /) }
  @inlinable public static func + (a: Matrix, s: Float) -> Matrix { a.map { $0 + s } }
  @inlinable public static func - (a: Matrix, s: Float) -> Matrix { a.map { $0 - s } }
  @inlinable public static func * (a: Matrix, s: Float) -> Matrix { a.map { $0 * s } }
  @inlinable public static func * (s: Float, a: Matrix) -> Matrix { a.map { s * $0 } }
  @inlinable public static func / (a: Matrix, s: Float) -> Matrix { a.map { $0 / s } }
  @inlinable public static prefix func - (a: Matrix) -> Matrix { a.map { -$0 } }
  @inlinable public static func += (a: inout Matrix, b: Matrix) {
    if a.hasShape(of: b) { a.add(b) } else { a = a + b }
  }

  // MARK: Activations and transcendental functions

  /// `max(x, 0)`.
  @inlinable public func relu() -> Matrix { map { $0 > 0 ? $0 : 0 } }
  /// `x` for `x > 0`, `slope · x` otherwise.
  @inlinable public func leakyRelu(slope: Float) -> Matrix { map { $0 > 0 ? $0 : slope * $0 } }
  /// `eˣ` (``FastMath/exp(_:)``: vectorised, ≤ 1.2 ulp; `+inf` above 88.72, 0 far below −87).
  @inlinable public func exp() -> Matrix { map(FastMath.exp) }
  /// Natural logarithm (``FastMath/log(_:)``: vectorised, ≤ 2 ulp); `log(0) = -inf`, negative → NaN.
  @inlinable public func log() -> Matrix { map(FastMath.log) }
  /// `x²`.
  @inlinable public func squared() -> Matrix { map { $0 * $0 } }
  /// `√x`.
  @inlinable public func sqrt() -> Matrix { map { $0.squareRoot() } }
  /// `|x|`.
  @inlinable public func abs() -> Matrix { map { Swift.abs($0) } }
  /// Elements limited to `[lower, upper]`.
  @inlinable public func clamped(lower: Float, upper: Float) -> Matrix { map { Swift.min(Swift.max($0, lower), upper) } }

  /// Hyperbolic tangent (``FastMath/tanh(_:)``).
  ///
  /// Numerics: ≤ 1.6 ulp for every argument; the quotient `(1 − e^{−2|x|}) / (1 + e^{−2|x|})`
  /// is used only for `|x| ≥ 0.55`, an odd Taylor series below, so `tanh(1e-8) = 1e-8`.
  @inlinable public func tanh() -> Matrix { map(FastMath.tanh) }

  /// Logistic sigmoid `1 / (1 + e^{−x})`, evaluated without overflow for large `|x|` (≤ 3 ulp).
  @inlinable public func sigmoid() -> Matrix { map(FastMath.sigmoid) }

  /// `log(1 + eˣ)` in the stable form `max(x, 0) + log1p(e^{−|x|})` (≤ 3 ulp; `softplus(−100) = e⁻¹⁰⁰`).
  @inlinable public func softplus() -> Matrix { map(FastMath.softplus) }

  /// Scalar tanh used by ``tanh()``.
  @inlinable
  public static func tanh(_ x: Float) -> Float { FastMath.tanh(x) }

  /// Scalar logistic sigmoid used by ``sigmoid()``.
  @inlinable
  public static func sigmoid(_ x: Float) -> Float { FastMath.sigmoid(x) }

  /// Scalar softplus used by ``softplus()``.
  @inlinable
  public static func softplus(_ x: Float) -> Float { FastMath.softplus(x) }
}
