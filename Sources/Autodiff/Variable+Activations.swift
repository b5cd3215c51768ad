//===----------------------------------------------------------------------===//
// Element-wise functions. Rules reuse the forward output where it is cheaper.
//===----------------------------------------------------------------------===//

import NumericCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Variable {
  /// `max(x, 0)`. Its second derivative is zero almost everywhere.
  public func relu() -> Variable { leakyRelu(slope: 0) }

  /// `x` for `x > 0`, `slope · x` otherwise. The backward rule is the fused
  /// ``Variable/scaleBySign(of:positive:negative:)``, whose own derivative with respect to
  /// `x` is zero (piecewise linear), so double backprop through it is exact.
  public func leakyRelu(slope: Float) -> Variable {
    Variable(operationResult: value.leakyRelu(slope: slope), inputs: [self]) { g, ins, _ in
      [g.scaleBySign(of: ins[0], positive: 1, negative: slope)]
    }
  }

  /// `self · (x > 0 ? positive : negative)` element-wise, with `x` treated as constant.
  public func scaleBySign(of x: Variable, positive: Float, negative: Float) -> Variable {
    let v = Matrix.combine(value, x.value, SignScaleKernel(positive: positive, negative: negative))
    return Variable(operationResult: v, inputs: [self]) { g, _, _ in
      [g.scaleBySign(of: x, positive: positive, negative: negative)]
    }
  }

  /// Hyperbolic tangent; `d tanh = 1 − tanh²`.
  public func tanh() -> Variable {
    Variable(operationResult: value.tanh(), inputs: [self]) { g, _, y in [g * (1 - y * y)] }
  }

  /// Logistic sigmoid; `dσ = σ(1 − σ)`.
  public func sigmoid() -> Variable {
    Variable(operationResult: value.sigmoid(), inputs: [self]) { g, _, y in [g * (y * (1 - y))] }
  }

  /// `log(1 + eˣ)` (stable form); `d softplus = σ(x)`.
  public func softplus() -> Variable {
    Variable(operationResult: value.softplus(), inputs: [self]) { g, ins, _ in [g * ins[0].sigmoid()] }
  }

  /// `eˣ`.
  public func exp() -> Variable {
    Variable(operationResult: value.exp(), inputs: [self]) { g, _, y in [g * y] }
  }

  /// Natural logarithm.
  public func log() -> Variable {
    Variable(operationResult: value.log(), inputs: [self]) { g, ins, _ in [g / ins[0]] }
  }

  /// `x²`.
  public func squared() -> Variable {
    Variable(operationResult: value.squared(), inputs: [self]) { g, ins, _ in [g * ins[0] * 2] }
  }

  /// `√x`.
  public func sqrt() -> Variable {
    Variable(operationResult: value.sqrt(), inputs: [self]) { g, _, y in [g / (y * 2)] }
  }

  /// Elements limited to `[lower, upper]`; the gradient is zero where the limit is active.
  public func clamped(lower: Float, upper: Float) -> Variable {
    let mask = value.map { $0 >= lower && $0 <= upper ? 1 : 0 }
    return Variable(operationResult: value.clamped(lower: lower, upper: upper), inputs: [self]) { g, _, _ in
      [g * Variable(mask)]
    }
  }
}
