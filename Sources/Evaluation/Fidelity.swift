//===----------------------------------------------------------------------===//
// Fidelity: how closely the synthetic table reproduces the real one.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore

/// Fidelity metrics between two tables (score.py's definitions).
public enum FidelityMetrics {
  /// **DWD**, dimension-wise distance: `Σⱼ |mean(realⱼ) − mean(syntheticⱼ)|` over the encoded
  /// features (min-max-scaled values, missing flags, one-hot indicators). 0 is a perfect match
  /// of every marginal mean/prevalence.
  public static func dimensionWiseDistance(_ real: Matrix, _ synthetic: Matrix) -> Double {
    precondition(real.cols == synthetic.cols, "DWD: \(real.cols) and \(synthetic.cols) features")
    let a = columnMeans(real), b = columnMeans(synthetic)
    return zip(a, b).reduce(0) { $0 + abs($1.0 - $1.1) }
  }

  /// Column means in `Double`.
  static func columnMeans(_ x: Matrix) -> [Double] {
    var s = [Double](repeating: 0, count: x.cols)
    x.withUnsafeBufferPointer { p in
      for i in 0..<x.rows { for j in 0..<x.cols { s[j] += Double(p[i * x.cols + j]) } }
    }
    return s.map { x.rows == 0 ? 0 : $0 / Double(x.rows) }
  }

  /// Total-variation distance `½ Σₖ |p_k − q_k|` between the level frequencies of two coded columns.
  public static func totalVariation(_ a: [Int], _ b: [Int], levels: Int) -> Double {
    if a.isEmpty || b.isEmpty { return 1 }
    var pa = [Double](repeating: 0, count: levels), pb = [Double](repeating: 0, count: levels)
    for v in a { pa[v] += 1 }
    for v in b { pb[v] += 1 }
    var tv = 0.0
    for k in 0..<levels { tv += abs(pa[k] / Double(a.count) - pb[k] / Double(b.count)) }
    return tv / 2
  }

  /// Pearson correlation matrix of the columns of `x` (`cols × cols`, row-major, `Double`);
  /// entries involving a constant column are 0 (NumPy's NaN replaced by 0, as score.py does).
  public static func correlationMatrix(_ x: Matrix) -> [Double] {
    let n = x.rows, d = x.cols
    if n < 2 { return [Double](repeating: 0, count: d * d) }
    let mu = Matrix.row(columnMeans(x).map(Float.init))
    let c = x - mu
    let cov = c.matmul(c, transposeSelf: true)
    var out = [Double](repeating: 0, count: d * d)
    let diag = (0..<d).map { Double(cov[$0, $0]) }
    // Treat a column as constant when its spread is at rounding level.
    let constant = (0..<d).map { diag[$0] <= 1e-9 * Double(n) }
    for i in 0..<d {
      for j in 0..<d where !constant[i] && !constant[j] {
        out[i * d + j] = i == j ? 1 : max(-1, min(1, Double(cov[i, j]) / (diag[i] * diag[j]).squareRoot()))
      }
    }
    return out
  }

  /// **CORR**: mean absolute difference of the pairwise Pearson correlations (upper triangle,
  /// diagonal excluded) of the encoded features of two tables.
  public static func correlationDifference(_ real: Matrix, _ synthetic: Matrix) -> Double {
    let a = correlationMatrix(real), b = correlationMatrix(synthetic)
    let d = real.cols
    var s = 0.0, m = 0
    for i in 0..<d { for j in (i + 1)..<max(i + 1, d) { s += abs(a[i * d + j] - b[i * d + j]); m += 1 } }
    return m == 0 ? 0 : s / Double(m)
  }

  /// The discretised codes used for NMI: categorical columns keep their level codes; numeric
  /// columns are cut at the *training* quintiles (`#{edges < v}`, codes 0…4) with missing as code 5.
  public static func discretize(_ prepared: PreparedTables, _ table: ParsedTable, column c: Int) -> (codes: [Int], levels: Int) {
    let info = prepared.columns[c]
    switch info.kind {
    case .numeric:
      let e = info.quintileEdges
      let codes = table.numbers[c].map { v -> Int in
        if v.isNaN { return 5 }
        var k = 0
        for edge in e where edge < v { k += 1 }
        return k
      }
      return (codes, 6)
    case .categorical, .ignored:
      return (table.codes[c], info.levels.count)
    }
  }

  /// The pairwise NMI matrix (`m × m`, row-major) of all columns of a table (see ``discretize(_:_:column:)``).
  public static func nmiMatrix(_ prepared: PreparedTables, _ table: ParsedTable) -> [Double] {
    pairwiseMatrices(prepared, table).nmi
  }

  /// The joint counts of every pair of discretised columns (``discretize(_:_:column:)``), from one product.
  static func contingency(_ prepared: PreparedTables, _ table: ParsedTable) -> PairwiseContingency {
    let disc = (0..<prepared.columns.count).map { discretize(prepared, table, column: $0) }
    return PairwiseContingency(codes: disc.map(\.codes), levels: disc.map(\.levels))
  }

  /// The NMI matrix and the association matrix (``associationMatrix(_:_:)``) of a table, sharing one
  /// ``PairwiseContingency``: every categorical pair's NMI and Cramér's V come from co-occurrence counts.
  public static func pairwiseMatrices(_ prepared: PreparedTables, _ table: ParsedTable) -> (nmi: [Double], association: [Double]) {
    let counts = contingency(prepared, table)
    let m = prepared.columns.count
    var nmi = [Double](repeating: 1, count: m * m)
    for i in 0..<m {
      for j in (i + 1)..<max(i + 1, m) {
        let v = Statistics.normalizedMutualInformation(joint: counts.joint(i, j), ka: counts.levels[i], kb: counts.levels[j])
        nmi[i * m + j] = v; nmi[j * m + i] = v
      }
    }
    return (nmi, associationMatrix(prepared, table, counts: counts))
  }

  /// Mean absolute difference of the upper triangles of two square matrices of side `m`.
  public static func meanUpperDifference(_ a: [Double], _ b: [Double], side m: Int) -> Double {
    var s = 0.0, k = 0
    for i in 0..<m { for j in (i + 1)..<max(i + 1, m) { s += abs(a[i * m + j] - b[i * m + j]); k += 1 } }
    return k == 0 ? 0 : s / Double(k)
  }

  /// Column-level association matrix (`m × m`, row-major) used by the report's heatmaps:
  /// numeric–numeric **Pearson r** (signed; rows where both are present), categorical–categorical
  /// **Cramér's V**, numeric–categorical **correlation ratio η** (both in `[0, 1]`; missing is a level).
  public static func associationMatrix(_ prepared: PreparedTables, _ table: ParsedTable) -> [Double] {
    associationMatrix(prepared, table, counts: contingency(prepared, table))
  }

  /// ``associationMatrix(_:_:)`` with the categorical pairs' joint counts already made.
  static func associationMatrix(_ prepared: PreparedTables, _ table: ParsedTable, counts: PairwiseContingency) -> [Double] {
    let cols = prepared.columns
    let m = cols.count
    var out = [Double](repeating: 0, count: m * m)
    for i in 0..<m {
      out[i * m + i] = 1
      for j in (i + 1)..<max(i + 1, m) {
        let a = cols[i], b = cols[j]
        var v = 0.0
        switch (a.kind, b.kind) {
        case (.numeric, .numeric):
          var x: [Double] = [], y: [Double] = []
          for (p, q) in zip(table.numbers[i], table.numbers[j]) where !p.isNaN && !q.isNaN { x.append(p); y.append(q) }
          v = Statistics.pearson(x, y)
        case (.categorical, .categorical):
          v = cramersV(joint: counts.joint(i, j), a.levels.count, b.levels.count)
        case (.numeric, .categorical):
          v = correlationRatio(values: table.numbers[i], codes: table.codes[j], levels: b.levels.count)
        case (.categorical, .numeric):
          v = correlationRatio(values: table.numbers[j], codes: table.codes[i], levels: a.levels.count)
        default: v = 0
        }
        out[i * m + j] = v; out[j * m + i] = v
      }
    }
    return out
  }

  /// Cramér's V (without bias correction) of two coded columns; 0 when either is constant.
  public static func cramersV(_ a: [Int], _ ka: Int, _ b: [Int], _ kb: Int) -> Double {
    var joint = [Int](repeating: 0, count: ka * kb)
    for (x, y) in zip(a, b) { joint[x * kb + y] += 1 }
    return cramersV(joint: joint, ka, kb)
  }

  /// ``cramersV(_:_:_:_:)`` from the `ka × kb` joint counts (row-major).
  public static func cramersV(joint: [Int], _ ka: Int, _ kb: Int) -> Double {
    var ra = [Double](repeating: 0, count: ka), rb = [Double](repeating: 0, count: kb)
    for x in 0..<ka { for y in 0..<kb { ra[x] += Double(joint[x * kb + y]); rb[y] += Double(joint[x * kb + y]) } }
    let n = ra.reduce(0, +)
    if n == 0 { return 0 }
    let usedA = ra.filter { $0 > 0 }.count, usedB = rb.filter { $0 > 0 }.count
    if usedA < 2 || usedB < 2 { return 0 }
    var chi2 = 0.0
    for x in 0..<ka where ra[x] > 0 {
      for y in 0..<kb where rb[y] > 0 {
        let e = ra[x] * rb[y] / n
        let d = Double(joint[x * kb + y]) - e
        chi2 += d * d / e
      }
    }
    return min(1, (chi2 / n / Double(min(usedA, usedB) - 1)).squareRoot())
  }

  /// The correlation ratio η of a numeric column (missing values skipped) across categories.
  public static func correlationRatio(values: [Double], codes: [Int], levels: Int) -> Double {
    var sum = [Double](repeating: 0, count: levels), cnt = [Double](repeating: 0, count: levels)
    var total = 0.0, n = 0.0
    for (v, c) in zip(values, codes) where !v.isNaN { sum[c] += v; cnt[c] += 1; total += v; n += 1 }
    if n < 2 { return 0 }
    let mean = total / n
    var between = 0.0, within = 0.0
    for k in 0..<levels where cnt[k] > 0 { let mk = sum[k] / cnt[k]; between += cnt[k] * (mk - mean) * (mk - mean) }
    for (v, _) in zip(values, codes) where !v.isNaN { within += (v - mean) * (v - mean) }
    return within <= 0 ? 0 : min(1, (between / within).squareRoot())
  }
}
