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
  @inlinable
  public static func combine(_ a: Matrix, _ b: Matrix, _ f: (Float, Float) -> Float) -> Matrix {
    withoutActuallyEscaping(f) { escapable in combine(a, b, ClosureKernel(f: escapable)) }
  }

  /// Combines two matrices element by element with a statically dispatched kernel
  /// (the loops are specialised per kernel type, so they vectorise).
  ///
  /// Inner loops index row pointers, not `i * cols + j`: overflow-checked index
  /// arithmetic kept the broadcasting paths from vectorising (3× slower than same-shape).
  @inlinable
  public static func combine<K: BinaryKernel>(_ a: Matrix, _ b: Matrix, _ kernel: K) -> Matrix {
    let (r, c) = broadcastShape(a, b)
    return a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        Matrix(rows: r, cols: c) { out in
          guard r > 0, c > 0, let x = pa.baseAddress, let y = pb.baseAddress, let o = out.baseAddress else { return }
          if a.rows == r && a.cols == c && b.rows == r && b.cols == c {
            kernel.run(o, x, y, count: r * c)
            return
          }
          let aRowStride = a.rows == 1 ? 0 : a.cols
          let bRowStride = b.rows == 1 ? 0 : b.cols
          for i in 0..<r {
            let xo = x + i * aRowStride, yo = y + i * bRowStride, oo = o + i * c
            switch (a.cols == c, b.cols == c) {
            case (true, true): kernel.run(oo, xo, yo, count: c)
            case (true, false): kernel.run(oo, xo, scalar: yo.pointee, count: c)
            case (false, true): kernel.run(oo, scalar: xo.pointee, yo, count: c)
            case (false, false): let v = kernel(xo.pointee, yo.pointee); for j in 0..<c { oo[j] = v }
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

  /// A row vector, column vector or scalar repeated to `rows × cols` (a copy when the shape already matches).
  @inlinable
  public func broadcast(toRows r: Int, cols c: Int) -> Matrix {
    if rows == r && self.cols == c { return self }
    if rows == 1 && self.cols == c { return Matrix(repeatingRow: self, count: r) }
    precondition((rows == 1 || rows == r) && (self.cols == 1 || self.cols == c), "Cannot broadcast \(rows)×\(self.cols) to \(r)×\(c)")
    let srcCols = self.cols, srcRows = rows
    return withUnsafeBufferPointer { src in
      Matrix(rows: r, cols: c) { dst in
        for i in 0..<r {
          let v = src[(srcRows == 1 ? 0 : i) * srcCols]
          let o = dst.baseAddress! + i * c
          for j in 0..<c { o[j] = v }
        }
      }
    }
  }

  /// `count` copies of a `1 × n` row stacked into a `count × n` matrix (a bias broadcast).
  @inlinable
  public init(repeatingRow row: Matrix, count: Int) {
    precondition(row.rows == 1, "init(repeatingRow:): need a 1×n row, got \(row.rows)×\(row.cols)")
    let n = row.cols
    self = row.withUnsafeBufferPointer { src in
      Matrix(rows: count, cols: n) { dst in
        for i in 0..<count { (dst.baseAddress! + i * n).update(from: src.baseAddress!, count: n) }
      }
    }
  }

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

  @inlinable public static func + (a: Matrix, b: Matrix) -> Matrix { combine(a, b, AddKernel()) }
  @inlinable public static func - (a: Matrix, b: Matrix) -> Matrix { combine(a, b, SubtractKernel()) }
  @inlinable public static func * (a: Matrix, b: Matrix) -> Matrix { combine(a, b, MultiplyKernel()) }
  @inlinable public static func / (a: Matrix, b: Matrix) -> Matrix { combine(a, b, DivideKernel()) }
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
  /// ``leakyRelu(slope:)`` in place (no new storage when the matrix is uniquely referenced).
  @inlinable public mutating func applyLeakyRelu(slope: Float) { apply { $0 > 0 ? $0 : slope * $0 } }
  /// `eˣ` (``FastMath/exp(_:)``: ≤ 1.2 ulp, vectorised; `+inf` above 88.72, gradual underflow below −87.3).
  @inlinable public func exp() -> Matrix { map(FastMath.exp) }
  /// Natural logarithm (``FastMath/log(_:)``: ≤ 2 ulp, vectorised); `log(0) = -inf`, negative → NaN.
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

  /// Logistic sigmoid `1 / (1 + e^{−x})` (``FastMath/sigmoid(_:)``: ≤ 3 ulp, stable for any argument, vectorised).
  @inlinable public func sigmoid() -> Matrix { map(FastMath.sigmoid) }

  /// `log(1 + eˣ)` (``FastMath/softplus(_:)``: ≤ 3 ulp, stable for any argument, `softplus(−100) = e⁻¹⁰⁰`).
  @inlinable public func softplus() -> Matrix { map(FastMath.softplus) }

  /// Scalar tanh used by ``tanh()`` (``FastMath/tanh(_:)``).
  @inlinable
  public static func tanh(_ x: Float) -> Float { FastMath.tanh(x) }

  /// Scalar logistic sigmoid (``FastMath/sigmoid(_:)``), for code outside the matrix kernels.
  @inlinable
  public static func sigmoid(_ x: Float) -> Float { FastMath.sigmoid(x) }

  /// Scalar softplus (``FastMath/softplus(_:)``).
  @inlinable
  public static func softplus(_ x: Float) -> Float { FastMath.softplus(x) }
}

// MARK: - Binary kernels

/// An element-wise binary function used by ``Matrix/combine(_:_:_:)-(Matrix,Matrix,K)``.
///
/// Conforming types are tiny structs; generic code over them is specialised, so the
/// three loop shapes below are compiled per kernel and vectorise.
public protocol BinaryKernel {
  func callAsFunction(_ a: Float, _ b: Float) -> Float
}

extension BinaryKernel {
  /// `out[j] = f(x[j], y[j])`.
  @inlinable @inline(__always)
  public func run(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
    for j in 0..<count { out[j] = self(x[j], y[j]) }
  }
  /// `out[j] = f(x[j], s)`.
  @inlinable @inline(__always)
  public func run(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, scalar s: Float, count: Int) {
    for j in 0..<count { out[j] = self(x[j], s) }
  }
  /// `out[j] = f(s, y[j])`.
  @inlinable @inline(__always)
  public func run(_ out: UnsafeMutablePointer<Float>, scalar s: Float, _ y: UnsafePointer<Float>, count: Int) {
    for j in 0..<count { out[j] = self(s, y[j]) }
  }
}

@frozen public struct AddKernel: BinaryKernel {
  @inlinable public init() {}
  @inlinable @inline(__always) public func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b }
}
@frozen public struct SubtractKernel: BinaryKernel {
  @inlinable public init() {}
  @inlinable @inline(__always) public func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b }
}
@frozen public struct MultiplyKernel: BinaryKernel {
  @inlinable public init() {}
  @inlinable @inline(__always) public func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b }
}
@frozen public struct DivideKernel: BinaryKernel {
  @inlinable public init() {}
  @inlinable @inline(__always) public func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b }
}
/// `a · (b > 0 ? positive : negative)`: the backward pass of (leaky) ReLU, with `b` the pre-activation.
@frozen public struct SignScaleKernel: BinaryKernel {
  public let positive: Float, negative: Float
  @inlinable public init(positive: Float, negative: Float) { self.positive = positive; self.negative = negative }
  @inlinable @inline(__always) public func callAsFunction(_ a: Float, _ b: Float) -> Float { b > 0 ? positive * a : negative * a }
}
/// `a ≤ b ? 1 : 0` (which operand a minimum takes).
@frozen public struct LessOrEqualMaskKernel: BinaryKernel {
  @inlinable public init() {}
  @inlinable @inline(__always) public func callAsFunction(_ a: Float, _ b: Float) -> Float { a <= b ? 1 : 0 }
}
/// `min(a, b)`.
@frozen public struct MinimumKernel: BinaryKernel {
  @inlinable public init() {}
  @inlinable @inline(__always) public func callAsFunction(_ a: Float, _ b: Float) -> Float { Swift.min(a, b) }
}
/// `max(a, b)`.
@frozen public struct MaximumKernel: BinaryKernel {
  @inlinable public init() {}
  @inlinable @inline(__always) public func callAsFunction(_ a: Float, _ b: Float) -> Float { Swift.max(a, b) }
}

/// Wraps an arbitrary closure (used by the closure overload of `combine`).
@frozen public struct ClosureKernel: BinaryKernel {
  @usableFromInline let f: (Float, Float) -> Float
  @inlinable public init(f: @escaping (Float, Float) -> Float) { self.f = f }
  @inlinable @inline(__always) public func callAsFunction(_ a: Float, _ b: Float) -> Float { f(a, b) }
}

// MARK: - Vectorisable square root

extension Float {
  /// `√x` for `x ≥ 0` through an inverse-square-root estimate refined by three Newton steps.
  ///
  /// Swift's `squareRoot()` compiles to scalar `sqrtss` here (it is not vectorised), which made
  /// Adam's update sqrt-bound; this form vectorises. Numerics: relative error ≤ 4e-7 for normal
  /// positive inputs (checked in tests), exactly 0 at 0; not for negative, infinite or NaN inputs.
  @inlinable @inline(__always)
  public var vectorizableSquareRoot: Float {
    let half = 0.5 * self
    var r = Float(bitPattern: 0x5F37_59DF &- (bitPattern >> 1))
    r = r * (1.5 - half * r * r)
    r = r * (1.5 - half * r * r)
    r = r * (1.5 - half * r * r)
    return self * r
  }
}
