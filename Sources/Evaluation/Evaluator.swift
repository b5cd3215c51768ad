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
  /// θ grid (Euclidean distance) of the paper's grid membership AUC.
  public var membershipGrid: [Double] = PrivacyMetrics.paperGrid
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
  /// The defaults described in docs/evaluation.md.
  public init() {}
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
public struct EvaluationSummary: Sendable, Codable {
  /// Row counts of the three tables.
  public var rows: [String: Int]
  /// The outcome column and its positive level.
  public var outcome: String
  /// The outcome level counted as positive.
  public var positiveLevel: String
  /// Flat metrics with score.py's names (`R2R_lr`, `S2R_gb`, `DWD`, `MIA`, …) plus our additions.
  /// `nil` where undefined (e.g. R2S when the synthetic outcome has one class).
  public var metrics: [String: Double?]
  /// KS/TV per column.
  public var columns: [ColumnFidelity]
  /// Attribute inference on training records (members) and on holdout records (non-members).
  public var attributeInference: [String: AttributeInferenceScore]
  /// The columns the attribute-inference attacker knew.
  public var attributeInferenceKnownColumns: [String]
  /// Classifier settings and convergence notes.
  public var notes: [String]
  /// Wall-clock seconds of the evaluation.
  public var seconds: Double
  /// Wall-clock seconds per stage (parse, utility, fidelity, detection, distances, attribute inference).
  public var stageSeconds: [String: Double]
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
  /// ROC curves, keyed by classifier then "R2R"/"S2R".
  public var rocCurves: [ClassifierKind: [String: [ROCPoint]]]
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

/// Real-vs-synthetic marginal of one column.
public struct Marginal: Sendable {
  /// The column name.
  public var name: String
  /// Numeric (histogram) or categorical (level shares).
  public var kind: EvaluationColumnKind
  /// Bar labels (levels, or bin ranges).
  public var labels: [String]
  /// Numeric columns: the `labels.count + 1` bin edges.
  public var edges: [Double]
  /// Shares of real (training) and synthetic rows per bar (missing shown as its own bar).
  public var real: [Double]
  /// Shares of synthetic rows per bar.
  public var synthetic: [Double]
  /// KS or TV of the column.
  public var distance: Double
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
    let start = DispatchTime.now().uptimeNanoseconds
    var stageSeconds: [String: Double] = [:]
    var mark = start
    func lap(_ name: String) {
      let now = DispatchTime.now().uptimeNanoseconds
      stageSeconds[name] = Double(now - mark) / 1e9
      mark = now
    }
    let prepared = try PreparedTables(train: train, holdout: holdout, synthetic: synthetic, outcome: outcome, typing: typing)
    var metrics: [String: Double?] = [:]
    var notes: [String] = []
    lap("parse")

    // Utility (outcome excluded from the features).
    let uenc = TableEncoding(prepared, excluding: [prepared.outcomeIndex])
    let xtr = uenc.encode(prepared.train, prepared), xho = uenc.encode(prepared.holdout, prepared)
    let xsy = uenc.encode(prepared.synthetic, prepared)
    let ytr = prepared.labels(prepared.train), yho = prepared.labels(prepared.holdout), ysy = prepared.labels(prepared.synthetic)
    let synthTwoClasses = Set(ysy).count == 2
    if !synthTwoClasses { notes.append("synthetic outcome has one class: S2R set to 0.5 (as score.py), R2S undefined") }
    var rocCurves: [ClassifierKind: [String: [ROCPoint]]] = [:]
    for kind in ClassifierKind.allCases {
      let real = kind.fit(xtr, ytr, lr: options.logisticRegression, gb: options.gradientBoosting)
      if let lr = real as? LogisticRegression {
        notes.append("LR (train): \(lr.iterations) Newton steps, scaled gradient \(String(format: "%.1e", lr.gradientNorm))\(lr.converged ? "" : " (NOT converged)")")
      }
      let pHo = real.predictProbability(xho)
      var scores = UtilityScores()
      scores.r2r = ROC.auc(scores: pHo, labels: yho)
      scores.r2s = ROC.auc(scores: real.predictProbability(xsy), labels: ysy)
      var curves = ["R2R": ROC.curve(scores: pHo, labels: yho, maxPoints: 400)]
      if synthTwoClasses {
        let synth = kind.fit(xsy, ysy, lr: options.logisticRegression, gb: options.gradientBoosting)
        if let lr = synth as? LogisticRegression, !lr.converged {
          notes.append("LR (synthetic): NOT converged after \(lr.iterations) steps")
        }
        let pS = synth.predictProbability(xho)
        scores.s2r = ROC.auc(scores: pS, labels: yho)
        curves["S2R"] = ROC.curve(scores: pS, labels: yho, maxPoints: 400)
      } else {
        scores.s2r = 0.5
      }
      rocCurves[kind] = curves
      metrics["R2R_\(kind.rawValue)"] = scores.r2r
      metrics["S2R_\(kind.rawValue)"] = scores.s2r
      metrics["R2S_\(kind.rawValue)"] = scores.r2s
      metrics["ratio_\(kind.rawValue)"] = scores.ratio
    }

    lap("utility")
    // Fidelity (all columns, outcome included).
    let fenc = TableEncoding(prepared)
    let ftr = fenc.encode(prepared.train, prepared), fsy = fenc.encode(prepared.synthetic, prepared)
    metrics["DWD"] = FidelityMetrics.dimensionWiseDistance(ftr, fsy)
    var columnFidelity: [ColumnFidelity] = []
    var marginals: [Marginal] = []
    for (c, info) in prepared.columns.enumerated() {
      let value: Double
      if info.kind == .numeric {
        value = Statistics.ksStatistic(prepared.train.numbers[c].filter { !$0.isNaN }, prepared.synthetic.numbers[c].filter { !$0.isNaN })
      } else {
        value = FidelityMetrics.totalVariation(prepared.train.codes[c], prepared.synthetic.codes[c], levels: info.levels.count)
      }
      columnFidelity.append(ColumnFidelity(name: info.name, kind: info.kind, statistic: info.kind == .numeric ? "KS" : "TV", value: value))
      marginals.append(marginal(prepared, column: c, distance: value, bins: options.histogramBins))
    }
    metrics["KS_TV"] = columnFidelity.map(\.value).reduce(0, +) / Double(max(columnFidelity.count, 1))
    let m = prepared.columns.count
    metrics["NMI"] = FidelityMetrics.meanUpperDifference(FidelityMetrics.nmiMatrix(prepared, prepared.train),
                                                         FidelityMetrics.nmiMatrix(prepared, prepared.synthetic), side: m)
    metrics["CORR"] = FidelityMetrics.correlationDifference(ftr, fsy)
    let assocReal = FidelityMetrics.associationMatrix(prepared, prepared.train)
    let assocSynth = FidelityMetrics.associationMatrix(prepared, prepared.synthetic)
    metrics["ASSOC"] = FidelityMetrics.meanUpperDifference(assocReal, assocSynth, side: m)
    lap("fidelity")
    metrics["DET"] = options.includeDetection ? detectionAUC(ftr, fsy, options: options) : nil
    lap("detection")

    // Privacy (all columns, outcome included; same encoding as fidelity).
    let pho = fenc.encode(prepared.holdout, prepared)
    let toSynth = NearestNeighbors.nearest(queries: Matrix.concatenateRows([ftr, pho]), reference: fsy)
    let dm = Array(toSynth.distances[0..<ftr.rows]), dn = Array(toSynth.distances[ftr.rows...])
    metrics["MIA"] = PrivacyMetrics.membershipAUC(memberDistances: dm, nonMemberDistances: dn)
    metrics["MIA_grid"] = PrivacyMetrics.membershipGridAUC(memberDistances: dm, nonMemberDistances: dn, grid: options.membershipGrid)
    for t in options.membershipThetas {
      metrics["F1_theta\(formatNumber(t))"] = PrivacyMetrics.membershipF1(memberDistances: dm, nonMemberDistances: dn, theta: t)
    }
    metrics["F1_claim_all"] = PrivacyMetrics.membershipF1(memberDistances: dm, nonMemberDistances: dn, theta: .infinity)
    let toTrain = NearestNeighbors.nearest(queries: Matrix.concatenateRows([fsy, pho]), reference: ftr)
    let dsy = Array(toTrain.distances[0..<fsy.rows]), dho = Array(toTrain.distances[fsy.rows...])
    metrics["DCR5"] = PrivacyMetrics.closeRecordShare(syntheticToTrain: dsy, holdoutToTrain: dho)
    metrics["EXACT"] = PrivacyMetrics.exactCopyRate(syntheticToTrain: dsy)
    lap("distances")
    let known = options.knownColumns ?? AttributeInference.defaultKnownColumns(prepared)
    let attack = AttributeInference(knownColumns: known, k: options.attributeNeighbors)
    var attributeInference: [String: AttributeInferenceScore] = [:]
    if options.includeAttributeInference {
      attributeInference["train"] = try attack.run(prepared, targets: prepared.train, pool: prepared.synthetic)
      attributeInference["holdout"] = try attack.run(prepared, targets: prepared.holdout, pool: prepared.synthetic)
    }
    metrics["AIR_train"] = attributeInference["train"]?.risk
    metrics["AIR_holdout"] = attributeInference["holdout"]?.risk
    metrics["n_syn"] = Double(prepared.synthetic.rowCount)
    lap("attribute inference")

    notes.append("LR: L2, C=\(formatNumber(options.logisticRegression.c)), Newton, tolerance \(options.logisticRegression.tolerance); GB: \(options.gradientBoosting.maxIterations) rounds, learning rate \(options.gradientBoosting.learningRate), ≤\(options.gradientBoosting.maxLeafNodes) leaves, min leaf \(options.gradientBoosting.minSamplesLeaf), ≤\(options.gradientBoosting.maxBins) bins")
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let summary = EvaluationSummary(
      rows: ["train": prepared.train.rowCount, "holdout": prepared.holdout.rowCount, "synthetic": prepared.synthetic.rowCount],
      outcome: outcome, positiveLevel: prepared.positiveLevel, metrics: metrics, columns: columnFidelity,
      attributeInference: attributeInference, attributeInferenceKnownColumns: known,
      notes: notes, seconds: seconds, stageSeconds: stageSeconds)
    let details = EvaluationDetails(
      columns: prepared.columns, marginals: marginals, associationReal: assocReal, associationSynthetic: assocSynth,
      rocCurves: rocCurves, memberDistances: dm, nonMemberDistances: dn, syntheticToTrain: dsy, holdoutToTrain: dho,
      dcrThreshold: Statistics.quantile(dho, 0.05))
    return Evaluation(summary: summary, details: details)
  }

  /// **DET**: AUC of gradient-boosted trees telling real training rows from synthetic rows (0.5 ideal).
  /// As score.py: `n = min(#real, #synthetic)` rows are drawn from each without replacement, shuffled
  /// together, the first half trains the classifier and the second half tests it. Deterministic per seed.
  public static func detectionAUC(_ real: Matrix, _ synthetic: Matrix, options: EvaluationOptions) -> Double? {
    let n = min(real.rows, synthetic.rows)
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

  /// Real-vs-synthetic marginal of one column: equal-width bins over the training range for
  /// numeric columns (plus a "missing" bar), level shares for categorical ones (the 15 most
  /// frequent training levels, the rest pooled as "other").
  static func marginal(_ prepared: PreparedTables, column c: Int, distance: Double, bins: Int) -> Marginal {
    let info = prepared.columns[c]
    if info.kind == .numeric {
      let lo = info.minimum, hi = info.maximum
      let k = max(1, bins)
      let width = hi > lo ? (hi - lo) / Double(k) : 1
      let edges = (0...k).map { lo + Double($0) * width }
      func shares(_ v: [Double]) -> [Double] {
        var h = [Double](repeating: 0, count: k + 1)
        for x in v {
          if x.isNaN { h[k] += 1; continue }
          h[min(max(Int(((x - lo) / width).rounded(.down)), 0), k - 1)] += 1
        }
        return h.map { $0 / Double(max(v.count, 1)) }
      }
      var real = shares(prepared.train.numbers[c]), synth = shares(prepared.synthetic.numbers[c])
      var labels = (0..<k).map { "\(short(edges[$0]))–\(short(edges[$0 + 1]))" }
      if real[k] > 0 || synth[k] > 0 { labels.append(missingLevel) } else { real.removeLast(); synth.removeLast() }
      return Marginal(name: info.name, kind: .numeric, labels: labels, edges: edges, real: real, synthetic: synth, distance: distance)
    }
    let L = info.levels.count
    var cr = [Double](repeating: 0, count: L), cs = [Double](repeating: 0, count: L)
    for v in prepared.train.codes[c] { cr[v] += 1 }
    for v in prepared.synthetic.codes[c] { cs[v] += 1 }
    let nr = Double(max(prepared.train.rowCount, 1)), ns = Double(max(prepared.synthetic.rowCount, 1))
    var order = Array(0..<L)
    let maxBars = 15
    if L > maxBars { order = order.sorted { cr[$0] > cr[$1] || (cr[$0] == cr[$1] && $0 < $1) } }
    let shown = Array(order.prefix(L > maxBars ? maxBars - 1 : L)).sorted()
    var labels = shown.map { info.levels[$0] }
    var real = shown.map { cr[$0] / nr }, synth = shown.map { cs[$0] / ns }
    if L > maxBars {
      labels.append("other")
      real.append(max(0, 1 - real.reduce(0, +))); synth.append(max(0, 1 - synth.reduce(0, +)))
    }
    return Marginal(name: info.name, kind: .categorical, labels: labels, edges: [], real: real, synthetic: synth, distance: distance)
  }

  static func short(_ v: Double) -> String {
    if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
    return String(format: abs(v) >= 100 ? "%.0f" : abs(v) >= 1 ? "%.1f" : "%.2g", v)
  }
}
