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
    for name in tables[0].columnNames {
      let kind = kinds[name] ?? .categorical
      if kind == .ignored { continue }
      let cols = (0..<3).map { tables[$0].columns[positions[$0][name]!] }
      // The parsed values below replace these cells; dropping the tables' references lets them go.
      for t in 0..<3 { tables[t].columns[positions[t][name]!] = [] }
      switch kind {
      case .numeric:
        let values = cols.map { col in col.map { cell -> Double in cell.flatMap(numericValue) ?? .nan } }
        let present = values[0].filter { !$0.isNaN }.sorted()
        let lo = present.first ?? 0, hi = present.last ?? 0
        infos.append(ColumnInfo(
          name: name, kind: .numeric, levels: [], trainingLevelCount: 0, minimum: lo, maximum: hi,
          median: present.isEmpty ? 0 : Statistics.quantile(sorted: present, 0.5),
          quintileEdges: present.isEmpty ? [0, 0, 0, 0] : [0.2, 0.4, 0.6, 0.8].map { Statistics.quantile(sorted: present, $0) },
          hasMissing: present.count < values[0].count))
        for t in 0..<3 { numbers[t].append(values[t]); codes[t].append([]) }
      case .categorical, .ignored:
        let numericLevels = cols[0].allSatisfy { $0 == nil || numericValue($0!) != nil }
        let levelsPerTable = cols.map { col in col.map { canonicalLevel($0, numericColumn: numericLevels) } }
        let trainLevels = Self.sortedLevels(Set(levelsPerTable[0]), numeric: numericLevels)
        var levels = trainLevels
        var index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
        for t in 1..<3 {
          let extra = Self.sortedLevels(Set(levelsPerTable[t]).subtracting(index.keys), numeric: numericLevels)
          for l in extra { index[l] = levels.count; levels.append(l) }
        }
        infos.append(ColumnInfo(name: name, kind: .categorical, levels: levels, trainingLevelCount: trainLevels.count,
                                minimum: 0, maximum: 0, median: 0, quintileEdges: [], hasMissing: false))
        for t in 0..<3 { codes[t].append(levelsPerTable[t].map { index[$0]! }); numbers[t].append([]) }
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
