//===----------------------------------------------------------------------===//
// Log-softmax over groups of columns (one categorical distribution per group).
//===----------------------------------------------------------------------===//

import RealModule

extension Matrix {
  /// Log-softmax applied independently within each group of adjacent columns.
  ///
  /// `groups` are disjoint column ranges; columns outside every group are copied
  /// unchanged, and a one-column group gives 0. Each group of each row is normalised
  /// with the log-sum-exp trick as `(x − max) − log Σ e^{x − max}`: large logits do not
  /// overflow, and subtracting the maximum first keeps log-probabilities accurate even
  /// when the logits are large (`x − (max + log Σ)` would lose `ulp(max)`, 1e-3 at 1e4).
  public func logSoftmax(groups: [Range<Int>]) -> Matrix {
    normalizedWithinGroups(groups, logarithmic: true)
  }

  /// Softmax within each group of columns (`exp` of ``logSoftmax(groups:)``): each group
  /// of each row sums to 1; columns outside every group are copied unchanged.
  public func softmax(groups: [Range<Int>]) -> Matrix {
    normalizedWithinGroups(groups, logarithmic: false)
  }

  /// Shared kernel of ``logSoftmax(groups:)`` and ``softmax(groups:)``.
  ///
  /// Per row: subtract each group's maximum in place, exponentiate the whole row at once
  /// into a scratch row (one vectorised pass instead of one short loop per group), then
  /// finish each group from its sum. Columns outside every group are exponentiated in
  /// the scratch row only and never written back.
  func normalizedWithinGroups(_ groups: [Range<Int>], logarithmic: Bool) -> Matrix {
    var out = self
    let r = rows, c = cols
    for g in groups { precondition(g.lowerBound >= 0 && g.upperBound <= c, "softmax: group \(g) outside columns 0..<\(c)") }
    let active = groups.filter { !$0.isEmpty }
    guard r > 0, c > 0, !active.isEmpty else { return out }
    var scratch = [Float](repeating: 0, count: c)
    out.withUnsafeMutableBufferPointer { o in
      scratch.withUnsafeMutableBufferPointer { sc in
        guard let start = o.baseAddress, let e = sc.baseAddress else { return }
        for i in 0..<r {
          let row = start + i * c
          for g in active {
            let base = row + g.lowerBound, n = g.count
            var m = -Float.infinity
            for j in 0..<n { m = base[j] > m ? base[j] : m }
            for j in 0..<n { base[j] -= m }
          }
          for j in 0..<c { e[j] = FastMath.exp(row[j]) }
          for g in active {
            let base = row + g.lowerBound, eg = e + g.lowerBound, n = g.count
            var s: Float = 0
            for j in 0..<n { s = Relaxed.sum(s, eg[j]) }
            if logarithmic {
              let logSum = FastMath.log(s)
              for j in 0..<n { base[j] -= logSum }
            } else {
              let inverse = 1 / s
              for j in 0..<n { base[j] = eg[j] * inverse }
            }
          }
        }
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
