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

  /// Rewards `σ(D(x))` for records (no gradient flows anywhere).
  public func rewards(_ records: Matrix) -> Matrix { rewards(records, form: .probability) }

  /// Rewards of the given form for records (no gradient flows anywhere).
  public func rewards(_ records: Matrix, form: RLSynConfiguration.RewardForm) -> Matrix {
    let logits = network(Variable(records)).value
    switch form {
    case .probability: return logits.sigmoid()
    case .logProbability: return logits.map { -Matrix.softplus(-$0) }
    case .logit: return logits
    }
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

  /// `γ/2 · mean_i ‖∇ₓ D(x_i)‖²` for logits computed from `inputs` (which must require gradients).
  public static func r1Penalty(inputs: Variable, logits: Variable, gamma: Float) -> Variable {
    let gx = gradients(of: logits.sum(), withRespectTo: [inputs], createGraph: true)[0]
    return gx.squared().sumOverColumns().mean() * (gamma / 2)
  }
}
