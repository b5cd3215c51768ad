//===----------------------------------------------------------------------===//
// The whole evaluation: utility, fidelity and privacy of one synthetic table.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore

/// Settings of an evaluation run.
public struct EvaluationOptions: Sendable {
  /// Seed of the detection classifier's subsampling and train/test split.
  public var seed: UInt64 = 0
  /// Logistic-regression settings.
  public var logisticRegression = LogisticRegression.Options()
  /// Gradient-boosting settings (used for utility and detection).
  public var gradientBoosting = GradientBoostedTrees.Options()
  /// Squared-distance thresholds of the F1 membership risk.
  public var membershipThetas: [Double] = [5, 10, 20]
  /// θ grid (Euclidean distance) of the paper's grid membership AUC; `nil` = the paper's grid for the table's kind:
  /// ``PrivacyMetrics/paperLargeGrid`` (MIMIC-IV) past ``EvaluationSampling/defaultWideColumnThreshold`` columns,
  /// else ``PrivacyMetrics/paperGrid`` (AI-READI). On a wide table nearest-record distances exceed the small grid's
  /// 4.7, and its AUC would be 0 whatever the synthetic data.
  public var membershipGrid: [Double]? = nil
  /// Columns the attribute-inference attacker knows; `nil` = ``AttributeInference/defaultKnownColumns(_:)``.
  public var knownColumns: [String]? = nil
  /// Neighbours used by the attribute-inference attack.
  public var attributeNeighbors: Int = 1
  /// Histogram bins for the report's numeric marginal plots.
  public var histogramBins: Int = 20
  /// Whether to run the detection classifier (DET).
  public var includeDetection = true
  /// Whether to run the attribute-inference attack (AIR).
  public var includeAttributeInference = true
  /// At most this many rows per table for DET, MIA, DCR5, EXACT and AIR (random, by ``seed``); `nil` = all.
  public var rowCap: Int? = EvaluationSampling.defaultRowCap
  /// Encode two-level columns as one 0/1 feature of distance weight 2 for DET, the distances and GB utility
  /// (same distances and tree partitions, half the width; see ``TableEncoding``); `nil` = only for tables
  /// wider than ``EvaluationSampling/defaultWideColumnThreshold`` columns. LR and fidelity keep the one-hot pair.
  public var compactBinaryEncoding: Bool? = nil
  /// Rows per table before the caller sampled them (wide tables, see ``EvaluationSampling``); `nil` when
  /// the tables passed in are the whole inputs.
  public var inputRows: [TableRole: Int]? = nil
  /// Called as each stage of the evaluation finishes, with its name and wall seconds (progress on long runs).
  public var progress: (@Sendable (_ stage: String, _ seconds: Double) -> Void)? = nil
  /// The defaults described in docs/evaluation.md.
  public init() {}
}

/// Everything the HTML report draws (kept out of the JSON summary).
public struct EvaluationDetails: Sendable {
  /// Column decisions.
  public var columns: [ColumnInfo]
  /// Per-column marginals: for numeric columns the histogram bin edges; for categorical the levels.
  public var marginals: [Marginal]
  /// Column-level association matrices (see ``FidelityMetrics/associationMatrix(_:_:)``), row-major.
  public var associationReal: [Double]
  /// The same matrix for the synthetic table.
  public var associationSynthetic: [Double]
  /// ROC curves, keyed by classifier then by what the classifier was trained on.
  public var rocCurves: [ClassifierKind: [ROCCurveKind: [ROCPoint]]]
  /// Nearest-synthetic-record distances of training (members) and holdout (non-members) rows.
  public var memberDistances: [Double]
  /// Nearest-synthetic-record distances of the holdout rows (non-members).
  public var nonMemberDistances: [Double]
  /// Nearest-training-record distances of synthetic and holdout rows.
  public var syntheticToTrain: [Double]
  /// Nearest-training-record distances of the holdout rows.
  public var holdoutToTrain: [Double]
  /// The DCR threshold (5th percentile of holdout-to-train distances).
  public var dcrThreshold: Double
}

/// The result of ``Evaluator/evaluate(train:holdout:synthetic:outcome:options:typing:)``.
public struct Evaluation: Sendable {
  /// The numbers (JSON).
  public var summary: EvaluationSummary
  /// What the report draws.
  public var details: EvaluationDetails
}

/// Runs every metric of the suite on one (train, holdout, synthetic) triple.
public enum Evaluator {
  /// Evaluates `synthetic` against `train` (the generator's training data) and `holdout` (real
  /// records the generator never saw). See `docs/evaluation.md` for every definition.
  ///
  /// - Throws: ``EvaluationInputError`` for inconsistent tables (missing columns, one-class outcome).
  public static func evaluate(train: EvaluationTable, holdout: EvaluationTable, synthetic: EvaluationTable,
                              outcome: String, options: EvaluationOptions = .init(),
                              typing: ColumnTyping? = nil) throws -> Evaluation {
    var tables = [train, holdout, synthetic]
    return try evaluate(releasing: &tables, outcome: outcome, options: options, typing: typing)
  }

  /// ``evaluate(train:holdout:synthetic:outcome:options:typing:)`` for tables (train, holdout, synthetic, in
  /// that order) that the caller gives up: each raw column is released once it is parsed
  /// (``PreparedTables/init(releasing:outcome:typing:)``), so on a wide table the cells are gone before the
  /// metrics allocate their matrices. Pass tables nothing else holds (for example with `consume`), or
  /// nothing is freed. On return the tables have no rows.
  public static func evaluate(releasing tables: inout [EvaluationTable], outcome: String,
                              options: EvaluationOptions = .init(), typing: ColumnTyping? = nil) throws -> Evaluation {
    var clock = StageClock(progress: options.progress)
    let prepared = try PreparedTables(releasing: &tables, outcome: outcome, typing: typing)
    clock.lap("parse")
    var options = options
    // Wide code tables: trees walk the ones of sparse 0/1 features rather than every row of every feature.
    if compactEncoding(prepared, options) { options.gradientBoosting.sparseHistograms = true }
    let utility = evaluateUtility(prepared, options: options)
    clock.lap("utility")
    var features = FeatureMatrices(prepared)
    var fidelity = evaluateFidelity(prepared, features, options: options)
    clock.lap("fidelity")
    if compactEncoding(prepared, options) {
      // Release the one-hot matrices before the compact ones are built: one set in memory at a time.
      features = FeatureMatrices(train: Matrix(rows: 0, cols: 0), holdout: Matrix(rows: 0, cols: 0), synthetic: Matrix(rows: 0, cols: 0))
      features = FeatureMatrices(prepared, compactBinary: true)
    }
    fidelity.scores.det = evaluateDetection(features, options: options)
    clock.lap("detection")
    let rows: [TableRole: Int] = [.train: prepared.train.rowCount, .holdout: prepared.holdout.rowCount, .synthetic: prepared.synthetic.rowCount]
    var kept: [TableRole: [Int]] = [:]
    for (role, count) in rows {
      kept[role] = EvaluationSampling.sampleRows(count: count, cap: options.rowCap, seed: EvaluationSampling.tableSeed(options.seed, table: role))
    }
    let sampling = EvaluationSampling(inputRows: options.inputRows ?? rows, rows: rows, distanceRows: kept.mapValues(\.count),
                                      rowCap: options.rowCap)
    if options.membershipGrid == nil { options.membershipGrid = PrivacyMetrics.paperGrid(columns: prepared.columns.count) }
    var privacy = evaluatePrivacy(features.selectingRows(kept), trainReference: features.train, options: options)
    clock.lap("distances")
    let inference = try evaluateAttributeInference(prepared.selectingRows(kept), options: options)
    privacy.scores.airTrain = inference.scores[.train]?.risk
    privacy.scores.airHoldout = inference.scores[.holdout]?.risk
    clock.lap("attribute inference")
    let summary = EvaluationSummary(
      rows: rows,
      outcome: outcome, positiveLevel: prepared.positiveLevel, utility: utility.scores, fidelity: fidelity.scores,
      privacy: privacy.scores, syntheticRowCount: prepared.synthetic.rowCount, columns: fidelity.columns,
      attributeInference: inference.scores, attributeInferenceKnownColumns: inference.knownColumns,
      notes: utility.notes + [settingsNote(options)] + (sampling.isSampled ? [sampling.description] : []),
      seconds: clock.total, stageSeconds: clock.stages, sampling: sampling)
    let details = EvaluationDetails(
      columns: prepared.columns, marginals: fidelity.marginals, associationReal: fidelity.associationReal,
      associationSynthetic: fidelity.associationSynthetic, rocCurves: utility.rocCurves,
      memberDistances: privacy.memberDistances, nonMemberDistances: privacy.nonMemberDistances,
      syntheticToTrain: privacy.syntheticToTrain, holdoutToTrain: privacy.holdoutToTrain,
      dcrThreshold: Statistics.quantile(privacy.holdoutToTrain, 0.05))
    return Evaluation(summary: summary, details: details)
  }

  // MARK: - Utility

  /// What ``evaluateUtility(_:options:)`` yields: the AUCs, the report's ROC curves and classifier notes.
  struct UtilityResult {
    var scores = UtilitySummary()
    var rocCurves: [ClassifierKind: [ROCCurveKind: [ROCPoint]]] = [:]
    var notes: [String] = []
  }

  /// One table's utility features (outcome excluded) and outcome labels.
  struct LabelledFeatures {
    var x: Matrix
    var y: [Bool]
  }

  /// **Utility**: R2R, S2R and R2S AUCs of every classifier, the outcome excluded from the features.
  /// A one-class synthetic outcome cannot train a classifier: S2R is then 0.5 (as score.py) and R2S undefined.
  static func evaluateUtility(_ prepared: PreparedTables, options: EvaluationOptions) -> UtilityResult {
    var result = UtilityResult()
    if Set(prepared.labels(prepared.synthetic)).count != 2 {
      result.notes.append("synthetic outcome has one class: S2R set to 0.5 (as score.py), R2S undefined")
    }
    let compact = compactEncoding(prepared, options)
    for kind in ClassifierKind.allCases {
      // Trees split a 0/1 feature as they split its one-hot pair; LR's penalty would see a different model.
      let encoding = TableEncoding(prepared, excluding: [prepared.outcomeIndex], compactBinary: compact && kind == .gradientBoosting)
      func features(_ t: ParsedTable) -> LabelledFeatures { LabelledFeatures(x: encoding.encode(t, prepared), y: prepared.labels(t)) }
      evaluateClassifier(kind, train: features(prepared.train), holdout: features(prepared.holdout),
                         synthetic: features(prepared.synthetic), options: options, into: &result)
    }
    return result
  }

  /// Whether DET, the distances and GB utility use the compact two-level encoding (``EvaluationOptions/compactBinaryEncoding``).
  static func compactEncoding(_ prepared: PreparedTables, _ options: EvaluationOptions) -> Bool {
    options.compactBinaryEncoding ?? (prepared.columns.count > EvaluationSampling.defaultWideColumnThreshold)
  }

  /// One classifier's part of ``evaluateUtility(_:options:)``: fits on the real rows (R2R, R2S) and,
  /// when the synthetic outcome has two classes, on the synthetic rows (S2R).
  static func evaluateClassifier(_ kind: ClassifierKind, train: LabelledFeatures, holdout: LabelledFeatures,
                                 synthetic: LabelledFeatures, options: EvaluationOptions, into result: inout UtilityResult) {
    let real = kind.fit(train.x, train.y, lr: options.logisticRegression, gb: options.gradientBoosting)
    if let lr = real as? LogisticRegression {
      result.notes.append("LR (train): \(lr.iterations) Newton steps, scaled gradient \(String(format: "%.1e", lr.gradientNorm))\(lr.converged ? "" : " (NOT converged)")")
    }
    let pHo = real.predictProbability(holdout.x)
    var scores = UtilityScores(r2r: ROC.auc(scores: pHo, labels: holdout.y),
                               r2s: ROC.auc(scores: real.predictProbability(synthetic.x), labels: synthetic.y))
    var curves: [ROCCurveKind: [ROCPoint]] = [.realOnReal: ROC.curve(scores: pHo, labels: holdout.y, maxPoints: 400)]
    if Set(synthetic.y).count == 2 {
      let synth = kind.fit(synthetic.x, synthetic.y, lr: options.logisticRegression, gb: options.gradientBoosting)
      if let lr = synth as? LogisticRegression, !lr.converged {
        result.notes.append("LR (synthetic): NOT converged after \(lr.iterations) steps")
      }
      let pS = synth.predictProbability(holdout.x)
      scores.s2r = ROC.auc(scores: pS, labels: holdout.y)
      curves[.syntheticOnReal] = ROC.curve(scores: pS, labels: holdout.y, maxPoints: 400)
    } else {
      scores.s2r = 0.5
    }
    result.scores[kind] = scores
    result.rocCurves[kind] = curves
  }

  /// The classifier settings, for the notes.
  static func settingsNote(_ options: EvaluationOptions) -> String {
    let lr = options.logisticRegression, gb = options.gradientBoosting
    return "LR: L2, C=\(formatNumber(lr.c)), Newton, tolerance \(lr.tolerance); GB: ≤\(gb.maxIterations) rounds\(gb.earlyStoppingAbove.map { " (early stopping above \($0) rows)" } ?? ""), learning rate \(gb.learningRate), ≤\(gb.maxLeafNodes) leaves, min leaf \(gb.minSamplesLeaf), ≤\(gb.maxBins) bins"
  }

  // MARK: - Fidelity and detection

  /// The three tables encoded with every column (outcome included); fidelity, detection and privacy share them.
  struct FeatureMatrices {
    var train: Matrix
    var holdout: Matrix
    var synthetic: Matrix
    /// Distance weights of the features (``TableEncoding/featureWeights``); `nil` when all are 1.
    var weights: [Float]? = nil

    init(_ prepared: PreparedTables, compactBinary: Bool = false) {
      let encoding = TableEncoding(prepared, compactBinary: compactBinary)
      train = encoding.encode(prepared.train, prepared)
      holdout = encoding.encode(prepared.holdout, prepared)
      synthetic = encoding.encode(prepared.synthetic, prepared)
      weights = encoding.featureWeights.allSatisfy { $0 == 1 } ? nil : encoding.featureWeights
    }

    init(train: Matrix, holdout: Matrix, synthetic: Matrix, weights: [Float]? = nil) {
      self.train = train; self.holdout = holdout; self.synthetic = synthetic; self.weights = weights
    }

    /// The rows `kept[.train]`, `kept[.holdout]` and `kept[.synthetic]` (the matrices themselves when all are kept).
    func selectingRows(_ kept: [TableRole: [Int]]) -> FeatureMatrices {
      func pick(_ m: Matrix, _ role: TableRole) -> Matrix {
        guard let idx = kept[role], idx.count != m.rows else { return m }
        return m.gatherRows(idx)
      }
      return FeatureMatrices(train: pick(train, .train), holdout: pick(holdout, .holdout), synthetic: pick(synthetic, .synthetic),
                             weights: weights)
    }
  }

  /// What ``evaluateFidelity(_:_:options:)`` yields: the scores (DET not yet set), per-column
  /// distances and the report's marginals and association matrices.
  struct FidelityResult {
    var scores: FidelitySummary
    var columns: [ColumnFidelity]
    var marginals: [Marginal]
    var associationReal: [Double]
    var associationSynthetic: [Double]
  }

  /// **Fidelity**: DWD, KS/TV per column and their mean, and the NMI, CORR and association
  /// differences between the training and synthetic tables.
  static func evaluateFidelity(_ prepared: PreparedTables, _ features: FeatureMatrices, options: EvaluationOptions) -> FidelityResult {
    let (columns, marginals) = columnFidelity(prepared, bins: options.histogramBins)
    let m = prepared.columns.count
    let (nmiReal, assocReal) = FidelityMetrics.pairwiseMatrices(prepared, prepared.train)
    let (nmiSynth, assocSynth) = FidelityMetrics.pairwiseMatrices(prepared, prepared.synthetic)
    let scores = FidelitySummary(
      dwd: FidelityMetrics.dimensionWiseDistance(features.train, features.synthetic),
      ksTV: columns.map(\.value).reduce(0, +) / Double(max(columns.count, 1)),
      nmi: FidelityMetrics.meanUpperDifference(nmiReal, nmiSynth, side: m),
      corr: FidelityMetrics.correlationDifference(features.train, features.synthetic),
      assoc: FidelityMetrics.meanUpperDifference(assocReal, assocSynth, side: m))
    return FidelityResult(scores: scores, columns: columns, marginals: marginals,
                          associationReal: assocReal, associationSynthetic: assocSynth)
  }

  /// KS (numeric) or TV (categorical) distance of every column, with the marginal the report plots.
  static func columnFidelity(_ prepared: PreparedTables, bins: Int) -> ([ColumnFidelity], [Marginal]) {
    var columns: [ColumnFidelity] = [], marginals: [Marginal] = []
    for (c, info) in prepared.columns.enumerated() {
      let value: Double
      if info.kind == .numeric {
        value = Statistics.ksStatistic(prepared.train.numbers[c].filter { !$0.isNaN }, prepared.synthetic.numbers[c].filter { !$0.isNaN })
      } else {
        value = FidelityMetrics.totalVariation(prepared.train.codes[c], prepared.synthetic.codes[c], levels: info.levels.count)
      }
      columns.append(ColumnFidelity(name: info.name, kind: info.kind, statistic: info.kind == .numeric ? "KS" : "TV", value: value))
      marginals.append(marginal(prepared, column: c, distance: value, bins: bins))
    }
    return (columns, marginals)
  }

  /// **DET** when ``EvaluationOptions/includeDetection`` is set (see ``detectionAUC(_:_:options:)``), else `nil`.
  static func evaluateDetection(_ features: FeatureMatrices, options: EvaluationOptions) -> Double? {
    options.includeDetection ? detectionAUC(features.train, features.synthetic, options: options) : nil
  }

  // MARK: - Privacy

  /// What ``evaluatePrivacy(_:options:)`` yields: the scores (AIR not yet set) and the distances the report plots.
  struct PrivacyResult {
    var scores: PrivacySummary
    /// Nearest-synthetic-record distances of training rows (members) and of holdout rows (non-members).
    var memberDistances: [Double]
    var nonMemberDistances: [Double]
    /// Nearest-training-record distances of synthetic rows and of holdout rows.
    var syntheticToTrain: [Double]
    var holdoutToTrain: [Double]
  }

  /// **Privacy** from distances on the encoded table: membership AUCs (MIA, MIA_grid) and F1 per θ
  /// from real-to-synthetic distances; DCR5 and exact copies from synthetic-to-training distances.
  ///
  /// `features` may be row samples (``EvaluationOptions/rowCap``): the attack then runs on the sampled members,
  /// non-members and synthetic rows, as the paper's does. The distances to the training data use
  /// `trainReference` (the whole training table) when given, so that a sampled synthetic row that copies any
  /// training row counts as a copy.
  static func evaluatePrivacy(_ features: FeatureMatrices, trainReference: Matrix? = nil, options: EvaluationOptions) -> PrivacyResult {
    let toSynth = NearestNeighbors.nearest(queries: Matrix.concatenateRows([features.train, features.holdout]), reference: features.synthetic,
                                           weights: features.weights)
    let dm = Array(toSynth.distances[0..<features.train.rows]), dn = Array(toSynth.distances[features.train.rows...])
    var f1: [Double: Double] = [:]
    for t in options.membershipThetas {
      f1[t] = PrivacyMetrics.membershipF1(memberDistances: dm, nonMemberDistances: dn, theta: t)
    }
    let toTrain = NearestNeighbors.nearest(queries: Matrix.concatenateRows([features.synthetic, features.holdout]),
                                           reference: trainReference ?? features.train, weights: features.weights)
    let dsy = Array(toTrain.distances[0..<features.synthetic.rows]), dho = Array(toTrain.distances[features.synthetic.rows...])
    let scores = PrivacySummary(
      mia: PrivacyMetrics.membershipAUC(memberDistances: dm, nonMemberDistances: dn),
      miaGrid: PrivacyMetrics.membershipGridAUC(memberDistances: dm, nonMemberDistances: dn, grid: options.membershipGrid ?? PrivacyMetrics.paperGrid),
      f1: f1, f1ClaimAll: PrivacyMetrics.membershipF1(memberDistances: dm, nonMemberDistances: dn, theta: .infinity),
      dcr5: PrivacyMetrics.closeRecordShare(syntheticToTrain: dsy, holdoutToTrain: dho),
      exact: PrivacyMetrics.exactCopyRate(syntheticToTrain: dsy))
    return PrivacyResult(scores: scores, memberDistances: dm, nonMemberDistances: dn, syntheticToTrain: dsy, holdoutToTrain: dho)
  }

  /// **AIR**: the attribute-inference attack on training records (``TableRole/train``) and holdout records
  /// (``TableRole/holdout``), both against the synthetic table; no scores when ``EvaluationOptions/includeAttributeInference`` is off.
  static func evaluateAttributeInference(_ prepared: PreparedTables, options: EvaluationOptions) throws
    -> (knownColumns: [String], scores: [TableRole: AttributeInferenceScore]) {
    let known = options.knownColumns ?? AttributeInference.defaultKnownColumns(prepared)
    guard options.includeAttributeInference else { return (known, [:]) }
    let attack = AttributeInference(knownColumns: known, k: options.attributeNeighbors)
    return (known, [.train: try attack.run(prepared, targets: prepared.train, pool: prepared.synthetic),
                    .holdout: try attack.run(prepared, targets: prepared.holdout, pool: prepared.synthetic)])
  }

  // MARK: - Detection classifier

  /// **DET**: AUC of gradient-boosted trees telling real training rows from synthetic rows (0.5 ideal).
  /// As score.py: `n = min(#real, #synthetic, rowCap)` rows are drawn from each without replacement, shuffled
  /// together, the first half trains the classifier and the second half tests it. Deterministic per seed.
  public static func detectionAUC(_ real: Matrix, _ synthetic: Matrix, options: EvaluationOptions) -> Double? {
    let n = min(real.rows, synthetic.rows, options.rowCap ?? .max)
    if n < 2 { return nil }
    var rng = RandomSource(seed: options.seed)
    let a = real.gatherRows(Array(rng.permutation(real.rows).prefix(n)))
    let b = synthetic.gatherRows(Array(rng.permutation(synthetic.rows).prefix(n)))
    let x = Matrix.concatenateRows([a, b])
    let y = [Bool](repeating: false, count: n) + [Bool](repeating: true, count: n)
    let perm = rng.permutation(2 * n)
    let trainIdx = Array(perm[0..<n]), testIdx = Array(perm[n...])
    let model = GradientBoostedTrees.fit(x.gatherRows(trainIdx), trainIdx.map { y[$0] }, options: options.gradientBoosting)
    return ROC.auc(scores: model.predictProbability(x.gatherRows(testIdx)), labels: testIdx.map { y[$0] })
  }
}

/// Wall-clock seconds per named stage of an evaluation.
struct StageClock {
  let start: UInt64
  var mark: UInt64
  /// Seconds per stage, keyed by the names given to ``lap(_:)``.
  var stages: [String: Double] = [:]
  /// Told about each finished stage.
  let progress: (@Sendable (String, Double) -> Void)?

  /// A clock started now.
  init(progress: (@Sendable (String, Double) -> Void)? = nil) {
    start = DispatchTime.now().uptimeNanoseconds
    mark = start
    self.progress = progress
  }

  /// Records the time since the previous lap (or the start) as stage `name`.
  mutating func lap(_ name: String) {
    let now = DispatchTime.now().uptimeNanoseconds
    stages[name] = Double(now - mark) / 1e9
    mark = now
    progress?(name, stages[name]!)
  }

  /// Seconds since the clock started.
  var total: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}
