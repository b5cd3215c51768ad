//===----------------------------------------------------------------------===//
// Reference loops in Double and shape fixtures shared by the NumericCore tests.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import TestSupport

/// Awkward shapes every kernel is run on: scalars, row and column vectors, odd sizes,
/// sizes that straddle the 32-element tiles of `transposed()`, and empty matrices.
let awkwardShapes: [(rows: Int, cols: Int)] = [
  (1, 1), (1, 9), (9, 1), (7, 13), (33, 5), (5, 33), (2, 64), (37, 70), (0, 3), (3, 0), (0, 0),
]

/// The non-empty awkward shapes.
let nonEmptyShapes = awkwardShapes.filter { $0.rows > 0 && $0.cols > 0 }

/// A deterministic matrix with elements uniform in `[lower, upper)`.
func randomMatrix(_ rows: Int, _ cols: Int, seed: UInt64, lower: Float = -3, upper: Float = 3) -> Matrix {
  var rng = RandomSource(seed: seed)
  return rng.uniformMatrix(rows: rows, cols: cols, lower: lower, upper: upper)
}

/// A deterministic matrix whose elements have magnitude in `[0.5, 3)` and a random sign (safe divisors).
func awayFromZero(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix {
  var rng = RandomSource(seed: seed)
  return Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in
    let m = 0.5 + 2.5 * rng.uniform()
    return rng.uniform() < 0.5 ? -m : m
  })
}

/// Elements as `Double`, row-major.
func doubles(_ m: Matrix) -> [Double] { m.storage.map(Double.init) }

/// The element of `m` that broadcasting reads for output position `(i, j)`.
func broadcastElement(_ m: Matrix, _ i: Int, _ j: Int) -> Double {
  Double(m[m.rows == 1 ? 0 : i, m.cols == 1 ? 0 : j])
}

/// Reference broadcasting combine in Double: output shape is the per-axis maximum.
func referenceCombine(_ a: Matrix, _ b: Matrix, _ f: (Double, Double) -> Double) -> (rows: Int, cols: Int, values: [Double]) {
  let r = a.rows == 1 ? b.rows : a.rows
  let c = a.cols == 1 ? b.cols : a.cols
  var out: [Double] = []
  for i in 0..<r { for j in 0..<c { out.append(f(broadcastElement(a, i, j), broadcastElement(b, i, j))) } }
  return (r, c, out)
}

/// The largest `|got − expected| / (absolute + relative · |expected|)` (≤ 1 means within tolerance).
///
/// Infinities must match exactly; a NaN on either side counts as a mismatch unless both are NaN.
func worstError(_ got: Matrix, _ expected: [Double], absolute: Double, relative: Double) -> Double {
  precondition(got.count == expected.count, "worstError: \(got.count) values against \(expected.count)")
  var worst = 0.0
  for (g, e) in zip(got.storage.map(Double.init), expected) {
    if g.isNaN || e.isNaN {
      if !(g.isNaN && e.isNaN) { return .infinity }
      continue
    }
    if g.isInfinite || e.isInfinite {
      if g != e { return .infinity }
      continue
    }
    worst = max(worst, Swift.abs(g - e) / (absolute + relative * Swift.abs(e)))
  }
  return worst
}

/// Reference GEMM in Double: `α · op(A) · op(B) + β · C`, and the per-element magnitude
/// `Σₚ |α aᵢₚ bₚⱼ| + |β cᵢⱼ|` that bounds the rounding error of any single-precision evaluation.
func referenceGEMM(
  _ a: Matrix, transposeA: Bool, _ b: Matrix, transposeB: Bool, alpha: Float, beta: Float, c: Matrix
) -> (values: [Double], magnitudes: [Double]) {
  let m = transposeA ? a.cols : a.rows
  let k = transposeA ? a.rows : a.cols
  let n = transposeB ? b.rows : b.cols
  let av = doubles(a), bv = doubles(b), cv = doubles(c)
  let alphaD = Double(alpha), betaD = Double(beta)
  var values = [Double](repeating: 0, count: m * n), magnitudes = [Double](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var s = beta == 0 ? 0 : betaD * cv[i * n + j]
      var mag = Swift.abs(s)
      for p in 0..<k {
        let aip = transposeA ? av[p * a.cols + i] : av[i * a.cols + p]
        let bpj = transposeB ? bv[j * b.cols + p] : bv[p * b.cols + j]
        let t = alphaD * aip * bpj
        s += t
        mag += Swift.abs(t)
      }
      values[i * n + j] = s
      magnitudes[i * n + j] = mag
    }
  }
  return (values, magnitudes)
}

/// The largest GEMM error relative to the element's magnitude, divided by `(k + 2) · Float.ulpOfOne`
/// (the classic bound for a length-`k` single-precision dot product); ≤ 1 means within the bound.
func gemmErrorRatio(_ got: Matrix, _ reference: (values: [Double], magnitudes: [Double]), k: Int) -> Double {
  let bound = Double(k + 2) * Double(Float.ulpOfOne)
  var worst = 0.0
  for (idx, g) in got.storage.enumerated() {
    let e = reference.values[idx]
    guard g.isFinite else { return .infinity }
    worst = max(worst, Swift.abs(Double(g) - e) / (max(reference.magnitudes[idx], .leastNormalMagnitude) * bound))
  }
  return worst
}

/// The Frobenius inner product `Σᵢⱼ aᵢⱼ bᵢⱼ` in Double (for adjointness checks).
func inner(_ a: Matrix, _ b: Matrix) -> Double {
  precondition(a.hasShape(of: b))
  return zip(a.storage, b.storage).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

/// `Σ |aᵢⱼ bᵢⱼ|` in Double: the scale against which an inner product's rounding error is judged.
func innerMagnitude(_ a: Matrix, _ b: Matrix) -> Double {
  zip(a.storage, b.storage).reduce(0) { $0 + Swift.abs(Double($1.0) * Double($1.1)) }
}
