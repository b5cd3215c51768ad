import Testing
import NumericCore
import Autodiff
import TestSupport

/// Inputs away from 0 so that piecewise-linear ops are differentiable at every sample.
private func awayFromZero(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix {
  var rng = RandomSource(seed: seed)
  return rng.normalMatrix(rows: rows, cols: cols).map { $0 >= 0 ? $0 + 0.2 : $0 - 0.2 }
}

private func random(_ rows: Int, _ cols: Int, seed: UInt64, scale: Float = 1) -> Matrix {
  var rng = RandomSource(seed: seed)
  return rng.normalMatrix(rows: rows, cols: cols, std: scale)
}

/// A fixed random weighting so that every output element matters to the scalar loss.
private func weighted(_ y: Variable, seed: UInt64 = 99) -> Variable {
  (y * Variable(random(y.rows, y.cols, seed: seed))).sum()
}

@Suite("First derivatives against central differences")
struct FirstOrderTests {
  let tolerance: Float = 5e-3

  @Test func unaryOps() {
    let x = awayFromZero(3, 4, seed: 1)
    let positive = x.abs() + 0.5
    let cases: [(String, Matrix, (Variable) -> Variable)] = [
      ("relu", x, { $0.relu() }),
      ("leakyRelu", x, { $0.leakyRelu(slope: 0.2) }),
      ("tanh", x, { $0.tanh() }),
      ("sigmoid", x, { $0.sigmoid() }),
      ("softplus", x, { $0.softplus() }),
      ("exp", x, { $0.exp() }),
      ("log", positive, { $0.log() }),
      ("sqrt", positive, { $0.sqrt() }),
      ("squared", x, { $0.squared() }),
      ("negate", x, { -$0 }),
      ("scale", x, { $0 * 3 }),
      ("shift", x, { $0 + 2 }),
      ("clamped", x, { $0.clamped(lower: -0.5, upper: 0.7) }),
    ]
    for (name, input, f) in cases {
      let report = GradientCheck.check([input]) { weighted(f($0[0])) }
      #expect(report.worstRelativeError < tolerance, "\(name): \(report)")
    }
  }

  @Test func broadcastingArithmetic() {
    let shapes: [((Int, Int), (Int, Int))] = [((3, 4), (3, 4)), ((3, 4), (1, 4)), ((3, 4), (3, 1)), ((3, 4), (1, 1)), ((1, 4), (3, 4)), ((1, 1), (2, 5))]
    for ((ar, ac), (br, bc)) in shapes {
      let a = random(ar, ac, seed: 2), b = random(br, bc, seed: 3).map { $0 >= 0 ? $0 + 0.7 : $0 - 0.7 }
      let ops: [(String, (Variable, Variable) -> Variable)] = [("+", +), ("-", -), ("*", *), ("/", /)]
      for (name, op) in ops {
        let report = GradientCheck.check([a, b]) { weighted(op($0[0], $0[1])) }
        #expect(report.worstRelativeError < tolerance, "\(name) \(ar)×\(ac) with \(br)×\(bc): \(report)")
      }
    }
  }

  @Test func matrixProductsAllTransposes() {
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
      let a = ta ? random(5, 3, seed: 4) : random(3, 5, seed: 4)
      let b = tb ? random(2, 5, seed: 5) : random(5, 2, seed: 5)
      let report = GradientCheck.check([a, b]) { weighted($0[0].matmul($0[1], transposeSelf: ta, transposeOther: tb)) }
      #expect(report.worstRelativeError < tolerance, "transposes \(ta),\(tb): \(report)")
    }
  }

  @Test func affine() {
    let report = GradientCheck.check([random(4, 3, seed: 6), random(3, 5, seed: 7), random(1, 5, seed: 8)]) {
      weighted(Variable.affine($0[0], $0[1], $0[2]))
    }
    #expect(report.worstRelativeError < tolerance, "\(report)")
  }

  @Test func reductions() {
    let x = random(4, 5, seed: 9)
    let cases: [(String, (Variable) -> Variable)] = [
      ("sum", { $0.sum() * 1.3 }),
      ("mean", { $0.mean() * 1.3 }),
      ("sumOverRows", { weighted($0.sumOverRows()) }),
      ("sumOverColumns", { weighted($0.sumOverColumns()) }),
      ("meanOverRows", { weighted($0.meanOverRows()) }),
      ("meanOverColumns", { weighted($0.meanOverColumns()) }),
      ("broadcast", { weighted($0.sumOverRows().broadcast(toRows: 3, cols: 5)) }),
    ]
    for (name, f) in cases {
      let report = GradientCheck.check([x]) { f($0[0]) }
      #expect(report.worstRelativeError < tolerance, "\(name): \(report)")
    }
  }

  @Test func structuralOps() {
    let x = random(4, 7, seed: 10)
    let groups = [0..<3, 3..<4, 5..<7]
    let cases: [(String, (Variable) -> Variable)] = [
      ("logSoftmax", { weighted($0.logSoftmax(groups: groups)) }),
      ("sumWithinGroups", { weighted($0.sumWithinGroups(groups)) }),
      ("expandToGroups", { weighted($0.columns(0..<3).expandToGroups(groups, columns: 7)) }),
      ("columns", { weighted($0.columns(2..<5)) }),
      ("padColumns", { weighted($0.padColumns(at: 2, toWidth: 10)) }),
      ("rows", { weighted($0.rows(1..<3)) }),
      ("padRows", { weighted($0.padRows(at: 2, toHeight: 9)) }),
      ("gramOfRows", { weighted($0.rows(1..<4).matmul($0.rows(1..<4), transposeSelf: true)) }),
      ("concatenate", { weighted(Variable.concatenateColumns([$0, $0.columns(1..<3).tanh()])) }),
      ("gather", { weighted($0.gather(columnIndices: [0, 6, 3, 3])) }),
      ("scatter", { weighted($0.columns(0..<1).scatter(columnIndices: [1, 0, 2, 2], columns: 3)) }),
      ("minimum", { weighted($0.minimum($0 * -0.5 + 0.1)) }),
      ("maximum", { weighted($0.maximum($0 * -0.5 + 0.1)) }),
    ]
    for (name, f) in cases {
      let report = GradientCheck.check([x]) { f($0[0]) }
      #expect(report.worstRelativeError < tolerance, "\(name): \(report)")
    }
  }

  @Test func sharedSubexpressionsAccumulate() {
    // y = x*x + tanh(x)*x: x is used four times.
    let report = GradientCheck.check([random(3, 3, seed: 11)]) { v in
      let x = v[0]
      return weighted(x * x + x.tanh() * x)
    }
    #expect(report.worstRelativeError < tolerance, "\(report)")
  }

  @Test func constantsRecordNothing() {
    let c = Variable(random(2, 2, seed: 12))
    let y = (c.matmul(c) + c).tanh().sum()
    #expect(!y.requiresGradient)
    #expect(y.isLeaf)
  }

  @Test func unrelatedTargetGetsZeros() {
    let x = Variable(random(2, 3, seed: 13), requiresGradient: true)
    let unrelated = Variable(random(4, 1, seed: 14), requiresGradient: true)
    let g = gradients(of: x.squared().sum(), withRespectTo: [x, unrelated])
    #expect(g[1].value == Matrix(rows: 4, cols: 1))
    #expect(isClose(g[0].value, x.value * 2))
  }
}

@Suite("Second derivatives (double backprop)")
struct SecondOrderTests {
  /// A 2-hidden-layer LeakyReLU MLP discriminator D(x) = W3ᵀ·lrelu(W2ᵀ·lrelu(W1ᵀx + b1) + b2) + b3.
  /// With `fused`, each hidden layer is the fused `affine(…, leakyReluSlope:)`, as `MLP` builds it.
  func discriminator(_ x: Variable, _ p: [Variable], fused: Bool = false) -> Variable {
    func hidden(_ h: Variable, _ w: Variable, _ b: Variable) -> Variable {
      fused ? Variable.affine(h, w, b, leakyReluSlope: 0.2) : Variable.affine(h, w, b).leakyRelu(slope: 0.2)
    }
    let h1 = hidden(x, p[0], p[1])
    let h2 = hidden(h1, p[2], p[3])
    return Variable.affine(h2, p[4], p[5])
  }

  /// R1 = γ/2 · mean_i ‖∇ₓ D(x_i)‖².
  func r1(_ x: Matrix, _ p: [Variable], gamma: Float = 5, fused: Bool = false) -> Variable {
    let xv = Variable(x, requiresGradient: true)
    let d = discriminator(xv, p, fused: fused).sum()
    let gx = gradients(of: d, withRespectTo: [xv], createGraph: true)[0]
    return gx.squared().sumOverColumns().mean() * (gamma / 2)
  }

  @Test(arguments: [false, true])
  func r1PenaltyParameterGradient(fused: Bool) {
    let x = random(6, 4, seed: 20)
    let params = [random(4, 8, seed: 21, scale: 0.7), random(1, 8, seed: 22, scale: 0.3),
                  random(8, 8, seed: 23, scale: 0.5), random(1, 8, seed: 24, scale: 0.3),
                  random(8, 1, seed: 25, scale: 0.5), random(1, 1, seed: 26)]
    let vars = params.map { Variable($0, requiresGradient: true) }
    let analytic = gradients(of: r1(x, vars, fused: fused), withRespectTo: vars).map(\.value)
    // Biases b2? The R1 value depends on b1, b2 only through the LeakyReLU pattern (piecewise constant),
    // so their exact gradient is 0; the finite difference is 0 too unless a unit flips sign within ±h.
    let report = GradientCheck.compare(analytic: analytic, inputs: params, step: 1e-3, absoluteFloor: 1e-1) { ps in
      r1(x, ps.map { Variable($0, requiresGradient: true) }, fused: fused).value.scalarValue
    }
    #expect(report.worstRelativeError < 1e-2, "\(report)")
    // The gradient is not trivially zero.
    #expect(analytic[0].abs().sum() > 1e-3)
    #expect(analytic[4].abs().sum() > 1e-3)
  }

  @Test(arguments: [Float(0), 0.2])
  func fusedAffineActivationMatchesTheUnfusedPair(slope: Float) {
    // Value, parameter gradients and the R1-style double backprop of the fused op equal those of affine + leakyRelu.
    let x = random(5, 4, seed: 50), w = random(4, 6, seed: 51), b = random(1, 6, seed: 52)
    let head = random(6, 1, seed: 53)
    func r1Gradients(fused: Bool) -> (value: Matrix, first: [Matrix], second: [Matrix]) {
      let xv = Variable(x, requiresGradient: true), wv = Variable(w, requiresGradient: true), bv = Variable(b, requiresGradient: true)
      // The head is a parameter, so the upstream gradient reaching the fused op depends on it: the second pass
      // fails if the rule cuts the graph through that gradient.
      let hv = Variable(head, requiresGradient: true)
      let h = fused ? Variable.affine(xv, wv, bv, leakyReluSlope: slope) : Variable.affine(xv, wv, bv).leakyRelu(slope: slope)
      let d = h.matmul(hv).sum()
      let first = gradients(of: d, withRespectTo: [xv, wv, bv], createGraph: true)
      let penalty = first[0].squared().sum()
      let second = gradients(of: penalty, withRespectTo: [wv, bv, hv])
      return (h.value, first.map(\.value), second.map(\.value))
    }
    let fused = r1Gradients(fused: true), unfused = r1Gradients(fused: false)
    #expect(fused.value == unfused.value)
    #expect(fused.first == unfused.first)
    #expect(fused.second == unfused.second)
    #expect(fused.second[2].abs().sum() > 0, "the penalty depends on the head through the masked gradient")
    #expect(fused.value.storage.contains { $0 <= 0 } && fused.value.storage.contains { $0 > 0 }, "both branches are exercised")
    let report = GradientCheck.check([x, w, b]) { weighted(Variable.affine($0[0], $0[1], $0[2], leakyReluSlope: slope)) }
    #expect(report.worstRelativeError < 5e-3, "\(report)")
  }

  @Test func softplusLogSoftmaxComposition() {
    // f(x) = Σ w ⊙ ∂/∂x [ Σ softplus(x) ⊙ logSoftmax(x A) ], differentiated once more with respect to x and A.
    let groups = [0..<3, 3..<5]
    let x0 = random(3, 4, seed: 30), a0 = random(4, 5, seed: 31, scale: 0.5)
    let w = Variable(random(3, 4, seed: 32))
    func f(_ x: Variable, _ a: Variable) -> Variable {
      let inner = (x.softplus().matmul(Variable(Matrix(rows: 4, cols: 5, repeating: 0.3))) * x.matmul(a).logSoftmax(groups: groups)).sum()
      let gx = gradients(of: inner, withRespectTo: [x], createGraph: true)[0]
      return (gx * w).sum()
    }
    let xv = Variable(x0, requiresGradient: true), av = Variable(a0, requiresGradient: true)
    let analytic = gradients(of: f(xv, av), withRespectTo: [xv, av]).map(\.value)
    let report = GradientCheck.compare(analytic: analytic, inputs: [x0, a0], step: 1e-2) { m in
      f(Variable(m[0], requiresGradient: true), Variable(m[1], requiresGradient: true)).value.scalarValue
    }
    #expect(report.worstRelativeError < 1e-2, "\(report)")
  }

  @Test func secondDerivativesOfSmoothOps() {
    // d²/dx² of Σ g(x) for g in tanh, sigmoid, softplus, exp, log — the diagonal Hessian.
    let x0 = random(2, 3, seed: 40).map { Swift.abs($0) + 0.3 }
    let fs: [(String, (Variable) -> Variable)] = [("tanh", { $0.tanh() }), ("sigmoid", { $0.sigmoid() }), ("softplus", { $0.softplus() }),
                                                 ("exp", { $0.exp() }), ("log", { $0.log() }), ("sqrt", { $0.sqrt() }), ("div", { 1 / ($0 + 1) })]
    for (name, g) in fs {
      func firstDerivative(_ x: Variable) -> Variable { gradients(of: g(x).sum(), withRespectTo: [x], createGraph: true)[0] }
      let xv = Variable(x0, requiresGradient: true)
      let analytic = gradients(of: firstDerivative(xv).sum(), withRespectTo: [xv]).map(\.value)
      let report = GradientCheck.compare(analytic: analytic, inputs: [x0], step: 1e-2) { m in
        firstDerivative(Variable(m[0], requiresGradient: true)).value.sum()
      }
      #expect(report.worstRelativeError < 1e-2, "\(name): \(report)")
    }
  }
}

private func / (s: Float, v: Variable) -> Variable { Variable(Matrix(rows: v.rows, cols: v.cols, repeating: s)) / v }
