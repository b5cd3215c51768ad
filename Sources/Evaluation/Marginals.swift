//===----------------------------------------------------------------------===//
// Real-vs-synthetic marginals of single columns (the report's bar charts).
//===----------------------------------------------------------------------===//

import Foundation

/// Real-vs-synthetic marginal of one column.
public struct Marginal: Sendable {
  /// The column name.
  public var name: String
  /// Numeric (histogram) or categorical (level shares).
  public var kind: EvaluationColumnKind
  /// Bar labels (levels, or bin ranges).
  public var labels: [String]
  /// Numeric columns: the `labels.count + 1` bin edges.
  public var edges: [Double]
  /// Shares of real (training) and synthetic rows per bar (missing shown as its own bar).
  public var real: [Double]
  /// Shares of synthetic rows per bar.
  public var synthetic: [Double]
  /// KS or TV of the column.
  public var distance: Double
}

extension Evaluator {
  /// Real-vs-synthetic marginal of one column: equal-width bins over the training range for
  /// numeric columns (plus a "missing" bar), level shares for categorical ones (the 15 most
  /// frequent training levels, the rest pooled as "other").
  static func marginal(_ prepared: PreparedTables, column c: Int, distance: Double, bins: Int) -> Marginal {
    let info = prepared.columns[c]
    if info.kind == .numeric {
      let lo = info.minimum, hi = info.maximum
      let k = max(1, bins)
      let width = hi > lo ? (hi - lo) / Double(k) : 1
      let edges = (0...k).map { lo + Double($0) * width }
      func shares(_ v: [Double]) -> [Double] {
        var h = [Double](repeating: 0, count: k + 1)
        for x in v {
          if x.isNaN { h[k] += 1; continue }
          h[min(max(Int(((x - lo) / width).rounded(.down)), 0), k - 1)] += 1
        }
        return h.map { $0 / Double(max(v.count, 1)) }
      }
      var real = shares(prepared.train.numbers[c]), synth = shares(prepared.synthetic.numbers[c])
      var labels = (0..<k).map { "\(short(edges[$0]))–\(short(edges[$0 + 1]))" }
      if real[k] > 0 || synth[k] > 0 { labels.append(missingLevel) } else { real.removeLast(); synth.removeLast() }
      return Marginal(name: info.name, kind: .numeric, labels: labels, edges: edges, real: real, synthetic: synth, distance: distance)
    }
    let L = info.levels.count
    var cr = [Double](repeating: 0, count: L), cs = [Double](repeating: 0, count: L)
    for v in prepared.train.codes[c] { cr[v] += 1 }
    for v in prepared.synthetic.codes[c] { cs[v] += 1 }
    let nr = Double(max(prepared.train.rowCount, 1)), ns = Double(max(prepared.synthetic.rowCount, 1))
    var order = Array(0..<L)
    let maxBars = 15
    if L > maxBars { order = order.sorted { cr[$0] > cr[$1] || (cr[$0] == cr[$1] && $0 < $1) } }
    let shown = Array(order.prefix(L > maxBars ? maxBars - 1 : L)).sorted()
    var labels = shown.map { info.levels[$0] }
    var real = shown.map { cr[$0] / nr }, synth = shown.map { cs[$0] / ns }
    if L > maxBars {
      labels.append("other")
      real.append(max(0, 1 - real.reduce(0, +))); synth.append(max(0, 1 - synth.reduce(0, +)))
    }
    return Marginal(name: info.name, kind: .categorical, labels: labels, edges: [], real: real, synthetic: synth, distance: distance)
  }

  /// A compact bin-edge label: integers as they are, other numbers rounded to a few digits.
  static func short(_ v: Double) -> String {
    if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
    return String(format: abs(v) >= 100 ? "%.0f" : abs(v) >= 1 ? "%.1f" : "%.2g", v)
  }
}
