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
    guard train.columnNames.contains(outcome) else {
      throw EvaluationInputError("\(train.label): no outcome column '\(outcome)' (columns: \(train.columnNames.prefix(8).joined(separator: ", "))\(train.columnNames.count > 8 ? ", …" : ""))")
    }
    let typing = typing ?? ColumnTyping(inferringFrom: train)
    var kinds = Dictionary(uniqueKeysWithValues: zip(typing.names, typing.kinds))
    kinds[outcome] = .categorical
    for t in [holdout, synthetic] {
      if let missing = train.columnNames.first(where: { !t.columnNames.contains($0) && kinds[$0] != .ignored }) {
        throw EvaluationInputError("\(t.label): missing column '\(missing)' (present in \(train.label))")
      }
      if t.rowCount == 0 { throw EvaluationInputError("\(t.label): no data rows") }
    }
    if train.rowCount == 0 { throw EvaluationInputError("\(train.label): no data rows") }

    var infos: [ColumnInfo] = []
    var numbers: [[[Double]]] = [[], [], []]
    var codes: [[[Int]]] = [[], [], []]
    let tables = [train, holdout, synthetic]
    for name in train.columnNames {
      let kind = kinds[name] ?? .categorical
      if kind == .ignored { continue }
      let cols = tables.map { $0.column(named: name)! }
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
      throw EvaluationInputError("\(train.label), column '\(outcome)': the outcome needs two classes, found \(trainOutcomeLevels.count) (\(trainOutcomeLevels.joined(separator: ", ")))")
    }
    guard trainOutcomeLevels.count == 2 else {
      throw EvaluationInputError("\(train.label), column '\(outcome)': the outcome must be binary, found \(trainOutcomeLevels.count) classes")
    }
    positiveLevel = trainOutcomeLevels.last!
    for (t, label) in [(codes[1][outcomeIndex], holdout.label), (codes[2][outcomeIndex], synthetic.label)] {
      if let bad = t.first(where: { $0 >= outcomeInfo.trainingLevelCount && outcomeInfo.levels[$0] != missingLevel }) {
        throw EvaluationInputError("\(label), column '\(outcome)': outcome value \"\(outcomeInfo.levels[bad])\" does not occur in \(train.label) (classes: \(trainOutcomeLevels.joined(separator: ", ")))")
      }
    }
    self.train = ParsedTable(label: train.label, rowCount: train.rowCount, numbers: numbers[0], codes: codes[0])
    self.holdout = ParsedTable(label: holdout.label, rowCount: holdout.rowCount, numbers: numbers[1], codes: codes[1])
    self.synthetic = ParsedTable(label: synthetic.label, rowCount: synthetic.rowCount, numbers: numbers[2], codes: codes[2])
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
