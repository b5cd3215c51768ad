//===----------------------------------------------------------------------===//
// Broadcasting arithmetic, matrix products and shape adjoints.
//===----------------------------------------------------------------------===//

import NumericCore

extension Variable {
  /// Sums `self` down to `rows × cols` (the adjoint of broadcasting): over rows when
  /// `rows == 1`, over columns when `cols == 1`.
  public func sum(toRows rows: Int, cols: Int) -> Variable {
    if value.rows == rows && value.cols == cols { return self }
    var v = value
    if rows == 1 && v.rows != 1 { v = v.sumOverRows() }
    if cols == 1 && v.cols != 1 { v = v.sumOverColumns() }
    precondition(v.rows == rows && v.cols == cols, "Cannot reduce \(value.rows)×\(value.cols) to \(rows)×\(cols)")
    let (r0, c0) = (value.rows, value.cols)
    return Variable(operationResult: v, inputs: [self]) { g, _, _ in [g.broadcast(toRows: r0, cols: c0)] }
  }

  /// Repeats a row vector, column vector or scalar to `rows × cols`.
  public func broadcast(toRows rows: Int, cols: Int) -> Variable {
    if value.rows == rows && value.cols == cols { return self }
    let v = value.broadcast(toRows: rows, cols: cols)
    let (r0, c0) = (value.rows, value.cols)
    return Variable(operationResult: v, inputs: [self]) { g, _, _ in [g.sum(toRows: r0, cols: c0)] }
  }

  public static func + (a: Variable, b: Variable) -> Variable {
    Variable(operationResult: a.value + b.value, inputs: [a, b]) { g, ins, _ in
      [g.sum(toRows: ins[0].rows, cols: ins[0].cols), g.sum(toRows: ins[1].rows, cols: ins[1].cols)]
    }
  }

  public static func - (a: Variable, b: Variable) -> Variable {
    Variable(operationResult: a.value - b.value, inputs: [a, b]) { g, ins, _ in
      [g.sum(toRows: ins[0].rows, cols: ins[0].cols), (-g).sum(toRows: ins[1].rows, cols: ins[1].cols)]
    }
  }

  public static func * (a: Variable, b: Variable) -> Variable {
    Variable(operationResult: a.value * b.value, inputs: [a, b]) { g, ins, _ in
      [(g * ins[1]).sum(toRows: ins[0].rows, cols: ins[0].cols),
       (g * ins[0]).sum(toRows: ins[1].rows, cols: ins[1].cols)]
    }
  }

  public static func / (a: Variable, b: Variable) -> Variable {
    Variable(operationResult: a.value / b.value, inputs: [a, b]) { g, ins, out in
      [(g / ins[1]).sum(toRows: ins[0].rows, cols: ins[0].cols),
       (-(g * out) / ins[1]).sum(toRows: ins[1].rows, cols: ins[1].cols)]
    }
  }

  public static prefix func - (a: Variable) -> Variable {
    Variable(operationResult: -a.value, inputs: [a]) { g, _, _ in [-g] }
  }

  public static func * (a: Variable, s: Float) -> Variable {
    Variable(operationResult: a.value * s, inputs: [a]) { g, _, _ in [g * s] }
  }

  public static func * (s: Float, a: Variable) -> Variable { a * s }

  public static func / (a: Variable, s: Float) -> Variable { a * (1 / s) }

  public static func + (a: Variable, s: Float) -> Variable {
    Variable(operationResult: a.value + s, inputs: [a]) { g, _, _ in [g] }
  }

  public static func - (a: Variable, s: Float) -> Variable { a + (-s) }

  public static func - (s: Float, a: Variable) -> Variable { (-a) + s }

  /// `op(self) · op(other)`, lowered to one sgemm; the backward pass is up to two more products
  /// (none for an operand that requires no gradient), with the transpose flags chosen so that
  /// no transpose is materialised.
  public func matmul(_ other: Variable, transposeSelf: Bool = false, transposeOther: Bool = false) -> Variable {
    let v = value.matmul(other.value, transposeSelf: transposeSelf, transposeOther: transposeOther)
    // The flags are read here, not from the rule's inputs, which arrive detached when no graph is created.
    let needsA = requiresGradient, needsB = other.requiresGradient
    return Variable(operationResult: v, inputs: [self, other]) { g, ins, _ in
      let a = ins[0], b = ins[1]
      switch (transposeSelf, transposeOther) {
      case (false, false):
        return [needsA ? g.matmul(b, transposeOther: true) : nil, needsB ? a.matmul(g, transposeSelf: true) : nil]
      case (true, false):
        return [needsA ? b.matmul(g, transposeOther: true) : nil, needsB ? a.matmul(g) : nil]
      case (false, true):
        return [needsA ? g.matmul(b) : nil, needsB ? g.matmul(a, transposeSelf: true) : nil]
      case (true, true):
        return [needsA ? b.matmul(g, transposeSelf: true, transposeOther: true) : nil,
                needsB ? g.matmul(a, transposeSelf: true, transposeOther: true) : nil]
      }
    }
  }

  /// `x · W + b` in one pass (`W`: inputs × outputs, `b`: 1 × outputs): the bias is written
  /// into the output first and sgemm accumulates onto it (β = 1).
  public static func affine(_ x: Variable, _ weight: Variable, _ bias: Variable) -> Variable {
    let out = affineValue(x, weight, bias)
    let adjoints = affineAdjoints(x, weight, bias)
    return Variable(operationResult: out, inputs: [x, weight, bias]) { g, ins, _ in adjoints(g, ins) }
  }

  /// `leakyRelu(x · W + b, slope)` in one pass over the output: the activation is applied in place, so the
  /// pre-activation is never stored. The backward rule masks the upstream gradient by the sign of the *output*,
  /// which for `slope ≥ 0` is the sign of the pre-activation, then takes the affine adjoints; the mask's own
  /// derivative is zero almost everywhere, so double backprop through it is exact, as for the unfused pair.
  public static func affine(_ x: Variable, _ weight: Variable, _ bias: Variable, leakyReluSlope slope: Float) -> Variable {
    precondition(slope >= 0, "affine(leakyReluSlope:): the fused rule needs a slope ≥ 0, got \(slope)")
    var out = affineValue(x, weight, bias)
    out.applyLeakyRelu(slope: slope)
    let adjoints = affineAdjoints(x, weight, bias)
    return Variable(operationResult: out, inputs: [x, weight, bias]) { g, ins, y in
      adjoints(g.scaleBySign(of: y, positive: 1, negative: slope), ins)
    }
  }

  /// `x · W + b`: the bias is written into the output first and sgemm accumulates onto it (β = 1).
  static func affineValue(_ x: Variable, _ weight: Variable, _ bias: Variable) -> Matrix {
    precondition(bias.rows == 1 && bias.cols == weight.cols, "affine: bias must be 1×\(weight.cols)")
    var out = Matrix(repeatingRow: bias.value, count: x.rows)
    Matrix.gemm(x.value, weight.value, beta: 1, into: &out)
    return out
  }

  /// The gradients of `x · W + b` for an upstream gradient `g` of its output.
  static func affineAdjoints(_ x: Variable, _ weight: Variable, _ bias: Variable) -> (Variable, [Variable]) -> [Variable?] {
    // An input without gradient (the noise, a data batch) skips its product: a third of the backward pass's work.
    // The flags are read here, not from the rule's inputs, which arrive detached when no graph is created.
    let needsX = x.requiresGradient, needsWeight = weight.requiresGradient, needsBias = bias.requiresGradient
    return { g, ins in
      [needsX ? g.matmul(ins[1], transposeOther: true) : nil, needsWeight ? ins[0].matmul(g, transposeSelf: true) : nil,
       needsBias ? g.sum(toRows: 1, cols: g.cols) : nil]
    }
  }

  /// Element-wise minimum; the gradient goes to the smaller operand (to `self` on ties).
  public func minimum(_ other: Variable) -> Variable {
    precondition(value.hasShape(of: other.value), "minimum: shapes differ")
    let mask = Matrix.combine(value, other.value, LessOrEqualMaskKernel())
    return Variable(operationResult: Matrix.combine(value, other.value, MinimumKernel()), inputs: [self, other]) { g, _, _ in
      [g * Variable(mask), g * Variable(1 - mask)]
    }
  }

  /// Element-wise maximum; the gradient goes to the larger operand (to `self` on ties).
  public func maximum(_ other: Variable) -> Variable {
    precondition(value.hasShape(of: other.value), "maximum: shapes differ")
    let mask = Matrix.combine(other.value, value, LessOrEqualMaskKernel())
    return Variable(operationResult: Matrix.combine(value, other.value, MaximumKernel()), inputs: [self, other]) { g, _, _ in
      [g * Variable(mask), g * Variable(1 - mask)]
    }
  }
}

extension Matrix {
  /// `s - m` element-wise.
  @inlinable public static func - (s: Float, m: Matrix) -> Matrix { m.map { s - $0 } }
}
