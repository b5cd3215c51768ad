//===----------------------------------------------------------------------===//
// Sums, means and maxima along either axis.
//===----------------------------------------------------------------------===//

import RealModule

extension Matrix {
  /// Sum of all elements, accumulated with `Relaxed.sum` (the optimiser may reorder,
  /// so results can differ in the last bits from a strict left-to-right sum).
  @inlinable
  public func sum() -> Float {
    withUnsafeBufferPointer { p in
      var s: Float = 0
      for v in p { s = Relaxed.sum(s, v) }
      return s
    }
  }

  /// Mean of all elements (0 for an empty matrix).
  @inlinable
  public func mean() -> Float { count == 0 ? 0 : sum() / Float(count) }

  /// Column sums as a `1 × cols` row vector (reduces over rows).
  @inlinable
  public func sumOverRows() -> Matrix {
    let r = rows, c = cols
    return withUnsafeBufferPointer { p in
      var out = Matrix(rows: 1, cols: c)
      out.withUnsafeMutableBufferPointer { o in
        guard r > 0, c > 0, let src = p.baseAddress, let dst = o.baseAddress else { return }
        for i in 0..<r {
          let row = src + i * c
          for j in 0..<c { dst[j] += row[j] }
        }
      }
      return out
    }
  }

  /// Row sums as a `rows × 1` column vector (reduces over columns), accumulated with
  /// `Relaxed.sum` so that each row's sum is vectorised.
  @inlinable
  public func sumOverColumns() -> Matrix {
    let r = rows, c = cols
    return withUnsafeBufferPointer { p in
      Matrix(rows: r, cols: 1) { o in
        for i in 0..<r {
          var s: Float = 0
          if c > 0, let src = p.baseAddress {
            let row = src + i * c
            for j in 0..<c { s = Relaxed.sum(s, row[j]) }
          }
          o[i] = s
        }
      }
    }
  }

  /// Squared Euclidean norms of the rows, `Σ_j m_ij²`, as a `rows × 1` column vector (vectorised like
  /// ``sumOverColumns()``, without the squared copy).
  @inlinable
  public func rowSquaredNorms() -> Matrix {
    let r = rows, c = cols
    return withUnsafeBufferPointer { p in
      Matrix(rows: r, cols: 1) { o in
        for i in 0..<r {
          var s: Float = 0
          if c > 0, let src = p.baseAddress {
            let row = src + i * c
            for j in 0..<c { s = Relaxed.multiplyAdd(row[j], row[j], s) }
          }
          o[i] = s
        }
      }
    }
  }

  /// Column means as a `1 × cols` row vector.
  @inlinable
  public func meanOverRows() -> Matrix { rows == 0 ? Matrix(rows: 1, cols: cols) : sumOverRows() * (1 / Float(rows)) }

  /// Row means as a `rows × 1` column vector.
  @inlinable
  public func meanOverColumns() -> Matrix { cols == 0 ? Matrix(rows: rows, cols: 1) : sumOverColumns() * (1 / Float(cols)) }

  /// Row maxima as a `rows × 1` column vector (`-inf` for rows with no columns; NaNs are skipped).
  @inlinable
  public func maxOverColumns() -> Matrix {
    let r = rows, c = cols
    return withUnsafeBufferPointer { p in
      Matrix(rows: r, cols: 1) { o in
        for i in 0..<r {
          var m = -Float.infinity
          if c > 0, let src = p.baseAddress {
            let row = src + i * c
            for j in 0..<c { m = row[j] > m ? row[j] : m }
          }
          o[i] = m
        }
      }
    }
  }

  /// Column variances (population, divide by `rows`) as a `1 × cols` row vector,
  /// computed in two passes for accuracy.
  public func varianceOverRows() -> Matrix {
    let mu = meanOverRows()
    let centered = self - mu
    return centered.squared().meanOverRows()
  }

  /// Index of the largest element of each row.
  public func argmaxPerRow() -> [Int] {
    withUnsafeBufferPointer { p in
      (0..<rows).map { i in
        var best = 0
        var m = -Float.infinity
        for j in 0..<cols where p[i * cols + j] > m { m = p[i * cols + j]; best = j }
        return best
      }
    }
  }
}
