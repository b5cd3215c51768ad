//===----------------------------------------------------------------------===//
// Parsing the three tables once, consistently typed against the training table.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore

/// A problem with the input tables (a missing column, an outcome with one class, …).
public struct EvaluationInputError: Error, CustomStringConvertible, Sendable {
  /// A one-line explanation naming the file and column.
  public var description: String
  /// An error with a one-line message.
  public init(_ description: String) { self.description = description }
}

/// What the metrics know about one column, fitted on the training table.
public struct ColumnInfo: Sendable, Codable {
  /// The column name.
  public var name: String
  /// Numeric or categorical.
  public var kind: EvaluationColumnKind
  /// Categorical levels: the training levels first (sorted), then levels seen only in the
  /// holdout or synthetic tables. ``missingLevel`` is a level like any other.
  public var levels: [String]
  /// How many of ``levels`` occur in the training table (only these get one-hot features).
  public var trainingLevelCount: Int
  /// Numeric columns: training minimum and maximum of the non-missing values.
  public var minimum: Double
  /// Numeric columns: training maximum.
  public var maximum: Double
  /// Numeric columns: training median, used to fill missing cells in the encoded table.
  public var median: Double
  /// Numeric columns: training quantiles 0.2, 0.4, 0.6, 0.8 (the NMI bin edges).
  public var quintileEdges: [Double]
  /// Numeric columns: whether any training cell is missing.
  public var hasMissing: Bool
}

/// One table parsed against the shared ``ColumnInfo``: numbers for numeric columns
/// (NaN = missing) and level codes for categorical ones.
public struct ParsedTable: Sendable {
  /// The label of the source table (for messages).
  public var label: String
  /// Number of rows.
  public var rowCount: Int
  /// Numeric columns: the values, NaN where missing. Empty for categorical columns.
  public var numbers: [[Double]]
  /// Categorical columns: indices into ``ColumnInfo/levels``. Empty for numeric columns.
  public var codes: [[Int]]
}

/// Training, holdout and synthetic tables parsed once with the same column decisions.
public struct PreparedTables: Sendable {
  /// Per-column decisions (fitted on the training table), excluding ignored columns.
  public var columns: [ColumnInfo]
  /// Index of the outcome column in ``columns``.
  public var outcomeIndex: Int
  /// The outcome level that counts as positive (the last training level in sorted order,
  /// as score.py's `sorted(unique)[-1]`).
  public var positiveLevel: String
  /// The training table.
  public var train: ParsedTable
  /// The holdout table.
  public var holdout: ParsedTable
  /// The synthetic table.
  public var synthetic: ParsedTable

  /// Parses the three tables. Columns are matched by name; the holdout and synthetic tables must
  /// contain every training column (extra columns are ignored).
  ///
  /// - Throws: ``EvaluationInputError`` naming the file and column when a column is missing, the
  ///   outcome is unknown, or the training outcome has fewer than two classes.
  public init(train: EvaluationTable, holdout: EvaluationTable, synthetic: EvaluationTable,
              outcome: String, typing: ColumnTyping? = nil) throws {
    var tables = [train, holdout, synthetic]
    try self.init(releasing: &tables, outcome: outcome, typing: typing)
  }

  /// Parses `tables` (train, holdout, synthetic, in that order) as ``init(train:holdout:synthetic:outcome:typing:)``
  /// does, emptying each raw column once it is parsed: when the caller holds no other copy, a wide table's
  /// cells and its parsed codes are never both in memory in full (a 30,000-row view of 1,460 columns is
  /// about 0.7 GB of cells). On return every table keeps its label and column names, with no rows.
  public init(releasing tables: inout [EvaluationTable], outcome: String, typing: ColumnTyping? = nil) throws {
    precondition(tables.count == 3, "PreparedTables: expected train, holdout and synthetic tables")
    // Names, labels and counts only: a copy of a whole table here would keep its cells alive.
    let trainNames = tables[0].columnNames
    let labels = tables.map(\.label), rowCounts = tables.map(\.rowCount)
    guard trainNames.contains(outcome) else {
      throw EvaluationInputError("\(labels[0]): no outcome column '\(outcome)' (columns: \(trainNames.prefix(8).joined(separator: ", "))\(trainNames.count > 8 ? ", …" : ""))")
    }
    let typing = typing ?? ColumnTyping(inferringFrom: tables[0])
    var kinds = Dictionary(uniqueKeysWithValues: zip(typing.names, typing.kinds))
    kinds[outcome] = .categorical
    for t in 1..<3 {
      let names = Set(tables[t].columnNames)
      if let missing = trainNames.first(where: { !names.contains($0) && kinds[$0] != .ignored }) {
        throw EvaluationInputError("\(labels[t]): missing column '\(missing)' (present in \(labels[0]))")
      }
      if rowCounts[t] == 0 { throw EvaluationInputError("\(labels[t]): no data rows") }
    }
    if rowCounts[0] == 0 { throw EvaluationInputError("\(labels[0]): no data rows") }

    var infos: [ColumnInfo] = []
    var numbers: [[[Double]]] = [[], [], []]
    var codes: [[[Int]]] = [[], [], []]
    // Column positions by name in each table (the names may come in different orders).
    let positions = tables.map { t in Dictionary(t.columnNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first }) }
    let parsedNames = tables[0].columnNames.filter { (kinds[$0] ?? .categorical) != .ignored }
    // Blocks of columns parsed in parallel; each block's cells are dropped from the tables first, so
    // only one block's cells are held twice.
    let blockSize = 64
    for blockStart in stride(from: 0, to: parsedNames.count, by: blockSize) {
      let names = Array(parsedNames[blockStart..<Swift.min(parsedNames.count, blockStart + blockSize)])
      var cells: [[[String?]]] = []
      for name in names {
        cells.append((0..<3).map { tables[$0].columns[positions[$0][name]!] })
        // The parsed values below replace these cells; dropping the tables' references lets them go.
        for t in 0..<3 { tables[t].columns[positions[t][name]!] = [] }
      }
      let kindsOfBlock = names.map { kinds[$0] ?? .categorical }
      var parsed = [ParsedColumn?](repeating: nil, count: names.count)
      parsed.withUnsafeMutableBufferPointer { slots in
        let out = ParsedColumnSlots(base: slots.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: names.count) { [cells] k in
          out.base[k] = Self.parseColumn(named: names[k], kind: kindsOfBlock[k], cells: cells[k])
        }
      }
      for column in parsed {
        let column = column!
        infos.append(column.info)
        for t in 0..<3 { numbers[t].append(column.numbers[t]); codes[t].append(column.codes[t]) }
      }
    }
    columns = infos
    outcomeIndex = infos.firstIndex { $0.name == outcome }!
    let outcomeInfo = infos[outcomeIndex]
    let trainOutcomeLevels = outcomeInfo.levels[0..<outcomeInfo.trainingLevelCount].filter { $0 != missingLevel }
    guard trainOutcomeLevels.count >= 2 else {
      throw EvaluationInputError("\(labels[0]), column '\(outcome)': the outcome needs two classes, found \(trainOutcomeLevels.count) (\(trainOutcomeLevels.joined(separator: ", ")))")
    }
    guard trainOutcomeLevels.count == 2 else {
      throw EvaluationInputError("\(labels[0]), column '\(outcome)': the outcome must be binary, found \(trainOutcomeLevels.count) classes")
    }
    positiveLevel = trainOutcomeLevels.last!
    for (t, label) in [(codes[1][outcomeIndex], labels[1]), (codes[2][outcomeIndex], labels[2])] {
      if let bad = t.first(where: { $0 >= outcomeInfo.trainingLevelCount && outcomeInfo.levels[$0] != missingLevel }) {
        throw EvaluationInputError("\(label), column '\(outcome)': outcome value \"\(outcomeInfo.levels[bad])\" does not occur in \(labels[0]) (classes: \(trainOutcomeLevels.joined(separator: ", ")))")
      }
    }
    self.train = ParsedTable(label: labels[0], rowCount: rowCounts[0], numbers: numbers[0], codes: codes[0])
    self.holdout = ParsedTable(label: labels[1], rowCount: rowCounts[1], numbers: numbers[1], codes: codes[1])
    self.synthetic = ParsedTable(label: labels[2], rowCount: rowCounts[2], numbers: numbers[2], codes: codes[2])
    // Ignored columns were never parsed; empty them too, so that every table is left with no rows.
    for t in 0..<3 { for c in tables[t].columns.indices where !tables[t].columns[c].isEmpty { tables[t].columns[c] = [] } }
  }

  /// One column parsed in all three tables.
  struct ParsedColumn {
    var info: ColumnInfo
    var numbers: [[Double]]
    var codes: [[Int]]
  }

  /// Parses one column's cells in train, holdout and synthetic (in that order). Categorical cells are
  /// canonicalised once per distinct text, not once per cell (a wide code table has two texts per column).
  static func parseColumn(named name: String, kind: EvaluationColumnKind, cells cols: [[String?]]) -> ParsedColumn {
    switch kind {
    case .numeric:
      let values = cols.map { col in col.map { cell -> Double in cell.flatMap(numericValue) ?? .nan } }
      let present = values[0].filter { !$0.isNaN }.sorted()
      let lo = present.first ?? 0, hi = present.last ?? 0
      let info = ColumnInfo(
        name: name, kind: .numeric, levels: [], trainingLevelCount: 0, minimum: lo, maximum: hi,
        median: present.isEmpty ? 0 : Statistics.quantile(sorted: present, 0.5),
        quintileEdges: present.isEmpty ? [0, 0, 0, 0] : [0.2, 0.4, 0.6, 0.8].map { Statistics.quantile(sorted: present, $0) },
        hasMissing: present.count < values[0].count)
      return ParsedColumn(info: info, numbers: values, codes: [[], [], []])
    case .categorical, .ignored:
      // Each table's distinct texts (nil = missing) in first-seen order, and each cell's index among them.
      var distinct: [[String?]] = [], local: [[Int]] = []
      for col in cols {
        var seen: [String?: Int] = [:]
        var texts: [String?] = []
        local.append(col.map { cell in
          if let k = seen[cell] { return k }
          seen[cell] = texts.count; texts.append(cell)
          return texts.count - 1
        })
        distinct.append(texts)
      }
      let numericLevels = distinct[0].allSatisfy { $0 == nil || numericValue($0!) != nil }
      let canonical = distinct.map { texts in texts.map { canonicalLevel($0, numericColumn: numericLevels) } }
      let trainLevels = sortedLevels(Set(canonical[0]), numeric: numericLevels)
      var levels = trainLevels
      var index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
      for t in 1..<3 {
        let extra = sortedLevels(Set(canonical[t]).subtracting(index.keys), numeric: numericLevels)
        for l in extra { index[l] = levels.count; levels.append(l) }
      }
      let info = ColumnInfo(name: name, kind: .categorical, levels: levels, trainingLevelCount: trainLevels.count,
                            minimum: 0, maximum: 0, median: 0, quintileEdges: [], hasMissing: false)
      let codes = (0..<3).map { t in
        let code = canonical[t].map { index[$0]! }
        return local[t].map { code[$0] }
      }
      return ParsedColumn(info: info, numbers: [[], [], []], codes: codes)
    }
  }

  /// Levels sorted numerically when they are numbers, else lexicographically; missing last.
  static func sortedLevels(_ levels: Set<String>, numeric: Bool) -> [String] {
    let present = levels.filter { $0 != missingLevel }
    var out: [String]
    if numeric {
      out = present.sorted { (Double($0) ?? 0, $0) < (Double($1) ?? 0, $1) }
    } else {
      out = present.sorted()
    }
    if levels.contains(missingLevel) { out.append(missingLevel) }
    return out
  }

  /// The binary outcome of every row of `table` (`true` = positive level; missing = negative).
  public func labels(_ table: ParsedTable) -> [Bool] {
    let pos = columns[outcomeIndex].levels.firstIndex(of: positiveLevel)!
    return table.codes[outcomeIndex].map { $0 == pos }
  }

  /// The three tables in order train, holdout, synthetic.
  public var all: [ParsedTable] { [train, holdout, synthetic] }
}

/// Result slots of a block of columns parsed in parallel; each worker writes only its own slot.
private struct ParsedColumnSlots: @unchecked Sendable { let base: UnsafeMutablePointer<PreparedTables.ParsedColumn?> }
