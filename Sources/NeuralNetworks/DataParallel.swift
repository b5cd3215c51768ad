//===----------------------------------------------------------------------===//
// Data parallelism at our own level: one training step's batch split into row blocks, each block's
// forward and backward pass on its own Dispatch worker with single-threaded BLAS, gradients summed.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff

/// Splits a step's batch into row blocks that run on separate cores.
///
/// A loss that is a sum (or a mean) over records is the sum of its blocks' contributions, and so is its
/// gradient. Each block builds and differentiates its own graph from the shared parameters (read only), on a
/// worker limited to one BLAS thread; the gradients are added in block order, so the result depends on the
/// number of blocks but not on how many cores ran them. A worker that finds no free core runs later: on a busy
/// machine the step costs about its one-core time, never a spinning wait.
///
/// It is also the trainers' only way onto other cores (RLSyn's concurrent discriminator runs as ``map(_:threads:_:)``
/// of two tasks), so their closures cross threads in one place, wrapped in ``NumericCore/UncheckedSendable``.
public enum DataParallel {
  /// The largest batch that a training step splits into row blocks by default (docs/performance.md), from
  /// `rlsyn-bench training-step` on 2 cores:
  /// - OpenBLAS with its AVX2 kernels (Zen 1, `Haswell`): two blocks beat split products by 37 % at batch 256 and lost
  ///   by 22 % at 1,024, so larger batches keep the split products; every OpenBLAS core that is not an AVX-512 one
  ///   (unmeasured ones included) keeps this rule;
  /// - OpenBLAS with its AVX-512 kernels (Xeon, `SkylakeX`; `Cooperlake` and `SapphireRapids` assumed alike, not
  ///   measured): two blocks win at every batch (−25 % at 1,024 to 4,096);
  /// - BLIS, or the Swift GEMM, which does not split: two blocks win at every batch (−17 % at 1,024, −8 to −15 % at
  ///   2,048 and 4,096).
  public static var largestBlockedBatch: Int {
    BLAS.isOpenBLAS && !BLAS.usesAVX512Kernels ? 512 : .max
  }

  /// Row blocks for one training step of `batch` records on `threads` cores: one per core (at most 8) for batches up
  /// to ``largestBlockedBatch``, else 1 (larger batches split their products instead).
  public static func defaultBlocks(batch: Int, threads: Int) -> Int {
    threads > 1 && batch > 1 && batch <= largestBlockedBatch ? Swift.min(threads, 8, batch) : 1
  }

  /// The row ranges of `blocks` nearly equal blocks of `rows` rows (the first ones one row longer when it does not divide).
  public static func rowBlocks(rows: Int, blocks: Int) -> [Range<Int>] {
    let b = Swift.max(1, Swift.min(blocks, rows))
    let base = rows / b, extra = rows % b
    var start = 0
    return (0..<b).map { i in
      let n = base + (i < extra ? 1 : 0)
      defer { start += n }
      return start..<(start + n)
    }
  }

  /// `body(0) … body(count − 1)`, run on up to `threads` workers with one BLAS thread each, in index order. The
  /// workers treat subnormals as the calling thread does (``FloatingPointMode``).
  public static func map<T>(_ count: Int, threads: Int, _ body: @escaping (Int) -> T) -> [T] {
    let slots = Slots<T>(count: count)
    let flush = FloatingPointMode.flushesSubnormals
    let work: @Sendable (Int) -> Void = { [body = UncheckedSendable(body)] i in
      BLAS.withThreadLimit(1) { FloatingPointMode.withSubnormalsFlushed(flush) { slots.store(i, body.value(i)) } }
    }
    if threads > 1 && count > 1 { DispatchQueue.concurrentPerform(iterations: count, execute: work) }
    else { for i in 0..<count { work(i) } }
    return (0..<count).map(slots.take)
  }

  /// `body(0) … body(blocks − 1)` for the row blocks of one training step: a single block runs on the calling thread
  /// with its BLAS threads (the whole batch, whose large products may still be split), several as
  /// ``map(_:threads:_:)`` does, one worker each.
  public static func mapBlocks<T>(_ blocks: Int, _ body: @escaping (Int) -> T) -> [T] {
    blocks == 1 ? [body(0)] : map(blocks, threads: blocks, body)
  }

  /// Adds gradient lists element by element, in order.
  public static func sum(_ gradientLists: [[Matrix]]) -> [Matrix] {
    var total = gradientLists[0]
    for list in gradientLists.dropFirst() { for k in total.indices { total[k] += list[k] } }
    return total
  }

  /// The summed values and gradients of `blockLoss(0) … blockLoss(blocks − 1)` with respect to `parameters`.
  ///
  /// `blockLoss(i)` must return block i's contribution to the step's loss (for a mean over n records: the block's
  /// sum divided by n), built from `parameters` without changing them. Runs the blocks on up to `threads` workers.
  public static func valueAndGradients(at parameters: [Variable], blocks: Int, threads: Int,
                                       _ blockLoss: @escaping (Int) -> Variable) -> (value: Float, gradients: [Matrix]) {
    precondition(blocks >= 1, "DataParallel: at least one block")
    let parts = map(blocks, threads: threads) { [parameters = UncheckedSendable(parameters)] i in
      Autodiff.valueAndGradients(at: parameters.value) { blockLoss(i) }
    }
    return (parts.dropFirst().reduce(parts[0].value) { $0 + $1.value }, sum(parts.map(\.gradients)))
  }

  /// One slot per task, each written by one worker; the lock, not a caller's promise, makes sharing it safe.
  final class Slots<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func store(_ i: Int, _ result: T) { lock.withLock { slots[i] = result } }
    func take(_ i: Int) -> T { lock.withLock { slots[i]! } }
  }
}

extension Adam {
  /// One Adam step on a loss computed block by block (``DataParallel/valueAndGradients(at:blocks:threads:_:)``).
  /// Returns the loss value.
  @discardableResult
  public func minimize(blocks: Int, threads: Int, _ blockLoss: @escaping (Int) -> Variable) -> Float {
    let (value, g) = DataParallel.valueAndGradients(at: parameters, blocks: blocks, threads: threads, blockLoss)
    update(g)
    return value
  }
}
