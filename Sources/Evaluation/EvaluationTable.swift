//===----------------------------------------------------------------------===//
// The raw, column-major view of a CSV that the metrics consume, and column kinds.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore

/// A table of raw cells as read from a CSV: column names and, per column, one optional
/// string per row (`nil` = missing). The evaluation types every column itself (see
/// ``EvaluationColumnKind``), so the three tables it compares are typed consistently.
public struct EvaluationTable: Sendable {
  /// A short label used in error messages (usually the file name).
  public var label: String
  /// Column names in file order.
  public var columnNames: [String]
  /// `columns[c][r]` is the cell of column `c`, row `r`; `nil` when missing.
  public var columns: [[String?]]

  /// Creates a table; every column must have the same number of rows.
  public init(label: String = "table", columnNames: [String], columns: [[String?]]) {
    precondition(columnNames.count == columns.count, "EvaluationTable: \(columnNames.count) names for \(columns.count) columns")
    precondition(Set(columns.map(\.count)).count <= 1, "EvaluationTable: columns of different lengths")
    self.label = label
    self.columnNames = columnNames
    self.columns = columns
  }

  /// Number of rows.
  public var rowCount: Int { columns.first?.count ?? 0 }

  /// The cells of the column called `name`, or `nil` if there is none.
  public func column(named name: String) -> [String?]? {
    columnNames.firstIndex(of: name).map { columns[$0] }
  }

  /// The rows at `indices`, in that order.
  public func selectingRows(_ indices: [Int], label: String? = nil) -> EvaluationTable {
    EvaluationTable(label: label ?? self.label, columnNames: columnNames,
                    columns: columns.map { col in indices.map { col[$0] } })
  }

  /// The columns called `names`, in that order (a missing name is a programming error).
  public func selectingColumns(_ names: [String]) -> EvaluationTable {
    EvaluationTable(label: label, columnNames: names, columns: names.map { column(named: $0)! })
  }

  /// A copy in which every column is permuted independently (a "column-wise shuffle": keeps every
  /// marginal exactly and destroys all dependence between columns).
  public func columnwiseShuffled(seed: UInt64) -> EvaluationTable {
    var rng = RandomSource(seed: seed)
    return EvaluationTable(label: label + " (shuffled)", columnNames: columnNames,
                           columns: columns.map { col in rng.permutation(col.count).map { col[$0] } })
  }
}

/// How the evaluation treats a column.
public enum EvaluationColumnKind: String, Sendable, Codable {
  /// Numeric: min-max scaled (plus a missing-value flag) in the encoded table, KS statistic for
  /// fidelity, quintile bins for NMI.
  case numeric
  /// Categorical: one-hot with "missing" as its own level, total variation for fidelity.
  case categorical
  /// Ignored by every metric (identifiers).
  case ignored
}

/// The numeric value of a cell, or `nil` if it is not a number. Accepts what `Double(_:)` accepts
/// after trimming blanks (so `"19"`, `"19.0"` and `"1.9e1"` are the same number).
@inline(__always)
func numericValue(_ cell: String) -> Double? {
  if let v = Double(cell) { return v.isFinite ? v : nil }
  let t = cell.trimmingCharacters(in: .whitespaces)
  guard t.count != cell.count, let v = Double(t), v.isFinite else { return nil }
  return v
}

/// The level a categorical cell stands for: numbers by value (`"1"` and `"1.0"` are one level),
/// other strings trimmed, missing as ``missingLevel``.
func canonicalLevel(_ cell: String?, numericColumn: Bool) -> String {
  guard let c = cell else { return missingLevel }
  if numericColumn, let v = numericValue(c) { return formatNumber(v) }
  return c.trimmingCharacters(in: .whitespaces)
}

/// The level that stands for a missing cell.
public let missingLevel = "(missing)"

/// A compact, exact-enough rendering of a number used as a category label (`19`, `0.5`).
func formatNumber(_ v: Double) -> String {
  if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
  return String(v)
}

/// The per-column decisions shared by all metrics, made once from the training table.
public struct ColumnTyping: Sendable, Codable {
  /// Column names, in training-file order.
  public var names: [String]
  /// The kind of each column.
  public var kinds: [EvaluationColumnKind]

  /// Types the columns of `reference` with score.py's rule: a column is **numeric** when every
  /// non-missing cell is a number *and* it has more than `maxCategoricalLevels` (12) distinct
  /// values; otherwise it is **categorical**. `overrides` (e.g. from a metadata file) wins.
  public init(inferringFrom reference: EvaluationTable, maxCategoricalLevels: Int = 12,
              overrides: [String: EvaluationColumnKind] = [:]) {
    names = reference.columnNames
    kinds = zip(reference.columnNames, reference.columns).map { name, col in
      if let k = overrides[name] { return k }
      var distinct = Set<Double>()
      for cell in col {
        guard let c = cell else { continue }
        guard let v = numericValue(c) else { return .categorical }
        if distinct.count <= maxCategoricalLevels { distinct.insert(v) }
      }
      return distinct.count > maxCategoricalLevels ? .numeric : .categorical
    }
  }

  /// Creates a typing from explicit kinds.
  public init(names: [String], kinds: [EvaluationColumnKind]) {
    precondition(names.count == kinds.count)
    self.names = names
    self.kinds = kinds
  }
}
