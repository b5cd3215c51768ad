//===----------------------------------------------------------------------===//
// DP-SGD pieces for the discriminator: per-record gradients of the real records' loss (BCE and R1),
// clipped and summed, plus Gaussian noise. Nothing here is used by the non-private fit.
//===----------------------------------------------------------------------===//

import NumericCore
import Autodiff
import NeuralNetworks

extension Discriminator {
  /// The real records' part of a private discriminator step.
  public struct PrivateRealGradients: Sendable {
    /// `Σ_i min(1, C / ‖g_i‖) · g_i` over the real records, one matrix per parameter (``parameters`` order).
    public var clippedSum: [Matrix]
    /// `‖g_i‖` per real record, before clipping.
    public var norms: [Float]
    /// `mean_i softplus(−D(x_i))`: the real records' BCE.
    public var bce: Float
    /// `γ/2 · mean_i ‖∇ₓD(x_i)‖²`: the R1 term (0 when γ = 0).
    public var r1: Float
  }

  /// Per-record gradients, unclipped, of each real record's loss `ℓ_i = softplus(−D(x_i)) + γ/2 · ‖∇ₓD(x_i)‖²`
  /// (the record's share of ``loss(real:fake:gamma:)`` times the number of real records), from the layers'
  /// activations in closed form (``NeuralNetworks/PerRecordGradients``).
  public func perRecordRealGradients(real: Matrix, gamma: Float) -> PerRecordGradients {
    // d softplus(−f)/df = −σ(−f).
    PerRecordGradients(network: network, inputs: real, penaltyWeight: gamma / 2) { -(-$0).sigmoid() }
  }

  /// Each real record's gradient `g_i` of `ℓ_i = softplus(−D(x_i)) + γ/2 · ‖∇ₓD(x_i)‖²` clipped to norm `clipNorm`, summed
  /// (DP-SGD's sum before noise; ``addGaussianNoise(to:noiseMultiplier:clipNorm:rng:)`` adds it).
  ///
  /// With `clipNorm` large enough that nothing is clipped, `clippedSum / n` is the gradient of the real records' part of
  /// ``loss(real:fake:gamma:)``. With `blocks` > 1 the records are split into that many row blocks on as many cores
  /// (each record is clipped on its own, so the result is the same up to the order of the sums).
  public func privateRealGradients(real: Matrix, gamma: Float, clipNorm: Float, blocks: Int = 1) -> PrivateRealGradients {
    let ranges = DataParallel.rowBlocks(rows: real.rows, blocks: blocks)
    let parts = DataParallel.mapBlocks(ranges.count) { i -> PrivateRealGradients in
      let g = self.perRecordRealGradients(real: real.rows(ranges[i]), gamma: gamma)
      let (sum, norms) = g.clippedSum(clipNorm: clipNorm)
      let bce = g.outputs.map { Matrix.softplus(-$0) }.sum()
      let r1 = (g.inputGradientSquaredNorms ?? []).reduce(0, +) * gamma / 2
      return PrivateRealGradients(clippedSum: sum, norms: norms, bce: bce, r1: r1)
    }
    let n = Float(max(real.rows, 1))
    return PrivateRealGradients(clippedSum: DataParallel.sum(parts.map(\.clippedSum)), norms: parts.flatMap(\.norms),
                                bce: parts.reduce(0) { $0 + $1.bce } / n, r1: parts.reduce(0) { $0 + $1.r1 } / n)
  }

  /// The fake records' part of ``loss(real:fake:gamma:)``, `mean_j softplus(D(y_j))`, and its gradient (no clipping: fake
  /// records read no data), in closed form like the real records' gradients.
  public func fakeGradients(fake: Matrix, blocks: Int = 1) -> (bce: Float, gradients: [Matrix]) {
    let ranges = DataParallel.rowBlocks(rows: fake.rows, blocks: blocks)
    let weight = 1 / Float(max(fake.rows, 1))
    let parts = DataParallel.mapBlocks(ranges.count) { i -> (bce: Float, gradients: [Matrix]) in
      // d softplus(f)/df = σ(f).
      let g = PerRecordGradients(network: self.network, inputs: fake.rows(ranges[i]), penaltyWeight: 0) { $0.sigmoid() }
      return (g.outputs.softplus().sum() * weight, g.sum(weights: [Float](repeating: weight, count: g.count)))
    }
    return (parts.reduce(0) { $0 + $1.bce }, DataParallel.sum(parts.map(\.gradients)))
  }

  /// A DP-SGD gradient of ``loss(real:fake:gamma:)``:
  /// `(Σ_i clip_C(g_i) + N(0, σ²C²·I)) / realDenominator + ∇ mean_j softplus(D(y_j))`.
  ///
  /// `realDenominator` is the expected number of real records in a batch (`q · N` under Poisson sampling at rate q), not
  /// the drawn batch's size, which would itself depend on the data. The noise comes from `rng`. With σ = 0, C large
  /// and `realDenominator` = `real.rows`, this is the ordinary gradient of ``loss(real:fake:gamma:)`` (up to rounding).
  public func privateGradients(real: Matrix, fake: Matrix, gamma: Float, clipNorm: Float, noiseMultiplier: Float,
                               realDenominator: Float, rng: inout RandomSource, blocks: Int = 1)
    -> (bce: Float, r1: Float, gradients: [Matrix], norms: [Float]) {
    precondition(realDenominator > 0, "privateGradients: the real records' denominator must be positive")
    let realPart = privateRealGradients(real: real, gamma: gamma, clipNorm: clipNorm, blocks: blocks)
    var noisy = realPart.clippedSum
    Self.addGaussianNoise(to: &noisy, noiseMultiplier: noiseMultiplier, clipNorm: clipNorm, rng: &rng)
    let fakePart = fakeGradients(fake: fake, blocks: blocks)
    let gradients = zip(noisy, fakePart.gradients).map { $0 * (1 / realDenominator) + $1 }
    return (realPart.bce + fakePart.bce, realPart.r1, gradients, realPart.norms)
  }

  /// Adds `N(0, (σ·C)²)` to every coordinate of `gradients`, from `rng` (the Gaussian mechanism on a sum clipped to C).
  public static func addGaussianNoise(to gradients: inout [Matrix], noiseMultiplier: Float, clipNorm: Float, rng: inout RandomSource) {
    PerRecordGradients.addGaussianNoise(to: &gradients, noiseMultiplier: noiseMultiplier, clipNorm: clipNorm, rng: &rng)
  }
}
