//===----------------------------------------------------------------------===//
// Exact nearest-neighbour search through blocked matrix products.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore

/// The nearest reference row of every query row, in Euclidean distance.
public struct NearestNeighborResult: Sendable {
  /// Distance from each query row to its nearest reference row.
  public var distances: [Double]
  /// Index (into the reference rows) of that nearest row.
  public var indices: [Int]
}

/// Brute-force nearest-neighbour search that scales to 10,000 × 10,000 rows and beyond.
public enum NearestNeighbors {
  /// Finds, for every row of `queries`, the nearest row of `reference` (Euclidean distance).
  ///
  /// Both matrices are first centred on the reference column means (distances are unchanged,
  /// rounding shrinks). Squared distances are then screened in blocks of `blockRows` query rows
  /// as `‖a‖² + ‖b‖² − 2 a·b`, the products through one single-precision GEMM per block, so the
  /// working memory is `blockRows × reference.rows` floats (20 MB for 512 × 10,000). Every reference
  /// row whose screened value lies within the GEMM rounding bound (`2 · d · ε_f32 · (‖a‖² + max‖b‖²)`)
  /// of the smallest is re-measured exactly in `Double` (at most `maxCandidates` of them, the
  /// closest by the screen first) on the original values, and the smallest exact distance wins; ties go to the lower index.
  /// Identical rows therefore have distance exactly 0.
  ///
  /// With `weights` (one per column, ≥ 0) the distance is `√(Σ wₖ (aₖ − bₖ)²)`: the screen runs on the columns
  /// scaled by `√wₖ`, the exact re-measure on the original values with the weights.
  public static func nearest(queries: Matrix, reference: Matrix, weights: [Float]? = nil, blockRows: Int = 512,
                             maxCandidates: Int = 256) -> NearestNeighborResult {
    precondition(queries.cols == reference.cols, "nearest: queries have \(queries.cols) columns, reference \(reference.cols)")
    precondition(weights == nil || weights!.count == queries.cols, "nearest: \(weights?.count ?? 0) weights for \(queries.cols) columns")
    let m = queries.rows, n = reference.rows, d = queries.cols
    guard n > 0 else {
      return NearestNeighborResult(distances: [Double](repeating: .infinity, count: m), indices: [Int](repeating: -1, count: m))
    }
    if m == 0 { return NearestNeighborResult(distances: [], indices: []) }
    let w = (weights ?? []).map(Double.init)
    let sparse = sparseColumns(queries, reference)
    if !sparse.isEmpty {
      return nearestSparse(queries: queries, reference: reference, weights: w.isEmpty ? [Double](repeating: 1, count: d) : w,
                           sparse: sparse, blockRows: 128, maxCandidates: maxCandidates)
    }
    let mean = reference.meanOverRows()
    var a = queries - mean, b = reference - mean
    if let weights {
      let scale = Matrix(rows: 1, cols: d, storage: weights.map { $0.squareRoot() })
      a = a * scale; b = b * scale
    }
    let bNorm: [Double] = b.withUnsafeBufferPointer { p in
      (0..<n).map { j in var s = 0.0; for k in 0..<d { let v = Double(p[j * d + k]); s += v * v }; return s }
    }
    let maxB = bNorm.max() ?? 0
    var distances = [Double](repeating: 0, count: m)
    var indices = [Int](repeating: 0, count: m)
    let epsBound = 2 * Double(max(d, 1)) * Double(Float.ulpOfOne)
    var r0 = 0
    var block = Matrix(rows: min(blockRows, m), cols: n)
    while r0 < m {
      let r1 = min(r0 + blockRows, m)
      let q = a.rows(r0..<r1)
      if block.rows != r1 - r0 { block = Matrix(rows: r1 - r0, cols: n) }
      Matrix.gemm(q, b, transposeB: true, into: &block)
      q.withUnsafeBufferPointer { pq in
        queries.withUnsafeBufferPointer { pOrigQ in
        reference.withUnsafeBufferPointer { pb in
          block.withUnsafeBufferPointer { pd in
            var candidates: [(Double, Int)] = []
            for i in 0..<(r1 - r0) {
              let qi = pq.baseAddress! + i * d
              var aNorm = 0.0
              for k in 0..<d { let v = Double(qi[k]); aNorm += v * v }
              let row = pd.baseAddress! + i * n
              var best = Double.infinity
              for j in 0..<n {
                let s = aNorm + bNorm[j] - 2 * Double(row[j])
                if s < best { best = s }
              }
              let tol = epsBound * (aNorm + maxB) + 1e-12
              candidates.removeAll(keepingCapacity: true)
              for j in 0..<n {
                let s = aNorm + bNorm[j] - 2 * Double(row[j])
                if s <= best + tol { candidates.append((s, j)) }
              }
              if candidates.count > maxCandidates {
                candidates.sort { $0 < $1 }
                candidates.removeLast(candidates.count - maxCandidates)
              }
              var exact = Double.infinity, arg = -1
              let oi = pOrigQ.baseAddress! + (r0 + i) * d
              for (_, j) in candidates {
                let rj = pb.baseAddress! + j * d
                var s = 0.0
                if w.isEmpty {
                  for k in 0..<d { let t = Double(oi[k]) - Double(rj[k]); s += t * t }
                } else {
                  for k in 0..<d { let t = Double(oi[k]) - Double(rj[k]); s += w[k] * t * t }
                }
                if s < exact || (s == exact && j < arg) { exact = s; arg = j }
              }
              distances[r0 + i] = exact.squareRoot()
              indices[r0 + i] = arg
            }
          }
        }
        }
      }
      r0 = r1
    }
    return NearestNeighborResult(distances: distances, indices: indices)
  }
}
