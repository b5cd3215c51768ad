//===----------------------------------------------------------------------===//
// RLSyn's proximity penalty: a lower reward for records close to one training record.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore

extension RLSynTrainer {
  /// The proximity penalty's fixed parts: the training records in the distance space, their squared norms, and τ².
  struct ProximityTarget {
    let records: Matrix
    let squaredNorms: Matrix
    let squaredThreshold: Float
  }

  /// `records` as the penalty measures them, close to the evaluation's encoding: a Gaussian score z becomes its rank
  /// Φ(z) in [0, 1] (the quantile transform's uniform scale), a binary column counts √2 (a different value adds 2 to
  /// the squared distance, as a one-hot pair does) and a one-hot level stays as it is.
  static func proximitySpace(_ records: Matrix, layout: RecordLayout) -> Matrix {
    let w = records.cols, g = layout.gaussian, b = layout.bernoulli
    let rootTwo = Float(2).squareRoot()
    var out = records
    out.withUnsafeMutableBufferPointer { o in
      for i in 0..<records.rows {
        let row = o.baseAddress! + i * w
        for j in g { row[j] = 0.5 * Foundation.erfc(-row[j] / rootTwo) }
        for j in b { row[j] *= rootTwo }
      }
    }
    return out
  }

  /// Squared distance from each row of `queries` to its nearest row of `reference` (`‖q‖² + ‖r‖² − 2q·r`, one GEMM per
  /// block of 1,024 queries), skipping the same row index when `excludingSelf` (for the reference against itself).
  static func nearestSquaredDistances(_ queries: Matrix, queryNorms: Matrix, to reference: Matrix, referenceNorms: Matrix,
                                      excludingSelf: Bool = false) -> [Float] {
    let m = reference.rows, block = 1_024
    var nearest = [Float](repeating: .infinity, count: queries.rows)
    for start in stride(from: 0, to: queries.rows, by: block) {
      let end = Swift.min(start + block, queries.rows)
      let products = queries.rows(start..<end).matmul(reference, transposeOther: true)
      products.withUnsafeBufferPointer { p in
        for i in start..<end {
          let row = p.baseAddress! + (i - start) * m
          var best = Float.infinity
          for k in 0..<m where !(excludingSelf && k == i) {
            best = Swift.min(best, queryNorms.storage[i] + referenceNorms.storage[k] - 2 * row[k])
          }
          nearest[i] = Swift.max(best, 0)
        }
      }
    }
    return nearest
  }

  /// τ² from the training records `data`: the `quantile` of their squared distances to their nearest other record.
  static func proximityTarget(data: Matrix, layout: RecordLayout, quantile: Float) -> ProximityTarget {
    let records = proximitySpace(data, layout: layout)
    let norms = records.rowSquaredNorms()
    let nearest = nearestSquaredDistances(records, queryNorms: norms, to: records, referenceNorms: norms, excludingSelf: true).sorted()
    let position = Swift.min(Int((Float(nearest.count - 1) * quantile).rounded()), nearest.count - 1)
    return ProximityTarget(records: records, squaredNorms: norms, squaredThreshold: nearest[Swift.max(position, 0)])
  }

  /// `rewards` less `λp · max(0, 1 − d / τ)` for each record of `records` (``RLSynConfiguration/proximityPenalty``).
  func proximityPenalized(_ rewards: Matrix, records: Matrix) -> Matrix {
    guard let target = proximityTarget, target.squaredThreshold > 0 else { return rewards }
    let queries = Self.proximitySpace(records, layout: model.layout)
    let distances = Self.nearestSquaredDistances(queries, queryNorms: queries.rowSquaredNorms(), to: target.records,
                                                 referenceNorms: target.squaredNorms)
    let lambda = configuration.proximityPenalty, tau = target.squaredThreshold.squareRoot()
    var out = rewards
    for i in 0..<out.rows { out.storage[i] -= lambda * Swift.max(0, 1 - distances[i].squareRoot() / tau) }
    return out
  }
}
