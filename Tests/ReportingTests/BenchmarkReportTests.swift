import Foundation
import Testing
@testable import Evaluation
@testable import Reporting

@Suite struct BenchmarkReportTests {
  /// Two synthesizers, two seeds, hand-picked numbers.
  func result() -> BenchmarkResult {
    func run(_ s: String, _ seed: UInt64, s2r: Double, dwd: Double, mia: Double, fit: Double) -> BenchmarkResult.Run {
      let metrics = EvaluationMetrics(utility: UtilitySummary(gb: UtilityScores(s2r: s2r)),
                                      fidelity: FidelitySummary(dwd: dwd, ksTV: 0, nmi: 0, corr: 0, assoc: 0),
                                      privacy: PrivacySummary(mia: mia, miaGrid: 0.5, f1: [:], f1ClaimAll: 0, dcr5: 0, exact: 0),
                                      syntheticRowCount: 70)
      return BenchmarkResult.Run(synthesizer: s, seed: seed, trainRows: 70, holdoutRows: 30, fitSeconds: fit, sampleSeconds: 0.5,
                                 evaluateSeconds: 1, metrics: metrics)
    }
    return BenchmarkResult(dataset: "d<1>.csv", outcome: "y", command: "rlsyn benchmark d.csv --outcome y", seeds: [0, 1], trainFraction: 0.7,
                           synthesizers: ["rlsyn", "gan"],
                           runs: [run("rlsyn", 0, s2r: 0.80, dwd: 1, mia: 0.52, fit: 10), run("rlsyn", 1, s2r: 0.84, dwd: 3, mia: 0.54, fit: 12),
                                  run("gan", 0, s2r: 0.70, dwd: 0.5, mia: 0.49, fit: 5), run("gan", 1, s2r: 0.72, dwd: 0.7, mia: 0.51, fit: 7)],
                           totalSeconds: 40)
  }

  @Test func meanAndSampleStandardDeviation() {
    let r = result()
    let s = r.statistic(.utility(.s2r, .gradientBoosting), "rlsyn")
    #expect(s.n == 2 && abs(s.mean! - 0.82) < 1e-12 && abs(s.sd! - (0.0008).squareRoot()) < 1e-12)
    #expect(r.statistic(.fitSeconds, "gan").mean == 6)
    #expect(r.statistic(.utility(.r2s, .logisticRegression), "gan").n == 0 && r.statistic(.utility(.r2s, .logisticRegression), "gan").mean == nil)
    #expect(BenchmarkResult.Statistic([3]).sd == nil)
  }

  @Test func bestFollowsEachMetricsDirection() {
    let r = result()
    #expect(r.best(.utility(.s2r, .gradientBoosting)) == "rlsyn")   // higher is better
    #expect(r.best(.dwd) == "gan")        // lower is better
    #expect(r.best(.mia) == "gan")        // closest to 0.5 (0.50 vs 0.53)
    #expect(r.best(.fitSeconds) == "gan")
    #expect(r.best(.utility(.r2r, .gradientBoosting)) == nil)       // a reference, not ranked
  }

  @Test func markdownJSONAndPage() throws {
    let r = result()
    let md = r.markdown()
    #expect(md.contains("| metric | rlsyn | gan | best |"))
    // Every table row has the same number of cells (no stray pipes in labels).
    let rows = md.split(separator: "\n").filter { $0.hasPrefix("|") }
    #expect(Set(rows.map { $0.filter { $0 == "|" }.count }).count == 1)
    #expect(md.contains("| S2R AUC, gradient boosting | **0.820 ± 0.028** | 0.710 ± 0.014 | rlsyn |"))
    #expect(md.contains("| DWD, sum of absolute mean differences (0 ideal) | 2.000 ± 1.414 | **0.600 ± 0.141** | gan |"))
    let object = try #require(try JSONSerialization.jsonObject(with: r.jsonData()) as? [String: Any])
    #expect((object["runs"] as? [Any])?.count == 4)
    let summary = try #require(object["summary"] as? [String: [String: [String: Any]]])
    #expect(summary["gan"]?["fit_seconds"]?["mean"] as? Double == 6)
    let page = BenchmarkReport.render(r, rocCurves: ["rlsyn": [.realOnReal: [ROCPoint(fpr: 0, tpr: 0), ROCPoint(fpr: 1, tpr: 1)],
                                                                .syntheticOnReal: [ROCPoint(fpr: 0, tpr: 0), ROCPoint(fpr: 1, tpr: 1)]]])
    #expect(page.hasPrefix("<!DOCTYPE html>") && !page.lowercased().contains("<script"))
    #expect(page.contains("d&lt;1&gt;.csv") && !page.contains("d<1>.csv"))
    #expect(page.components(separatedBy: "<svg").count - 1 >= 12)
  }
}
