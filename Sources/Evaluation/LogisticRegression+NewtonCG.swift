//===----------------------------------------------------------------------===//
// The wide-table solver of LogisticRegression: truncated Newton with conjugate gradients.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore

extension LogisticRegression {
  /// Minimises the objective of ``fit(_:_:options:)`` by truncated Newton steps (``Solver/newtonCG``).
  ///
  /// The standardised design `Z` is never formed: `Zv = X(v/σ) − μ·(v/σ) + v₀` and `Zᵀu` follow from `X` and
  /// the column moments, so memory stays at `X` itself. Objective and gradient are summed in `Double` row by
  /// row (they decide convergence, so the tolerance means what it means for the direct solver); the
  /// Hessian–vector products of the CG inner loop go through `Float` matrix–vector products, which only
  /// make a step less exact, never the optimum. Each Newton step runs CG with a diagonal (Jacobi)
  /// preconditioner until the residual falls below `min(0.5, √‖g‖)·‖g‖`, then backtracks as the direct solver does.
  static func fitNewtonCG(_ x: Matrix, _ y: [Bool], mu: [Double], sigma: [Double], active: [Int], options: Options) -> LogisticRegression {
    let n = x.rows, p = x.cols, q = active.count + 1
    let yd = y.map { $0 ? 1.0 : 0.0 }
    var lambda = [Double](repeating: 0, count: q)
    for (k, j) in active.enumerated() {
      lambda[k] = options.penalizeStandardizedWeights ? 1 / options.c : 1 / (options.c * sigma[j] * sigma[j])
    }
    let nPos = yd.reduce(0, +)
    var w = [Double](repeating: 0, count: q)
    w[q - 1] = log(nPos / (Double(n) - nPos))

    // Standardised weights w (last = intercept) → weights on X and the constant: t = X·a + c.
    func original(_ v: [Double]) -> (a: [Double], c: Double) {
      var a = [Double](repeating: 0, count: p), c = v[q - 1]
      for (k, j) in active.enumerated() { a[j] = v[k] / sigma[j]; c -= v[k] * mu[j] / sigma[j] }
      return (a, c)
    }
    // Linear predictors in Double.
    func predictors(_ v: [Double]) -> [Double] {
      let (a, c) = original(v)
      var t = [Double](repeating: c, count: n)
      x.withUnsafeBufferPointer { px in
        a.withUnsafeBufferPointer { pa in
          for i in 0..<n {
            var s = 0.0
            let row = px.baseAddress! + i * p
            for j in 0..<p { s += Double(row[j]) * pa[j] }
            t[i] += s
          }
        }
      }
      return t
    }
    func objective(_ v: [Double], _ t: [Double]) -> Double {
      var f = 0.0
      for i in 0..<n { let ti = t[i]; f += (ti > 0 ? ti + log1p(exp(-ti)) : log1p(exp(ti))) - yd[i] * ti }
      for k in 0..<q { f += 0.5 * lambda[k] * v[k] * v[k] }
      return f
    }
    // Zᵀu in Double from Xᵀu (Float product; u is small-valued so the sum's rounding is relative).
    func transposedProduct(_ u: [Double], exact: Bool) -> [Double] {
      var xtu = [Double](repeating: 0, count: p)
      if exact {
        x.withUnsafeBufferPointer { px in
          for i in 0..<n { let ui = u[i]; if ui == 0 { continue }; let row = px.baseAddress! + i * p; for j in 0..<p { xtu[j] += Double(row[j]) * ui } }
        }
      } else {
        let product = x.matmul(Matrix(rows: n, cols: 1, storage: u.map(Float.init)), transposeSelf: true)
        for j in 0..<p { xtu[j] = Double(product.storage[j]) }
      }
      let total = u.reduce(0, +)
      var out = [Double](repeating: 0, count: q)
      for (k, j) in active.enumerated() { out[k] = (xtu[j] - mu[j] * total) / sigma[j] }
      out[q - 1] = total
      return out
    }
    // Zv in Float.
    func product(_ v: [Double]) -> [Double] {
      let (a, c) = original(v)
      let t = x.matmul(Matrix(rows: p, cols: 1, storage: a.map(Float.init)))
      return t.storage.map { Double($0) + c }
    }

    var t = predictors(w)
    var f = objective(w, t)
    var iterations = 0, converged = false, gnorm = Double.infinity
    while iterations < options.maxIterations {
      var residual = [Double](repeating: 0, count: n), s = [Double](repeating: 0, count: n)
      for i in 0..<n { let pr = 1 / (1 + exp(-t[i])); residual[i] = pr - yd[i]; s[i] = pr * (1 - pr) }
      var g = transposedProduct(residual, exact: true)
      for k in 0..<q { g[k] += lambda[k] * w[k] }
      gnorm = g.reduce(0) { max($0, abs($1)) } / (options.c * Double(n))
      if gnorm <= options.tolerance { converged = true; break }
      // Jacobi preconditioner: diag(ZᵀSZ) + λ.
      var diagonal = [Double](repeating: 0, count: q)
      x.withUnsafeBufferPointer { px in
        var sums = [Double](repeating: 0, count: p), squares = [Double](repeating: 0, count: p)
        for i in 0..<n {
          let si = s[i], row = px.baseAddress! + i * p
          for j in 0..<p { let v = Double(row[j]); sums[j] += si * v; squares[j] += si * v * v }
        }
        let total = s.reduce(0, +)
        for (k, j) in active.enumerated() {
          diagonal[k] = (squares[j] - 2 * mu[j] * sums[j] + mu[j] * mu[j] * total) / (sigma[j] * sigma[j]) + lambda[k]
        }
        diagonal[q - 1] = total + lambda[q - 1]
      }
      func hessianTimes(_ v: [Double]) -> [Double] {
        var zv = product(v)
        for i in 0..<n { zv[i] *= s[i] }
        var out = transposedProduct(zv, exact: false)
        for k in 0..<q { out[k] += lambda[k] * v[k] }
        return out
      }
      // Preconditioned CG on H d = g.
      let gNorm2 = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
      let target = Swift.min(0.5, gNorm2.squareRoot()) * gNorm2
      var d = [Double](repeating: 0, count: q)
      var r = g
      var zr = (0..<q).map { r[$0] / Swift.max(diagonal[$0], 1e-300) }
      var direction = zr
      var rz = zip(r, zr).reduce(0) { $0 + $1.0 * $1.1 }
      for _ in 0..<Swift.max(50, Swift.min(q, 500)) {
        let hd = hessianTimes(direction)
        let curvature = zip(direction, hd).reduce(0) { $0 + $1.0 * $1.1 }
        if !(curvature > 0) { break }
        let alpha = rz / curvature
        for k in 0..<q { d[k] += alpha * direction[k]; r[k] -= alpha * hd[k] }
        if r.reduce(0, { $0 + $1 * $1 }).squareRoot() <= target { break }
        zr = (0..<q).map { r[$0] / Swift.max(diagonal[$0], 1e-300) }
        let rzNext = zip(r, zr).reduce(0) { $0 + $1.0 * $1.1 }
        let beta = rzNext / rz
        rz = rzNext
        for k in 0..<q { direction[k] = zr[k] + beta * direction[k] }
      }
      if d.allSatisfy({ $0 == 0 }) { d = zr }   // no curvature seen: fall back to the preconditioned gradient
      // Backtracking line search on the objective.
      var step = 1.0, accepted = false
      let decrease = zip(g, d).reduce(0.0) { $0 + $1.0 * $1.1 }
      for _ in 0..<40 {
        var trial = w
        for k in 0..<q { trial[k] -= step * d[k] }
        let tt = predictors(trial)
        let ft = objective(trial, tt)
        if ft <= f - 1e-4 * step * decrease || ft < f { w = trial; f = ft; t = tt; accepted = true; break }
        step /= 2
      }
      iterations += 1
      if !accepted { break }
    }
    let (weights, intercept) = original(w)
    return LogisticRegression(weights: weights, intercept: intercept, iterations: iterations, converged: converged, gradientNorm: gnorm)
  }
}
