//===----------------------------------------------------------------------===//
// NumericCore: the row-major Float matrix every other module computes with.
//===----------------------------------------------------------------------===//

/// A dense, row-major matrix of `Float` with value semantics.
///
/// Storage is a Swift `Array`, so copies are cheap until one side mutates
/// (copy-on-write). Kernels never index the array element by element; they run
/// over the unsafe buffers exposed by ``withUnsafeBufferPointer(_:)`` and
/// ``withUnsafeMutableBufferPointer(_:)``.
///
/// A row vector is a `1 × n` matrix, a column vector is `m × 1`, and a scalar is
/// `1 × 1`; the broadcasting rules of the element-wise kernels rely on these shapes.
@frozen
public struct Matrix: Sendable, Equatable, CustomStringConvertible {
  /// Number of rows.
  public let rows: Int
  /// Number of columns.
  public let cols: Int
  /// The elements in row-major order: element `(r, c)` is at `r * cols + c`.
  public var storage: [Float]

  /// Creates a matrix whose every element is `value`.
  @inlinable
  public init(rows: Int, cols: Int, repeating value: Float = 0) {
    precondition(rows >= 0 && cols >= 0, "Matrix shape must be non-negative, got \(rows)×\(cols)")
    self.rows = rows
    self.cols = cols
    self.storage = [Float](repeating: value, count: rows * cols)
  }

  /// Creates a matrix over existing row-major storage; `storage.count` must be `rows * cols`.
  @inlinable
  public init(rows: Int, cols: Int, storage: [Float]) {
    precondition(storage.count == rows * cols, "Storage holds \(storage.count) elements, shape \(rows)×\(cols) needs \(rows * cols)")
    self.rows = rows
    self.cols = cols
    self.storage = storage
  }

  /// Creates a matrix and lets `fill` write every element without zeroing first.
  ///
  /// `fill` must initialise all `rows * cols` elements.
  @inlinable
  public init(rows: Int, cols: Int, unsafeUninitialized fill: (UnsafeMutableBufferPointer<Float>) -> Void) {
    precondition(rows >= 0 && cols >= 0, "Matrix shape must be non-negative, got \(rows)×\(cols)")
    self.rows = rows
    self.cols = cols
    let n = rows * cols
    self.storage = [Float](unsafeUninitializedCapacity: n) { buffer, count in
      fill(buffer)
      count = n
    }
  }

  /// Creates a matrix from nested rows; every row must have the same length.
  public init(_ nested: [[Float]]) {
    let r = nested.count
    let c = nested.first?.count ?? 0
    precondition(nested.allSatisfy { $0.count == c }, "Ragged nested array")
    self.init(rows: r, cols: c, storage: nested.flatMap { $0 })
  }

  /// A `1 × 1` matrix holding `value`.
  @inlinable
  public static func scalar(_ value: Float) -> Matrix { Matrix(rows: 1, cols: 1, repeating: value) }

  /// A `1 × n` row vector.
  @inlinable
  public static func row(_ values: [Float]) -> Matrix { Matrix(rows: 1, cols: values.count, storage: values) }

  /// An `m × 1` column vector.
  @inlinable
  public static func column(_ values: [Float]) -> Matrix { Matrix(rows: values.count, cols: 1, storage: values) }

  /// The `n × n` identity.
  public static func identity(_ n: Int) -> Matrix {
    var m = Matrix(rows: n, cols: n)
    for i in 0..<n { m.storage[i * n + i] = 1 }
    return m
  }

  /// Total number of elements.
  @inlinable public var count: Int { rows * cols }

  /// `(rows, cols)`.
  @inlinable public var shape: (rows: Int, cols: Int) { (rows, cols) }

  /// Whether two matrices have the same shape.
  @inlinable public func hasShape(of other: Matrix) -> Bool { rows == other.rows && cols == other.cols }

  /// The single element of a `1 × 1` matrix.
  @inlinable public var scalarValue: Float {
    precondition(count == 1, "scalarValue needs a 1×1 matrix, got \(rows)×\(cols)")
    return storage[0]
  }

  /// Element access; bounds are checked.
  @inlinable
  public subscript(row: Int, col: Int) -> Float {
    get {
      precondition(row >= 0 && row < rows && col >= 0 && col < cols, "Index (\(row), \(col)) out of range for \(rows)×\(cols)")
      return storage[row * cols + col]
    }
    set {
      precondition(row >= 0 && row < rows && col >= 0 && col < cols, "Index (\(row), \(col)) out of range for \(rows)×\(cols)")
      storage[row * cols + col] = newValue
    }
  }

  /// Calls `body` with the elements in row-major order.
  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
    try storage.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with mutable access to the elements in row-major order.
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
    try storage.withUnsafeMutableBufferPointer(body)
  }

  /// One row as an array.
  public func row(_ r: Int) -> [Float] { Array(storage[(r * cols)..<((r + 1) * cols)]) }

  /// One column as an array.
  public func column(_ c: Int) -> [Float] { (0..<rows).map { storage[$0 * cols + c] } }

  /// Nested rows (for tests and printing).
  public var nestedRows: [[Float]] { (0..<rows).map { row($0) } }

  /// Whether every element is finite (no NaN or infinity).
  public var isFinite: Bool {
    withUnsafeBufferPointer { p in
      var ok = true
      for v in p where !v.isFinite { ok = false; break }
      return ok
    }
  }

  public var description: String {
    let shown = nestedRows.prefix(6).map { r in r.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: " ") }
    return "Matrix(\(rows)×\(cols))[\(shown.joined(separator: "; "))\(rows > 6 ? "; …" : "")]"
  }
}

#if canImport(Foundation)
import Foundation
#endif
