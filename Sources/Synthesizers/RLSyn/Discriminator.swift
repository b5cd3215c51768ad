//===----------------------------------------------------------------------===//
// RLSyn's discriminator: BCE with the R1 penalty, and the rewards it hands the policy.
//===----------------------------------------------------------------------===//

import NumericCore
import Autodiff
import NeuralNetworks

/// The discriminator D_φ: `Linear → LeakyReLU(0.2) → Linear → LeakyReLU(0.2) → Linear → logit`.
public final class Discriminator: ParameterContainer {
  let network: MLP

  public init(inputs: Int, width: Int, rng: inout RandomSource) {
    network = MLP(sizes: [inputs, width, width, 1], activation: .leakyRelu(slope: 0.2), rng: &rng, name: "discriminator")
  }

  public var parameters: [Variable] { network.parameters }

  /// Logits (`n × 1`).
  public func callAsFunction(_ records: Variable) -> Variable { network(records) }

  /// Rewards of the given form for records (no gradient flows anywhere).
  public func rewards(_ records: Matrix, form: RLSynConfiguration.RewardForm) -> Matrix {
    Self.rewards(logits: network(Variable(records)).value, form: form)
  }

  /// The reward of each logit in the given form.
  static func rewards(logits: Matrix, form: RLSynConfiguration.RewardForm) -> Matrix {
    switch form {
    case .probability: return logits.sigmoid()
    case .logProbability: return logits.map { -Matrix.softplus(-$0) }
    case .logit: return logits
    }
  }

  /// Rewards of variants of `records`: variant v is record `variants[v].row` with its columns `variants[v].columns`
  /// taken from the same row of `replacement`.
  ///
  /// The first layer is linear, so a variant's first pre-activation is its record's plus `Σ_c (y_c − x_c)·W_c` over
  /// the changed columns: one `n × inputs` product for the records instead of one `variants × inputs` product,
  /// which on wide tables with one- or two-column changes is most of the cost. Equal to scoring the stacked
  /// variants up to Float rounding.
  public func rewards(ofVariants variants: [(row: Int, columns: [Int])], of records: Matrix, replacement: Matrix,
                      form: RLSynConfiguration.RewardForm) -> Matrix {
    let layers = network.layers
    let first = layers[0]
    let width = first.outputCount, inputs = records.cols
    let base = Variable.affine(Variable(records), first.weight, first.bias).value
    var pre = Matrix(rows: variants.count, cols: width)
    pre.withUnsafeMutableBufferPointer { p in
      base.withUnsafeBufferPointer { b in
        first.weight.value.withUnsafeBufferPointer { w in
          records.withUnsafeBufferPointer { x in
            replacement.withUnsafeBufferPointer { y in
              for (v, variant) in variants.enumerated() {
                let out = p.baseAddress! + v * width
                out.update(from: b.baseAddress! + variant.row * width, count: width)
                for c in variant.columns {
                  let delta = y[variant.row * inputs + c] - x[variant.row * inputs + c]
                  if delta == 0 { continue }
                  let weights = w.baseAddress! + c * width
                  for k in 0..<width { out[k] += delta * weights[k] }
                }
              }
            }
          }
        }
      }
    }
    var h = network.activation(Variable(pre))
    for (i, layer) in layers.enumerated().dropFirst() {
      h = layer(h, activation: i == layers.count - 1 ? network.outputActivation : network.activation)
    }
    return Self.rewards(logits: h.value, form: form)
  }

  /// The discriminator loss `BCE(D(real), 1) + BCE(D(fake), 0) + γ/2 · mean_i ‖∇ₓD(x_real,i)‖²`
  /// and its parts. The R1 term is differentiated twice when the loss is minimised.
  ///
  /// Without R1, real and fake records go through the network as one stacked batch (one GEMM per
  /// layer instead of two); D scores each row independently, so this equals two separate passes.
  /// With R1 the real rows go through alone, so that the input gradient and its second derivative
  /// run over the real rows only instead of carrying the fake rows' zero gradients (about half the
  /// double-backprop work).
  public func loss(real: Matrix, fake: Matrix, gamma: Float) -> (total: Variable, bce: Float, r1: Float) {
    let nr = real.rows, nf = fake.rows
    guard gamma > 0 else {
      let logits = self(Variable(Matrix.concatenateRows([real, fake])))
      // Per-row weights 1/n_r (real) and 1/n_f (fake) make the sum two means; targets 1 and 0.
      let weights = Variable(Matrix.column([Float](repeating: 1 / Float(nr), count: nr) + [Float](repeating: 1 / Float(nf), count: nf)))
      let isReal = Matrix.column([Float](repeating: 1, count: nr) + [Float](repeating: 0, count: nf))
      let bce = ((logits.softplus() - logits * Variable(isReal)) * weights).sum()
      return (bce, bce.value.scalarValue, 0)
    }
    let x = Variable(real, requiresGradient: true)
    let realLogits = self(x), fakeLogits = self(Variable(fake))
    // BCE(l, 1) = softplus(−l), BCE(l, 0) = softplus(l).
    let bce = (-realLogits).softplus().sum() * (1 / Float(nr)) + fakeLogits.softplus().sum() * (1 / Float(nf))
    let gx = gradients(of: realLogits.sum(), withRespectTo: [x], createGraph: true)[0]
    let r1 = gx.squared().sum() * (gamma / (2 * Float(nr)))
    return (bce + r1, bce.value.scalarValue, r1.value.scalarValue)
  }
}
