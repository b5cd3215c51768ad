//===----------------------------------------------------------------------===//
// Per-record gradients of an MLP's loss, input-gradient penalty included, as outer-product factors:
// the norms, clipping and clipped sums that DP-SGD needs, without a backward pass per record.
//===----------------------------------------------------------------------===//

import NumericCore
import Autodiff

/// One parameter's per-record gradients, each an outer product: record `i`'s gradient is
/// `left.row(i)ᵀ · right.row(i)` (`p × q`, the parameter's shape).
///
/// Its squared Frobenius norm is `‖left_i‖² · ‖right_i‖²` (the "ghost norm": no `p × q` matrix per record), and
/// a weighted sum over records is one product, `leftᵀ · diag(w) · right`.
public struct OuterProductFactors: Sendable {
  /// `n × p`.
  public let left: Matrix
  /// `n × q`.
  public let right: Matrix

  public init(left: Matrix, right: Matrix) {
    precondition(left.rows == right.rows, "OuterProductFactors: \(left.rows) left rows, \(right.rows) right rows")
    self.left = left
    self.right = right
  }

  /// Number of records.
  public var count: Int { left.rows }

  /// `‖left_i‖² · ‖right_i‖²` for every record `i`.
  public func squaredNorms() -> [Float] {
    (left.rowSquaredNorms() * right.rowSquaredNorms()).storage
  }

  /// `Σ_i w_i · left_iᵀ right_i = leftᵀ · diag(w) · right` (`p × q`): the narrower factor's rows are scaled, then one GEMM.
  public func weightedSum(_ weights: [Float]) -> Matrix {
    precondition(weights.count == count, "weightedSum: \(weights.count) weights for \(count) records")
    if left.cols <= right.cols { return left.scalingRows(by: weights).matmul(right, transposeSelf: true) }
    return left.matmul(right.scalingRows(by: weights), transposeSelf: true)
  }

  /// Record `i`'s gradient, materialised (`p × q`).
  public func record(_ i: Int) -> Matrix {
    let a = left.row(i), b = right.row(i)
    return Matrix(rows: a.count, cols: b.count) { out in
      for r in 0..<a.count { for c in 0..<b.count { out[r * b.count + c] = a[r] * b[c] } }
    }
  }
}

/// Per-record gradients of the loss of a scalar-output ``MLP`` with an input-gradient penalty,
/// `ℓ_i = L_i(f(x_i)) + λ · ‖∇ₓ f(x_i)‖²`, with respect to the network's parameters (in ``MLP/parameters`` order).
///
/// Computed for a whole batch in closed form from the layers' activations (no tape and no pass per record). Write
/// `A_l` for layer l's input (`A_0 = x`), `Z_l = A_l W_l + b_l`, `E_l = ∂f/∂Z_l` (one backward pass of `f`), `c_i = L_i′(f_i)`
/// and `u_i = ∇ₓ f(x_i) = E_0 W_0ᵀ`. With piecewise-linear hidden activations the masks `φ′(Z_l)` are locally constant, so
/// `u` is multilinear in the weights and `∇_{W_l} ‖u_i‖²` is an outer product `R_lᵀ E_l`, where `R_l` is the tangent of `A_l`
/// in the direction `2u` (`R_0 = 2u`, `R_{l+1} = (R_l W_l) ⊙ φ′(Z_l)`: a forward-mode pass). The penalty has no bias gradient.
/// Record i's gradient is then, for every layer,
///
///     ∂ℓ_i/∂W_l = (c_i A_l,i + λ R_l,i)ᵀ E_l,i        ∂ℓ_i/∂b_l = c_i E_l,i
///
/// rank one per record and parameter (``OuterProductFactors``): exact norms without materialising the gradients, and a
/// clipped sum that is one GEMM per parameter. The cost is about two forward passes and one backward pass of the batch
/// plus one weight-gradient pass — less than the tape's double backprop of the same loss.
///
/// Requirements: one output with the identity output activation; with `λ > 0`, hidden activations that are
/// piecewise linear (`.identity`, `.relu`, `.leakyRelu`), whose second derivative is zero (others would add terms
/// through `φ″`). With `λ = 0` any hidden activation works.
public struct PerRecordGradients: Sendable {
  /// One factor pair per parameter, in ``MLP/parameters`` order (weight, bias, weight, bias, …).
  public let factors: [OuterProductFactors]
  /// The network's outputs `f(x_i)` (`n × 1`).
  public let outputs: Matrix
  /// `‖∇ₓ f(x_i)‖²` per record; nil when the penalty weight is 0 (not computed).
  public let inputGradientSquaredNorms: [Float]?

  /// Number of records.
  public var count: Int { outputs.rows }

  /// Per-record gradients of `ℓ_i = L_i(f(x_i)) + penaltyWeight · ‖∇ₓ f(x_i)‖²` for the rows `x_i` of `inputs`.
  ///
  /// - Parameters:
  ///   - outputGradient: maps the outputs `f` (`n × 1`) to `L_i′(f_i)` (`n × 1`).
  ///   - penaltyWeight: λ ≥ 0 (RLSyn's R1 term: `γ / 2`).
  public init(network: MLP, inputs: Matrix, penaltyWeight: Float, outputGradient: (Matrix) -> Matrix) {
    let layers = network.layers
    let depth = layers.count
    precondition(layers[depth - 1].outputCount == 1, "PerRecordGradients: the network must have one output, it has \(layers[depth - 1].outputCount)")
    precondition(network.outputActivation == .identity, "PerRecordGradients: the output activation must be the identity")
    precondition(penaltyWeight >= 0, "PerRecordGradients: the penalty weight must be non-negative")
    precondition(penaltyWeight == 0 || network.activation.isPiecewiseLinear,
                 "PerRecordGradients: an input-gradient penalty needs piecewise-linear hidden activations, not \(network.activation)")
    precondition(inputs.cols == layers[0].inputCount, "PerRecordGradients: inputs have \(inputs.cols) columns, the network takes \(layers[0].inputCount)")
    let n = inputs.rows

    // Forward: layer inputs A_l, hidden pre-activations Z_l, output f.
    var inputsOfLayer: [Matrix] = [inputs], preActivations: [Matrix] = []
    var f = Matrix(rows: n, cols: 1)
    for (l, layer) in layers.enumerated() {
      var z = Matrix(repeatingRow: layer.bias.value, count: n)
      Matrix.gemm(inputsOfLayer[l], layer.weight.value, beta: 1, into: &z)
      if l == depth - 1 { f = z } else {
        preActivations.append(z)
        inputsOfLayer.append(network.activation(Variable(z)).value)
      }
    }
    let c = outputGradient(f)
    precondition(c.rows == n && c.cols == 1, "PerRecordGradients: outputGradient must return \(n)×1, got \(c.rows)×\(c.cols)")

    // Backward of f: E_l = ∂f/∂Z_l.
    var e = [Matrix](repeating: Matrix(rows: 0, cols: 0), count: depth)
    e[depth - 1] = Matrix(rows: n, cols: 1, repeating: 1)
    for l in stride(from: depth - 1, to: 0, by: -1) {
      let q = e[l].matmul(layers[l].weight.value, transposeOther: true)
      e[l - 1] = network.activation.backward(q, preActivation: preActivations[l - 1], output: inputsOfLayer[l])
    }

    // Forward-mode tangents R_l of the layer inputs in the direction 2λu (λ folded in).
    var tangents: [Matrix]? = nil
    if penaltyWeight > 0 {
      let u = e[0].matmul(layers[0].weight.value, transposeOther: true)
      inputGradientSquaredNorms = u.rowSquaredNorms().storage
      var r = u * (2 * penaltyWeight)
      var all = [r]
      for l in 0..<(depth - 1) {
        r = network.activation.backward(r.matmul(layers[l].weight.value), preActivation: preActivations[l], output: inputsOfLayer[l + 1])
        all.append(r)
      }
      tangents = all
    } else {
      inputGradientSquaredNorms = nil
    }

    var factors: [OuterProductFactors] = []
    for l in 0..<depth {
      let left = inputsOfLayer[l].scalingRows(by: c.storage, adding: tangents?[l])
      factors.append(OuterProductFactors(left: left, right: e[l]))
      factors.append(OuterProductFactors(left: c, right: e[l]))
    }
    self.factors = factors
    self.outputs = f
  }

  /// `‖∇θ ℓ_i‖²` over all parameters, per record.
  ///
  /// Row sums in Float (vectorised); the factors' norms are O(1)–O(100) numbers summed over a few hundred columns, so
  /// the relative error is about 1e-6, far below what clipping needs.
  public func squaredNorms() -> [Float] {
    // Factors come in (weight, bias) pairs per layer sharing the right factor E_l, so
    // ‖g_i‖² = Σ_l (‖left_l,i‖² + c_i²) · ‖E_l,i‖².
    var total = Matrix(rows: count, cols: 1)
    for k in stride(from: 0, to: factors.count, by: 2) {
      let weight = factors[k], bias = factors[k + 1]
      total += (weight.left.rowSquaredNorms() + bias.left.rowSquaredNorms()) * weight.right.rowSquaredNorms()
    }
    return total.storage
  }

  /// `‖∇θ ℓ_i‖` per record.
  public func norms() -> [Float] { squaredNorms().map { $0.squareRoot() } }

  /// `Σ_i w_i ∇θ ℓ_i`, one matrix per parameter.
  public func sum(weights: [Float]) -> [Matrix] { factors.map { $0.weightedSum(weights) } }

  /// Record `i`'s gradient, materialised, one matrix per parameter.
  public func gradient(ofRecord i: Int) -> [Matrix] { factors.map { $0.record(i) } }

  /// The factors `min(1, C / ‖g_i‖)` that clip each record's gradient to norm at most `clipNorm`.
  public static func clipScales(norms: [Float], clipNorm: Float) -> [Float] {
    precondition(clipNorm > 0, "clipScales: the clipping norm must be positive, got \(clipNorm)")
    return norms.map { $0 > clipNorm ? clipNorm / $0 : 1 }
  }

  /// `Σ_i min(1, C / ‖g_i‖) · g_i` (each record's gradient clipped to norm `clipNorm`, then summed) and the norms
  /// `‖g_i‖` before clipping.
  public func clippedSum(clipNorm: Float) -> (sum: [Matrix], norms: [Float]) {
    let norms = norms()
    return (sum(weights: Self.clipScales(norms: norms, clipNorm: clipNorm)), norms)
  }

  /// Adds independent `N(0, (noiseMultiplier · clipNorm)²)` noise to every coordinate of `gradients` (the Gaussian
  /// mechanism of DP-SGD on a sum of gradients clipped to `clipNorm`), drawn from `rng` matrix by matrix, in order.
  public static func addGaussianNoise(to gradients: inout [Matrix], noiseMultiplier: Float, clipNorm: Float, rng: inout RandomSource) {
    precondition(noiseMultiplier >= 0 && clipNorm > 0, "addGaussianNoise: need σ ≥ 0 and C > 0, got σ = \(noiseMultiplier), C = \(clipNorm)")
    let sd = noiseMultiplier * clipNorm
    for k in gradients.indices {
      gradients[k].add(rng.normalMatrix(rows: gradients[k].rows, cols: gradients[k].cols, std: sd))
    }
  }
}

extension Activation {
  /// Whether the second derivative is zero almost everywhere.
  var isPiecewiseLinear: Bool {
    switch self {
    case .identity, .relu, .leakyRelu: true
    case .tanh, .sigmoid, .softplus: false
    }
  }

  /// `upstream ⊙ φ′(z)`, given the pre-activation `z` and the output `φ(z)`, with the tape's conventions
  /// (ReLU and leaky ReLU take the slope for `z ≤ 0`).
  func backward(_ upstream: Matrix, preActivation z: Matrix, output y: Matrix) -> Matrix {
    switch self {
    case .identity: upstream
    case .relu: Matrix.combine(upstream, z, SignScaleKernel(positive: 1, negative: 0))
    case .leakyRelu(let slope): Matrix.combine(upstream, z, SignScaleKernel(positive: 1, negative: slope))
    case .tanh: upstream * (1 - y * y)
    case .sigmoid: upstream * (y * (1 - y))
    case .softplus: upstream * z.sigmoid()
    }
  }
}

extension Matrix {
  /// Row `i` times `scales[i]`, plus row `i` of `addend` when one is given.
  func scalingRows(by scales: [Float], adding addend: Matrix? = nil) -> Matrix {
    precondition(scales.count == rows, "scalingRows: \(scales.count) scales for \(rows) rows")
    if let addend { precondition(addend.hasShape(of: self), "scalingRows: addend is \(addend.rows)×\(addend.cols), not \(rows)×\(cols)") }
    let c = cols
    return withUnsafeBufferPointer { p in
      Matrix(rows: rows, cols: c) { out in
        guard c > 0 else { return }
        for i in 0..<rows {
          let s = scales[i], src = p.baseAddress! + i * c, dst = out.baseAddress! + i * c
          for j in 0..<c { dst[j] = s * src[j] }
        }
        if let addend {
          addend.withUnsafeBufferPointer { a in for k in 0..<out.count { out[k] += a[k] } }
        }
      }
    }
  }
}
