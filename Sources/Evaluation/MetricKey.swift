//===----------------------------------------------------------------------===//
// The names of the metrics, the roles of the tables and the kinds of ROC curve, as types.
//===----------------------------------------------------------------------===//

/// One of the three tables of an evaluation. The raw values are the keys of the JSON's `rows`,
/// `sampling` and `attributeInference` objects.
public enum TableRole: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable, Comparable {
  /// The real rows the generator was trained on (members).
  case train
  /// Real rows the generator never saw (non-members).
  case holdout
  /// The generated rows.
  case synthetic

  /// In the order train, holdout, synthetic.
  public static func < (a: TableRole, b: TableRole) -> Bool {
    allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
  }
}

/// Which data a utility ROC curve's classifier was trained on; it is tested on the real holdout rows.
public enum ROCCurveKind: String, Sendable, Hashable, Codable, CaseIterable {
  /// Trained on the real training rows (`R2R`).
  case realOnReal = "R2R"
  /// Trained on the synthetic rows (`S2R`).
  case syntheticOnReal = "S2R"
}

/// Which way a metric is better.
public enum MetricDirection: String, Codable, Sendable {
  case higher, lower
  /// Closer to 0.5 is better (detection and membership AUCs).
  case half
  /// Not ranked (references such as R2R).
  case none
}

/// The section a metric belongs to (the benchmark table's group headings).
public enum MetricGroup: String, Sendable, CaseIterable {
  case utility = "Utility"
  case fidelity = "Fidelity"
  case privacy = "Privacy"
  /// Wall-clock times of a benchmark run (not part of ``EvaluationMetrics``).
  case time = "Time"
}

/// The utility scores of one classifier.
public enum UtilityScore: String, Sendable, Hashable, CaseIterable {
  /// Trained on real training rows, tested on the holdout (`R2R`).
  case r2r = "R2R"
  /// Trained on synthetic rows, tested on the holdout (`S2R`).
  case s2r = "S2R"
  /// Trained on real training rows, tested on the synthetic rows (`R2S`).
  case r2s = "R2S"
  /// S2R / R2R (`ratio`).
  case ratio
}

/// A metric: its flat JSON name (score.py's: `S2R_gb`, `DWD`, `F1_theta5`, …), its label in tables, its
/// group and which way it is better. The one place that defines all of them; ``EvaluationMetrics/value(_:)``
/// maps each to its typed field, the benchmark's catalog lists them in table order.
public enum MetricKey: Hashable, Sendable, CustomStringConvertible {
  case utility(UtilityScore, ClassifierKind)
  case dwd, ksTV, nmi, corr, assoc, det
  case mia, miaGrid
  /// F1 of the membership claim "squared distance ≤ θ".
  case f1(theta: Double)
  case f1ClaimAll, dcr5, exact, airTrain, airHoldout
  /// Rows of the synthetic table (`n_syn`; filed under utility, unranked, not in the benchmark table).
  case syntheticRowCount
  /// Benchmark timings (``EvaluationMetrics/value(_:)`` has none of them).
  case fitSeconds, sampleSeconds, evaluateSeconds

  /// Everything a table needs to know about a metric.
  public struct Info: Sendable {
    public var name: String
    public var label: String
    public var group: MetricGroup
    public var direction: MetricDirection
    /// Decimals in tables.
    public var digits: Int
  }

  /// The definitions.
  public var info: Info {
    func m(_ name: String, _ label: String, _ group: MetricGroup, _ direction: MetricDirection, digits: Int = 3) -> Info {
      Info(name: name, label: label, group: group, direction: direction, digits: digits)
    }
    switch self {
    case .utility(let score, let classifier):
      let model = classifier == .logisticRegression ? "logistic regression" : "gradient boosting"
      let name = "\(score.rawValue)_\(classifier.rawValue)"
      switch score {
      case .r2r: return m(name, "R2R AUC, \(model) (real reference)", .utility, .none)
      case .s2r: return m(name, "S2R AUC, \(model)", .utility, .higher)
      case .r2s: return m(name, "R2S AUC, \(model)", .utility, .higher)
      case .ratio: return m(name, "S2R / R2R, \(model)", .utility, .higher)
      }
    case .dwd: return m("DWD", "DWD, sum of absolute mean differences (0 ideal)", .fidelity, .lower)
    case .ksTV: return m("KS_TV", "KS / TV, mean per column (0 ideal)", .fidelity, .lower)
    case .nmi: return m("NMI", "NMI, mean absolute pairwise difference (0 ideal)", .fidelity, .lower, digits: 4)
    case .corr: return m("CORR", "CORR, mean absolute pairwise difference (0 ideal)", .fidelity, .lower, digits: 4)
    case .assoc: return m("ASSOC", "ASSOC, mean absolute association difference (0 ideal)", .fidelity, .lower, digits: 4)
    case .det: return m("DET", "DET, detection AUC (0.5 ideal)", .fidelity, .half)
    case .mia: return m("MIA", "MIA, membership AUC (0.5 ideal)", .privacy, .half)
    case .miaGrid: return m("MIA_grid", "MIA, paper's θ-grid AUC (0.5 ideal)", .privacy, .half)
    case .f1(let theta):
      return m(Self.f1Prefix + formatNumber(theta), "F1, membership claim at θ = \(formatNumber(theta))", .privacy, .lower)
    case .f1ClaimAll: return m("F1_claim_all", "F1, claiming every record a member (reference)", .privacy, .none)
    case .dcr5: return m("DCR5", "DCR5, share closer than 5th pct holdout (lower = fewer near-copies)", .privacy, .lower)
    case .exact: return m("EXACT", "EXACT, copies of training rows", .privacy, .lower)
    case .airTrain: return m("AIR_train", "AIR, attribute inference on members", .privacy, .lower)
    case .airHoldout: return m("AIR_holdout", "AIR, attribute inference on non-members", .privacy, .none)
    case .syntheticRowCount: return m("n_syn", "synthetic rows", .utility, .none, digits: 0)
    case .fitSeconds: return m("fit_seconds", "fit time (s)", .time, .lower, digits: 1)
    case .sampleSeconds: return m("sample_seconds", "sample time (s)", .time, .lower, digits: 2)
    case .evaluateSeconds: return m("evaluate_seconds", "evaluation time (s)", .time, .none, digits: 1)
    }
  }

  /// The flat JSON name (`S2R_gb`, `F1_theta5`, `fit_seconds`, …).
  public var name: String { info.name }
  /// The label in tables.
  public var label: String { info.label }
  /// The section.
  public var group: MetricGroup { info.group }
  /// Which way it is better.
  public var direction: MetricDirection { info.direction }
  /// Decimals in tables.
  public var digits: Int { info.digits }
  public var description: String { name }

  static let f1Prefix = "F1_theta"

  /// Every key of ``EvaluationMetrics`` except the per-θ F1 ones, in no particular order.
  public static let evaluationKeys: [MetricKey] =
    [UtilityScore.r2r, .s2r, .r2s, .ratio].flatMap { s in ClassifierKind.allCases.map { MetricKey.utility(s, $0) } }
    + [.dwd, .ksTV, .nmi, .corr, .assoc, .det, .mia, .miaGrid, .f1ClaimAll, .dcr5, .exact, .airTrain, .airHoldout, .syntheticRowCount]

  /// The benchmark timings.
  public static let timingKeys: [MetricKey] = [.fitSeconds, .sampleSeconds, .evaluateSeconds]

  static let byName: [String: MetricKey] = Dictionary(uniqueKeysWithValues: (evaluationKeys + timingKeys).map { ($0.name, $0) })

  /// The key of a flat name; `F1_theta<θ>` for any θ; `nil` for unknown names.
  public init?(name: String) {
    if let key = Self.byName[name] {
      self = key
    } else if name.hasPrefix(Self.f1Prefix), let theta = Double(name.dropFirst(Self.f1Prefix.count)) {
      self = .f1(theta: theta)
    } else {
      return nil
    }
  }
}
