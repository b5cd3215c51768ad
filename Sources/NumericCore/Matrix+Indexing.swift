//===----------------------------------------------------------------------===//
// Slicing, concatenation, gather/scatter and one-hot.
//===----------------------------------------------------------------------===//

extension Matrix {
  /// The columns in `range` as a new matrix.
  public func columns(_ range: Range<Int>) -> Matrix {
    precondition(range.lowerBound >= 0 && range.upperBound <= cols, "Column range \(range) out of 0..<\(cols)")
    let w = range.count, c0 = range.lowerBound
    return withUnsafeBufferPointer { p in
      Matrix(rows: rows, cols: w) { o in
        for i in 0..<rows {
          let src = p.baseAddress! + i * cols + c0
          (o.baseAddress! + i * w).update(from: src, count: w)
        }
      }
    }
  }

  /// `self` placed at columns `offset..<offset + cols` of a zero matrix `width` columns wide.
  public func paddingColumns(at offset: Int, toWidth width: Int) -> Matrix {
    precondition(offset >= 0 && offset + cols <= width, "paddingColumns: \(cols) columns at \(offset) do not fit in \(width)")
    var out = Matrix(rows: rows, cols: width)
    let c = cols
    withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for i in 0..<rows { (dst.baseAddress! + i * width + offset).update(from: src.baseAddress! + i * c, count: c) }
      }
    }
    return out
  }

  /// The rows in `range` as a new matrix.
  public func rows(_ range: Range<Int>) -> Matrix {
    precondition(range.lowerBound >= 0 && range.upperBound <= rows, "Row range \(range) out of 0..<\(rows)")
    // All rows: the same value, sharing storage (copy-on-write), as a one-block batch asks for.
    if range.count == rows { return self }
    return Matrix(rows: range.count, cols: cols, storage: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
  }

  /// The rows at `indices` (in that order, repeats allowed).
  public func gatherRows(_ indices: [Int]) -> Matrix {
    withUnsafeBufferPointer { p in
      Matrix(rows: indices.count, cols: cols) { o in
        for (k, i) in indices.enumerated() {
          precondition(i >= 0 && i < rows, "Row index \(i) out of 0..<\(rows)")
          (o.baseAddress! + k * cols).update(from: p.baseAddress! + i * cols, count: cols)
        }
      }
    }
  }

  /// Side-by-side concatenation; every part must have the same number of rows.
  public static func concatenateColumns(_ parts: [Matrix]) -> Matrix {
    guard let first = parts.first else { return Matrix(rows: 0, cols: 0) }
    let r = first.rows
    precondition(parts.allSatisfy { $0.rows == r }, "concatenateColumns: row counts differ")
    let total = parts.reduce(0) { $0 + $1.cols }
    var out = Matrix(rows: r, cols: total)
    var offset = 0
    out.withUnsafeMutableBufferPointer { o in
      for part in parts {
        part.withUnsafeBufferPointer { p in
          for i in 0..<r {
            (o.baseAddress! + i * total + offset).update(from: p.baseAddress! + i * part.cols, count: part.cols)
          }
        }
        offset += part.cols
      }
    }
    return out
  }

  /// Top-to-bottom concatenation; every part must have the same number of columns.
  public static func concatenateRows(_ parts: [Matrix]) -> Matrix {
    guard let first = parts.first else { return Matrix(rows: 0, cols: 0) }
    if parts.count == 1 { return first }
    precondition(parts.allSatisfy { $0.cols == first.cols }, "concatenateRows: column counts differ")
    var storage: [Float] = []
    storage.reserveCapacity(parts.reduce(0) { $0 + $1.count })
    for p in parts { storage.append(contentsOf: p.storage) }
    return Matrix(rows: parts.reduce(0) { $0 + $1.rows }, cols: first.cols, storage: storage)
  }

  /// `out[i] = self[i, indices[i]]` as a `rows × 1` column.
  public func gather(columnIndices indices: [Int]) -> Matrix {
    precondition(indices.count == rows, "gather: \(indices.count) indices for \(rows) rows")
    return withUnsafeBufferPointer { p in
      Matrix(rows: rows, cols: 1) { o in
        for i in 0..<rows {
          let j = indices[i]
          precondition(j >= 0 && j < cols, "gather: column \(j) out of 0..<\(cols)")
          o[i] = p[i * cols + j]
        }
      }
    }
  }

  /// The adjoint of ``gather(columnIndices:)``: a `rows × columns` zero matrix with
  /// `values[i]` placed at `(i, indices[i])`.
  public static func scatter(_ values: Matrix, columnIndices indices: [Int], columns: Int) -> Matrix {
    precondition(values.cols == 1 && values.rows == indices.count, "scatter: need a column of \(indices.count) values")
    var out = Matrix(rows: indices.count, cols: columns)
    values.withUnsafeBufferPointer { v in
      out.withUnsafeMutableBufferPointer { o in
        for i in 0..<indices.count { o[i * columns + indices[i]] = v[i] }
      }
    }
    return out
  }

  /// One-hot rows: `out[i, indices[i]] = 1`.
  public static func oneHot(_ indices: [Int], classes: Int) -> Matrix {
    var out = Matrix(rows: indices.count, cols: classes)
    out.withUnsafeMutableBufferPointer { o in
      for (i, j) in indices.enumerated() {
        precondition(j >= 0 && j < classes, "oneHot: class \(j) out of 0..<\(classes)")
        o[i * classes + j] = 1
      }
    }
    return out
  }
}
