//===----------------------------------------------------------------------===//
// Inline SVG charts: grouped bars, ROC curves, heatmaps, overlaid histograms.
//===----------------------------------------------------------------------===//

import Foundation
import Evaluation

/// Escapes text for HTML/SVG content and attribute values.
func escape(_ s: String) -> String {
  var out = ""
  out.reserveCapacity(s.count)
  for ch in s {
    switch ch {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&#39;"
    default: out.append(ch)
    }
  }
  return out
}

/// A number with at most `digits` decimals, trailing zeros trimmed (for SVG coordinates and labels).
func num(_ v: Double, _ digits: Int = 1) -> String {
  if !v.isFinite { return "0" }
  var s = String(format: "%.\(digits)f", v)
  if s.contains(".") {
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
  }
  return s == "-0" ? "0" : s
}

/// Shortens a label to `n` characters with an ellipsis.
func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }

/// The report's colours: real = blue, synthetic = orange (distinguishable in the common colour-vision deficiencies).
enum Palette {
  static let real = "#3b6ea8"
  static let synthetic = "#e08a2c"
  static let holdout = "#7a7a7a"
  static let axis = "#555"
  static let grid = "#e4e4e4"
}

enum SVGCharts {
  /// Grouped bars of real vs synthetic shares for one column.
  static func marginal(_ m: Marginal, width: Double = 300, height: Double = 170) -> String {
    let left = 34.0, right = 6.0, top = 8.0
    let manyLabels = m.labels.count > 8
    let bottom = manyLabels ? 46.0 : 22.0
    let plotW = width - left - right, plotH = height - top - bottom
    let maxShare = max(m.real.max() ?? 0, m.synthetic.max() ?? 0, 1e-9)
    let yMax = niceCeil(maxShare)
    var s = svgOpen(width, height, label: "Distribution of \(m.name): real versus synthetic")
    s += yAxis(left: left, top: top, plotW: plotW, plotH: plotH, yMax: yMax, percent: true)
    let k = max(m.labels.count, 1)
    let slot = plotW / Double(k)
    let barW = max(1, slot * 0.4)
    for (i, label) in m.labels.enumerated() {
      let x0 = left + Double(i) * slot + slot * 0.1
      for (j, (v, color, who)) in [(m.real[i], Palette.real, "real"), (m.synthetic[i], Palette.synthetic, "synthetic")].enumerated() {
        let h = plotH * v / yMax
        s += "<rect x=\"\(num(x0 + Double(j) * barW))\" y=\"\(num(top + plotH - h))\" width=\"\(num(barW))\" height=\"\(num(h))\" fill=\"\(color)\"><title>\(escape(label)) — \(who): \(num(100 * v, 1)) %</title></rect>"
      }
      let cx = left + (Double(i) + 0.5) * slot
      if manyLabels {
        // Label every bar when few, every other when many numeric bins.
        let stride = m.kind == .numeric && k > 12 ? 2 : 1
        if i % stride == 0 {
          s += "<text x=\"\(num(cx))\" y=\"\(num(top + plotH + 6))\" font-size=\"8\" text-anchor=\"end\" transform=\"rotate(-45 \(num(cx)) \(num(top + plotH + 6)))\">\(escape(clip(label, 14)))</text>"
        }
      } else {
        s += "<text x=\"\(num(cx))\" y=\"\(num(top + plotH + 13))\" font-size=\"9\" text-anchor=\"middle\">\(escape(clip(label, max(3, Int(slot / 5.5)))))</text>"
      }
    }
    s += "</svg>"
    return s
  }

  /// ROC curves with the chance diagonal.
  static func roc(title: String, curves: [(name: String, color: String, points: [ROCPoint], dashed: Bool)], size: Double = 300) -> String {
    let left = 40.0, bottom = 34.0, top = 10.0, right = 10.0
    let w = size - left - right, h = size - top - bottom
    var s = svgOpen(size, size, label: title)
    for t in stride(from: 0.0, through: 1.0, by: 0.25) {
      let x = left + w * t, y = top + h * (1 - t)
      s += "<line x1=\"\(num(x))\" y1=\"\(num(top))\" x2=\"\(num(x))\" y2=\"\(num(top + h))\" stroke=\"\(Palette.grid)\"/>"
      s += "<line x1=\"\(num(left))\" y1=\"\(num(y))\" x2=\"\(num(left + w))\" y2=\"\(num(y))\" stroke=\"\(Palette.grid)\"/>"
      s += "<text x=\"\(num(x))\" y=\"\(num(top + h + 12))\" font-size=\"9\" text-anchor=\"middle\">\(num(t, 2))</text>"
      s += "<text x=\"\(num(left - 4))\" y=\"\(num(y + 3))\" font-size=\"9\" text-anchor=\"end\">\(num(t, 2))</text>"
    }
    s += "<rect x=\"\(num(left))\" y=\"\(num(top))\" width=\"\(num(w))\" height=\"\(num(h))\" fill=\"none\" stroke=\"\(Palette.axis)\"/>"
    s += "<line x1=\"\(num(left))\" y1=\"\(num(top + h))\" x2=\"\(num(left + w))\" y2=\"\(num(top))\" stroke=\"#aaa\" stroke-dasharray=\"4 3\"/>"
    s += "<text x=\"\(num(left + w / 2))\" y=\"\(num(size - 4))\" font-size=\"10\" text-anchor=\"middle\">false-positive rate</text>"
    s += "<text x=\"10\" y=\"\(num(top + h / 2))\" font-size=\"10\" text-anchor=\"middle\" transform=\"rotate(-90 10 \(num(top + h / 2)))\">true-positive rate</text>"
    for c in curves where !c.points.isEmpty {
      let pts = c.points.map { "\(num(left + w * $0.fpr))," + num(top + h * (1 - $0.tpr)) }.joined(separator: " ")
      s += "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(c.color)\" stroke-width=\"2\"\(c.dashed ? " stroke-dasharray=\"6 3\"" : "")><title>\(escape(c.name))</title></polyline>"
    }
    var ly = top + h - 8 - Double(curves.count - 1) * 14
    for c in curves {
      s += "<line x1=\"\(num(left + w - 118))\" y1=\"\(num(ly - 3))\" x2=\"\(num(left + w - 100))\" y2=\"\(num(ly - 3))\" stroke=\"\(c.color)\" stroke-width=\"2\"\(c.dashed ? " stroke-dasharray=\"6 3\"" : "")/>"
      s += "<text x=\"\(num(left + w - 96))\" y=\"\(num(ly))\" font-size=\"10\">\(escape(c.name))</text>"
      ly += 14
    }
    s += "</svg>"
    return s
  }

  /// A square heatmap of an `m × m` row-major matrix. `signed`: blue–white–red over [−1, 1];
  /// otherwise white–red over [0, `maxValue`].
  static func heatmap(title: String, matrix: [Double], names: [String], signed: Bool, maxValue: Double = 1, size: Double = 380) -> String {
    let m = names.count
    let labelSpace = 78.0
    let cell = max(2, (size - labelSpace) / Double(max(m, 1)))
    let total = labelSpace + cell * Double(m) + 4
    var s = svgOpen(total, total + 26, label: title)
    let fontSize = min(9, max(5, cell * 0.85))
    for i in 0..<m {
      let y = labelSpace + cell * Double(i)
      s += "<text x=\"\(num(labelSpace - 3))\" y=\"\(num(y + cell * 0.75))\" font-size=\"\(num(fontSize))\" text-anchor=\"end\">\(escape(clip(names[i], 14)))</text>"
      let x = labelSpace + cell * Double(i)
      s += "<text x=\"\(num(x + cell * 0.75))\" y=\"\(num(labelSpace - 3))\" font-size=\"\(num(fontSize))\" transform=\"rotate(-90 \(num(x + cell * 0.75)) \(num(labelSpace - 3)))\">\(escape(clip(names[i], 14)))</text>"
      for j in 0..<m {
        let v = matrix[i * m + j]
        let color = signed ? diverging(v) : sequential(maxValue > 0 ? v / maxValue : 0)
        s += "<rect x=\"\(num(labelSpace + cell * Double(j)))\" y=\"\(num(y))\" width=\"\(num(cell + 0.3))\" height=\"\(num(cell + 0.3))\" fill=\"\(color)\"><title>\(escape(names[i])) × \(escape(names[j])): \(num(v, 3))</title></rect>"
      }
    }
    s += "<rect x=\"\(num(labelSpace))\" y=\"\(num(labelSpace))\" width=\"\(num(cell * Double(m)))\" height=\"\(num(cell * Double(m)))\" fill=\"none\" stroke=\"#999\"/>"
    // Colour scale.
    let ly = total + 6, lw = min(180.0, cell * Double(m))
    for k in 0..<30 {
      let t = Double(k) / 29
      let color = signed ? diverging(-1 + 2 * t) : sequential(t)
      s += "<rect x=\"\(num(labelSpace + lw * Double(k) / 30))\" y=\"\(num(ly))\" width=\"\(num(lw / 30 + 0.5))\" height=\"8\" fill=\"\(color)\"/>"
    }
    s += "<text x=\"\(num(labelSpace))\" y=\"\(num(ly + 18))\" font-size=\"9\">\(signed ? "−1" : "0")</text>"
    s += "<text x=\"\(num(labelSpace + lw))\" y=\"\(num(ly + 18))\" font-size=\"9\" text-anchor=\"end\">\(signed ? "+1" : num(maxValue, 2))</text>"
    s += "</svg>"
    return s
  }

  /// Overlaid histograms (outlined bars) of several samples on a shared axis, with optional vertical markers.
  static func histograms(title: String, series: [(name: String, color: String, values: [Double])],
                         markers: [(label: String, value: Double)] = [], bins: Int = 40,
                         width: Double = 560, height: Double = 230, xLabel: String) -> String {
    let all = series.flatMap(\.values).filter(\.isFinite)
    let lo = 0.0
    var hi = all.isEmpty ? 1 : Statistics.quantile(all, 0.995)
    if hi <= lo { hi = (all.max() ?? 0) > lo ? all.max()! : lo + 1 }
    let left = 44.0, right = 10.0, top = 30.0, bottom = 36.0
    let w = width - left - right, h = height - top - bottom
    let bw = (hi - lo) / Double(bins)
    let shares: [[Double]] = series.map { s in
      var c = [Double](repeating: 0, count: bins)
      for v in s.values where v.isFinite { c[min(max(Int((v - lo) / bw), 0), bins - 1)] += 1 }
      return c.map { $0 / Double(max(s.values.count, 1)) }
    }
    let yMax = niceCeil(shares.flatMap { $0 }.max() ?? 1e-9)
    var s = svgOpen(width, height, label: title)
    s += yAxis(left: left, top: top, plotW: w, plotH: h, yMax: yMax, percent: true)
    for t in 0...5 {
      let v = lo + (hi - lo) * Double(t) / 5
      s += "<text x=\"\(num(left + w * Double(t) / 5))\" y=\"\(num(top + h + 12))\" font-size=\"9\" text-anchor=\"middle\">\(num(v, 2))</text>"
    }
    s += "<text x=\"\(num(left + w / 2))\" y=\"\(num(height - 4))\" font-size=\"10\" text-anchor=\"middle\">\(escape(xLabel))</text>"
    for (k, serie) in series.enumerated() {
      var path = "M\(num(left)),\(num(top + h))"
      for b in 0..<bins {
        let x0 = left + w * Double(b) / Double(bins), x1 = left + w * Double(b + 1) / Double(bins)
        let y = top + h - h * shares[k][b] / yMax
        path += " L\(num(x0)),\(num(y)) L\(num(x1)),\(num(y))"
      }
      path += " L\(num(left + w)),\(num(top + h)) Z"
      s += "<path d=\"\(path)\" fill=\"\(serie.color)\" fill-opacity=\"0.18\" stroke=\"\(serie.color)\" stroke-width=\"1.5\"><title>\(escape(serie.name))</title></path>"
    }
    for mk in markers where mk.value.isFinite && mk.value >= lo && mk.value <= hi {
      let x = left + w * (mk.value - lo) / (hi - lo)
      s += "<line x1=\"\(num(x))\" y1=\"\(num(top))\" x2=\"\(num(x))\" y2=\"\(num(top + h))\" stroke=\"#222\" stroke-dasharray=\"3 3\"/>"
      s += "<text x=\"\(num(x + 3))\" y=\"\(num(top + 10))\" font-size=\"9\">\(escape(mk.label))</text>"
    }
    // Legend in the top margin, left to right.
    var lx = left
    for serie in series {
      s += "<rect x=\"\(num(lx))\" y=\"6\" width=\"10\" height=\"10\" fill=\"\(serie.color)\" fill-opacity=\"0.5\" stroke=\"\(serie.color)\"/>"
      s += "<text x=\"\(num(lx + 14))\" y=\"15\" font-size=\"10\">\(escape(serie.name))</text>"
      lx += 24 + Double(serie.name.count) * 5.6
    }
    s += "</svg>"
    return s
  }

  // MARK: helpers

  static func svgOpen(_ w: Double, _ h: Double, label: String) -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(num(w))\" height=\"\(num(h))\" viewBox=\"0 0 \(num(w)) \(num(h))\" role=\"img\" aria-label=\"\(escape(label))\" font-family=\"Helvetica, Arial, sans-serif\">"
  }

  static func yAxis(left: Double, top: Double, plotW: Double, plotH: Double, yMax: Double, percent: Bool) -> String {
    var s = ""
    for t in 0...4 {
      let v = yMax * Double(t) / 4
      let y = top + plotH * (1 - Double(t) / 4)
      s += "<line x1=\"\(num(left))\" y1=\"\(num(y))\" x2=\"\(num(left + plotW))\" y2=\"\(num(y))\" stroke=\"\(Palette.grid)\"/>"
      s += "<text x=\"\(num(left - 3))\" y=\"\(num(y + 3))\" font-size=\"8\" text-anchor=\"end\">\(percent ? num(100 * v, 1) + "%" : num(v, 2))</text>"
    }
    s += "<line x1=\"\(num(left))\" y1=\"\(num(top + plotH))\" x2=\"\(num(left + plotW))\" y2=\"\(num(top + plotH))\" stroke=\"\(Palette.axis)\"/>"
    return s
  }

  /// A round upper bound for an axis (1, 2, 2.5 or 5 times a power of ten).
  static func niceCeil(_ v: Double) -> Double {
    if v <= 0 { return 1 }
    let p = pow(10, floor(log10(v)))
    for f in [1.0, 2, 2.5, 5, 10] where f * p >= v * (1 - 1e-9) { return f * p }
    return 10 * p
  }

  /// Blue (−1) – white (0) – red (+1).
  static func diverging(_ v: Double) -> String {
    let t = max(-1, min(1, v.isFinite ? v : 0))
    let (r, g, b): (Double, Double, Double) = t >= 0
      ? (255 - t * (255 - 178), 255 - t * (255 - 24), 255 - t * (255 - 43))
      : (255 + t * (255 - 33), 255 + t * (255 - 102), 255 + t * (255 - 172))
    return String(format: "#%02x%02x%02x", Int(r), Int(g), Int(b))
  }

  /// White (0) – dark red (1).
  static func sequential(_ v: Double) -> String {
    let t = max(0, min(1, v.isFinite ? v : 0))
    let r = 255 - t * (255 - 153), g = 255 - t * 255, b = 255 - t * (255 - 13)
    return String(format: "#%02x%02x%02x", Int(r), Int(max(0, g)), Int(b))
  }
}
