//===----------------------------------------------------------------------===//
// Adam optimiser with optional decoupled weight decay and gradient-norm clipping.
//===----------------------------------------------------------------------===//

import NumericCore
import Autodiff

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Adam (Kingma & Ba, 2015) over a fixed list of parameters.
///
/// Update, per element, at step `t`:
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `θ ← θ − lr · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`.
/// With `weightDecay > 0` the decay is decoupled (AdamW): `θ ← θ − lr·λ·θ` before the step, for every
/// parameter or only those `decaying` marks.
/// With `maxGradientNorm` set, all gradients are scaled together so that their global L2
/// norm does not exceed it (as `torch.nn.utils.clip_grad_norm_`).
public final class Adam {
  public let parameters: [Variable]
  public var learningRate: Float
  public let beta1: Float
  public let beta2: Float
  public let epsilon: Float
  public let weightDecay: Float
  public let maxGradientNorm: Float?
  /// Which parameters the weight decay applies to (all of them when the optimiser was made without a mask).
  public let decaying: [Bool]
  /// Number of steps taken.
  public private(set) var step: Int = 0
  var firstMoments: [[Float]]
  var secondMoments: [[Float]]

  public init(parameters: [Variable], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
              epsilon: Float = 1e-8, weightDecay: Float = 0, decaying: [Bool]? = nil, maxGradientNorm: Float? = nil) {
    precondition(decaying == nil || decaying!.count == parameters.count, "Adam: the decay mask needs one entry per parameter")
    self.parameters = parameters
    self.decaying = decaying ?? [Bool](repeating: true, count: parameters.count)
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.maxGradientNorm = maxGradientNorm
    firstMoments = parameters.map { [Float](repeating: 0, count: $0.value.count) }
    secondMoments = parameters.map { [Float](repeating: 0, count: $0.value.count) }
  }

  /// Global L2 norm of a list of gradients.
  public static func globalNorm(_ gradients: [Matrix]) -> Float {
    var s: Double = 0
    for g in gradients { g.withUnsafeBufferPointer { p in for v in p { s += Double(v) * Double(v) } } }
    return Float(s.squareRoot())
  }

  /// Applies one update with `gradients` (one per parameter, same shapes).
  public func update(_ gradients: [Matrix]) {
    precondition(gradients.count == parameters.count, "Adam: \(gradients.count) gradients for \(parameters.count) parameters")
    step += 1
    var clip: Float = 1
    if let maxNorm = maxGradientNorm {
      let norm = Adam.globalNorm(gradients)
      if norm > maxNorm { clip = maxNorm / (norm + 1e-6) }
    }
    let t = Float(step)
    let c1 = 1 - powf(beta1, t), c2 = 1 - powf(beta2, t)
    // Folded constants: θ −= stepSize · m / (√v · invSqrtC2 + ε), with stepSize = lr / (1 − β₁ᵗ).
    let stepSize = learningRate / c1, invSqrtC2 = 1 / c2.squareRoot()
    let b1 = beta1, b2 = beta2, eps = epsilon, decayedKeep = 1 - weightDecay * learningRate
    for k in 0..<parameters.count {
      let keep = decaying[k] ? decayedKeep : 1
      precondition(gradients[k].hasShape(of: parameters[k].value), "Adam: gradient \(k) has the wrong shape")
      let n = gradients[k].count
      gradients[k].withUnsafeBufferPointer { gb in
        firstMoments[k].withUnsafeMutableBufferPointer { mb in
          secondMoments[k].withUnsafeMutableBufferPointer { vb in
            parameters[k].value.withUnsafeMutableBufferPointer { pb in
              let g = gb.baseAddress!, m = mb.baseAddress!, v = vb.baseAddress!, p = pb.baseAddress!
              for i in 0..<n {
                let gi = g[i] * clip
                let mi = b1 * m[i] + (1 - b1) * gi
                let vi = b2 * v[i] + (1 - b2) * gi * gi
                m[i] = mi
                v[i] = vi
                p[i] = p[i] * keep - stepSize * mi / (vi.vectorizableSquareRoot * invSqrtC2 + eps)
              }
            }
          }
        }
      }
    }
  }

  /// Computes the gradients of `loss` with respect to the parameters and applies one update.
  /// Returns the loss value.
  @discardableResult
  public func minimize(_ loss: Variable) -> Float {
    let g = gradients(of: loss, withRespectTo: parameters).map(\.value)
    update(g)
    return loss.value.scalarValue
  }
}
