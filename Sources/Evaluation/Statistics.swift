//===----------------------------------------------------------------------===//
// Small statistics shared by the metrics: quantiles, KS statistic, entropy, NMI.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Descriptive statistics used by the metrics (all in `Double`).
public enum Statistics {
  /// The `q`-quantile of `values` with linear interpolation between order statistics
  /// (NumPy's default `method="linear"`: position `q · (n − 1)` in the sorted values).
  /// Returns NaN for an empty input.
  public static func quantile(_ values: [Double], _ q: Double) -> Double {
    quantile(sorted: values.sorted(), q)
  }

  /// ``quantile(_:_:)`` on values that are already sorted ascending.
  public static func quantile(sorted s: [Double], _ q: Double) -> Double {
    if s.isEmpty { return .nan }
    let pos = min(max(q, 0), 1) * Double(s.count - 1)
    let lo = Int(pos.rounded(.down))
    let hi = min(lo + 1, s.count - 1)
    let frac = pos - Double(lo)
    return s[lo] + (s[hi] - s[lo]) * frac
  }

  /// The median (linear-interpolation quantile 0.5).
  public static func median(_ values: [Double]) -> Double { quantile(values, 0.5) }

  /// The two-sample Kolmogorov–Smirnov statistic `sup_x |F_a(x) − F_b(x)|` of the empirical
  /// distribution functions (as `scipy.stats.ks_2samp(a, b).statistic`). 1 if either sample is empty.
  public static func ksStatistic(_ a: [Double], _ b: [Double]) -> Double {
    if a.isEmpty || b.isEmpty { return 1 }
    let x = a.sorted(), y = b.sorted()
    let na = Double(x.count), nb = Double(y.count)
    var i = 0, j = 0, d = 0.0
    while i < x.count && j < y.count {
      let v = min(x[i], y[j])
      while i < x.count && x[i] <= v { i += 1 }
      while j < y.count && y[j] <= v { j += 1 }
      d = max(d, abs(Double(i) / na - Double(j) / nb))
    }
    return d
  }

  /// Shannon entropy (natural log) of a distribution given as counts.
  public static func entropy(counts: [Int]) -> Double {
    let total = Double(counts.reduce(0, +))
    if total == 0 { return 0 }
    var h = 0.0
    for c in counts where c > 0 {
      let p = Double(c) / total
      h -= p * log(p)
    }
    return h
  }

  /// Normalised mutual information of two labelings `a` and `b` (non-negative integer codes
  /// below `ka` and `kb`), with the arithmetic-mean normaliser:
  /// `NMI = I(a; b) / ((H(a) + H(b)) / 2)`.
  ///
  /// Follows scikit-learn's `normalized_mutual_info_score` in the limit cases: 1 when both
  /// labelings are constant, 0 when the mutual information is 0 otherwise.
  public static func normalizedMutualInformation(_ a: [Int], _ b: [Int], ka: Int, kb: Int) -> Double {
    precondition(a.count == b.count, "NMI: labelings of different lengths")
    let n = a.count
    if n == 0 { return 1 }
    var joint = [Int](repeating: 0, count: ka * kb)
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        joint.withUnsafeMutableBufferPointer { pj in
          for i in 0..<n { pj[pa[i] * kb + pb[i]] += 1 }
        }
      }
    }
    return normalizedMutualInformation(joint: joint, ka: ka, kb: kb)
  }

  /// ``normalizedMutualInformation(_:_:ka:kb:)`` from the `ka × kb` joint counts (row-major) of the two labelings.
  public static func normalizedMutualInformation(joint: [Int], ka: Int, kb: Int) -> Double {
    var ca = [Int](repeating: 0, count: ka), cb = [Int](repeating: 0, count: kb)
    for i in 0..<ka { for j in 0..<kb { ca[i] += joint[i * kb + j]; cb[j] += joint[i * kb + j] } }
    let n = ca.reduce(0, +)
    if n == 0 { return 1 }
    let usedA = ca.filter { $0 > 0 }.count, usedB = cb.filter { $0 > 0 }.count
    if usedA == 1 && usedB == 1 { return 1 }
    let nd = Double(n)
    var mi = 0.0
    for i in 0..<ka where ca[i] > 0 {
      for j in 0..<kb where joint[i * kb + j] > 0 {
        let nij = Double(joint[i * kb + j])
        mi += nij / nd * log(nij * nd / (Double(ca[i]) * Double(cb[j])))
      }
    }
    if mi <= 0 { return 0 }
    let ha = entropy(counts: ca), hb = entropy(counts: cb)
    let norm = (ha + hb) / 2
    return norm > 0 ? min(mi / norm, 1) : 0
  }

  /// Pearson correlation of two equally long samples; 0 if either is constant.
  public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "pearson: samples of different lengths")
    let n = Double(x.count)
    if x.count < 2 { return 0 }
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in 0..<x.count {
      let dx = x[i] - mx, dy = y[i] - my
      sxy += dx * dy; sxx += dx * dx; syy += dy * dy
    }
    if sxx <= 0 || syy <= 0 { return 0 }
    return max(-1, min(1, sxy / (sxx * syy).squareRoot()))
  }
}
