//===----------------------------------------------------------------------===//
// The generator as a stochastic policy: noise → distribution parameters per column.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks


/// RLSyn's policy π_θ(x | z) with its value head V_θ(z).
///
/// `z → Linear → ReLU → Linear → ReLU → one Linear for all heads`. The head layer's output is
/// split into blocks, so every distribution family is handled as one matrix:
/// - Gaussian columns: mean μ and log-std, the latter squashed into `logStdRange` by a sigmoid
///   (or, with a shared log-std, one learned value per column);
/// - Bernoulli columns: one logit each;
/// - categorical groups: logits normalised by a grouped log-softmax (one level per group);
/// - the value V(z).
///
/// A record is one action; `log π(x|z)` sums the per-column log-densities, where a Gaussian
/// value whose missingness indicator is 1 does not count (it is not generated; its slot holds 0).
public final class RLSynPolicy: ParameterContainer {
  public let layout: RecordLayout
  public let noiseDimension: Int
  public let logStdRange: ClosedRange<Float>
  let hidden1: Linear
  let hidden2: Linear
  let heads: Linear

  /// Distribution parameters for a batch of noise vectors.
  public struct Output {
    /// `n × dg` Gaussian means.
    public let mean: Variable
    /// `n × dg` Gaussian log standard deviations (within `logStdRange`).
    public let logStd: Variable
    /// `n × db` Bernoulli logits.
    public let bernoulliLogits: Variable
    /// `n × dc` log-probabilities of every categorical level (normalised within each group).
    public let categoricalLogProbabilities: Variable
    /// `n × 1` value estimates.
    public let value: Variable
    /// σ and softplus of `bernoulliLogits`, shared by the PPO step's terms (``RLSynPolicy/bernoulliCache(_:)``).
    var bernoulliCache: BernoulliCache? = nil
  }

  /// A log-std per column shared by every record (the reference code's `log_sigma`), when the
  /// policy has no per-record log-std head; `1 × dg`, clamped to `logStdRange`.
  let sharedLogStd: Variable?

  /// The autoregressive map from a record to the heads (`width × heads`, starts at 0), nil for the paper's policy.
  let feedback: Variable?
  /// `feedback`'s fixed 0/1 mask: record column i reaches head output k only if i's block comes before k's.
  let feedbackMask: Matrix?
  /// The record columns of each block, in drawing order (one block when the policy is not autoregressive).
  let blockColumns: [[Int]]
  /// Each block's columns by kind, for drawing (empty when the policy is not autoregressive).
  let blockPlans: [BlockPlan]

  /// - Parameters:
  ///   - perRecordLogStd: a log-std head output per record (the paper's text) or one learned log-std per column
  ///     (the reference code).
  ///   - autoregressiveBlocks: blocks drawn in order (1: every column at once, the paper's policy; more than the
  ///     record's source columns: one block each).
  public init(layout: RecordLayout, noiseDimension: Int, width: Int, logStdRange: ClosedRange<Float>,
              perRecordLogStd: Bool = true, autoregressiveBlocks: Int = 1, rng: inout RandomSource) {
    self.layout = layout
    self.noiseDimension = noiseDimension
    self.logStdRange = logStdRange
    hidden1 = Linear(noiseDimension, width, rng: &rng, name: "policy.hidden1")
    hidden2 = Linear(width, width, rng: &rng, name: "policy.hidden2")
    let dg = layout.gaussian.count
    heads = Linear(width, (perRecordLogStd ? 2 : 1) * dg + layout.bernoulli.count + layout.categorical.count + 1, rng: &rng, name: "policy.heads")
    sharedLogStd = perRecordLogStd ? nil : Variable(Matrix(rows: 1, cols: dg), requiresGradient: true, name: "policy.logStd")
    blockColumns = Self.blocks(of: layout, count: autoregressiveBlocks)
    blockPlans = blockColumns.count > 1 ? blockColumns.map { BlockPlan(columns: $0, layout: layout) } : []
    if blockColumns.count > 1 {
      feedbackMask = Self.feedbackMask(layout: layout, blocks: blockColumns, perRecordLogStd: perRecordLogStd, heads: heads.outputCount)
      feedback = Variable(Matrix(rows: layout.width, cols: heads.outputCount), requiresGradient: true, name: "policy.feedback.weight")
    } else {
      (feedbackMask, feedback) = (nil, nil)
    }
  }

  /// The policy a configuration describes (random weights from `rng`).
  public convenience init(configuration: RLSynConfiguration, layout: RecordLayout, rng: inout RandomSource) {
    self.init(layout: layout, noiseDimension: configuration.noiseDimension, width: configuration.policyWidth,
              logStdRange: configuration.logStdRange, perRecordLogStd: configuration.logStd == .perRecord,
              autoregressiveBlocks: configuration.autoregressiveBlocks(width: layout.width), rng: &rng)
  }

  public var parameters: [Variable] {
    hidden1.parameters + hidden2.parameters + heads.parameters + (sharedLogStd.map { [$0] } ?? []) + (feedback.map { [$0] } ?? [])
  }

  // Column blocks of the head layer's output.
  var meanColumns: Range<Int> { 0..<layout.gaussian.count }
  var logStdColumns: Range<Int> { let s = layout.gaussian.count; return s..<(s + (sharedLogStd == nil ? layout.gaussian.count : 0)) }
  var bernoulliColumns: Range<Int> { let s = logStdColumns.upperBound; return s..<(s + layout.bernoulli.count) }
  var categoricalColumns: Range<Int> { let s = bernoulliColumns.upperBound; return s..<(s + layout.categorical.count) }
  var valueColumn: Range<Int> { let s = categoricalColumns.upperBound; return s..<(s + 1) }

  /// Distribution parameters and values for noise `z` (`n × noiseDimension`); an autoregressive policy also needs the
  /// `records` drawn for `z` (each block's parameters depend on the earlier blocks' values).
  public func callAsFunction(_ z: Variable, records: Matrix? = nil) -> Output {
    var out = headLayer(z)
    if let feedback, let feedbackMask {
      guard let records else { preconditionFailure("an autoregressive policy's output needs the records") }
      out = out + Variable(records).matmul(feedback * Variable(feedbackMask))
    }
    return output(heads: out, rows: z.rows)
  }

  /// The head layer's output for `z`, before any record feedback.
  func headLayer(_ z: Variable) -> Variable { heads(hidden2(hidden1(z, activation: .relu), activation: .relu)) }

  /// The head layer's output for noise `z` without its bias, as a constant (no gradient reaches the noise path).
  func noisePathWithoutBias(_ z: Matrix) -> Variable {
    var out = headLayer(Variable(z)).value
    let bias = heads.bias.value, k = out.cols, n = out.rows
    out.withUnsafeMutableBufferPointer { o in
      for i in 0..<n { for j in 0..<k { o[i * k + j] -= bias.storage[j] } }
    }
    return Variable(out)
  }

  /// The distribution parameters in the head layer's output `out` (`rows` records).
  func output(heads out: Variable, rows: Int) -> Output {
    let lo = logStdRange.lowerBound, span = logStdRange.upperBound - logStdRange.lowerBound
    let bernoulliLogits = out.columns(bernoulliColumns)
    return Output(
      mean: out.columns(meanColumns),
      logStd: sharedLogStd.map { $0.clamped(lower: lo, upper: lo + span).broadcast(toRows: rows, cols: layout.gaussian.count) }
        ?? out.columns(logStdColumns).sigmoid() * span + lo,
      bernoulliLogits: bernoulliLogits,
      categoricalLogProbabilities: out.columns(categoricalColumns).logSoftmax(groups: layout.localCategoricalGroups),
      value: out.columns(valueColumn), bernoulliCache: BernoulliCache(logits: bernoulliLogits))
  }

  /// Sets the head biases so that, with small head weights, the initial policy reproduces
  /// the marginals of `data` (encoded records): prevalences, level frequencies, column means
  /// and standard deviations. The head weights are scaled down so that `z` starts as a small
  /// perturbation that training grows.
  public func initializeToMarginals(of data: Matrix, weightScale: Float = 0.1) {
    let presence = layout.presenceMask(data)
    let moments = (0..<layout.gaussian.count).map { j -> (mean: Double, deviation: Double) in
      // Mean and spread over the records where the value is present.
      var s = 0.0, s2 = 0.0, n = 0.0
      for i in 0..<data.rows where presence[i, j] > 0 {
        let v = Double(data[i, layout.gaussian.lowerBound + j]); s += v; s2 += v * v; n += 1
      }
      let mu = n > 0 ? s / n : 0
      return (mu, n > 1 ? Swift.max((s2 / n - mu * mu).squareRoot(), 1e-3) : 1)
    }
    initializeToMarginals(means: data.meanOverRows(), gaussianMoments: moments, weightScale: weightScale)
  }

  /// ``initializeToMarginals(of:weightScale:)`` from summaries alone: the encoded columns' `means` (Bernoulli rates,
  /// level shares) and each Gaussian column's mean and standard deviation where present. A private fit passes its
  /// noisy released means and the quantile scores' (0, 1).
  public func initializeToMarginals(means: Matrix, gaussianMoments: [(mean: Double, deviation: Double)], weightScale: Float = 0.1) {
    heads.weight.value.scale(by: weightScale)
    var bias = heads.bias.value
    let dg = layout.gaussian.count
    let lo = logStdRange.lowerBound, span = logStdRange.upperBound - logStdRange.lowerBound
    for j in 0..<dg {
      let mu = gaussianMoments[j].mean, sd = gaussianMoments[j].deviation
      bias[0, meanColumns.lowerBound + j] = Float(mu)
      if let sharedLogStd {
        sharedLogStd.value[0, j] = Swift.min(Swift.max(Float(Foundation.log(sd)), lo), lo + span)
      } else {
        let unit = Swift.min(Swift.max((Float(Foundation.log(sd)) - lo) / span, 0.02), 0.98)
        bias[0, logStdColumns.lowerBound + j] = Float(Foundation.log(Double(unit / (1 - unit))))
      }
    }
    for (k, j) in layout.bernoulli.enumerated() {
      let p = Swift.min(Swift.max(Double(means[0, j]), 1e-3), 1 - 1e-3)
      bias[0, bernoulliColumns.lowerBound + k] = Float(Foundation.log(p / (1 - p)))
    }
    for (k, j) in layout.categorical.enumerated() {
      bias[0, categoricalColumns.lowerBound + k] = Float(Foundation.log(Swift.max(Double(means[0, j]), 1e-3)))
    }
    bias[0, valueColumn.lowerBound] = 0.5
    heads.bias.value = bias
  }

  // MARK: Sampling

  /// Draws one record per row of `output`. Missing Gaussian values (indicator sampled as 1) are written as 0.
  public func sample(_ output: Output, rng: inout RandomSource) -> Matrix {
    let n = output.mean.rows, w = layout.width
    var records = Matrix(rows: n, cols: w)
    let dg = layout.gaussian.count, db = layout.bernoulli.count, dc = layout.categorical.count
    let g0 = layout.gaussian.lowerBound, b0 = layout.bernoulli.lowerBound, c0 = layout.categorical.lowerBound
    let mean = output.mean.value, logStd = output.logStd.value
    // σ of every logit in one vectorised pass, shared with the log-probabilities of the same output.
    let probabilities = db > 0 ? bernoulliCache(output).probabilities : Matrix(rows: 0, cols: 0)
    let catLog = output.categoricalLogProbabilities.value
    let groups = layout.localCategoricalGroups
    records.withUnsafeMutableBufferPointer { r in
      for i in 0..<n {
        let row = r.baseAddress! + i * w
        for j in 0..<dg {
          row[g0 + j] = mean.storage[i * dg + j] + FastMath.exp(logStd.storage[i * dg + j]) * rng.normal()
        }
        probabilities.storage.withUnsafeBufferPointer { p in
          let probability = p.baseAddress! + i * db
          for j in 0..<db { row[b0 + j] = rng.uniform() < probability[j] ? 1 : 0 }
        }
        for g in groups {
          // Inverse CDF within the group.
          let u = rng.uniform()
          var acc: Float = 0
          var chosen = g.upperBound - 1
          for j in g {
            acc += FastMath.exp(catLog.storage[i * dc + j])
            if u < acc { chosen = j; break }
          }
          row[c0 + chosen] = 1
        }
      }
    }
    return layout.fillMissingValues(records)
  }

  // MARK: Log-probabilities and entropy

  /// `log π(x | z)` of each record (`n × 1`), differentiable with respect to the policy parameters.
  public func logProbability(of records: Matrix, under output: Output) -> Variable {
    logProbabilityPerColumn(of: records, under: output).sumOverColumns()
  }

  /// Each record column's log-probability term (`n × width`): Gaussian log-densities (0 where the value is missing),
  /// Bernoulli log-probabilities, and `x · log p` for categorical levels (a group's terms sum to the chosen level's
  /// log-probability). Summed over a factor's columns they give the factor's log-probability.
  public func logProbabilityPerColumn(of records: Matrix, under output: Output) -> Variable {
    var terms: [Variable] = []
    if layout.gaussian.count > 0 {
      let x = Variable(records.columns(layout.gaussian))
      let presence = Variable(layout.presenceMask(records))
      let standardized = (x - output.mean) * (-output.logStd).exp()
      terms.append((standardized.squared() * -0.5 - output.logStd - 0.5 * Float(Foundation.log(2 * Double.pi))) * presence)
    }
    if layout.bernoulli.count > 0 {
      terms.append(Self.bernoulliLogProbability(bernoulliCache(output), values: records.columns(layout.bernoulli)))
    }
    if layout.categorical.count > 0 {
      terms.append(Variable(records.columns(layout.categorical)) * output.categoricalLogProbabilities)
    }
    return terms.count == 1 ? terms[0] : Variable.concatenateColumns(terms)
  }

  /// Closed-form entropy of each record's distribution (`n × 1`): Gaussian `log σ + ½ log(2πe)`
  /// for present values, Bernoulli `softplus(l) − l·σ(l)`, categorical `−Σ p log p`.
  public func entropy(_ output: Output, presence: Matrix) -> Variable {
    var terms: [Variable] = []
    if layout.gaussian.count > 0 {
      terms.append(((output.logStd + 0.5 * Float(Foundation.log(2 * Double.pi * M_E))) * Variable(presence)).sumOverColumns())
    }
    if layout.bernoulli.count > 0 {
      terms.append(Self.bernoulliEntropy(bernoulliCache(output)).sumOverColumns())
    }
    if layout.categorical.count > 0 {
      let lp = output.categoricalLogProbabilities
      terms.append((-(lp.exp() * lp)).sumOverColumns())
    }
    return terms.dropFirst().reduce(terms[0], +)
  }
}
