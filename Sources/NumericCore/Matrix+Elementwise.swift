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
  /// an `m × 1` column or a `1 × 1` scalar across the other operand.
  @inlinable
  public static func combine(_ a: Matrix, _ b: Matrix, _ f: (Float, Float) -> Float) -> Matrix {
    let (r, c) = broadcastShape(a, b)
    return a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        Matrix(rows: r, cols: c) { out in
          if a.rows == r && a.cols == c && b.rows == r && b.cols == c {
            for i in 0..<(r * c) { out[i] = f(pa[i], pb[i]) }
            return
          }
          let aRowStride = a.rows == 1 ? 0 : a.cols, aColStep = a.cols == 1 ? 0 : 1
          let bRowStride = b.rows == 1 ? 0 : b.cols, bColStep = b.cols == 1 ? 0 : 1
          for i in 0..<r {
            let ao = i * aRowStride, bo = i * bRowStride, o = i * c
            if aColStep == 1 && bColStep == 1 {
              for j in 0..<c { out[o + j] = f(pa[ao + j], pb[bo + j]) }
            } else if aColStep == 1 {
              let y = pb[bo]
              for j in 0..<c { out[o + j] = f(pa[ao + j], y) }
            } else if bColStep == 1 {
              let x = pa[ao]
              for j in 0..<c { out[o + j] = f(x, pb[bo + j]) }
            } else {
              let v = f(pa[ao], pb[bo])
              for j in 0..<c { out[o + j] = v }
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
  /// `eˣ` (glibc `expf`).
  @inlinable public func exp() -> Matrix { map { expf($0) } }
  /// Natural logarithm; `log(0) = -inf`.
  @inlinable public func log() -> Matrix { map { logf($0) } }
  /// `x²`.
  @inlinable public func squared() -> Matrix { map { $0 * $0 } }
  /// `√x`.
  @inlinable public func sqrt() -> Matrix { map { $0.squareRoot() } }
  /// `|x|`.
  @inlinable public func abs() -> Matrix { map { Swift.abs($0) } }
  /// Elements limited to `[lower, upper]`.
  @inlinable public func clamped(lower: Float, upper: Float) -> Matrix { map { Swift.min(Swift.max($0, lower), upper) } }

  /// Hyperbolic tangent built from `expf` (glibc's `tanhf` is about 4× slower).
  ///
  /// Numerics: `t = (1 − e^{−2|x|}) / (1 + e^{−2|x|})` with the sign of `x`; never overflows,
  /// relative error a few ulp except near 0 where it is absolute ~1e-7.
  @inlinable public func tanh() -> Matrix { map(Matrix.tanh) }

  /// Logistic sigmoid `1 / (1 + e^{−x})`, evaluated without overflow for large `|x|`.
  @inlinable public func sigmoid() -> Matrix { map(Matrix.sigmoid) }

  /// `log(1 + eˣ)` in the stable form `max(x, 0) + log1p(e^{−|x|})`.
  @inlinable public func softplus() -> Matrix { map(Matrix.softplus) }

  /// Scalar tanh used by ``tanh()``.
  @inlinable
  public static func tanh(_ x: Float) -> Float {
    let e = expf(-2 * Swift.abs(x))
    let t = (1 - e) / (1 + e)
    return x < 0 ? -t : t
  }

  /// Scalar logistic sigmoid used by ``sigmoid()``.
  @inlinable
  public static func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
  }

  /// Scalar softplus used by ``softplus()``.
  @inlinable
  public static func softplus(_ x: Float) -> Float {
    Swift.max(x, 0) + log1pf(expf(-Swift.abs(x)))
  }
}
