//===----------------------------------------------------------------------===//
// Proposed monotone functions: numeric columns that are a strictly monotone function of an earlier one.
//===----------------------------------------------------------------------===//

import Foundation

extension Schema {
  /// Pairs (column, source) of numeric columns where `column` is a strictly monotone function of the earlier `source`
  /// in every row (a logarithm, a square of a non-negative number, a unit conversion, a copy): the two order the rows
  /// alike, with the same missing cells. Columns with a metadata entry, the outcome, personal columns, columns in
  /// `excluded` (fixed combinations) and columns of fewer than 3 values take no part; a column derived from a derived
  /// one is derived from the first column of the chain. Each `column` leaves the model and is written from its
  /// source's value, so synthetic rows keep the relation exactly at every training value.
  static func proposedMonotoneFunctions(_ table: DataTable, _ columns: [ColumnSchema], declared: Set<String>, outcome: String?,
                                        excluded: Set<Int>) -> [(column: Int, source: Int)] {
    let candidates = columns.indices.filter { i in
      [.continuous, .integer].contains(columns[i].kind) && columns[i].personal == nil && !declared.contains(columns[i].name)
        && columns[i].name != outcome && !excluded.contains(i) && columns[i].distinctCount >= 3
    }
    // Only columns that share their distinct and missing counts, and the first rows of their smallest and largest
    // values (swapped when decreasing), with another can be a pair: rank those alone.
    var bySignature: [[Int]: [Int]] = [:]
    for i in candidates {
      guard let values = try? table.numbers(columns[i].name) else { continue }
      var low = -1, high = -1
      for (r, v) in values.enumerated() where !v.isNaN {
        if low < 0 || v < values[low] { low = r }
        if high < 0 || v > values[high] { high = r }
      }
      bySignature[[columns[i].distinctCount, columns[i].missingCount, Swift.min(low, high), Swift.max(low, high)], default: []].append(i)
    }
    var pairs: [(column: Int, source: Int)] = []
    for group in bySignature.values where group.count > 1 {
      var ranks: [Int: [Int32]] = [:]
      for i in group {
        guard let values = try? table.numbers(columns[i].name) else { continue }
        ranks[i] = denseRanks(values)
      }
      var sourceOf: [Int: Int] = [:]
      let ordered = group.sorted()
      for (a, j) in ordered.enumerated() {
        guard let rj = ranks[j] else { continue }
        let levels = Int32(columns[j].distinctCount - 1)
        for i in ordered.prefix(a) where sourceOf[i] == nil {
          guard let ri = ranks[i] else { continue }
          let increasing = ri == rj
          let decreasing = !increasing && zip(ri, rj).allSatisfy { $0 < 0 ? $1 < 0 : ($1 >= 0 && $0 == levels - $1) }
          if increasing || decreasing {
            sourceOf[j] = i
            pairs.append((j, i))
            break
          }
        }
      }
    }
    return pairs.sorted { $0.column < $1.column }
  }

  /// Each row's index among the column's distinct values in ascending order (−1 for a missing cell).
  static func denseRanks(_ values: [Double]) -> [Int32] {
    let distinct = Array(Set(values.filter { !$0.isNaN })).sorted()
    var index: [Double: Int32] = [:]
    index.reserveCapacity(distinct.count)
    for (k, v) in distinct.enumerated() { index[v] = Int32(k) }
    return values.map { $0.isNaN ? -1 : index[$0]! }
  }
}
