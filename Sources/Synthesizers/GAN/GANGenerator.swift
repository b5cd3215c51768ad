//===----------------------------------------------------------------------===//
// The WGAN-GP generator and critic for encoded records.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

/// The generator `z → MLP (ReLU) → one Linear → per-block heads`.
///
/// Heads, per block of the record layout (`RecordLayout`):
/// - Gaussian columns: identity (no tanh: the encoder's quantile map already puts them on N(0, 1));
/// - Bernoulli columns: sigmoid, a probability in (0, 1);
/// - categorical groups: softmax within each group.
///
/// The critic sees this soft record. A Gaussian value is blended with the encoder's missing-cell value
/// (``RecordLayout/missingValueForGaussian``, 0 unless min-max) by `p_missing` (the probability its
/// missingness indicator gives), which is what real records look like. The blend is differentiable, so the
/// generator learns both parts.
public final class GANGenerator: ParameterContainer {
  public let layout: RecordLayout
  public let noiseDimension: Int
  let hidden: [Linear]
  let head: Linear
  /// `db × dg` selection matrix: column j has a 1 at the local index of Gaussian column j's indicator.
  let indicatorSelection: Matrix

  public init(layout: RecordLayout, noiseDimension: Int, widths: [Int], rng: inout RandomSource) {
    self.layout = layout
    self.noiseDimension = noiseDimension
    var layers: [Linear] = []
    var inputs = noiseDimension
    for (k, w) in widths.enumerated() {
      layers.append(Linear(inputs, w, rng: &rng, name: "generator.hidden\(k)"))
      inputs = w
    }
    hidden = layers
    head = Linear(inputs, layout.width, rng: &rng, name: "generator.head")
    var selection = Matrix(rows: layout.bernoulli.count, cols: layout.gaussian.count)
    for (j, indicator) in layout.missingIndicatorForGaussian.enumerated() {
      if let m = indicator { selection[m - layout.bernoulli.lowerBound, j] = 1 }
    }
    indicatorSelection = selection
  }

  public var parameters: [Variable] { hidden.flatMap(\.parameters) + head.parameters }

  /// The generator's output blocks for noise `z`.
  public struct Output {
    /// `n × dg` Gaussian values (before masking by presence).
    public let gaussian: Variable
    /// `n × db` Bernoulli probabilities.
    public let bernoulli: Variable
    /// `n × dc` categorical probabilities (each group sums to 1).
    public let categorical: Variable
    /// The soft record the critic sees: `[gaussian · (1 − p_missing) | bernoulli | categorical]`
    /// (probabilities, or relaxed samples when a relaxation temperature is given).
    public let record: Variable
  }

  /// Generator output for noise `z` (`n × noiseDimension`); the critic's record carries the probabilities.
  public func callAsFunction(_ z: Variable) -> Output { forward(z, temperature: 0, logisticNoise: nil, gumbelNoise: nil) }

  /// The output with relaxed discrete samples at temperature `temperature` (probabilities when it is 0).
  ///
  /// The critic's record then carries relaxed *samples* of the discrete columns: Gumbel-softmax
  /// `softmax((logits + g)/τ)` per categorical group and the binary-concrete
  /// `σ((logit + log u − log(1 − u))/τ)` per Bernoulli column (Jang et al. 2017; Maddison et al. 2017;
  /// CTGAN uses τ = 0.2). They are nearly one-hot, like real records, and still differentiable.
  public func relaxed(_ z: Variable, temperature: Float, rng: inout RandomSource) -> Output {
    guard temperature > 0 else { return self(z) }
    let noise = relaxationNoise(rows: z.rows, temperature: temperature, rng: &rng)
    return forward(z, temperature: temperature, logisticNoise: noise.logistic, gumbelNoise: noise.gumbel)
  }

  /// The logistic (`n × db`) and Gumbel (`n × dc`) noise of ``relaxed(_:temperature:rng:)`` for `rows` records, drawn
  /// in the same order, so that a batch can be relaxed in row blocks with the noise of the whole. At temperature 0
  /// nothing is drawn (the relaxation draws nothing then) and the matrices are empty.
  func relaxationNoise(rows n: Int, temperature: Float, rng: inout RandomSource) -> (logistic: Matrix, gumbel: Matrix) {
    guard temperature > 0 else { return (Matrix(rows: 0, cols: 0), Matrix(rows: 0, cols: 0)) }
    let logistic = rng.uniformMatrix(rows: n, cols: layout.bernoulli.count).map { u in
      let v = Swift.min(Swift.max(u, 1e-6), 1 - 1e-6)
      return Float(Foundation.log(Double(v) / Double(1 - v)))
    }
    let gumbel = rng.uniformMatrix(rows: n, cols: layout.categorical.count).map { u in
      -Float(Foundation.log(-Foundation.log(Double(Swift.max(u, 1e-7)))))
    }
    return (logistic, gumbel)
  }

  /// ``relaxed(_:temperature:rng:)`` given its noise, for the records `rows` of a batch.
  func relaxed(_ z: Variable, temperature: Float, noise: (logistic: Matrix, gumbel: Matrix), rows: Range<Int>) -> Output {
    guard temperature > 0 else { return self(z) }
    return forward(z, temperature: temperature, logisticNoise: noise.logistic.rows(rows), gumbelNoise: noise.gumbel.rows(rows))
  }

  func forward(_ z: Variable, temperature tau: Float, logisticNoise: Matrix?, gumbelNoise: Matrix?) -> Output {
    var h = z
    for layer in hidden { h = layer(h, activation: .relu) }
    let out = head(h)
    let g = out.columns(layout.gaussian)
    let bLogits = out.columns(layout.bernoulli)
    let cLogits = out.columns(layout.categorical)
    let b = bLogits.sigmoid()
    let c = cLogits.logSoftmax(groups: layout.localCategoricalGroups).exp()
    var bRecord = b, cRecord = c
    if tau > 0, let logistic = logisticNoise, layout.bernoulli.count > 0 {
      bRecord = ((bLogits + Variable(logistic)) * (1 / tau)).sigmoid()
    }
    if tau > 0, let gumbel = gumbelNoise, layout.categorical.count > 0 {
      cRecord = ((cLogits + Variable(gumbel)) * (1 / tau)).logSoftmax(groups: layout.localCategoricalGroups).exp()
    }
    var parts: [Variable] = []
    if layout.gaussian.count > 0 {
      if layout.missingIndicatorForGaussian.contains(where: { $0 != nil }) {
        // presence = 1 − b · S (S selects each Gaussian column's indicator; columns without one get 1).
        let missing = bRecord.matmul(Variable(indicatorSelection))
        var value = g * (1 - missing)
        // Where the encoder writes a nonzero value for missing cells (min-max: 0.5), the soft record blends it in.
        if layout.hasNonzeroMissingValues { value = value + missing * Variable(Matrix.row(layout.missingValueForGaussian)) }
        parts.append(value)
      } else {
        parts.append(g)
      }
    }
    if layout.bernoulli.count > 0 { parts.append(bRecord) }
    if layout.categorical.count > 0 { parts.append(cRecord) }
    return Output(gaussian: g, bernoulli: b, categorical: c, record: parts.count == 1 ? parts[0] : Variable.concatenateColumns(parts))
  }

  /// Sets the head biases to the training marginals (Gaussian means, Bernoulli logits of the prevalences,
  /// log level frequencies) and scales the head weights by `weightScale`, so that training starts from
  /// plausible independent columns.
  public func initializeToMarginals(of data: Matrix, weightScale: Float = 0.1) {
    head.weight.value.scale(by: weightScale)
    var bias = head.bias.value
    let means = data.meanOverRows()
    let presence = layout.presenceMask(data)
    for (k, j) in layout.gaussian.enumerated() {
      var s = 0.0, n = 0.0
      for i in 0..<data.rows where presence[i, k] > 0 { s += Double(data[i, j]); n += 1 }
      bias[0, j] = n > 0 ? Float(s / n) : 0
    }
    for j in layout.bernoulli {
      let p = Swift.min(Swift.max(Double(means[0, j]), 1e-3), 1 - 1e-3)
      bias[0, j] = Float(Foundation.log(p / (1 - p)))
    }
    for j in layout.categorical {
      bias[0, j] = Float(Foundation.log(Swift.max(Double(means[0, j]), 1e-3)))
    }
    head.bias.value = bias
  }

  /// Hard records from an output: Gaussian values as generated, discrete columns drawn or taken at their
  /// mode (`sampling`), and Gaussian values whose indicator came out 1 set to 0 (as the encoder writes them).
  public func records(from output: Output, sampling: GANConfiguration.DiscreteSampling, rng: inout RandomSource) -> Matrix {
    let n = output.gaussian.rows, w = layout.width
    let dg = layout.gaussian.count, db = layout.bernoulli.count, dc = layout.categorical.count
    let g0 = layout.gaussian.lowerBound, b0 = layout.bernoulli.lowerBound, c0 = layout.categorical.lowerBound
    let gv = output.gaussian.value, bv = output.bernoulli.value, cv = output.categorical.value
    let groups = layout.localCategoricalGroups
    var records = Matrix(rows: n, cols: w)
    records.withUnsafeMutableBufferPointer { r in
      for i in 0..<n {
        let row = r.baseAddress! + i * w
        for j in 0..<dg { row[g0 + j] = gv.storage[i * dg + j] }
        for j in 0..<db {
          let p = bv.storage[i * db + j]
          switch sampling {
          case .draw: row[b0 + j] = rng.uniform() < p ? 1 : 0
          case .mode: row[b0 + j] = p > 0.5 ? 1 : 0
          }
        }
        for g in groups {
          var chosen = g.upperBound - 1
          switch sampling {
          case .draw:
            let u = rng.uniform()
            var acc: Float = 0
            for j in g {
              acc += cv.storage[i * dc + j]
              if u < acc { chosen = j; break }
            }
          case .mode:
            var best = -Float.infinity
            for j in g where cv.storage[i * dc + j] > best { best = cv.storage[i * dc + j]; chosen = j }
          }
          row[c0 + chosen] = 1
        }
      }
    }
    return layout.fillMissingValues(records)
  }
}

/// The WGAN critic: `record → Linear → LeakyReLU(0.2) → … → Linear → one unbounded score`.
/// No batch normalisation (it would break the per-record gradient penalty).
public final class GANCritic: ParameterContainer {
  let network: MLP

  public init(inputs: Int, widths: [Int], rng: inout RandomSource) {
    network = MLP(sizes: [inputs] + widths + [1], activation: .leakyRelu(slope: 0.2), rng: &rng, name: "critic")
  }

  public var parameters: [Variable] { network.parameters }

  /// Scores (`n × 1`).
  public func callAsFunction(_ records: Variable) -> Variable { network(records) }
}
