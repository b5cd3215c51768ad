//===----------------------------------------------------------------------===//
// Mini-batches that visit every record once per pass (a shuffled DataLoader).
//===----------------------------------------------------------------------===//

import NumericCore

/// Draws batches of rows from a fixed matrix, cycling through a fresh random permutation each
/// pass, so every record is used once per pass and batches may straddle two passes.
public struct BatchCycler {
  /// The records batches are drawn from.
  public let data: Matrix
  private var order: [Int] = []
  private var cursor = 0

  public init(data: Matrix) { self.data = data }

  /// The next `n` records. Permutations are drawn from `rng` when a pass starts.
  public mutating func next(_ n: Int, rng: inout RandomSource) -> Matrix {
    var indices: [Int] = []
    indices.reserveCapacity(n)
    while indices.count < n {
      if cursor >= order.count { order = rng.permutation(data.rows); cursor = 0 }
      let take = Swift.min(n - indices.count, order.count - cursor)
      indices.append(contentsOf: order[cursor..<(cursor + take)])
      cursor += take
    }
    return data.gatherRows(indices)
  }
}
