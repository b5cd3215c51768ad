//===----------------------------------------------------------------------===//
// Proposed fixed combinations: columns that another column determines in every row.
//===----------------------------------------------------------------------===//

import Foundation

extension Schema {
  /// Levels a key column may have (3 or more, so that two yes/no columns are never a key).
  static let fixedCombinationKeyLevels = 3...64
  /// Rows every level of a key column must hold, so that a dependence seen in the data is not an accident of few rows.
  static let fixedCombinationMinimumSupport = 10

  /// Groups of columns a key column determines in every row (state → its tax rate, region and unemployment rate;
  /// a disease group → its class; a code → its yes/no summaries), as column indices with the key first. Only
  /// columns without a metadata entry and without missing cells take part, the key has 3–64 levels each held by at
  /// least 10 rows, and the outcome is left alone. Each group becomes one joint categorical column when fitting,
  /// so the synthetic rows hold only combinations the training rows hold.
  static func proposedFixedCombinations(_ table: DataTable, _ columns: [ColumnSchema], declared: Set<String>, outcome: String?) -> [[Int]] {
    let eligible: Set<ColumnKind> = [.binary, .categorical, .integer, .continuous]
    let candidates = columns.indices.filter { i in
      eligible.contains(columns[i].kind) && columns[i].personal == nil && !declared.contains(columns[i].name) && columns[i].name != outcome
        && !table.storage[i].missing.contains(true)
    }
    // Keys: level codes per row, for columns of 3–64 levels each seen often enough.
    var keys: [(index: Int, levels: Int, codes: [Int32])] = []
    for i in candidates where columns[i].kind != .binary {
      let cells = table.storage[i]
      var index = ByteSliceIndex(), codes = [Int32](), tooMany = false
      codes.reserveCapacity(cells.count)
      cells.bytes.withUnsafeBufferPointer { all in
        for r in 0..<cells.count {
          let code = index.insert(UnsafeBufferPointer(rebasing: all[cells.start(r)..<cells.end(r)]))
          if code >= fixedCombinationKeyLevels.upperBound { tooMany = true; return }
          codes.append(Int32(code))
        }
      }
      guard !tooMany, fixedCombinationKeyLevels.contains(index.count) else { continue }
      var counts = [Int](repeating: 0, count: index.count)
      for c in codes { counts[Int(c)] += 1 }
      if counts.min()! >= fixedCombinationMinimumSupport { keys.append((i, index.count, codes)) }
    }
    keys.sort { ($0.levels, -$0.index) > ($1.levels, -$1.index) }
    var grouped = Set<Int>(), groups: [[Int]] = []
    for key in keys where !grouped.contains(key.index) {
      let members = candidates.filter { d in
        d != key.index && !grouped.contains(d) && isDetermined(table.storage[d], by: key.codes, levels: key.levels)
      }
      guard !members.isEmpty else { continue }
      groups.append([key.index] + members)
      grouped.insert(key.index)
      grouped.formUnion(members)
    }
    return groups
  }

  /// Whether every row of one key level holds the same text in `cells` (compared byte for byte with the first row
  /// of that level; stops at the first row that differs).
  static func isDetermined(_ cells: CellColumn, by codes: [Int32], levels: Int) -> Bool {
    var first = [Int](repeating: -1, count: levels)
    return cells.bytes.withUnsafeBufferPointer { all in
      for r in 0..<cells.count {
        let k = Int(codes[r])
        let f = first[k]
        if f < 0 { first[k] = r; continue }
        let (s, e, fs, fe) = (cells.start(r), cells.end(r), cells.start(f), cells.end(f))
        if e - s != fe - fs { return false }
        for j in 0..<(e - s) where all[s + j] != all[fs + j] { return false }
      }
      return true
    }
  }
}
