//===----------------------------------------------------------------------===//
// Receiver operating characteristic: exact AUC (Mann–Whitney with ties) and curves.
//===----------------------------------------------------------------------===//

/// One point of a ROC curve.
public struct ROCPoint: Sendable, Codable, Equatable {
  /// False-positive rate in `[0, 1]`.
  public var fpr: Double
  /// True-positive rate in `[0, 1]`.
  public var tpr: Double
  /// A point.
  public init(fpr: Double, tpr: Double) { self.fpr = fpr; self.tpr = tpr }
}

/// Area under the ROC curve and the curve itself.
public enum ROC {
  /// The exact area under the ROC curve of `scores` for the binary `labels` (`true` = positive).
  ///
  /// Equals the Mann–Whitney statistic `U / (n₊ · n₋)`: the probability that a random positive
  /// scores higher than a random negative, counting ties as one half. This is the same number as
  /// the trapezoidal area of the full ROC curve (scikit-learn's `roc_auc_score`). Computed from
  /// average ranks after one sort, `O(n log n)`.
  ///
  /// - Returns: `nil` when either class is empty (the AUC is undefined). NaN scores are ranked
  ///   below every finite score.
  public static func auc(scores: [Double], labels: [Bool]) -> Double? {
    precondition(scores.count == labels.count, "auc: \(scores.count) scores for \(labels.count) labels")
    let n = scores.count
    var nPos = 0
    for l in labels where l { nPos += 1 }
    let nNeg = n - nPos
    if nPos == 0 || nNeg == 0 { return nil }
    let order = sortedOrder(scores)
    // Sum of (average) ranks of the positives, ranks starting at 1.
    var rankSumPos = 0.0
    order.withUnsafeBufferPointer { idx in
      scores.withUnsafeBufferPointer { s in
        labels.withUnsafeBufferPointer { y in
          var i = 0
          while i < n {
            var j = i + 1
            let v = key(s[idx[i]])
            while j < n && key(s[idx[j]]) == v { j += 1 }
            // Ranks i+1 … j share the average (i + 1 + j) / 2.
            let avg = Double(i + 1 + j) / 2
            var pos = 0
            for t in i..<j where y[idx[t]] { pos += 1 }
            rankSumPos += avg * Double(pos)
            i = j
          }
        }
      }
    }
    let u = rankSumPos - Double(nPos) * Double(nPos + 1) / 2
    return u / (Double(nPos) * Double(nNeg))
  }

  /// The ROC curve of `scores`: one point per distinct score threshold, from `(0, 0)` to `(1, 1)`.
  ///
  /// Tied scores form a single step (a diagonal segment), so the trapezoidal area of the returned
  /// points equals ``auc(scores:labels:)``. With `maxPoints`, the curve is thinned (keeping the
  /// end points) for plotting. Returns `[]` when either class is empty.
  public static func curve(scores: [Double], labels: [Bool], maxPoints: Int? = nil) -> [ROCPoint] {
    precondition(scores.count == labels.count, "curve: \(scores.count) scores for \(labels.count) labels")
    let n = scores.count
    let nPos = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
    let nNeg = n - nPos
    if nPos == 0 || nNeg == 0 { return [] }
    let order = sortedOrder(scores)
    var points = [ROCPoint(fpr: 0, tpr: 0)]
    var tp = 0, fp = 0
    var i = n - 1
    while i >= 0 {  // descending score
      let v = key(scores[order[i]])
      while i >= 0 && key(scores[order[i]]) == v {
        if labels[order[i]] { tp += 1 } else { fp += 1 }
        i -= 1
      }
      points.append(ROCPoint(fpr: Double(fp) / Double(nNeg), tpr: Double(tp) / Double(nPos)))
    }
    if let m = maxPoints, m >= 2, points.count > m {
      let step = Double(points.count - 1) / Double(m - 1)
      points = (0..<m).map { points[Int((Double($0) * step).rounded())] }
    }
    return points
  }

  /// The trapezoidal area under `points` after sorting them by false-positive rate, *without*
  /// adding the end points `(0,0)` and `(1,1)` (the convention of the paper's θ-grid attack).
  public static func trapezoidArea(_ points: [ROCPoint]) -> Double {
    let p = points.sorted { ($0.fpr, $0.tpr) < ($1.fpr, $1.tpr) }
    var area = 0.0
    for k in 1..<max(p.count, 1) { area += (p[k].fpr - p[k - 1].fpr) * (p[k].tpr + p[k - 1].tpr) / 2 }
    return area
  }

  /// NaN sorts below everything.
  @inline(__always) static func key(_ x: Double) -> Double { x.isNaN ? -.infinity : x }

  /// Indices that sort `scores` ascending (NaN first).
  static func sortedOrder(_ scores: [Double]) -> [Int] {
    let keys = scores.map(key)
    return keys.indices.sorted { keys[$0] < keys[$1] }
  }
}
