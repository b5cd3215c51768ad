//===----------------------------------------------------------------------===//
// The flat `metrics` object of the JSON files: score.py's names mapped to the typed sections.
//===----------------------------------------------------------------------===//

/// The metric sections of one evaluation. Encodes as the flat `metrics` object of
/// `rlsyn evaluate --json` and of each `rlsyn benchmark` run: score.py's names (`R2R_lr`, `S2R_gb`,
/// `DWD`, `MIA`, …) plus our additions, `null` where undefined.
public struct EvaluationMetrics: Sendable, Equatable {
  /// Utility AUCs per classifier.
  public var utility: UtilitySummary
  /// Fidelity distances and the detection AUC.
  public var fidelity: FidelitySummary
  /// Membership, distance and attribute-inference risks.
  public var privacy: PrivacySummary
  /// Rows of the synthetic table (`n_syn`).
  public var syntheticRowCount: Int

  /// The sections together.
  public init(utility: UtilitySummary, fidelity: FidelitySummary, privacy: PrivacySummary, syntheticRowCount: Int) {
    self.utility = utility; self.fidelity = fidelity; self.privacy = privacy; self.syntheticRowCount = syntheticRowCount
  }

  /// The flat keys without the per-θ `F1_theta<θ>` ones, in no particular order.
  public static let fixedKeys = [
    "R2R_lr", "S2R_lr", "R2S_lr", "ratio_lr", "R2R_gb", "S2R_gb", "R2S_gb", "ratio_gb",
    "DWD", "KS_TV", "NMI", "CORR", "ASSOC", "DET",
    "MIA", "MIA_grid", "F1_claim_all", "DCR5", "EXACT", "AIR_train", "AIR_holdout", "n_syn",
  ]

  /// Every flat key of these metrics, sorted: ``fixedKeys`` plus one `F1_theta<θ>` per θ of ``PrivacySummary/f1``.
  public var keys: [String] {
    (Self.fixedKeys + privacy.f1.keys.map { Self.f1Key(theta: $0) }).sorted()
  }

  /// The flat key of the F1 membership risk at squared distance θ (`F1_theta5` for θ = 5).
  public static func f1Key(theta: Double) -> String { f1Prefix + formatNumber(theta) }

  static let f1Prefix = "F1_theta"

  /// One metric by its flat key; `nil` when it is undefined or the key is unknown.
  ///
  /// The one lookup from names to typed fields: the JSON encoder and key-driven tables (the
  /// benchmark's metric catalog) both read through it; ``init(from:)`` is its inverse.
  public func value(forKey key: String) -> Double? {
    switch key {
    case "R2R_lr": return utility.lr.r2r
    case "S2R_lr": return utility.lr.s2r
    case "R2S_lr": return utility.lr.r2s
    case "ratio_lr": return utility.lr.ratio
    case "R2R_gb": return utility.gb.r2r
    case "S2R_gb": return utility.gb.s2r
    case "R2S_gb": return utility.gb.r2s
    case "ratio_gb": return utility.gb.ratio
    case "DWD": return fidelity.dwd
    case "KS_TV": return fidelity.ksTV
    case "NMI": return fidelity.nmi
    case "CORR": return fidelity.corr
    case "ASSOC": return fidelity.assoc
    case "DET": return fidelity.det
    case "MIA": return privacy.mia
    case "MIA_grid": return privacy.miaGrid
    case "F1_claim_all": return privacy.f1ClaimAll
    case "DCR5": return privacy.dcr5
    case "EXACT": return privacy.exact
    case "AIR_train": return privacy.airTrain
    case "AIR_holdout": return privacy.airHoldout
    case "n_syn": return Double(syntheticRowCount)
    default: return Self.theta(ofF1Key: key).flatMap { privacy.f1[$0] }
    }
  }

  /// θ of an `F1_theta<θ>` key, `nil` for any other key.
  static func theta(ofF1Key key: String) -> Double? {
    key.hasPrefix(f1Prefix) ? Double(key.dropFirst(f1Prefix.count)) : nil
  }
}

// Custom so that the JSON stays the flat object of earlier versions (ratios written, recomputed on reading).
extension EvaluationMetrics: Codable {
  struct Key: CodingKey {
    var stringValue: String
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
  }

  /// Reads the flat object; `null` or absent optional metrics are `nil`, `ratio_*` are recomputed from S2R and R2R.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: Key.self)
    func optional(_ name: String) throws -> Double? { try c.decodeIfPresent(Double.self, forKey: Key(name)) }
    func required(_ name: String) throws -> Double { try c.decode(Double.self, forKey: Key(name)) }
    var f1: [Double: Double] = [:]
    for key in c.allKeys {
      if let theta = Self.theta(ofF1Key: key.stringValue) { f1[theta] = try c.decode(Double.self, forKey: key) }
    }
    self.init(
      utility: UtilitySummary(lr: UtilityScores(r2r: try optional("R2R_lr"), s2r: try optional("S2R_lr"), r2s: try optional("R2S_lr")),
                              gb: UtilityScores(r2r: try optional("R2R_gb"), s2r: try optional("S2R_gb"), r2s: try optional("R2S_gb"))),
      fidelity: FidelitySummary(dwd: try required("DWD"), ksTV: try required("KS_TV"), nmi: try required("NMI"),
                                corr: try required("CORR"), assoc: try required("ASSOC"), det: try optional("DET")),
      privacy: PrivacySummary(mia: try optional("MIA"), miaGrid: try required("MIA_grid"), f1: f1,
                              f1ClaimAll: try required("F1_claim_all"), dcr5: try required("DCR5"), exact: try required("EXACT"),
                              airTrain: try optional("AIR_train"), airHoldout: try optional("AIR_holdout")),
      syntheticRowCount: try c.decode(Int.self, forKey: Key("n_syn")))
  }

  /// Writes every key of ``keys`` (through ``value(forKey:)``), `null` where undefined.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: Key.self)
    for key in keys {
      if let v = value(forKey: key) { try c.encode(v, forKey: Key(key)) } else { try c.encodeNil(forKey: Key(key)) }
    }
  }
}
