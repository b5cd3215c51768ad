//===----------------------------------------------------------------------===//
// The block-autoregressive policy: blocks of columns drawn in order, each given the noise and the earlier blocks.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff

extension RLSynPolicy {
  /// Records for noise `z` with the policy's output for them: the paper's policy draws every column at once; an
  /// autoregressive one draws its blocks in order, block b from the heads `h(z) + x_{<b} · (W ⊙ M)`, and returns
  /// the output recomputed on the finished records (the same parameters each block was drawn from, on the graph).
  public func draw(_ z: Variable, rng: inout RandomSource) -> (output: Output, records: Matrix) {
    guard let feedback, let feedbackMask else {
      let out = self(z)
      return (out, sample(out, rng: &rng))
    }
    let base = headLayer(z).value
    let masked = feedback.value * feedbackMask
    var records = Matrix(rows: z.rows, cols: layout.width)
    for (k, columns) in blockColumns.enumerated() {
      // Head columns of later blocks see unfinished values here, but only this block's columns are drawn.
      var current = base
      if k > 0 { current.add(records.matmul(masked)) }
      var only = [Bool](repeating: false, count: layout.width)
      for c in columns { only[c] = true }
      let drawn = sample(output(heads: Variable(current), rows: z.rows), only: only, rng: &rng)
      records.withUnsafeMutableBufferPointer { r in
        drawn.withUnsafeBufferPointer { d in
          let w = layout.width
          for i in 0..<z.rows { for c in columns { r[i * w + c] = d[i * w + c] } }
        }
      }
    }
    return (self(z, records: records), records)
  }

  /// The record's factors (``RecordLayout/factors``, in their order) split into `count` contiguous blocks of nearly
  /// equal size, as record columns; one block when `count` ≤ 1.
  static func blocks(of layout: RecordLayout, count: Int) -> [[Int]] {
    let factors = layout.factors
    let b = Swift.min(Swift.max(count, 1), Swift.max(factors.count, 1))
    guard b > 1 else { return [Array(0..<layout.width)] }
    return (0..<b).map { k in
      factors[(k * factors.count / b)..<((k + 1) * factors.count / b)].flatMap { $0 }.sorted()
    }
  }

  /// The `width × heads` mask of the feedback map: 1 where record column i's block precedes the block of the
  /// record column that head output k parameterises; the value head's column stays 0 (V depends on z alone).
  static func feedbackMask(layout: RecordLayout, blocks: [[Int]], perRecordLogStd: Bool, heads: Int) -> Matrix {
    var blockOf = [Int](repeating: 0, count: layout.width)
    for (k, columns) in blocks.enumerated() { for c in columns { blockOf[c] = k } }
    // The record column behind each head output, in the head layer's order (value head: none).
    var target: [Int] = Array(layout.gaussian)
    if perRecordLogStd { target += Array(layout.gaussian) }
    target += Array(layout.bernoulli) + Array(layout.categorical)
    precondition(target.count + 1 == heads, "feedbackMask: head layout differs")
    var mask = Matrix(rows: layout.width, cols: heads)
    for (k, column) in target.enumerated() {
      for i in 0..<layout.width where blockOf[i] < blockOf[column] { mask[i, k] = 1 }
    }
    return mask
  }
}
