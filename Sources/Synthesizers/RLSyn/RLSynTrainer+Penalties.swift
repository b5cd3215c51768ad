//===----------------------------------------------------------------------===//
// RLSyn's penalties on the policy: mean matching, and correlation matching (full or anchored).
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

extension RLSynTrainer {
  /// The mean-matching penalty `Σ_j (E[x_j] − x̄_j)² / Var(x_j)` over the columns of ``RLSynConfiguration/meanPenaltyScope``:
  /// `x̄_j` and `Var(x_j)` are the training column's mean and variance (floored at 1e-4), and `E[x_j]` is the batch
  /// mean of the policy's expected value of column j (`expected`, from ``expectedValues(_:presence:)``), so it has a gradient.
  /// Past ``RLSynConfiguration/meanPenaltyReferenceWidth`` columns the sum is scaled down to that many columns' worth.
  func meanMatchingPenalty(expected: Variable) -> Variable {
    let target = meanPenaltyTarget
    let sum = ((expected.meanOverRows() - Variable(target.means)).squared() * Variable(target.weights)).sum()
    return target.scale == 1 ? sum : sum * target.scale
  }

  /// `n × m` expected values of the penalty's columns (μ·present, σ(logit), softmax probability), or nil when none are in scope.
  func expectedValues(_ out: RLSynPolicy.Output, presence: Matrix) -> Variable? {
    let layout = model.layout
    var expected: [Variable] = []
    if layout.gaussian.count > 0 { expected.append(out.mean * Variable(presence)) }
    if configuration.meanPenaltyScope == .all {
      if layout.bernoulli.count > 0 { expected.append(RLSynPolicy.bernoulliProbability(online.bernoulliCache(out))) }
      if layout.categorical.count > 0 { expected.append(out.categoricalLogProbabilities.exp()) }
    }
    return expected.isEmpty ? nil : Variable.concatenateColumns(expected)
  }

  /// The penalty's training means and inverse variances over the columns of ``expectedValues(_:presence:)``,
  /// and the factor `reference / width` past ``RLSynConfiguration/meanPenaltyReferenceWidth`` columns (else 1).
  static func penaltyTarget(layout: RecordLayout, configuration: RLSynConfiguration, columnMeans: Matrix,
                            inverseVariances: Matrix) -> (means: Matrix, weights: Matrix, scale: Float) {
    let columns = penaltyColumns(layout: layout, configuration: configuration)
    let means = Matrix.concatenateColumns(columns.map { columnMeans.columns($0) })
    let weights = Matrix.concatenateColumns(columns.map { inverseVariances.columns($0) })
    let width = means.cols, reference = configuration.meanPenaltyReferenceWidth
    return (means, weights, reference > 0 && width > reference ? Float(reference) / Float(width) : 1)
  }

  /// The correlation penalty's fixed parts over the mean penalty's columns: the training records' standardised
  /// second moments `T = X̃ᵀX̃ / N`, the mask `M` (1 for pairs from different source columns, 0 within one:
  /// a one-hot group's or a value's own indicator, whose products the expected values do not estimate), the
  /// standardising factors `1/sd`, and the factor `s / m` (`s` the mean penalty's width scale).
  ///
  /// In the anchored form (wide tables) `selection` is the `m × a` one-hot matrix that picks the `a` anchor columns,
  /// and `moments` and `mask` are the anchors' rows only (`a × m`): the penalty covers each anchor against every column.
  struct CorrelationTarget {
    var moments: Matrix
    var mask: Matrix
    var inverseDeviations: Matrix
    var scale: Float
    /// λc of the form in use (``RLSynConfiguration/correlationPenalty`` or ``RLSynConfiguration/anchoredCorrelationPenalty``).
    var weight: Float
    /// Picks the anchor columns (`m × a`); nil for the full form, whose moments are square and symmetric.
    var selection: Matrix? = nil
  }

  /// `(e − x̄) / sd` for expected values (or records) over the mean penalty's columns.
  func standardized(_ expected: Variable) -> Variable {
    (expected - Variable(meanPenaltyTarget.means)) * Variable(correlationPenaltyTarget!.inverseDeviations)
  }

  /// The correlation penalty is `P = s/m · Σ_jk M_jk (S_A − T)_jk (S_B − T)_jk` for standardised expected values `Ẽ`
  /// (n × m, ``standardized(_:)``), with `S_A`, `S_B` the second moments `ẼᵀẼ / rows` of the batch's first and second
  /// halves (in the anchored form `(ẼP)ᵀẼ / rows`). The two halves are independent draws, so its expectation is the
  /// squared distance `Σ M (S − T)²` of the policy's moments from the target's, without the plug-in estimate's
  /// `Var(Ŝ)` (of order 1/n per pair), whose gradient would shrink the expected values towards the means.
  ///
  /// Each minibatch's rows of `λc · ∂P/∂e · minibatches`: the gradient of the correlation penalty with respect to
  /// the expected values `e`, from the rollout's policy outputs (recomputed for minibatches without one), with the
  /// penalty over the whole rollout and its halves the first and second half of the rollout's rows (with two
  /// batches, one batch each). Each step adds `Σ e ⊙ g` to its loss: the penalty's first-order term, so its
  /// products run once per iteration instead of in every step. Times the minibatch count, so that each step
  /// pulls as hard as a penalty over its own minibatch would.
  func correlationGradients(_ minibatches: [RolloutBatch], presence: [Matrix]) -> [Matrix] {
    guard let target = correlationPenaltyTarget, !minibatches.isEmpty else { return [] }
    let expected = zip(minibatches, presence).map { b, p in
      expectedValues(b.rollout ?? online(b.z, records: b.records), presence: p)!.value
    }
    let e = standardized(Variable(Matrix.concatenateRows(expected))).value
    let halves = Self.correlationHalves(rows: e.rows)
    let a = e.rows(halves.a), b = e.rows(halves.b)
    let gradient: Matrix
    if let selection = target.selection {
      // Anchored: S_A = (Ẽ_A P)ᵀ Ẽ_A / |A| (a × m)  ⇒  ∂P/∂Ẽ_A = s/|A| · (Ẽ_A P D_B + Ẽ_A D_Bᵀ Pᵀ), D_B = M ⊙ (S_B − T).
      let anchorsA = a.matmul(selection), anchorsB = b.matmul(selection)
      let deviationA = (anchorsA.matmul(a, transposeSelf: true) * (1 / Float(a.rows)) - target.moments) * target.mask
      let deviationB = (anchorsB.matmul(b, transposeSelf: true) * (1 / Float(b.rows)) - target.moments) * target.mask
      let weight = target.scale * target.weight * Float(minibatches.count)
      func part(_ x: Matrix, _ anchors: Matrix, _ d: Matrix) -> Matrix {
        (anchors.matmul(d) + x.matmul(d, transposeOther: true).matmul(selection, transposeOther: true)) * (weight / Float(x.rows))
      }
      gradient = Matrix.concatenateRows([part(a, anchorsA, deviationB), part(b, anchorsB, deviationA)]) * target.inverseDeviations
    } else {
      // P = s Σ M (S_A − T)(S_B − T), S_A = ẼᵀẼ_A / |A|  ⇒  ∂P/∂Ẽ_A = 2s/|A| · Ẽ_A (M ⊙ (S_B − T)) (M, S, T symmetric).
      let deviationA = (a.matmul(a, transposeSelf: true) * (1 / Float(a.rows)) - target.moments) * target.mask
      let deviationB = (b.matmul(b, transposeSelf: true) * (1 / Float(b.rows)) - target.moments) * target.mask
      let weight = 2 * target.scale * target.weight * Float(minibatches.count)
      gradient = Matrix.concatenateRows([a.matmul(deviationB) * (weight / Float(a.rows)), b.matmul(deviationA) * (weight / Float(b.rows))])
        * target.inverseDeviations   // through ẽ = (e − x̄) / sd
    }
    var start = 0
    return expected.map { part in
      defer { start += part.rows }
      return gradient.rows(start..<(start + part.rows))
    }
  }

  /// The batch's two halves `A` and `B` of the correlation penalty (``correlationGradients(_:presence:)``).
  static func correlationHalves(rows n: Int) -> (a: Range<Int>, b: Range<Int>) { (0..<(n / 2), (n / 2)..<n) }

  /// The columns of ``expectedValues(_:presence:)`` as record-column ranges.
  static func penaltyColumns(layout: RecordLayout, configuration: RLSynConfiguration) -> [Range<Int>] {
    var columns: [Range<Int>] = []
    if layout.gaussian.count > 0 { columns.append(layout.gaussian) }
    if configuration.meanPenaltyScope == .all {
      if layout.bernoulli.count > 0 { columns.append(layout.bernoulli) }
      if layout.categorical.count > 0 { columns.append(layout.categorical) }
    }
    return columns
  }

  /// Records' penalty columns (`ranges`, in order), standardised by the training `means` and `inverseDeviations`.
  static func standardizedPenaltyColumns(_ records: Matrix, ranges: [Range<Int>], means: Matrix, inverseDeviations: Matrix) -> Matrix {
    let m = means.cols
    return (Matrix.concatenateColumns(ranges.map { records.columns($0) }) - means.broadcast(toRows: records.rows, cols: m))
      * inverseDeviations.broadcast(toRows: records.rows, cols: m)
  }

  /// The penalty's mask for the penalty columns `rows` (indices into `columns`) against every penalty column: 1 for
  /// pairs from different source columns, 0 within one.
  static func penaltyMask(layout: RecordLayout, columns: [Int], rows: [Int]) -> Matrix {
    var factorOf = [Int](repeating: -1, count: layout.width)
    for (k, f) in layout.factors.enumerated() { for c in f { factorOf[c] = k } }
    var mask = Matrix(rows: rows.count, cols: columns.count)
    for (i, j) in rows.enumerated() { for k in columns.indices where factorOf[columns[j]] != factorOf[columns[k]] { mask[i, k] = 1 } }
    return mask
  }

  /// ``CorrelationTarget`` for the training records `data`.
  static func correlationTarget(layout: RecordLayout, configuration: RLSynConfiguration, data: Matrix,
                                meanTarget: (means: Matrix, weights: Matrix, scale: Float)) -> CorrelationTarget {
    let ranges = penaltyColumns(layout: layout, configuration: configuration)
    let columns = ranges.flatMap { Array($0) }
    let m = columns.count
    let inverseDeviations = meanTarget.weights.map { $0.squareRoot() }
    let x = standardizedPenaltyColumns(data, ranges: ranges, means: meanTarget.means, inverseDeviations: inverseDeviations)
    let moments = x.matmul(x, transposeSelf: true) * (1 / Float(Swift.max(data.rows, 1)))
    let mask = penaltyMask(layout: layout, columns: columns, rows: Array(0..<m))
    return CorrelationTarget(moments: moments * mask, mask: mask, inverseDeviations: inverseDeviations,
                             scale: meanTarget.scale / Float(Swift.max(m, 1)), weight: configuration.correlationPenalty)
  }

  /// The penalty columns (indices into ``expectedValues(_:presence:)``'s columns) that anchor the anchored form: the
  /// Gaussian columns first, then the discrete columns of largest training variance (`1 / inverseVariances`; never
  /// one at the variance floor, a constant column), ``RLSynConfiguration/correlationPenaltyAnchors`` in all, in order.
  static func correlationAnchors(layout: RecordLayout, configuration: RLSynConfiguration, inverseVariances: Matrix) -> [Int] {
    let count = configuration.correlationPenaltyAnchors, m = inverseVariances.count
    let gaussianCount = Swift.min(layout.gaussian.count, m)
    let gaussian = Array((0..<gaussianCount).filter { inverseVariances[0, $0] < 1e4 }.prefix(count))
    let variable = (gaussianCount..<m).filter { inverseVariances[0, $0] < 1e4 }
      .sorted { inverseVariances[0, $0] < inverseVariances[0, $1] || (inverseVariances[0, $0] == inverseVariances[0, $1] && $0 < $1) }
    return (gaussian + variable.prefix(Swift.max(count - gaussian.count, 0))).sorted()
  }

  /// ``CorrelationTarget`` in the anchored form: each anchor (``correlationAnchors(layout:configuration:inverseVariances:)``)
  /// against every penalty column, with the moments accumulated over blocks of training rows (a wide table's
  /// standardised copy would be as large as the table). Scaled by `s / a`, so that each anchor's row weighs what a
  /// row of the full form weighs.
  /// Nil when no column can anchor (every one constant).
  static func anchoredCorrelationTarget(layout: RecordLayout, configuration: RLSynConfiguration, data: Matrix,
                                        meanTarget: (means: Matrix, weights: Matrix, scale: Float)) -> CorrelationTarget? {
    let ranges = penaltyColumns(layout: layout, configuration: configuration)
    let columns = ranges.flatMap { Array($0) }
    let m = columns.count
    let anchors = correlationAnchors(layout: layout, configuration: configuration, inverseVariances: meanTarget.weights)
    let a = anchors.count
    guard a > 0 else { return nil }
    var selection = Matrix(rows: m, cols: a)
    for (i, j) in anchors.enumerated() { selection[j, i] = 1 }
    let inverseDeviations = meanTarget.weights.map { $0.squareRoot() }
    var moments = Matrix(rows: a, cols: m)
    let blockRows = 8_192
    for start in stride(from: 0, to: data.rows, by: blockRows) {
      let x = standardizedPenaltyColumns(data.rows(start..<Swift.min(start + blockRows, data.rows)), ranges: ranges,
                                         means: meanTarget.means, inverseDeviations: inverseDeviations)
      moments += x.matmul(selection).matmul(x, transposeSelf: true)
    }
    moments = moments * (1 / Float(Swift.max(data.rows, 1)))
    let mask = penaltyMask(layout: layout, columns: columns, rows: anchors)
    return CorrelationTarget(moments: moments * mask, mask: mask, inverseDeviations: inverseDeviations,
                             scale: meanTarget.scale / Float(Swift.max(a, 1)), weight: configuration.anchoredCorrelationPenalty,
                             selection: selection)
  }
}
