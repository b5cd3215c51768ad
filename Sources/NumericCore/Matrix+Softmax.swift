//===----------------------------------------------------------------------===//
// Log-softmax over groups of columns (one categorical distribution per group).
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Matrix {
  /// Log-softmax applied independently within each group of adjacent columns.
  ///
  /// `groups` are disjoint column ranges; columns outside every group are copied
  /// unchanged. Each group of each row is normalised with the log-sum-exp trick
  /// (`x − max − log Σ e^{x − max}`), so large logits do not overflow.
  public func logSoftmax(groups: [Range<Int>]) -> Matrix {
    var out = self
    out.withUnsafeMutableBufferPointer { o in
      for i in 0..<rows {
        let base = o.baseAddress! + i * cols
        for g in groups {
          var m = -Float.infinity
          for j in g where base[j] > m { m = base[j] }
          var s: Float = 0
          for j in g { s += expf(base[j] - m) }
          let lse = m + logf(s)
          for j in g { base[j] -= lse }
        }
      }
    }
    return out
  }

  /// Softmax within each group of columns (`exp` of ``logSoftmax(groups:)``).
  public func softmax(groups: [Range<Int>]) -> Matrix {
    var out = logSoftmax(groups: groups)
    out.withUnsafeMutableBufferPointer { o in
      for i in 0..<rows {
        let base = o.baseAddress! + i * cols
        for g in groups { for j in g { base[j] = expf(base[j]) } }
      }
    }
    return out
  }

  /// Sums each group of columns: a `rows × groups.count` matrix.
  public func sumWithinGroups(_ groups: [Range<Int>]) -> Matrix {
    withUnsafeBufferPointer { p in
      Matrix(rows: rows, cols: groups.count) { o in
        for i in 0..<rows {
          for (k, g) in groups.enumerated() {
            var s: Float = 0
            for j in g { s += p[i * cols + j] }
            o[i * groups.count + k] = s
          }
        }
      }
    }
  }

  /// Repeats column `k` of `self` (a `rows × groups.count` matrix) over every column of group `k`:
  /// the adjoint of ``sumWithinGroups(_:)``. Columns outside every group are 0.
  public func expandToGroups(_ groups: [Range<Int>], columns: Int) -> Matrix {
    precondition(cols == groups.count, "expandToGroups: \(cols) columns for \(groups.count) groups")
    var out = Matrix(rows: rows, cols: columns)
    withUnsafeBufferPointer { p in
      out.withUnsafeMutableBufferPointer { o in
        for i in 0..<rows {
          for (k, g) in groups.enumerated() {
            let v = p[i * groups.count + k]
            for j in g { o[i * columns + j] = v }
          }
        }
      }
    }
    return out
  }
}
