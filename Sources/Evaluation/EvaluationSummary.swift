//===----------------------------------------------------------------------===//
// The typed results of an evaluation: one struct per section, and the summary holding them.
//===----------------------------------------------------------------------===//

import Foundation

/// Utility of both classifiers: R2R, S2R, R2S and their ratio (`R2R_lr`, `S2R_gb`, `ratio_gb`, …).
public struct UtilitySummary: Sendable, Equatable {
  /// Logistic regression (the `_lr` metrics).
  public var lr: UtilityScores
  /// Gradient-boosted trees (the `_gb` metrics).
  public var gb: UtilityScores

  /// Scores of both classifiers (undefined by default).
  public init(lr: UtilityScores = .init(), gb: UtilityScores = .init()) {
    self.lr = lr; self.gb = gb
  }

  /// The scores of one classifier, for code that loops over ``ClassifierKind/allCases``.
  public subscript(kind: ClassifierKind) -> UtilityScores {
    get {
      switch kind {
      case .logisticRegression: return lr
      case .gradientBoosting: return gb
      }
    }
    set {
      switch kind {
      case .logisticRegression: lr = newValue
      case .gradientBoosting: gb = newValue
      }
    }
  }
}

/// Fidelity: how closely the synthetic table reproduces the training table (0 ideal, DET 0.5 ideal).
public struct FidelitySummary: Sendable, Equatable {
  /// `DWD`: sum of absolute differences of the encoded features' means.
  public var dwd: Double
  /// `KS_TV`: mean over columns of the KS statistic (numeric) or total-variation distance (categorical).
  public var ksTV: Double
  /// `NMI`: mean absolute difference of the pairwise normalised-mutual-information matrices.
  public var nmi: Double
  /// `CORR`: mean absolute difference of the pairwise Pearson correlations of the encoded features.
  public var corr: Double
  /// `ASSOC`: mean absolute difference of the column-level association matrices.
  public var assoc: Double
  /// `DET`: detection AUC of gradient boosting telling real from synthetic rows; `nil` when not run or undefined.
  public var det: Double?

  /// Fidelity scores as computed by ``Evaluator``.
  public init(dwd: Double, ksTV: Double, nmi: Double, corr: Double, assoc: Double, det: Double? = nil) {
    self.dwd = dwd; self.ksTV = ksTV; self.nmi = nmi; self.corr = corr; self.assoc = assoc; self.det = det
  }
}

/// Privacy: how much the synthetic table reveals about the training records.
public struct PrivacySummary: Sendable, Equatable {
  /// `MIA`: membership AUC of the distance-to-closest-synthetic-record attack (0.5 ideal); `nil` when undefined.
  public var mia: Double?
  /// `MIA_grid`: the paper's θ-grid membership AUC.
  public var miaGrid: Double
  /// `F1_theta<θ>`: F1 of the membership claim "squared distance ≤ θ", keyed by θ.
  public var f1: [Double: Double]
  /// `F1_claim_all`: F1 of claiming every record is a member (the baseline of ``f1``).
  public var f1ClaimAll: Double
  /// `DCR5`: share of synthetic rows closer to a training row than the 5th percentile of holdout rows.
  public var dcr5: Double
  /// `EXACT`: share of synthetic rows that copy a training row.
  public var exact: Double
  /// `AIR_train`: attribute-inference risk on training records (members); `nil` when not run.
  public var airTrain: Double?
  /// `AIR_holdout`: attribute-inference risk on holdout records (non-members); `nil` when not run.
  public var airHoldout: Double?

  /// Privacy scores as computed by ``Evaluator``.
  public init(mia: Double?, miaGrid: Double, f1: [Double: Double], f1ClaimAll: Double, dcr5: Double, exact: Double,
              airTrain: Double? = nil, airHoldout: Double? = nil) {
    self.mia = mia; self.miaGrid = miaGrid; self.f1 = f1; self.f1ClaimAll = f1ClaimAll
    self.dcr5 = dcr5; self.exact = exact; self.airTrain = airTrain; self.airHoldout = airHoldout
  }
}

/// Per-column fidelity.
public struct ColumnFidelity: Sendable, Codable {
  /// The column name.
  public var name: String
  /// Numeric or categorical.
  public var kind: EvaluationColumnKind
  /// "KS" or "TV".
  public var statistic: String
  /// The KS statistic (numeric) or total-variation distance (categorical).
  public var value: Double
}

/// Machine-readable summary of an evaluation (what `rlsyn evaluate --json` writes).
///
/// The metrics are typed fields grouped by section; the JSON keeps them as one flat `metrics`
/// object with score.py's names (see ``EvaluationMetrics``).
public struct EvaluationSummary: Sendable {
  /// Row counts of the three tables.
  public var rows: [TableRole: Int]
  /// The outcome column and its positive level.
  public var outcome: String
  /// The outcome level counted as positive.
  public var positiveLevel: String
  /// Utility AUCs per classifier.
  public var utility: UtilitySummary
  /// Fidelity distances and the detection AUC.
  public var fidelity: FidelitySummary
  /// Membership, distance and attribute-inference risks.
  public var privacy: PrivacySummary
  /// Rows of the synthetic table (`n_syn`).
  public var syntheticRowCount: Int
  /// KS/TV per column.
  public var columns: [ColumnFidelity]
  /// Attribute inference on training records (members, ``TableRole/train``) and on holdout records
  /// (non-members, ``TableRole/holdout``).
  public var attributeInference: [TableRole: AttributeInferenceScore]
  /// The columns the attribute-inference attacker knew.
  public var attributeInferenceKnownColumns: [String]
  /// Classifier settings and convergence notes.
  public var notes: [String]
  /// Wall-clock seconds of the evaluation.
  public var seconds: Double
  /// Wall-clock seconds per stage (parse, utility, fidelity, detection, distances, attribute inference).
  public var stageSeconds: [String: Double]
  /// How many rows each metric saw (caps on large tables); `nil` in files written before the caps existed.
  public var sampling: EvaluationSampling?

  /// A summary from its parts.
  public init(rows: [TableRole: Int], outcome: String, positiveLevel: String, utility: UtilitySummary, fidelity: FidelitySummary,
              privacy: PrivacySummary, syntheticRowCount: Int, columns: [ColumnFidelity],
              attributeInference: [TableRole: AttributeInferenceScore], attributeInferenceKnownColumns: [String],
              notes: [String], seconds: Double, stageSeconds: [String: Double], sampling: EvaluationSampling? = nil) {
    self.rows = rows; self.outcome = outcome; self.positiveLevel = positiveLevel
    self.utility = utility; self.fidelity = fidelity; self.privacy = privacy; self.syntheticRowCount = syntheticRowCount
    self.columns = columns; self.attributeInference = attributeInference
    self.attributeInferenceKnownColumns = attributeInferenceKnownColumns
    self.notes = notes; self.seconds = seconds; self.stageSeconds = stageSeconds; self.sampling = sampling
  }

  /// The metric sections together, as the JSON's flat `metrics` object and the benchmark's runs hold them.
  public var metrics: EvaluationMetrics {
    EvaluationMetrics(utility: utility, fidelity: fidelity, privacy: privacy, syntheticRowCount: syntheticRowCount)
  }
}

// Custom so that the typed sections are written and read as the flat `metrics` object of earlier versions.
extension EvaluationSummary: Codable {
  enum CodingKeys: String, CodingKey {
    case rows, outcome, positiveLevel, metrics, columns, attributeInference, attributeInferenceKnownColumns
    case notes, seconds, stageSeconds, sampling
  }

  /// Reads a summary written by `rlsyn evaluate --json` (flat `metrics` object).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let metrics = try c.decode(EvaluationMetrics.self, forKey: .metrics)
    self.init(rows: try c.decode([TableRole: Int].self, forKey: .rows), outcome: try c.decode(String.self, forKey: .outcome),
              positiveLevel: try c.decode(String.self, forKey: .positiveLevel),
              utility: metrics.utility, fidelity: metrics.fidelity, privacy: metrics.privacy,
              syntheticRowCount: metrics.syntheticRowCount,
              columns: try c.decode([ColumnFidelity].self, forKey: .columns),
              attributeInference: try c.decode([TableRole: AttributeInferenceScore].self, forKey: .attributeInference),
              attributeInferenceKnownColumns: try c.decode([String].self, forKey: .attributeInferenceKnownColumns),
              notes: try c.decode([String].self, forKey: .notes), seconds: try c.decode(Double.self, forKey: .seconds),
              stageSeconds: try c.decode([String: Double].self, forKey: .stageSeconds),
              sampling: try c.decodeIfPresent(EvaluationSampling.self, forKey: .sampling))
  }

  /// Writes the summary with the typed sections flattened into `metrics`.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(rows, forKey: .rows)
    try c.encode(outcome, forKey: .outcome)
    try c.encode(positiveLevel, forKey: .positiveLevel)
    try c.encode(metrics, forKey: .metrics)
    try c.encode(columns, forKey: .columns)
    try c.encode(attributeInference, forKey: .attributeInference)
    try c.encode(attributeInferenceKnownColumns, forKey: .attributeInferenceKnownColumns)
    try c.encode(notes, forKey: .notes)
    try c.encode(seconds, forKey: .seconds)
    try c.encode(stageSeconds, forKey: .stageSeconds)
    try c.encodeIfPresent(sampling, forKey: .sampling)
  }
}

extension EvaluationSummary {
  /// Pretty-printed JSON with sorted keys; undefined metrics are `null`.
  public func jsonData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(self)
  }

  /// Reads JSON written by ``jsonData()`` (non-finite numbers spelled as it spells them).
  public init(jsonData: Data) throws {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    self = try decoder.decode(EvaluationSummary.self, from: jsonData)
  }
}
