import Foundation
import Testing
@testable import Evaluation

/// The JSON of `rlsyn evaluate --json` keeps its flat `metrics` object while the summary holds typed sections.
@Suite struct SummaryCodingTests {
  /// `rlsyn evaluate --json` output of the code before the typed sections: NHEFS split seed 0, RLSyn
  /// (50 iterations) sample with the outcome set to 0 everywhere, so that R2S is `null`.
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/summary-nhefs-one-class.json")

  static let metricKeys: Set<String> = [
    "R2R_lr", "S2R_lr", "R2S_lr", "ratio_lr", "R2R_gb", "S2R_gb", "R2S_gb", "ratio_gb",
    "DWD", "KS_TV", "NMI", "CORR", "ASSOC", "DET",
    "MIA", "MIA_grid", "F1_theta5", "F1_theta10", "F1_theta20", "F1_claim_all", "DCR5", "EXACT", "AIR_train", "AIR_holdout", "n_syn",
  ]
  static let topLevelKeys: Set<String> = [
    "rows", "outcome", "positiveLevel", "metrics", "columns", "attributeInference", "attributeInferenceKnownColumns",
    "notes", "seconds", "stageSeconds", "sampling",
  ]

  static func object(_ data: Data) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func encodesExactlyTheFlatMetricKeys() throws {
    let t = toyTable(rows: 150, seed: 60)
    var options = EvaluationOptions()
    options.includeDetection = false
    options.includeAttributeInference = false
    let summary = try Evaluator.evaluate(train: t, holdout: toyTable(rows: 80, seed: 61), synthetic: t.columnwiseShuffled(seed: 2),
                                         outcome: "y", options: options).summary
    let object = try Self.object(summary.jsonData())
    #expect(Set(object.keys) == Self.topLevelKeys)
    let metrics = try #require(object["metrics"] as? [String: Any])
    #expect(Set(metrics.keys) == Self.metricKeys)
    // Undefined metrics are written as null, not left out.
    for key in ["DET", "AIR_train", "AIR_holdout"] { #expect(metrics[key] is NSNull, "\(key) should be null") }
    #expect(metrics["n_syn"] as? Int == 150)
    #expect(metrics["KS_TV"] as? Double == 0 && summary.fidelity.ksTV == 0)
    // JSONDecoder (unlike JSONSerialization on Linux) reads doubles back exactly.
    struct Flat: Decodable { var metrics: [String: Double?] }
    let flat = try JSONDecoder().decode(Flat.self, from: summary.jsonData()).metrics
    #expect(flat["ratio_lr"] == .some(summary.utility.lr.ratio) && flat["S2R_gb"] == .some(summary.utility.gb.s2r))
    #expect(flat["F1_theta10"] == .some(summary.privacy.f1[10]) && flat["DWD"] == .some(summary.fidelity.dwd))
  }

  @Test func readsJSONWrittenBeforeTheTypedSectionsAndWritesItBackUnchanged() throws {
    let data = try Data(contentsOf: Self.fixture)
    let summary = try EvaluationSummary(jsonData: data)
    #expect(summary.utility.gb.s2r == 0.5 && summary.utility.gb.r2s == nil && summary.utility.lr.r2s == nil)
    #expect(summary.utility.lr.r2r == 0.821800694629976)
    #expect(summary.fidelity.dwd == 1.3633846531601694 && summary.fidelity.det == 0.9984048335391447)
    #expect(summary.privacy.f1.keys.sorted() == [5, 10, 20] && summary.privacy.f1[10] == 0.36893203883495146)
    #expect(summary.privacy.airTrain == 0.3153386841969892 && summary.syntheticRowCount == 1140)
    #expect(summary.rows == [.train: 1140, .holdout: 489, .synthetic: 1140] && summary.outcome == "death")
    #expect(Set(summary.attributeInference.keys) == [.train, .holdout])
    // Byte for byte: same keys, same numbers (ratios recomputed from S2R and R2R), same nulls.
    let written = try summary.jsonData()
    #expect(written == data, "re-encoded JSON differs from the fixture")
    #expect(Set(try #require(try Self.object(written)["metrics"] as? [String: Any]).keys) == Self.metricKeys)
    #expect(try EvaluationSummary(jsonData: written).metrics == summary.metrics)
  }

  @Test func keyLookupMatchesTheTypedFields() throws {
    let summary = try EvaluationSummary(jsonData: Data(contentsOf: Self.fixture))
    let m = summary.metrics
    #expect(Set(m.keys.map(\.name)) == Self.metricKeys)
    #expect(m.value(forKey: "ratio_gb") == summary.utility.gb.ratio && m.value(forKey: "R2S_lr") == nil)
    #expect(m.value(forKey: "MIA_grid") == summary.privacy.miaGrid && m.value(forKey: "F1_theta5") == summary.privacy.f1[5])
    #expect(m.value(forKey: "n_syn") == 1140 && m.value(forKey: "F1_theta7") == nil && m.value(forKey: "nope") == nil)
    #expect(EvaluationMetrics.f1Key(theta: 2.5) == "F1_theta2.5" && EvaluationMetrics.f1Key(theta: 20) == "F1_theta20")
    // Typed keys read the same fields.
    #expect(m.value(.utility(.ratio, .gradientBoosting)) == summary.utility.gb.ratio && m.value(.f1(theta: 5)) == summary.privacy.f1[5])
    #expect(m.value(.syntheticRowCount) == 1140 && m.value(.fitSeconds) == nil)
  }

  /// Every key's name parses back to the key, and the names are the JSON's (score.py's) spelling.
  @Test func metricKeyNamesRoundTrip() {
    for key in MetricKey.evaluationKeys + MetricKey.timingKeys + [.f1(theta: 5), .f1(theta: 2.5)] {
      #expect(MetricKey(name: key.name) == key, "\(key.name)")
    }
    #expect(Set(MetricKey.evaluationKeys.map(\.name) + ["F1_theta5", "F1_theta10", "F1_theta20"]) == Self.metricKeys)
    #expect(MetricKey.utility(.s2r, .gradientBoosting).name == "S2R_gb" && MetricKey.utility(.ratio, .logisticRegression).name == "ratio_lr")
    #expect(MetricKey(name: "nope") == nil && MetricKey(name: "F1_thetax") == nil)
    #expect(TableRole.allCases.map(\.rawValue) == ["train", "holdout", "synthetic"])
    #expect(ROCCurveKind.allCases.map(\.rawValue) == ["R2R", "S2R"])
  }
}
