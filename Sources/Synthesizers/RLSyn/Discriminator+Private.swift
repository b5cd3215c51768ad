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

  /// The fake records' part of ``loss(real:fake:gamma:)``, `mean_j softplus(D(y_j))`, and its gradient, in closed form
  /// like the real records' gradients. Fake records read no data; each one's gradient is still clipped to `clipNorm`
  /// (nil: not clipped) so that the two halves of the loss keep their balance (unclipped fakes outweigh clipped reals).
  public func fakeGradients(fake: Matrix, clipNorm: Float? = nil, blocks: Int = 1) -> (bce: Float, gradients: [Matrix]) {
    let ranges = DataParallel.rowBlocks(rows: fake.rows, blocks: blocks)
    let weight = 1 / Float(max(fake.rows, 1))
    let parts = DataParallel.mapBlocks(ranges.count) { i -> (bce: Float, gradients: [Matrix]) in
      // d softplus(f)/df = σ(f).
      let g = PerRecordGradients(network: self.network, inputs: fake.rows(ranges[i]), penaltyWeight: 0) { $0.sigmoid() }
      let weights = clipNorm.map { c in PerRecordGradients.clipScales(norms: g.norms(), clipNorm: c).map { $0 * weight } }
        ?? [Float](repeating: weight, count: g.count)
      return (g.outputs.softplus().sum() * weight, g.sum(weights: weights))
    }
    return (parts.reduce(0) { $0 + $1.bce }, DataParallel.sum(parts.map(\.gradients)))
  }

  /// A DP-SGD gradient of ``loss(real:fake:gamma:)``:
  /// `(Σ_i clip_C(g_i) + N(0, σ²C²·I)) / realDenominator + mean_j clip_C(∇ softplus(D(y_j)))`.
  ///
  /// `realDenominator` is the expected number of real records in a batch (`q · N` under Poisson sampling at rate q), not
  /// the drawn batch's size, which would itself depend on the data. The noise comes from `rng` (one normal per
  /// coordinate, parameter by parameter). With σ = 0, C large and `realDenominator` = `real.rows`, this is the ordinary
  /// gradient of ``loss(real:fake:gamma:)`` (up to rounding). Returns the loss's BCE and R1 as ``loss(real:fake:gamma:)``
  /// does, and each real record's gradient norm before clipping.
  ///
  /// Without R1 (γ = 0) real and fake records go through the network as one stacked batch, as in the ordinary step: each
  /// row's gradient factors are the same, only its weight differs (its clipping factor over `realDenominator` for a
  /// real record, over `n_f` for a fake one). With R1 the real records go alone, so that the penalty's tangent pass runs
  /// over them only.
  public func privateGradients(real: Matrix, fake: Matrix, gamma: Float, clipNorm: Float, noiseMultiplier: Float,
                               realDenominator: Float, rng: inout RandomSource, blocks: Int = 1)
    -> (bce: Float, r1: Float, gradients: [Matrix], norms: [Float]) {
    precondition(realDenominator > 0, "privateGradients: the real records' denominator must be positive")
    var noise = parameters.map { Matrix(rows: $0.rows, cols: $0.cols) }
    Self.addGaussianNoise(to: &noise, noiseMultiplier: noiseMultiplier, clipNorm: clipNorm, rng: &rng)
    guard gamma > 0 else {
      let stacked = stackedGradients(real: real, fake: fake, clipNorm: clipNorm, realDenominator: realDenominator, blocks: blocks)
      return (stacked.bce, 0, zip(stacked.gradients, noise).map { $0 + $1 * (1 / realDenominator) }, stacked.norms)
    }
    let realPart = privateRealGradients(real: real, gamma: gamma, clipNorm: clipNorm, blocks: blocks)
    let fakePart = fakeGradients(fake: fake, clipNorm: clipNorm, blocks: blocks)
    let gradients = (0..<noise.count).map { k in (realPart.clippedSum[k] + noise[k]) * (1 / realDenominator) + fakePart.gradients[k] }
    return (realPart.bce + fakePart.bce, realPart.r1, gradients, realPart.norms)
  }

  /// ``privateGradients(real:fake:gamma:clipNorm:noiseMultiplier:realDenominator:rng:blocks:)`` without R1 or noise, real
  /// and fake records stacked into one batch.
  func stackedGradients(real: Matrix, fake: Matrix, clipNorm: Float, realDenominator: Float, blocks: Int)
    -> (bce: Float, gradients: [Matrix], norms: [Float]) {
    let nr = real.rows, nf = fake.rows
    let records = Matrix.concatenateRows([real, fake])
    let ranges = DataParallel.rowBlocks(rows: records.rows, blocks: blocks)
    let parts = DataParallel.mapBlocks(ranges.count) { i -> (bce: Float, gradients: [Matrix], norms: [Float]) in
      let range = ranges[i]
      let realRows = Swift.max(0, Swift.min(range.upperBound, nr) - range.lowerBound)
      // d softplus(−f)/df = −σ(−f) for a real record, d softplus(f)/df = σ(f) for a fake one.
      let g = PerRecordGradients(network: self.network, inputs: records.rows(range), penaltyWeight: 0) { f in
        Matrix(rows: f.rows, cols: 1) { out in
          for k in 0..<f.rows { out[k] = k < realRows ? -Matrix.sigmoid(-f.storage[k]) : Matrix.sigmoid(f.storage[k]) }
        }
      }
      let allNorms = g.norms(), norms = Array(allNorms.prefix(realRows))
      let weights = PerRecordGradients.clipScales(norms: norms, clipNorm: clipNorm).map { $0 / realDenominator }
        + PerRecordGradients.clipScales(norms: Array(allNorms.dropFirst(realRows)), clipNorm: clipNorm).map { $0 / Float(Swift.max(nf, 1)) }
      var bce: Float = 0
      for k in 0..<range.count {
        let f = g.outputs.storage[k]
        bce += k < realRows ? Matrix.softplus(-f) / Float(Swift.max(nr, 1)) : Matrix.softplus(f) / Float(Swift.max(nf, 1))
      }
      return (bce, g.sum(weights: weights), norms)
    }
    return (parts.reduce(0) { $0 + $1.bce }, DataParallel.sum(parts.map(\.gradients)), parts.flatMap(\.norms))
  }

  /// Adds `N(0, (σ·C)²)` to every coordinate of `gradients`, from `rng` (the Gaussian mechanism on a sum clipped to C).
  public static func addGaussianNoise(to gradients: inout [Matrix], noiseMultiplier: Float, clipNorm: Float, rng: inout RandomSource) {
    PerRecordGradients.addGaussianNoise(to: &gradients, noiseMultiplier: noiseMultiplier, clipNorm: clipNorm, rng: &rng)
  }
}
