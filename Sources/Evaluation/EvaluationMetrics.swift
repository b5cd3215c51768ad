//===----------------------------------------------------------------------===//
// The flat `metrics` object of the JSON files: score.py's names mapped to the typed sections.
//===----------------------------------------------------------------------===//

/// The metric sections of one evaluation. Encodes as the flat `metrics` object of
/// `rlsyn evaluate --json` and of each `rlsyn benchmark` run: score.py's names (`R2R_lr`, `S2R_gb`,
/// `DWD`, `MIA`, …) plus our additions, `null` where undefined. The names are those of ``MetricKey``.
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

  /// Every key of these metrics, sorted by name: ``MetricKey/evaluationKeys`` plus one ``MetricKey/f1(theta:)``
  /// per θ of ``PrivacySummary/f1``.
  public var keys: [MetricKey] {
    (MetricKey.evaluationKeys + privacy.f1.keys.map { MetricKey.f1(theta: $0) }).sorted { $0.name < $1.name }
  }

  /// The flat name of the F1 membership risk at squared distance θ (`F1_theta5` for θ = 5).
  public static func f1Key(theta: Double) -> String { MetricKey.f1(theta: theta).name }

  /// One metric; `nil` when it is undefined (and for the benchmark timings, which are not evaluation metrics).
  ///
  /// The one map from keys to typed fields: the JSON encoder and key-driven tables (the benchmark's
  /// metric catalog) both read through it; ``init(from:)`` is its inverse.
  public func value(_ key: MetricKey) -> Double? {
    switch key {
    case .utility(let score, let classifier):
      let u = utility[classifier]
      switch score {
      case .r2r: return u.r2r
      case .s2r: return u.s2r
      case .r2s: return u.r2s
      case .ratio: return u.ratio
      }
    case .dwd: return fidelity.dwd
    case .ksTV: return fidelity.ksTV
    case .nmi: return fidelity.nmi
    case .corr: return fidelity.corr
    case .assoc: return fidelity.assoc
    case .det: return fidelity.det
    case .mia: return privacy.mia
    case .miaGrid: return privacy.miaGrid
    case .f1(let theta): return privacy.f1[theta]
    case .f1ClaimAll: return privacy.f1ClaimAll
    case .dcr5: return privacy.dcr5
    case .exact: return privacy.exact
    case .airTrain: return privacy.airTrain
    case .airHoldout: return privacy.airHoldout
    case .syntheticRowCount: return Double(syntheticRowCount)
    case .fitSeconds, .sampleSeconds, .evaluateSeconds: return nil
    }
  }

  /// One metric by its flat name (``MetricKey/init(name:)``); `nil` when it is undefined or the name unknown.
  public func value(forKey name: String) -> Double? {
    MetricKey(name: name).flatMap(value(_:))
  }
}

// Custom so that the JSON stays the flat object of earlier versions (ratios written, recomputed on reading).
extension EvaluationMetrics: Codable {
  struct Key: CodingKey {
    var stringValue: String
    init(_ key: MetricKey) { stringValue = key.name }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
  }

  /// Reads the flat object; `null` or absent optional metrics are `nil`, `ratio_*` are recomputed from S2R and R2R.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: Key.self)
    func optional(_ key: MetricKey) throws -> Double? { try c.decodeIfPresent(Double.self, forKey: Key(key)) }
    func required(_ key: MetricKey) throws -> Double { try c.decode(Double.self, forKey: Key(key)) }
    func scores(_ classifier: ClassifierKind) throws -> UtilityScores {
      UtilityScores(r2r: try optional(.utility(.r2r, classifier)), s2r: try optional(.utility(.s2r, classifier)),
                    r2s: try optional(.utility(.r2s, classifier)))
    }
    var f1: [Double: Double] = [:]
    for key in c.allKeys {
      if case .f1(let theta)? = MetricKey(name: key.stringValue) { f1[theta] = try c.decode(Double.self, forKey: key) }
    }
    self.init(
      utility: UtilitySummary(lr: try scores(.logisticRegression), gb: try scores(.gradientBoosting)),
      fidelity: FidelitySummary(dwd: try required(.dwd), ksTV: try required(.ksTV), nmi: try required(.nmi),
                                corr: try required(.corr), assoc: try required(.assoc), det: try optional(.det)),
      privacy: PrivacySummary(mia: try optional(.mia), miaGrid: try required(.miaGrid), f1: f1,
                              f1ClaimAll: try required(.f1ClaimAll), dcr5: try required(.dcr5), exact: try required(.exact),
                              airTrain: try optional(.airTrain), airHoldout: try optional(.airHoldout)),
      syntheticRowCount: try c.decode(Int.self, forKey: Key(.syntheticRowCount)))
  }

  /// Writes every key of ``keys`` (through ``value(_:)``), `null` where undefined.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: Key.self)
    for key in keys {
      if let v = value(key) { try c.encode(v, forKey: Key(key)) } else { try c.encodeNil(forKey: Key(key)) }
    }
  }
}
