//===----------------------------------------------------------------------===//
// Joint level counts of every pair of coded columns from one matrix product.
//===----------------------------------------------------------------------===//

import NumericCore

/// The contingency table of every pair of coded columns of one table, from co-occurrence counts.
///
/// Column `c` with `k` levels is written as `k − 1` indicator columns (its last level is implied), and
/// the Gram matrix `XᵀX` of those indicators holds, for every pair of columns, their joint counts of all
/// level pairs but the last; the rest follow from the per-column level counts. So all `m(m − 1)/2`
/// tables cost one product (`n · L²` multiply-adds, `L = Σ (k − 1)`), not a pass over the rows per pair:
/// for 1,456 binary codes that is one 1,456-wide Gram matrix instead of a million row loops.
///
/// Exactness: the product runs in `Float` over blocks of at most 8,192 rows, so every block's counts are
/// integers below 2²⁴ and exact; the blocks are summed as integers.
struct PairwiseContingency {
  /// Levels per column.
  let levels: [Int]
  /// First indicator column of each column (`offsets[c] ..< offsets[c] + levels[c] − 1`).
  let offsets: [Int]
  /// Level counts per column.
  let marginals: [[Int]]
  /// Rows counted.
  let rowCount: Int
  /// `L × L` co-occurrence counts of the indicators, row-major.
  let gram: [Int]
  let width: Int

  /// Counts the pairs of `codes` (one array of level indices per column, each below its `levels`).
  init(codes: [[Int]], levels: [Int], blockRows: Int = 8_192) {
    precondition(codes.count == levels.count, "one level count per column")
    let n = codes.first?.count ?? 0
    var offsets: [Int] = [], width = 0
    for k in levels { offsets.append(width); width += Swift.max(0, k - 1) }
    self.levels = levels; self.offsets = offsets; self.width = width; rowCount = n
    marginals = zip(codes, levels).map { column, k in
      var counts = [Int](repeating: 0, count: k)
      for v in column { counts[v] += 1 }
      return counts
    }
    var gram = [Int](repeating: 0, count: width * width)
    guard width > 0, n > 0 else { self.gram = gram; return }
    var start = 0
    while start < n {
      let rows = Swift.min(blockRows, n - start)
      var indicators = Matrix(rows: rows, cols: width)
      indicators.withUnsafeMutableBufferPointer { x in
        for (c, column) in codes.enumerated() where levels[c] > 1 {
          let last = levels[c] - 1, base = offsets[c]
          column.withUnsafeBufferPointer { v in
            for r in 0..<rows where v[start + r] != last { x[r * width + base + v[start + r]] = 1 }
          }
        }
      }
      let block = indicators.matmul(indicators, transposeSelf: true)
      block.withUnsafeBufferPointer { g in
        for i in 0..<(width * width) { gram[i] += Int(g[i].rounded()) }
      }
      start += rows
    }
    self.gram = gram
  }

  /// The `levels[i] × levels[j]` joint counts of columns `i` and `j`, row-major.
  func joint(_ i: Int, _ j: Int) -> [Int] {
    let ka = levels[i], kb = levels[j]
    var out = [Int](repeating: 0, count: ka * kb)
    guard ka > 0, kb > 0 else { return out }
    let oi = offsets[i], oj = offsets[j]
    for x in 0..<(ka - 1) {
      var rest = marginals[i][x]
      for y in 0..<(kb - 1) {
        let v = gram[(oi + x) * width + oj + y]
        out[x * kb + y] = v; rest -= v
      }
      out[x * kb + kb - 1] = rest
    }
    // The last level of i: column totals minus the rows above.
    for y in 0..<kb {
      var rest = marginals[j][y]
      for x in 0..<(ka - 1) { rest -= out[x * kb + y] }
      out[(ka - 1) * kb + y] = rest
    }
    return out
  }
}
