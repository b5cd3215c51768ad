import Testing
import Foundation
import NumericCore
import TestSupport
@testable import Evaluation

@Suite struct ROCTests {
  @Test func aucOfKnownRanking() {
    // scikit-learn's documentation example.
    let auc = ROC.auc(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true])
    #expect(auc == 0.75)
  }

  @Test func aucCountsTiesAsHalf() throws {
    // Positives {1, 2, 3}, negatives {1, 2}: pairs 0.5 + 0 + 1 + 0.5 + 1 + 1 = 4 of 6.
    let auc = try #require(ROC.auc(scores: [1, 1, 2, 2, 3], labels: [false, true, false, true, true]))
    #expect(isClose(auc, 4.0 / 6.0))
    #expect(ROC.auc(scores: [7, 7, 7, 7], labels: [true, false, true, false]) == 0.5)
  }

  @Test func aucExtremesAndUndefined() {
    #expect(ROC.auc(scores: [1, 2, 3, 4], labels: [false, false, true, true]) == 1)
    #expect(ROC.auc(scores: [1, 2, 3, 4], labels: [true, true, false, false]) == 0)
    #expect(ROC.auc(scores: [1, 2], labels: [true, true]) == nil)
  }

  @Test func curveAreaEqualsAUC() throws {
    var rng = RandomSource(seed: 3)
    let scores = (0..<300).map { _ in Double(Int(rng.uniform() * 20)) }  // many ties
    let labels = scores.map { s in rng.uniform() < Float(s / 25) }
    let curve = ROC.curve(scores: scores, labels: labels)
    #expect(curve.first == ROCPoint(fpr: 0, tpr: 0))
    #expect(curve.last == ROCPoint(fpr: 1, tpr: 1))
    let auc = try #require(ROC.auc(scores: scores, labels: labels))
    #expect(isClose(ROC.trapezoidArea(curve), auc, absolute: 1e-12))
  }
}

@Suite struct StatisticsTests {
  @Test func linearQuantile() {
    #expect(isClose(Statistics.quantile([4, 1, 3, 2], 0.05), 1.15))
    #expect(Statistics.quantile([4, 1, 3, 2], 0.5) == 2.5)
    #expect(Statistics.quantile([5], 0.3) == 5)
  }

  @Test func ksStatistic() {
    #expect(Statistics.ksStatistic([1, 2, 3], [3, 2, 1]) == 0)
    #expect(Statistics.ksStatistic([1, 2, 3], [4, 5]) == 1)
    #expect(Statistics.ksStatistic([1, 2, 3, 4], [3, 4, 5, 6]) == 0.5)
    // Ties across samples: F_a(1) = 2/3, F_b(1) = 1/2.
    #expect(isClose(Statistics.ksStatistic([1, 1, 2], [1, 2]), 1.0 / 6.0))
    #expect(Statistics.ksStatistic([], [1]) == 1)
  }

  @Test func nmiOfIdenticalIndependentAndConstantColumns() {
    let a = [0, 1, 2, 0, 1, 2, 2, 1]
    #expect(isClose(Statistics.normalizedMutualInformation(a, a, ka: 3, kb: 3), 1))
    // A relabelling is still identical information.
    #expect(isClose(Statistics.normalizedMutualInformation(a, a.map { 2 - $0 }, ka: 3, kb: 3), 1))
    // Exactly independent (product design).
    #expect(Statistics.normalizedMutualInformation([0, 0, 1, 1], [0, 1, 0, 1], ka: 2, kb: 2) == 0)
    // Both constant: 1 (scikit-learn's convention); one constant: 0.
    #expect(Statistics.normalizedMutualInformation([0, 0, 0], [1, 1, 1], ka: 1, kb: 2) == 1)
    #expect(Statistics.normalizedMutualInformation([0, 0, 0], [0, 1, 1], ka: 1, kb: 2) == 0)
  }

  @Test func nmiHandComputed() {
    // MI = ½ln(4/3) + ¼ln(2/3) + ¼ln2; H(a) = ln 2; H(b) = −(¾ln¾ + ¼ln¼); sklearn gives 0.3437110184854508.
    let v = Statistics.normalizedMutualInformation([0, 0, 1, 1], [0, 0, 0, 1], ka: 2, kb: 2)
    #expect(isClose(v, 0.3437110184854508, absolute: 1e-12))
  }

  @Test func pearsonAndEntropy() {
    #expect(isClose(Statistics.pearson([1, 2, 3], [2, 4, 6]), 1))
    #expect(isClose(Statistics.pearson([1, 2, 3], [3, 2, 1]), -1))
    #expect(Statistics.pearson([1, 1, 1], [1, 2, 3]) == 0)
    #expect(isClose(Statistics.entropy(counts: [1, 1]), 0.6931471805599453))
    #expect(Statistics.entropy(counts: [5, 0]) == 0)
  }
}

@Suite struct FidelityTests {
  @Test func dwdIsSumOfMeanDifferences() {
    let a = Matrix([[0, 1], [1, 1]]), b = Matrix([[0, 0], [0, 1]])
    // |0.5 − 0| + |1 − 0.5|
    #expect(isClose(FidelityMetrics.dimensionWiseDistance(a, b), 1.0))
    #expect(FidelityMetrics.dimensionWiseDistance(a, a) == 0)
  }

  @Test func totalVariation() {
    #expect(isClose(FidelityMetrics.totalVariation([0, 0, 1, 1], [0, 1, 1, 1], levels: 2), 0.25))
    #expect(FidelityMetrics.totalVariation([0, 1], [2, 2], levels: 3) == 1)
  }

  @Test func correlationDifference() {
    let x = Matrix([[0, 0], [1, 1], [2, 2], [3, 3]])
    let y = Matrix([[0, 3], [1, 2], [2, 1], [3, 0]])
    #expect(isClose(FidelityMetrics.correlationDifference(x, x), 0, absolute: 1e-6))
    #expect(isClose(FidelityMetrics.correlationDifference(x, y), 2, absolute: 1e-6))
    // A constant column correlates 0 with everything.
    let c = Matrix([[1, 0], [1, 1], [1, 2]])
    #expect(FidelityMetrics.correlationMatrix(c)[1] == 0)
  }

  @Test func associationMeasures() {
    // Cramér's V of a perfect 1:1 mapping is 1; of an exactly independent design 0.
    #expect(isClose(FidelityMetrics.cramersV([0, 1, 2, 0, 1, 2], 3, [2, 0, 1, 2, 0, 1], 3), 1))
    #expect(isClose(FidelityMetrics.cramersV([0, 0, 1, 1], 2, [0, 1, 0, 1], 2), 0))
    // η: values fully determined by the category → 1; equal group means → 0.
    #expect(isClose(FidelityMetrics.correlationRatio(values: [1, 1, 5, 5], codes: [0, 0, 1, 1], levels: 2), 1))
    #expect(isClose(FidelityMetrics.correlationRatio(values: [1, 5, 1, 5], codes: [0, 0, 1, 1], levels: 2), 0))
  }
}

@Suite struct ClassifierTests {
  static let x = Matrix([[0, 1], [1, 0], [2, 1], [3, 0], [4, 1], [5, 0], [1, 1], [4, 0]])
  static let y = [false, false, true, false, true, true, true, false]

  @Test func logisticRegressionMatchesScikitLearn() {
    // sklearn LogisticRegression(C=1, tol=1e-12).fit(X, y): coef [0.42523276, 0.89204541], intercept −1.50910461
    let m = LogisticRegression.fit(Self.x, Self.y)
    #expect(m.converged)
    #expect(isClose(m.weights[0], 0.42523276, absolute: 1e-6))
    #expect(isClose(m.weights[1], 0.89204541, absolute: 1e-6))
    #expect(isClose(m.intercept, -1.50910461, absolute: 1e-6))
    var o = LogisticRegression.Options(); o.c = 0.1
    let s = LogisticRegression.fit(Self.x, Self.y, options: o)
    #expect(isClose(s.weights[0], 0.13433464, absolute: 1e-6))
    #expect(isClose(s.weights[1], 0.10481431, absolute: 1e-6))
    #expect(isClose(s.intercept, -0.38824374, absolute: 1e-6))
  }

  @Test func conjugateGradientSolverMatchesScikitLearnAndTheDirectSolver() {
    var cg = LogisticRegression.Options(); cg.solver = .newtonCG
    let m = LogisticRegression.fit(Self.x, Self.y, options: cg)
    #expect(m.converged)
    #expect(isClose(m.weights[0], 0.42523276, absolute: 1e-6))
    #expect(isClose(m.weights[1], 0.89204541, absolute: 1e-6))
    #expect(isClose(m.intercept, -1.50910461, absolute: 1e-6))
    // A wider problem with a constant column, an offset numeric column and sparse binary columns.
    var rng = RandomSource(seed: 3)
    let n = 600, p = 40
    var x = Matrix(rows: n, cols: p)
    var y: [Bool] = []
    for i in 0..<n {
      var t: Float = -1
      for j in 0..<p {
        let v: Float = j == 0 ? 5 : j == 1 ? 60 + 15 * rng.normal() : (rng.uniform() < 0.1 ? 1 : 0)
        x[i, j] = v
        if j == 1 { t += 0.04 * (v - 60) } else if j > 1 && j < 8 { t += v * Float(j - 4) * 0.5 }
      }
      y.append(rng.uniform() < 1 / (1 + exp(-t)))
    }
    var direct = LogisticRegression.Options(); direct.solver = .newton
    let a = LogisticRegression.fit(x, y, options: direct), b = LogisticRegression.fit(x, y, options: cg)
    #expect(a.converged && b.converged)
    #expect(b.weights[0] == 0)
    for j in 0..<p { #expect(isClose(a.weights[j], b.weights[j], absolute: 1e-5), "weight \(j)") }
    #expect(isClose(a.intercept, b.intercept, absolute: 1e-4))
  }

  @Test func logisticRegressionHandlesConstantFeatureAndSeparableData() {
    // Column 1 constant; the data are separable, the penalty keeps the weights finite.
    let x = Matrix([[0, 7], [1, 7], [2, 7], [3, 7]])
    let m = LogisticRegression.fit(x, [false, false, true, true])
    #expect(m.converged)
    #expect(m.weights[1] == 0)
    #expect(m.weights[0] > 0 && m.weights[0].isFinite)
    let p = m.predictProbability(x)
    #expect(p[0] < p[1] && p[1] < p[2] && p[2] < p[3])
  }

  @Test func binThresholdsAreMidpoints() {
    #expect(GradientBoostedTrees.binThresholds([3, 1, 2, 2], maxBins: 255) == [1.5, 2.5])
    #expect(GradientBoostedTrees.binThresholds([5, 5], maxBins: 255) == [])
    // More distinct values than bins: maxBins − 1 percentile midpoints.
    let many = (0..<1000).map { Float($0) }
    let t = GradientBoostedTrees.binThresholds(many, maxBins: 10)
    #expect(t.count == 9)
    #expect(t[0] == 99.5)  // percentile 10 of 0…999, midpoint method
    let bins = GradientBoostedTrees.bin(Matrix.column([1, 1.5, 2, 3]), [[1.5, 2.5]])
    #expect(bins == [0, 0, 1, 2])
  }

  @Test func boostingLearnsAStepAndAnInteraction() throws {
    var rng = RandomSource(seed: 11)
    let n = 2000
    let x = rng.uniformMatrix(rows: n, cols: 3)
    // XOR of two thresholds: no linear model can do better than chance.
    let y = (0..<n).map { (x[$0, 0] > 0.5) != (x[$0, 1] > 0.5) }
    let gb = GradientBoostedTrees.fit(x, y)
    #expect(gb.treeCount == 100)
    let test = rng.uniformMatrix(rows: 1000, cols: 3)
    let yt = (0..<1000).map { (test[$0, 0] > 0.5) != (test[$0, 1] > 0.5) }
    let auc = try #require(ROC.auc(scores: gb.predictProbability(test), labels: yt))
    #expect(auc > 0.98)
    let lr = LogisticRegression.fit(x, y)
    let lrAUC = try #require(ROC.auc(scores: lr.predictProbability(test), labels: yt))
    #expect(lrAUC < 0.65)
  }

  /// scikit-learn's automatic early stopping above 10,000 rows: noise labels stop after a few rounds, a
  /// learnable signal keeps its accuracy, and without early stopping all 100 rounds run.
  @Test func boostingStopsEarlyOnLargeFitsOnly() throws {
    var rng = RandomSource(seed: 12)
    let n = 12_000
    let x = rng.uniformMatrix(rows: n, cols: 4)
    let noise = (0..<n).map { _ in rng.uniform() < 0.3 }
    let stopped = GradientBoostedTrees.fit(x, noise)
    #expect(stopped.treeCount >= 10 && stopped.treeCount < 40)
    let signal = (0..<n).map { i in (x[i, 0] > 0.5) != (x[i, 1] > 0.5) || rng.uniform() < 0.1 }
    var off = GradientBoostedTrees.Options()
    off.earlyStoppingAbove = nil
    let full = GradientBoostedTrees.fit(x, signal, options: off)
    let early = GradientBoostedTrees.fit(x, signal)
    #expect(full.treeCount == 100 && early.treeCount >= 10)
    let test = rng.uniformMatrix(rows: 2000, cols: 4)
    let yt = (0..<2000).map { (test[$0, 0] > 0.5) != (test[$0, 1] > 0.5) }
    let aucFull = try #require(ROC.auc(scores: full.predictProbability(test), labels: yt))
    let aucEarly = try #require(ROC.auc(scores: early.predictProbability(test), labels: yt))
    #expect(aucFull > 0.95 && abs(aucFull - aucEarly) < 0.01)
    // At or below the threshold nothing changes.
    let small = GradientBoostedTrees.fit(x.rows(0..<10_000), Array(noise[0..<10_000]))
    #expect(small.treeCount == 100)
  }

  /// Histograms from the set rows of sparse two-bin features give the row loop's trees (up to rounding).
  @Test func sparseHistogramsGiveTheSameTrees() throws {
    var rng = RandomSource(seed: 13)
    let n = 3_000, p = 153
    let x = Matrix(rows: n, cols: p) { out in
      for i in 0..<n * p { out[i] = i % p < 3 ? rng.uniform() : (rng.uniform() < 0.04 ? 1 : 0) }
    }
    let y = (0..<n).map { i in x[i, 0] + x[i, 5] + x[i, 9] - x[i, 20] + 0.3 * rng.uniform() > 0.8 }
    var sparse = GradientBoostedTrees.Options()
    sparse.sparseHistograms = true
    let a = GradientBoostedTrees.fit(x, y), b = GradientBoostedTrees.fit(x, y, options: sparse)
    #expect(a.treeCount == b.treeCount)
    let pa = a.predictProbability(x), pb = b.predictProbability(x)
    #expect(zip(pa, pb).allSatisfy { abs($0 - $1) < 1e-6 })
    #expect(try #require(ROC.auc(scores: pa, labels: y)) > 0.9)
  }

  @Test func boostingRespectsMinimumLeafSize() {
    // 30 rows: a split needs 20 on each side, so the tree stays a single leaf and predicts the prior.
    let x = Matrix.column((0..<30).map(Float.init))
    let y = (0..<30).map { $0 >= 15 }
    let gb = GradientBoostedTrees.fit(x, y)
    let p = gb.predictProbability(x)
    #expect(p.allSatisfy { isClose($0, 0.5, absolute: 1e-9) })
  }
}

@Suite struct NearestNeighborTests {
  /// Wide sparse 0/1 codes plus a few dense columns take the inverted-index path; it must agree with brute force,
  /// weights included, and copies of reference rows must come out at distance exactly 0.
  @Test func sparseCodesMatchBruteForce() {
    var rng = RandomSource(seed: 6)
    func table(_ rows: Int) -> Matrix {
      Matrix(rows: rows, cols: 205) { out in
        for i in 0..<rows * 205 {
          let c = i % 205
          out[i] = c < 5 ? rng.uniform() : (rng.uniform() < (c % 7 == 0 ? 0.3 : 0.03) ? 1 : 0)
        }
      }
    }
    let r = table(260)
    var q = table(150)
    for i in 0..<10 { for c in 0..<205 { q[i, c] = r[3 * i, c] } }
    #expect(NearestNeighbors.sparseColumns(q, r).count > 150)
    let weights = (0..<205).map { c -> Float in c % 3 == 0 ? 2 : 1 }
    for w in [nil, weights] {
      let result = NearestNeighbors.nearest(queries: q, reference: r, weights: w)
      for i in 0..<q.rows {
        var best = Double.infinity, arg = -1
        for j in 0..<r.rows {
          var s = 0.0
          for c in 0..<205 { let t = Double(q[i, c]) - Double(r[j, c]); s += Double(w?[c] ?? 1) * t * t }
          if s < best { best = s; arg = j }
        }
        #expect(abs(result.distances[i] - best.squareRoot()) < 1e-9 && result.indices[i] == arg)
        if i < 10 { #expect(result.distances[i] == 0) }
      }
    }
  }

  @Test func matchesBruteForceAndBlocking() {
    var rng = RandomSource(seed: 5)
    let q = rng.normalMatrix(rows: 137, cols: 9), r = rng.normalMatrix(rows: 211, cols: 9)
    let a = NearestNeighbors.nearest(queries: q, reference: r)
    let b = NearestNeighbors.nearest(queries: q, reference: r, blockRows: 10)
    for i in 0..<q.rows {
      var best = Double.infinity, arg = -1
      for j in 0..<r.rows {
        var s = 0.0
        for k in 0..<9 { let d = Double(q[i, k]) - Double(r[j, k]); s += d * d }
        if s < best { best = s; arg = j }
      }
      #expect(a.indices[i] == arg)
      #expect(isClose(a.distances[i], best.squareRoot(), absolute: 1e-12))
      #expect(b.indices[i] == arg && b.distances[i] == a.distances[i])
    }
  }

  @Test func identicalRowsHaveDistanceExactlyZero() {
    var rng = RandomSource(seed: 6)
    // Large offsets make the GEMM formula lose precision; the exact re-check must still give 0.
    let r = rng.uniformMatrix(rows: 300, cols: 40) + 1000
    let q = r.gatherRows(Array((0..<300).reversed()))
    let res = NearestNeighbors.nearest(queries: q, reference: r, blockRows: 64)
    #expect(res.distances.allSatisfy { $0 == 0 })
    #expect(res.indices == Array((0..<300).reversed()))
  }
}

@Suite struct PrivacyTests {
  @Test func membershipOfACopyIsOneAndOfNoiseAboutHalf() throws {
    var rng = RandomSource(seed: 7)
    let train = rng.uniformMatrix(rows: 400, cols: 6), holdout = rng.uniformMatrix(rows: 400, cols: 6)
    let copy = NearestNeighbors.nearest(queries: Matrix.concatenateRows([train, holdout]), reference: train)
    let auc = try #require(PrivacyMetrics.membershipAUC(memberDistances: Array(copy.distances[0..<400]),
                                                        nonMemberDistances: Array(copy.distances[400...])))
    #expect(auc == 1)
    let noise = rng.uniformMatrix(rows: 400, cols: 6)
    let fresh = NearestNeighbors.nearest(queries: Matrix.concatenateRows([train, holdout]), reference: noise)
    let auc2 = try #require(PrivacyMetrics.membershipAUC(memberDistances: Array(fresh.distances[0..<400]),
                                                         nonMemberDistances: Array(fresh.distances[400...])))
    #expect(abs(auc2 - 0.5) < 0.06)
  }

  @Test func gridAUCHandComputed() {
    // θ = .1: (FPR 0, TPR .5); θ = .2: (.5, 1); θ = .3: (1, 1) → .375 + .5
    let v = PrivacyMetrics.membershipGridAUC(memberDistances: [0.1, 0.2], nonMemberDistances: [0.15, 0.3], grid: [0.1, 0.2, 0.3])
    #expect(isClose(v, 0.875))
    #expect(PrivacyMetrics.paperGrid.count == 94)
    #expect(isClose(PrivacyMetrics.paperGrid.last!, 4.7))
    #expect(PrivacyMetrics.paperLargeGrid.count == 210)
    #expect(isClose(PrivacyMetrics.paperLargeGrid[1], 0.1) && isClose(PrivacyMetrics.paperLargeGrid.last!, 10.5))
  }

  @Test func wideTablesGetTheMIMICGrid() {
    #expect(PrivacyMetrics.paperGrid(columns: 49) == PrivacyMetrics.paperGrid)
    #expect(PrivacyMetrics.paperGrid(columns: 1_460) == PrivacyMetrics.paperLargeGrid)
    // Distances of a wide table (past 4.7), members closer: the small grid sees no point, the large one the curve.
    let members = (0..<50).map { 5 + Double($0) * 0.05 }, nonMembers = (0..<50).map { 6 + Double($0) * 0.05 }
    #expect(PrivacyMetrics.membershipGridAUC(memberDistances: members, nonMemberDistances: nonMembers, grid: PrivacyMetrics.paperGrid) == 0)
    #expect(PrivacyMetrics.membershipGridAUC(memberDistances: members, nonMemberDistances: nonMembers,
                                             grid: PrivacyMetrics.paperGrid(columns: 1_460)) > 0.8)
  }

  @Test func f1RiskHandComputed() {
    // Squared distances: members 1, 4, 36 → 2 claimed of 3; non-members 4, 49 → 1 claimed at θ = 5.
    let f1 = PrivacyMetrics.membershipF1(memberDistances: [1, 2, 6], nonMemberDistances: [2, 7], theta: 5)
    #expect(isClose(f1, 2.0 / (2.0 + (1.0 + 1.0) / 2)))
    // Claim everyone: tp = 3, fp = 2, fn = 0.
    #expect(isClose(PrivacyMetrics.membershipF1(memberDistances: [1, 2, 6], nonMemberDistances: [2, 7], theta: .infinity), 3.0 / 4.0))
  }

  @Test func closeRecordsAndExactCopies() {
    // Holdout distances 1…20: the 5th percentile is 1.95; synthetic rows at 0, 0, 1.9, 3 → 3 of 4 below.
    let ho = (1...20).map(Double.init)
    #expect(isClose(PrivacyMetrics.closeRecordShare(syntheticToTrain: [0, 0, 1.9, 3], holdoutToTrain: ho), 0.75))
    #expect(PrivacyMetrics.exactCopyRate(syntheticToTrain: [0, 0, 1.9, 3]) == 0.5)
  }
}
