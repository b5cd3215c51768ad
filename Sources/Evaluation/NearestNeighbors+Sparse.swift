//===----------------------------------------------------------------------===//
// Nearest neighbours on wide tables of sparse 0/1 codes: an inverted index for the codes, a GEMM for the rest.
//===----------------------------------------------------------------------===//

import Dispatch
import NumericCore

extension NearestNeighbors {
  /// Features that are 0/1 in both matrices and at most this dense in the reference go to the inverted index.
  static let sparseDensityLimit = 0.1
  /// The sparse path is used from this many sparse features on, and when they are most of the columns.
  static let sparseFeatureMinimum = 64

  /// The columns the sparse path would index: 0/1 in both matrices, set in at most
  /// ``sparseDensityLimit`` of the reference rows. Empty when the path does not pay (fewer than
  /// ``sparseFeatureMinimum`` such columns, or not most of them).
  static func sparseColumns(_ queries: Matrix, _ reference: Matrix) -> [Int] {
    let d = queries.cols
    guard d >= sparseFeatureMinimum else { return [] }
    var binary = [Bool](repeating: true, count: d)
    var ones = [Int](repeating: 0, count: d)
    for (m, countOnes) in [(queries, false), (reference, true)] {
      m.withUnsafeBufferPointer { p in
        for r in 0..<m.rows {
          let row = p.baseAddress! + r * d
          for k in 0..<d where binary[k] {
            let v = row[k]
            if v == 1 { if countOnes { ones[k] += 1 } } else if v != 0 { binary[k] = false }
          }
        }
      }
    }
    let limit = sparseDensityLimit * Double(reference.rows)
    let sparse = (0..<d).filter { binary[$0] && Double(ones[$0]) <= limit }
    return sparse.count >= sparseFeatureMinimum && 2 * sparse.count > d ? sparse : []
  }

  /// ``nearest(queries:reference:weights:blockRows:maxCandidates:)`` for matrices whose columns `sparse`
  /// are sparse 0/1 codes: their part of every squared distance, `Σ wₖ (aₖ + bₖ − 2 aₖ bₖ)`, comes exactly
  /// from an inverted index of the reference's ones (cost: the pairs of shared ones), the other columns'
  /// part from one single-precision GEMM per block of queries. Candidates within the GEMM's rounding bound
  /// are re-measured in `Double` on every column, as in the dense path, so the results are the same.
  /// Query blocks run on every core, each with single-threaded BLAS.
  static func nearestSparse(queries: Matrix, reference: Matrix, weights: [Double], sparse: [Int], blockRows: Int,
                            maxCandidates: Int) -> NearestNeighborResult {
    let m = queries.rows, n = reference.rows, d = queries.cols
    let isSparse = Set(sparse)
    let dense = (0..<d).filter { !isSparse.contains($0) }
    let dd = dense.count
    // Dense part: centred on the reference means and scaled by √w, as in the dense path.
    let mean = reference.meanOverRows()
    func densePart(_ x: Matrix) -> Matrix {
      Matrix(rows: x.rows, cols: max(dd, 1)) { out in
        out.initialize(repeating: 0)
        x.withUnsafeBufferPointer { p in
          mean.withUnsafeBufferPointer { mu in
            for r in 0..<x.rows {
              for (q, k) in dense.enumerated() {
                out[r * max(dd, 1) + q] = Float((Double(p[r * d + k]) - Double(mu[k])) * weights[k].squareRoot())
              }
            }
          }
        }
      }
    }
    let a = densePart(queries), b = densePart(reference)
    let bNorm: [Double] = b.withUnsafeBufferPointer { p in
      (0..<n).map { j in var s = 0.0; for k in 0..<b.cols { let v = Double(p[j * b.cols + k]); s += v * v }; return s }
    }
    let maxB = bNorm.max() ?? 0
    // Inverted index of the reference's ones (CSR over the sparse columns) and each row's weighted count.
    var postingStart = [Int](repeating: 0, count: sparse.count + 1)
    var postingRows: [Int32] = []
    var bSparse = [Double](repeating: 0, count: n)
    reference.withUnsafeBufferPointer { p in
      for (s, k) in sparse.enumerated() {
        for j in 0..<n where p[j * d + k] == 1 { postingRows.append(Int32(j)); bSparse[j] += weights[k] }
        postingStart[s + 1] = postingRows.count
      }
    }
    let sparseWeights = sparse.map { Float(weights[$0]) }
    let epsBound = 2 * Double(max(dd, 1)) * Double(Float.ulpOfOne)
    var distances = [Double](repeating: 0, count: m)
    var indices = [Int](repeating: 0, count: m)
    let blocks = (m + blockRows - 1) / blockRows
    let shared = SparseSearchInputs(a: a, b: b, queries: queries, reference: reference, bNorm: bNorm, bSparse: bSparse,
                                    postingStart: postingStart, postingRows: postingRows, sparse: sparse,
                                    sparseWeights: sparseWeights, weights: weights)
    distances.withUnsafeMutableBufferPointer { dist in
      indices.withUnsafeMutableBufferPointer { idx in
        let out = SparseSearchOutputs(distances: dist.baseAddress!, indices: idx.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: blocks) { block in
          BLAS.withThreadLimit(1) {
            let r0 = block * blockRows, r1 = min(r0 + blockRows, m)
            shared.search(rows: r0..<r1, maxB: maxB, epsBound: epsBound, maxCandidates: maxCandidates, into: out)
          }
        }
      }
    }
    return NearestNeighborResult(distances: distances, indices: indices)
  }
}

/// The read-only inputs every query block of the sparse search shares.
private struct SparseSearchInputs: @unchecked Sendable {
  let a: Matrix, b: Matrix, queries: Matrix, reference: Matrix
  let bNorm: [Double], bSparse: [Double]
  let postingStart: [Int], postingRows: [Int32]
  let sparse: [Int], sparseWeights: [Float], weights: [Double]

  /// Nearest reference rows of the query rows `rows`, written to `out` at the same indices.
  func search(rows: Range<Int>, maxB: Double, epsBound: Double, maxCandidates: Int, into out: SparseSearchOutputs) {
    let n = reference.rows, d = queries.cols, dd = a.cols
    var product = Matrix(rows: rows.count, cols: n)
    Matrix.gemm(a.rows(rows), b, transposeB: true, into: &product)
    var shared = [Float](repeating: 0, count: n)
    var candidates: [(Double, Int)] = []
    queries.withUnsafeBufferPointer { pq in
      reference.withUnsafeBufferPointer { pr in
        a.withUnsafeBufferPointer { pa in
          product.withUnsafeBufferPointer { pg in
            postingRows.withUnsafeBufferPointer { post in
              shared.withUnsafeMutableBufferPointer { acc in
                for (i, r) in rows.enumerated() {
                  let q = pq.baseAddress! + r * d
                  var aNorm = 0.0
                  for k in 0..<dd { let v = Double(pa[r * dd + k]); aNorm += v * v }
                  // Shared ones, weighted: one pass over the postings of the query's ones.
                  for k in 0..<n { acc[k] = 0 }
                  var aSparse = 0.0
                  for (s, k) in sparse.enumerated() where q[k] == 1 {
                    aSparse += weights[k]
                    let w = sparseWeights[s]
                    for p in postingStart[s]..<postingStart[s + 1] { acc[Int(post[p])] += w }
                  }
                  let row = pg.baseAddress! + i * n
                  var best = Double.infinity
                  for j in 0..<n {
                    let s = aNorm + bNorm[j] - 2 * Double(row[j]) + aSparse + bSparse[j] - 2 * Double(acc[j])
                    if s < best { best = s }
                  }
                  let tol = epsBound * (aNorm + maxB) + 1e-9
                  candidates.removeAll(keepingCapacity: true)
                  for j in 0..<n {
                    let s = aNorm + bNorm[j] - 2 * Double(row[j]) + aSparse + bSparse[j] - 2 * Double(acc[j])
                    if s <= best + tol { candidates.append((s, j)) }
                  }
                  if candidates.count > maxCandidates {
                    candidates.sort { $0 < $1 }
                    candidates.removeLast(candidates.count - maxCandidates)
                  }
                  var exact = Double.infinity, arg = -1
                  for (_, j) in candidates {
                    let rj = pr.baseAddress! + j * d
                    var s = 0.0
                    for k in 0..<d { let t = Double(q[k]) - Double(rj[k]); s += weights[k] * t * t }
                    if s < exact || (s == exact && j < arg) { exact = s; arg = j }
                  }
                  out.distances[r] = exact.squareRoot()
                  out.indices[r] = arg
                }
              }
            }
          }
        }
      }
    }
  }
}

/// Where the query blocks write their results (disjoint index ranges).
private struct SparseSearchOutputs: @unchecked Sendable {
  let distances: UnsafeMutablePointer<Double>
  let indices: UnsafeMutablePointer<Int>
}
