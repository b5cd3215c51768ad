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
    guard feedback != nil else {
      let out = self(z)
      return (out, sample(out, rng: &rng))
    }
    let base = headLayer(z)
    let records = drawBlocks(base: base.value, rng: &rng)
    return (output(heads: base + Variable(records).matmul(feedback! * Variable(feedbackMask!)), rows: z.rows), records)
  }

  /// Records alone for noise `z` (``draw(_:rng:)`` without the output on the graph).
  public func drawRecords(_ z: Variable, rng: inout RandomSource) -> Matrix {
    guard feedback != nil else { return sample(self(z), rng: &rng) }
    return drawBlocks(base: headLayer(z).value, rng: &rng)
  }

  /// The blocks drawn in order from the head layer's output `base`. After block b is drawn, its values are added to
  /// every later head through their rows of `W ⊙ M` (a record's non-zero entries only: one-hot levels and yes/no
  /// columns cost one row each), so block b' reads `h(z) + x_{<b'} · (W ⊙ M)` without a product per block.
  func drawBlocks(base: Matrix, rng: inout RandomSource) -> Matrix {
    let masked = feedback!.value * feedbackMask!
    let n = base.rows, w = layout.width, h = base.cols
    var records = Matrix(rows: n, cols: w)
    var current = base
    for (k, plan) in blockPlans.enumerated() {
      sampleBlock(plan, heads: current, into: &records, rng: &rng)
      guard k + 1 < blockPlans.count else { break }
      records.withUnsafeBufferPointer { r in
        masked.withUnsafeBufferPointer { m in
          current.withUnsafeMutableBufferPointer { cur in
            for i in 0..<n {
              let row = r.baseAddress! + i * w, out = cur.baseAddress! + i * h
              for c in plan.columns {
                let v = row[c]
                if v == 0 { continue }
                let weights = m.baseAddress! + c * h
                for t in 0..<h { out[t] += v * weights[t] }
              }
            }
          }
        }
      }
    }
    return records
  }

  /// One block's record columns by kind, worked out once per policy (``blockPlans``).
  struct BlockPlan: Sendable {
    /// The block's record columns.
    var columns: [Int]
    /// Its Gaussian, Bernoulli columns (indices within their kind) and categorical groups (within the categorical columns).
    var gaussians: [Int], bernoullis: [Int], groups: [Range<Int>]

    init(columns: [Int], layout: RecordLayout) {
      let inBlock = Set(columns)
      self.columns = columns
      gaussians = layout.gaussian.filter { inBlock.contains($0) }.map { $0 - layout.gaussian.lowerBound }
      bernoullis = layout.bernoulli.filter { inBlock.contains($0) }.map { $0 - layout.bernoulli.lowerBound }
      groups = layout.localCategoricalGroups.filter { inBlock.contains(layout.categorical.lowerBound + $0.lowerBound) }
    }
  }

  /// Draws one block's record columns (whole factors) of every row from the head layer's output `heads`, as
  /// ``sample(_:rng:)`` would from ``output(heads:rows:)``, reading only those columns' heads; then writes the
  /// missing values of the block's Gaussian columns, so that later blocks see what a record holds.
  func sampleBlock(_ plan: BlockPlan, heads: Matrix, into records: inout Matrix, rng: inout RandomSource) {
    let n = records.rows, w = layout.width, h = heads.cols
    let g0 = layout.gaussian.lowerBound, b0 = layout.bernoulli.lowerBound, c0 = layout.categorical.lowerBound
    let lo = logStdRange.lowerBound, span = logStdRange.upperBound - logStdRange.lowerBound
    let shared = sharedLogStd?.value
    let (meanHead, logStdHead) = (meanColumns.lowerBound, logStdColumns.lowerBound)
    let (bernoulliHead, categoricalHead) = (bernoulliColumns.lowerBound, categoricalColumns.lowerBound)
    records.withUnsafeMutableBufferPointer { r in
      heads.withUnsafeBufferPointer { v in
        var probabilities = [Float](repeating: 0, count: plan.groups.map(\.count).max() ?? 0)
        for i in 0..<n {
          let row = r.baseAddress! + i * w, out = v.baseAddress! + i * h
          for j in plan.gaussians {
            let logStd = shared.map { Swift.min(Swift.max($0[0, j], lo), lo + span) }
              ?? span / (1 + FastMath.exp(-out[logStdHead + j])) + lo
            row[g0 + j] = out[meanHead + j] + FastMath.exp(logStd) * rng.normal()
          }
          for j in plan.bernoullis { row[b0 + j] = rng.uniform() < 1 / (1 + FastMath.exp(-out[bernoulliHead + j])) ? 1 : 0 }
          for g in plan.groups {
            var top = -Float.infinity
            for j in g { top = Swift.max(top, out[categoricalHead + j]) }
            var total: Float = 0
            for (t, j) in g.enumerated() { probabilities[t] = FastMath.exp(out[categoricalHead + j] - top); total += probabilities[t] }
            let u = rng.uniform() * total
            var acc: Float = 0, chosen = g.upperBound - 1
            for (t, j) in g.enumerated() { acc += probabilities[t]; if u < acc { chosen = j; break } }
            row[c0 + chosen] = 1
          }
          for j in plan.gaussians {
            if let m = layout.missingIndicatorForGaussian[j], row[m] > 0.5 { row[g0 + j] = layout.missingValueForGaussian[j] }
          }
        }
      }
    }
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

  /// The record column behind each head output but the value, in the head layer's order.
  static func headTargets(layout: RecordLayout, perRecordLogStd: Bool) -> [Int] {
    Array(layout.gaussian) + (perRecordLogStd ? Array(layout.gaussian) : []) + Array(layout.bernoulli) + Array(layout.categorical)
  }

  /// The `width × heads` mask of the feedback map: 1 where record column i's block precedes the block of the
  /// record column that head output k parameterises; the value head's column stays 0 (V depends on z alone).
  static func feedbackMask(layout: RecordLayout, blocks: [[Int]], perRecordLogStd: Bool, heads: Int) -> Matrix {
    var blockOf = [Int](repeating: 0, count: layout.width)
    for (k, columns) in blocks.enumerated() { for c in columns { blockOf[c] = k } }
    let target = headTargets(layout: layout, perRecordLogStd: perRecordLogStd)
    precondition(target.count + 1 == heads, "feedbackMask: head layout differs")
    var mask = Matrix(rows: layout.width, cols: heads)
    for (k, column) in target.enumerated() {
      for i in 0..<layout.width where blockOf[i] < blockOf[column] { mask[i, k] = 1 }
    }
    return mask
  }
}
