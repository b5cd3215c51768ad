import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import NumericCore
@testable import Evaluation
@testable import Reporting

/// A tiny evaluation whose column names need escaping.
func sampleEvaluation() throws -> Evaluation {
  var rng = RandomSource(seed: 9)
  func table(_ n: Int) -> EvaluationTable {
    var x: [String?] = [], c: [String?] = [], y: [String?] = []
    for _ in 0..<n {
      let v = Double(rng.uniform()) * 10
      x.append(String(format: "%.3f", v))
      c.append(["<b>&", "plain", "\"q\""][rng.integer(below: 3)])
      y.append(Double(rng.uniform()) < v / 10 ? "1" : "0")
    }
    return EvaluationTable(label: "t", columnNames: ["x<script>", "c", "y"], columns: [x, c, y])
  }
  let train = table(200)
  return try Evaluator.evaluate(train: train, holdout: table(100), synthetic: train.columnwiseShuffled(seed: 2), outcome: "y")
}

@Suite struct HTMLReportTests {
  @Test func selfContainedNoScriptsNoNetwork() throws {
    let html = HTMLReport.render(try sampleEvaluation(), context: .init(train: "a.csv", holdout: "b.csv", synthetic: "c.csv"))
    let lower = html.lowercased()
    #expect(lower.hasPrefix("<!doctype html>"))
    #expect(!lower.contains("<script"))
    #expect(!lower.contains(" src=") && !lower.contains("url(") && !lower.contains("<link") && !lower.contains("@import"))
    // Only the SVG namespace URI, which is an identifier, not a fetch.
    #expect(!lower.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http"))
  }

  @Test func escapesUserText() throws {
    let html = HTMLReport.render(try sampleEvaluation(), context: .init(train: "<x>.csv", holdout: "b.csv", synthetic: "c.csv"))
    #expect(!html.contains("x<script>") && html.contains("x&lt;script&gt;"))
    #expect(!html.contains("<b>&</") && !html.contains("<b>& ") && html.contains("&lt;b&gt;&amp;"))
    #expect(html.contains("&lt;x&gt;.csv"))
  }

  @Test func hasEverySection() throws {
    let e = try sampleEvaluation()
    let html = HTMLReport.render(e, context: .init(train: "a.csv", holdout: "b.csv", synthetic: "c.csv"))
    for heading in ["What this means", "Utility: train on synthetic", "relationships between columns", "column by column",
                    "Privacy: how close", "Attribute inference", "Method"] {
      #expect(html.contains(heading), "missing section \(heading)")
    }
    // One marginal plot per column, three heatmaps, two ROC charts, two distance histograms.
    #expect(html.components(separatedBy: "class=\"marginal\"").count - 1 == e.details.columns.count)
    #expect(html.components(separatedBy: "aria-label=\"ROC,").count - 1 == 2)
    #expect(html.components(separatedBy: "aria-label=\"Association,").count - 1 == 2)
    #expect(html.contains("aria-label=\"Absolute difference\""))
    #expect(html.contains("aria-label=\"Distance to closest synthetic record\""))
  }

  @Test func everySVGIsWellFormedXML() throws {
    let html = HTMLReport.render(try sampleEvaluation(), context: .init(train: "a.csv", holdout: "b.csv", synthetic: "c.csv"))
    var rest = html[...]
    var count = 0
    while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
      let svg = String(rest[start.lowerBound..<end.upperBound])
      let parser = XMLParser(data: Data(svg.utf8))
      #expect(parser.parse(), "SVG \(count) is not well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
      count += 1
      rest = rest[end.upperBound...]
    }
    #expect(count >= 8)
  }
}

@Suite struct ReadingTests {
  /// A summary with every metric undefined, or 0 where the evaluator always defines it, then `edit`ed.
  func summary(_ edit: (inout EvaluationSummary) -> Void) -> EvaluationSummary {
    var s = EvaluationSummary(rows: [:], outcome: "y", positiveLevel: "1", utility: UtilitySummary(),
                              fidelity: FidelitySummary(dwd: 0, ksTV: 0, nmi: 0, corr: 0, assoc: 0),
                              privacy: PrivacySummary(mia: nil, miaGrid: 0.5, f1: [:], f1ClaimAll: 0, dcr5: 0, exact: 0),
                              syntheticRowCount: 0, columns: [], attributeInference: [:], attributeInferenceKnownColumns: ["age"],
                              notes: [], seconds: 0, stageSeconds: [:])
    edit(&s)
    return s
  }

  @Test func verdictThresholds() {
    // The ratio is S2R / R2R, so R2R = S2R / ratio.
    #expect(Reading.utility(summary { $0.utility.gb = UtilityScores(r2r: 0.8 / 0.97, s2r: 0.8) }) == .good)
    #expect(Reading.utility(summary { $0.utility.gb = UtilityScores(r2r: 0.75 / 0.9, s2r: 0.75) }) == .fair)
    #expect(Reading.utility(summary { $0.utility.gb = UtilityScores(r2r: 0.6 / 0.7, s2r: 0.6) }) == .poor)
    #expect(Reading.utility(summary { $0.utility.gb = UtilityScores(r2r: 0.52 / 0.99, s2r: 0.52) }) == .poor)   // chance level
    #expect(Reading.privacy(summary {
      $0.privacy.mia = 0.5; $0.privacy.exact = 0; $0.privacy.dcr5 = 0.05; $0.privacy.airTrain = 0.3; $0.privacy.airHoldout = 0.3
    }) == .good)
    #expect(Reading.privacy(summary { $0.privacy.mia = 0.5; $0.privacy.exact = 0.2; $0.privacy.dcr5 = 0.05 }) == .poor)
    #expect(Reading.fidelity(summary { $0.fidelity.ksTV = 0.02; $0.fidelity.nmi = 0.005; $0.fidelity.det = 0.55 }) == .good)
    #expect(Reading.fidelity(summary { $0.fidelity.ksTV = 0.02; $0.fidelity.nmi = 0.005; $0.fidelity.det = 0.95 }) == .poor)
  }

  @Test func sentencesMentionTheNumbers() {
    let f = Reading.findings(summary {
      $0.utility.gb = UtilityScores(r2r: 0.8, s2r: 0.7); $0.privacy.mia = 0.61; $0.privacy.exact = 0.01
    })
    #expect(f.contains { $0.area == .utility && $0.text.contains("0.700") && $0.text.contains("0.800") })
    #expect(f.contains { $0.area == .privacy && $0.text.contains("0.610") })
    #expect(f.contains { $0.text.contains("1.0 % of the synthetic rows are exact copies") })
  }
}

@Suite struct SVGHelperTests {
  @Test func numbersAndColours() {
    #expect(num(1.50, 2) == "1.5" && num(-0.0001, 2) == "0" && num(3, 1) == "3")
    #expect(SVGCharts.niceCeil(0.37) == 0.5 && SVGCharts.niceCeil(1) == 1 && SVGCharts.niceCeil(0.11) == 0.2)
    #expect(SVGCharts.diverging(0) == "#ffffff" && SVGCharts.sequential(0) == "#ffffff")
    #expect(escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&#39;")
  }
}

/// Wide tables: the report draws a bounded number of columns and lists the rest.
@Suite struct WideReportTests {
  @Test func chartsAreLimitedAndTheRestListed() throws {
    var rng = RandomSource(seed: 4)
    let codes = 120
    func table(_ n: Int) -> EvaluationTable {
      var columns: [[String?]] = Array(repeating: [], count: codes + 1)
      for _ in 0..<n {
        var any = false
        for c in 0..<codes {
          let on = rng.uniform() < 0.05 + 0.002 * Float(c)
          any = any || (on && c < 5)
          columns[c].append(on ? "1" : "0")
        }
        columns[codes].append(any ? "1" : "0")
      }
      return EvaluationTable(label: "t", columnNames: (0..<codes).map { "code_\($0)" } + ["death"], columns: columns)
    }
    let train = table(300)
    var options = EvaluationOptions(); options.includeDetection = false
    let e = try Evaluator.evaluate(train: train, holdout: table(150), synthetic: train.columnwiseShuffled(seed: 1), outcome: "death", options: options)
    let html = HTMLReport.render(e, context: .init(train: "a.csv", holdout: "b.csv", synthetic: "c.csv"))
    #expect(html.components(separatedBy: "class=\"marginal\"").count - 1 == HTMLReport.marginalChartLimit)
    #expect(html.contains("\(HTMLReport.heatmapColumnLimit) of \(codes + 1) columns shown"))
    #expect(html.contains("The other \(codes + 1 - HTMLReport.marginalChartLimit) columns"))
    let shown = HTMLReport.heatmapColumns(e.details, outcome: "death")
    #expect(shown.count == HTMLReport.heatmapColumnLimit && shown.contains(codes) && shown == shown.sorted())
    #expect(html.utf8.count < 3_000_000)
  }
}
