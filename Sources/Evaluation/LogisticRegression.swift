//===----------------------------------------------------------------------===//
// L2-regularised logistic regression fitted by Newton's method (IRLS).
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore

/// A binary classifier that returns the probability of the positive class for every row.
public protocol ProbabilisticClassifier: Sendable {
  /// `P(y = 1 | x)` for every row of `x`.
  func predictProbability(_ x: Matrix) -> [Double]
}

/// L2-regularised logistic regression, fitted by Newton's method with a backtracking line search.
///
/// **Objective** (the same as scikit-learn's `LogisticRegression(C:)`, intercept not penalised):
/// `C · Σᵢ log(1 + exp(−ỹᵢ (b + wᵀxᵢ))) + ½ ‖w‖²`.
///
/// **Solver.** Features are standardised inside the solver (zero mean, unit variance) for a
/// well-conditioned Hessian; the penalty is rescaled accordingly (`½ Σ (w′ⱼ/σⱼ)²` on the
/// standardised weights `w′`), so the fitted model is the optimum of the objective above on the
/// features as given, not of a different, standardised problem. Set
/// ``Options-swift.struct/penalizeStandardizedWeights`` to penalise the standardised weights instead.
/// Constant features get weight 0. Each step solves the Newton system (Hessian `ZᵀSZ + Λ` through a
/// GEMM, Cholesky in `Double`), halving the step until the objective decreases.
///
/// **Convergence:** stops when the largest absolute component of the gradient of the objective
/// divided by `C · n` is at most ``Options-swift.struct/tolerance`` (default 1e-8), or after
/// ``Options-swift.struct/maxIterations`` (default 100) steps; ``converged`` says which.
public struct LogisticRegression: ProbabilisticClassifier {
  /// Solver settings.
  public struct Options: Sendable {
    /// Inverse regularisation strength (scikit-learn's `C`); default 1.
    public var c: Double = 1
    /// Gradient tolerance (see the type's documentation); default 1e-8.
    public var tolerance: Double = 1e-8
    /// Maximum Newton steps; default 100.
    public var maxIterations: Int = 100
    /// Penalise the standardised weights (`½‖w′‖²`) rather than the weights on the given scale.
    public var penalizeStandardizedWeights = false
    /// How the Newton system is solved (see ``Solver``); default ``Solver/automatic``.
    public var solver: Solver = .automatic
    /// C = 1, tolerance 1e-8, at most 100 steps.
    public init() {}
  }

  /// How each Newton step is computed. Both minimise the same objective to the same tolerance.
  public enum Solver: Sendable {
    /// ``newton`` up to ``directSolverLimit`` features, ``newtonCG`` above.
    case automatic
    /// The Hessian through a GEMM and a Cholesky solve: `O(n·p² + p³)` per step, exact steps.
    case newton
    /// Truncated Newton: the step from preconditioned conjugate gradients on Hessian–vector products
    /// (two passes over the data each), so a step costs `O(n·p)` times the CG iterations and no `p × p` matrix is formed.
    case newtonCG
  }

  /// Widths above which ``Solver/automatic`` uses conjugate gradients (a 1,460-wide Hessian costs
  /// 190 G multiply-adds per step on 88,000 rows; CG needs a few dozen passes over the data).
  public static let directSolverLimit = 400

  /// Weights on the original (unstandardised) features.
  public let weights: [Double]
  /// Intercept on the original features.
  public let intercept: Double
  /// Newton steps taken.
  public let iterations: Int
  /// Whether the gradient tolerance was reached.
  public let converged: Bool
  /// The final scaled gradient norm (see the type's documentation).
  public let gradientNorm: Double

  /// Fits the model to the rows of `x` with labels `y` (`true` = positive).
  /// With a single class in `y` the model predicts that class's frequency.
  public static func fit(_ x: Matrix, _ y: [Bool], options: Options = Options()) -> LogisticRegression {
    precondition(x.rows == y.count, "LogisticRegression: \(x.rows) rows, \(y.count) labels")
    let n = x.rows, p = x.cols
    let nPos = y.reduce(0) { $0 + ($1 ? 1 : 0) }
    if nPos == 0 || nPos == n || n == 0 {
      let prior = n == 0 ? 0.5 : Double(nPos) / Double(n)
      let b = prior == 0 ? -30.0 : prior == 1 ? 30.0 : log(prior / (1 - prior))
      return LogisticRegression(weights: [Double](repeating: 0, count: p), intercept: b, iterations: 0, converged: true, gradientNorm: 0)
    }
    // Standardise: z = (x − μ) / σ, plus an intercept column (last).
    var mu = [Double](repeating: 0, count: p), sigma = [Double](repeating: 0, count: p)
    x.withUnsafeBufferPointer { px in
      for i in 0..<n { for j in 0..<p { mu[j] += Double(px[i * p + j]) } }
      for j in 0..<p { mu[j] /= Double(n) }
      for i in 0..<n { for j in 0..<p { let d = Double(px[i * p + j]) - mu[j]; sigma[j] += d * d } }
    }
    var active: [Int] = []
    for j in 0..<p {
      sigma[j] = (sigma[j] / Double(n)).squareRoot()
      if sigma[j] > 1e-12 * max(1, abs(mu[j])) { active.append(j) }
    }
    let q = active.count + 1  // + intercept
    if options.solver == .newtonCG || (options.solver == .automatic && active.count > directSolverLimit) {
      return fitNewtonCG(x, y, mu: mu, sigma: sigma, active: active, options: options)
    }
    var z = [Double](repeating: 1, count: n * q)
    x.withUnsafeBufferPointer { px in
      for i in 0..<n { for (k, j) in active.enumerated() { z[i * q + k] = (Double(px[i * p + j]) - mu[j]) / sigma[j] } }
    }
    var lambda = [Double](repeating: 0, count: q)  // penalty on the standardised weights
    for (k, j) in active.enumerated() {
      lambda[k] = options.penalizeStandardizedWeights ? 1 / options.c : 1 / (options.c * sigma[j] * sigma[j])
    }
    let yd = y.map { $0 ? 1.0 : 0.0 }
    var w = [Double](repeating: 0, count: q)
    let prior = Double(nPos) / Double(n)
    w[q - 1] = log(prior / (1 - prior))

    func objective(_ w: [Double]) -> Double {
      var f = 0.0
      z.withUnsafeBufferPointer { pz in
        for i in 0..<n {
          var t = 0.0
          for k in 0..<q { t += pz[i * q + k] * w[k] }
          // log(1 + e^t) − y t, computed stably
          f += (t > 0 ? t + log1p(exp(-t)) : log1p(exp(t))) - yd[i] * t
        }
      }
      for k in 0..<q { f += 0.5 * lambda[k] * w[k] * w[k] }
      return f
    }

    var f = objective(w)
    var iterations = 0, converged = false, gnorm = Double.infinity
    var zs = Matrix(rows: n, cols: q)
    while iterations < options.maxIterations {
      // Probabilities, gradient, and √s-weighted rows for the Hessian.
      var g = [Double](repeating: 0, count: q)
      z.withUnsafeBufferPointer { pz in
        zs.withUnsafeMutableBufferPointer { ps in
          for i in 0..<n {
            var t = 0.0
            for k in 0..<q { t += pz[i * q + k] * w[k] }
            let pr = 1 / (1 + exp(-t))
            let r = pr - yd[i]
            let s = (pr * (1 - pr)).squareRoot()
            for k in 0..<q {
              g[k] += r * pz[i * q + k]
              ps[i * q + k] = Float(s * pz[i * q + k])
            }
          }
        }
      }
      for k in 0..<q { g[k] += lambda[k] * w[k] }
      gnorm = g.reduce(0) { max($0, abs($1)) } / (options.c * Double(n))
      if gnorm <= options.tolerance { converged = true; break }
      let hf = zs.matmul(zs, transposeSelf: true)
      var h = hf.storage.map(Double.init)
      for k in 0..<q { h[k * q + k] += lambda[k] }
      guard let step = choleskySolve(&h, g, q) else { break }
      // Backtracking line search on the objective.
      var alpha = 1.0
      var accepted = false
      for _ in 0..<40 {
        var trial = w
        for k in 0..<q { trial[k] -= alpha * step[k] }
        let ft = objective(trial)
        let decrease = zip(g, step).reduce(0.0) { $0 + $1.0 * $1.1 }
        if ft <= f - 1e-4 * alpha * decrease || ft < f {
          w = trial; f = ft; accepted = true; break
        }
        alpha /= 2
      }
      iterations += 1
      if !accepted { break }
    }
    // Back to the original scale.
    var weights = [Double](repeating: 0, count: p)
    var b = w[q - 1]
    for (k, j) in active.enumerated() {
      weights[j] = w[k] / sigma[j]
      b -= w[k] * mu[j] / sigma[j]
    }
    return LogisticRegression(weights: weights, intercept: b, iterations: iterations, converged: converged, gradientNorm: gnorm)
  }

  /// `P(y = 1 | x)` for every row of `x`.
  public func predictProbability(_ x: Matrix) -> [Double] {
    precondition(x.cols == weights.count, "LogisticRegression: \(x.cols) features, model has \(weights.count)")
    let p = x.cols
    return x.withUnsafeBufferPointer { px in
      (0..<x.rows).map { i in
        var t = intercept
        for j in 0..<p { t += weights[j] * Double(px[i * p + j]) }
        return 1 / (1 + exp(-t))
      }
    }
  }
}

/// Solves `A x = b` for a symmetric positive-definite `A` (row-major `q × q`, overwritten by its
/// Cholesky factor). Adds a tiny ridge and retries when the factorisation breaks down.
func choleskySolve(_ a: inout [Double], _ b: [Double], _ q: Int) -> [Double]? {
  let original = a
  var ridge = 0.0
  let scale = (0..<q).reduce(0.0) { max($0, abs(original[$1 * q + $1])) }
  for _ in 0..<8 {
    a = original
    if ridge > 0 { for k in 0..<q { a[k * q + k] += ridge } }
    var ok = true
    outer: for j in 0..<q {
      var d = a[j * q + j]
      for k in 0..<j { d -= a[j * q + k] * a[j * q + k] }
      if d <= 0 || !d.isFinite { ok = false; break outer }
      let l = d.squareRoot()
      a[j * q + j] = l
      for i in (j + 1)..<max(j + 1, q) {
        var s = a[i * q + j]
        for k in 0..<j { s -= a[i * q + k] * a[j * q + k] }
        a[i * q + j] = s / l
      }
    }
    if ok {
      var y = b
      for i in 0..<q {
        var s = y[i]
        for k in 0..<i { s -= a[i * q + k] * y[k] }
        y[i] = s / a[i * q + i]
      }
      for i in stride(from: q - 1, through: 0, by: -1) {
        var s = y[i]
        for k in (i + 1)..<max(i + 1, q) { s -= a[k * q + i] * y[k] }
        y[i] = s / a[i * q + i]
      }
      return y
    }
    ridge = ridge == 0 ? max(scale, 1) * 1e-10 : ridge * 100
  }
  return nil
}
