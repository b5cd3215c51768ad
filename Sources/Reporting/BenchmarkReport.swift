//===----------------------------------------------------------------------===//
// Several synthesizers × several seeds: the comparison table (Markdown, JSON) and its HTML page.
//===----------------------------------------------------------------------===//

import Foundation
import Evaluation

/// The results of `rlsyn benchmark`: one evaluation per synthesizer and seed, and their summary.
public struct BenchmarkResult: Codable, Sendable {
  /// One synthesizer fitted, sampled and evaluated on one seed's split.
  public struct Run: Codable, Sendable {
    public var synthesizer: String
    public var seed: UInt64
    public var trainRows: Int
    public var holdoutRows: Int
    public var fitSeconds: Double
    public var sampleSeconds: Double
    public var evaluateSeconds: Double
    /// The evaluation's metrics (JSON: the flat object of `rlsyn evaluate --json`).
    public var metrics: EvaluationMetrics

    public init(synthesizer: String, seed: UInt64, trainRows: Int, holdoutRows: Int, fitSeconds: Double, sampleSeconds: Double,
                evaluateSeconds: Double, metrics: EvaluationMetrics) {
      self.synthesizer = synthesizer; self.seed = seed; self.trainRows = trainRows; self.holdoutRows = holdoutRows
      self.fitSeconds = fitSeconds; self.sampleSeconds = sampleSeconds; self.evaluateSeconds = evaluateSeconds; self.metrics = metrics
    }

    /// A metric of the catalog ``BenchmarkResult/metrics``: one of the timings, or an evaluation metric
    /// (``EvaluationMetrics/value(_:)``).
    public func value(_ key: MetricKey) -> Double? {
      switch key {
      case .fitSeconds: return fitSeconds
      case .sampleSeconds: return sampleSeconds
      case .evaluateSeconds: return evaluateSeconds
      default: return metrics.value(key)
      }
    }
  }

  /// Mean and sample standard deviation (n − 1) over the seeds where the value is defined.
  public struct Statistic: Codable, Sendable, Equatable {
    public var mean: Double?
    public var sd: Double?
    public var n: Int

    public init(_ values: [Double]) {
      n = values.count
      guard !values.isEmpty else { mean = nil; sd = nil; return }
      let m = values.reduce(0, +) / Double(values.count)
      mean = m
      sd = values.count > 1 ? (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot() : nil
    }
  }

  /// The rows of the table, in order (labels, groups and directions: ``MetricKey``).
  public static let metrics: [MetricKey] = [
    .utility(.s2r, .logisticRegression), .utility(.s2r, .gradientBoosting),
    .utility(.r2r, .logisticRegression), .utility(.r2r, .gradientBoosting),
    .utility(.ratio, .logisticRegression), .utility(.ratio, .gradientBoosting),
    .utility(.r2s, .logisticRegression), .utility(.r2s, .gradientBoosting),
    .dwd, .ksTV, .nmi, .corr, .assoc, .det,
    .mia, .miaGrid, .dcr5, .exact, .airTrain, .airHoldout,
    .fitSeconds, .sampleSeconds, .evaluateSeconds,
  ]

  public var dataset: String
  public var outcome: String
  /// The command line that produced the result.
  public var command: String
  public var seeds: [UInt64]
  public var trainFraction: Double
  /// Synthesizers in column order.
  public var synthesizers: [String]
  public var runs: [Run]
  /// Wall-clock seconds of the whole benchmark.
  public var totalSeconds: Double
  /// Free-form notes (machine, BLAS threads, configurations).
  public var notes: [String]

  public init(dataset: String, outcome: String, command: String, seeds: [UInt64], trainFraction: Double, synthesizers: [String],
              runs: [Run], totalSeconds: Double, notes: [String] = []) {
    self.dataset = dataset; self.outcome = outcome; self.command = command; self.seeds = seeds; self.trainFraction = trainFraction
    self.synthesizers = synthesizers; self.runs = runs; self.totalSeconds = totalSeconds; self.notes = notes
  }

  /// Mean ± sd of `key` for `synthesizer` over its runs.
  public func statistic(_ key: MetricKey, _ synthesizer: String) -> Statistic {
    Statistic(runs.filter { $0.synthesizer == synthesizer }.compactMap { $0.value(key) }.filter(\.isFinite))
  }

  /// The synthesizer with the best mean for a ranked metric (nil for unranked metrics, ties or fewer than two synthesizers).
  public func best(_ metric: MetricKey) -> String? {
    guard synthesizers.count > 1 else { return nil }
    let scored: [(String, Double)] = synthesizers.compactMap { s in
      guard let m = statistic(metric, s).mean else { return nil }
      switch metric.direction {
      case .higher: return (s, -m)
      case .lower: return (s, m)
      case .half: return (s, Swift.abs(m - 0.5))
      case .none: return nil
      }
    }
    guard let top = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return scored.filter({ $0.1 == top.1 }).count == 1 ? top.0 : nil
  }

  /// Per synthesizer, per metric: mean, sd and n (what the JSON's `summary` holds, by metric name).
  public var summary: [String: [MetricKey: Statistic]] {
    var out: [String: [MetricKey: Statistic]] = [:]
    for s in synthesizers {
      var row: [MetricKey: Statistic] = [:]
      for m in Self.metrics { row[m] = statistic(m, s) }
      out[s] = row
    }
    return out
  }

  static func cell(_ s: Statistic, digits: Int) -> String {
    guard let m = s.mean else { return "–" }
    let mean = String(format: "%.\(digits)f", m)
    guard let sd = s.sd else { return mean }
    return mean + " ± " + String(format: "%.\(digits)f", sd)
  }

  /// The comparison as a Markdown table: mean ± sd over seeds; the best mean of each ranked row in bold.
  public func markdown() -> String {
    var lines: [String] = []
    lines.append("Dataset `\(dataset)`, outcome `\(outcome)`; seeds \(seeds.map(String.init).joined(separator: ", ")) "
                 + "(each seed: its own stratified \(Int((trainFraction * 100).rounded())) / \(Int(((1 - trainFraction) * 100).rounded())) split and its own fit); "
                 + "\(runs.first.map { "\($0.trainRows) training and \($0.holdoutRows) holdout rows, " } ?? "")"
                 + "synthetic rows = training rows. Mean ± sd over seeds; best mean in bold.")
    lines.append("")
    lines.append("| metric | " + synthesizers.joined(separator: " | ") + " | best |")
    lines.append("|---|" + synthesizers.map { _ in "---:" }.joined(separator: "|") + "|---|")
    var group = ""
    for m in Self.metrics {
      if m.group.rawValue != group {
        group = m.group.rawValue
        lines.append("| **\(group)** |" + synthesizers.map { _ in " " }.joined(separator: "|") + "| |")
      }
      let best = best(m)
      let cells = synthesizers.map { s -> String in
        let c = Self.cell(statistic(m, s), digits: m.digits)
        return s == best ? "**\(c)**" : c
      }
      lines.append("| \(m.label) | " + cells.joined(separator: " | ") + " | \(best ?? "") |")
    }
    lines.append("")
    lines.append(String(format: "Total wall-clock time: %.1f s.", totalSeconds))
    for note in notes where note.hasPrefix("Differential privacy:") { lines.append(""); lines.append(note) }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Pretty-printed JSON (sorted keys): the runs, the summary and the settings.
  public func jsonData() throws -> Data {
    struct Document: Encodable {
      var result: BenchmarkResult
      var summary: [String: [MetricKey: Statistic]]
      func encode(to encoder: Encoder) throws {
        try result.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(summary.mapValues { row in Dictionary(uniqueKeysWithValues: row.map { ($0.key.name, $0.value) }) },
                     forKey: Key(stringValue: "summary")!)
      }
      struct Key: CodingKey {
        var stringValue: String
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
      }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(Document(result: self, summary: summary))
  }
}

/// The benchmark's HTML page: one bar chart per headline metric (mean, ± sd whisker, one dot per seed),
/// ROC curves of every synthesizer on the first seed, and the full table.
public enum BenchmarkReport {
  /// Colours per synthesizer (in column order), then cycled.
  static let colors = ["#e08a2c", "#3b6ea8", "#5a9e4b", "#a04d9e", "#c4493c", "#7a7a7a"]

  /// The complete HTML document. `rocCurves[synthesizer]` are gradient-boosting curves of the first seed.
  public static func render(_ result: BenchmarkResult, rocCurves: [String: [ROCCurveKind: [ROCPoint]]] = [:]) -> String {
    var h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    h += "<title>Benchmark: \(escape(result.dataset))</title><style>\(HTMLReport.css)</style></head><body><main>"
    h += "<header><h1>Synthesizer benchmark</h1><p class=\"files\">data <b>\(escape(result.dataset))</b>, outcome <b>\(escape(result.outcome))</b>; "
    h += "\(result.seeds.count) seed\(result.seeds.count == 1 ? "" : "s"), each with its own stratified split and fit; synthesizers \(escape(result.synthesizers.joined(separator: ", "))).</p>"
    h += "<p class=\"note\"><code>\(escape(result.command))</code></p></header>"

    let headline: [(MetricKey, String)] = [
      (.utility(.s2r, .gradientBoosting), "S2R AUC, gradient boosting"), (.utility(.s2r, .logisticRegression), "S2R AUC, logistic regression"),
      (.utility(.ratio, .gradientBoosting), "S2R / R2R, gradient boosting"), (.utility(.ratio, .logisticRegression), "S2R / R2R, logistic regression"),
      (.dwd, "DWD (lower is better)"), (.ksTV, "KS / TV (lower is better)"), (.nmi, "NMI difference (lower is better)"),
      (.det, "detection AUC (0.5 ideal)"), (.mia, "membership AUC (0.5 ideal)"), (.dcr5, "DCR5 (lower = fewer near-copies)"),
      (.fitSeconds, "fit time, seconds"), (.sampleSeconds, "sample time, seconds"),
    ]
    h += "<section><h2>Comparison</h2><p>Bars: mean over seeds; whiskers: ± one standard deviation; dots: the seeds. Dashed line: the real-data reference (R2R) where there is one.</p><div class=\"marginals\">"
    for (key, title) in headline {
      let reference: Double?
      switch key {
      case .utility(.s2r, let classifier): reference = result.statistic(.utility(.r2r, classifier), result.synthesizers.first ?? "").mean
      case .utility(.ratio, _): reference = 1
      case .det, .mia: reference = 0.5
      default: reference = nil
      }
      h += "<figure class=\"marginal\"><figcaption><b>\(escape(title))</b></figcaption>" + bars(result, key: key, reference: reference) + "</figure>"
    }
    h += "</div></section>"

    if !rocCurves.isEmpty {
      var curves: [(name: String, color: String, points: [ROCPoint], dashed: Bool)] = []
      if let first = result.synthesizers.first, let r2r = rocCurves[first]?[.realOnReal] {
        curves.append((name: "real (R2R)", color: "#222", points: r2r, dashed: false))
      }
      for (k, s) in result.synthesizers.enumerated() {
        if let p = rocCurves[s]?[.syntheticOnReal] { curves.append((name: "\(s) (S2R)", color: colors[k % colors.count], points: p, dashed: true)) }
      }
      h += "<section><h2>ROC curves, seed \(result.seeds.first.map(String.init) ?? "")</h2><p>Gradient-boosted trees trained on each synthesizer’s data (S2R) or on the real training rows (R2R), tested on the real holdout rows.</p>"
      h += "<figure>" + SVGCharts.roc(title: "ROC curves, gradient boosting", curves: curves, size: 360) + "</figure></section>"
    }

    h += "<section><h2>All metrics</h2><table class=\"grid\"><tr><th>metric</th>\(result.synthesizers.map { "<th>\(escape($0))</th>" }.joined())<th>best</th></tr>"
    for m in BenchmarkResult.metrics {
      let best = result.best(m)
      h += "<tr><td>\(escape(m.label))</td>"
      for s in result.synthesizers {
        let c = escape(BenchmarkResult.cell(result.statistic(m, s), digits: m.digits))
        h += s == best ? "<td><b>\(c)</b></td>" : "<td>\(c)</td>"
      }
      h += "<td>\(escape(best ?? ""))</td></tr>"
    }
    h += "</table><p class=\"note\">Mean ± sample standard deviation over seeds. Definitions of the metrics: docs/evaluation.md. "
    h += String(format: "Total wall-clock time %.1f s.", result.totalSeconds) + "</p>"
    if !result.notes.isEmpty { h += "<ul class=\"method\">" + result.notes.map { "<li class=\"muted\">\(escape($0))</li>" }.joined() + "</ul>" }
    h += "</section><footer>Generated by rlsyn benchmark.</footer></main></body></html>\n"
    return h
  }

  /// One bar per synthesizer with a ± sd whisker, the per-seed values as dots and an optional reference line.
  static func bars(_ result: BenchmarkResult, key: MetricKey, reference: Double?, width: Double = 300, height: Double = 180) -> String {
    let zoomed: Bool
    switch key {
    case .utility(.s2r, _), .utility(.ratio, _), .utility(.r2s, _), .det, .mia: zoomed = true
    default: zoomed = false
    }
    let left = 40.0, right = 8.0, top = 10.0, bottom = 24.0
    let plotW = width - left - right, plotH = height - top - bottom
    let stats = result.synthesizers.map { result.statistic(key, $0) }
    let values = result.synthesizers.map { s in result.runs.filter { $0.synthesizer == s }.compactMap { $0.value(key) }.filter(\.isFinite) }
    let all = [reference].compactMap { $0 } + stats.compactMap { s in s.mean.map { $0 + (s.sd ?? 0) } } + values.flatMap { $0 }
    let lowest = ([reference].compactMap { $0 } + stats.compactMap { s in s.mean.map { $0 - (s.sd ?? 0) } } + values.flatMap { $0 }).min() ?? 0
    // AUC-like metrics start the axis near the data (multiples of 0.1) so that differences of a few hundredths show.
    let yMin = zoomed ? Swift.max(0, ((lowest - 0.05) * 10).rounded(.down) / 10) : 0
    let yMax = zoomed ? Swift.min(Swift.max(((all.max() ?? 1) + 0.02) * 10, yMin * 10 + 1).rounded(.up) / 10, 1.2)
      : SVGCharts.niceCeil(Swift.max(all.max() ?? 1, 1e-9))
    var s = SVGCharts.svgOpen(width, height, label: key.name)
    for t in 0...4 {
      let v = yMin + (yMax - yMin) * Double(t) / 4
      let yy = top + plotH * (1 - Double(t) / 4)
      s += "<line x1=\"\(num(left))\" y1=\"\(num(yy))\" x2=\"\(num(left + plotW))\" y2=\"\(num(yy))\" stroke=\"\(Palette.grid)\"/>"
      s += "<text x=\"\(num(left - 3))\" y=\"\(num(yy + 3))\" font-size=\"8\" text-anchor=\"end\">\(num(v, 3))</text>"
    }
    s += "<line x1=\"\(num(left))\" y1=\"\(num(top + plotH))\" x2=\"\(num(left + plotW))\" y2=\"\(num(top + plotH))\" stroke=\"\(Palette.axis)\"/>"
    let k = Swift.max(result.synthesizers.count, 1)
    let slot = plotW / Double(k)
    func y(_ v: Double) -> Double { top + plotH * (1 - Swift.min(Swift.max((v - yMin) / (yMax - yMin), 0), 1)) }
    for (i, name) in result.synthesizers.enumerated() {
      let color = colors[i % colors.count]
      let x0 = left + Double(i) * slot + slot * 0.2, bw = slot * 0.6
      if let m = stats[i].mean {
        s += "<rect x=\"\(num(x0))\" y=\"\(num(y(m)))\" width=\"\(num(bw))\" height=\"\(num(top + plotH - y(m)))\" fill=\"\(color)\" fill-opacity=\"0.75\"><title>\(escape(name)): \(escape(BenchmarkResult.cell(stats[i], digits: key.digits)))</title></rect>"
        if let sd = stats[i].sd {
          let cx = x0 + bw / 2
          s += "<line x1=\"\(num(cx))\" y1=\"\(num(y(m - sd)))\" x2=\"\(num(cx))\" y2=\"\(num(y(m + sd)))\" stroke=\"#222\"/>"
          s += "<line x1=\"\(num(cx - 5))\" y1=\"\(num(y(m + sd)))\" x2=\"\(num(cx + 5))\" y2=\"\(num(y(m + sd)))\" stroke=\"#222\"/>"
          s += "<line x1=\"\(num(cx - 5))\" y1=\"\(num(y(m - sd)))\" x2=\"\(num(cx + 5))\" y2=\"\(num(y(m - sd)))\" stroke=\"#222\"/>"
        }
      }
      for (j, v) in values[i].enumerated() {
        let cx = x0 + bw * (Double(j) + 1) / Double(values[i].count + 1)
        s += "<circle cx=\"\(num(cx))\" cy=\"\(num(y(v)))\" r=\"2.5\" fill=\"#fff\" stroke=\"#222\"><title>\(escape(name)) seed \(j): \(num(v, 4))</title></circle>"
      }
      s += "<text x=\"\(num(x0 + bw / 2))\" y=\"\(num(top + plotH + 14))\" font-size=\"10\" text-anchor=\"middle\">\(escape(clip(name, 14)))</text>"
    }
    if let r = reference, r <= yMax, r >= yMin {
      s += "<line x1=\"\(num(left))\" y1=\"\(num(y(r)))\" x2=\"\(num(left + plotW))\" y2=\"\(num(y(r)))\" stroke=\"#222\" stroke-dasharray=\"4 3\"><title>reference \(num(r, 3))</title></line>"
    }
    return s + "</svg>"
  }
}
