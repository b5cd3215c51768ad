extension Schema {
  /// Checks that `name` can serve as the binary outcome (for utility metrics such as TSTR AUC) and
  /// records it in ``outcome``.
  ///
  /// - Throws: ``TabularError`` naming the file and column when there is no such column, when it has
  ///   a single class or more than two, or when a cell is missing (naming its row).
  public mutating func validateOutcome(_ name: String, in table: DataTable) throws {
    let file = table.source
    guard let index = table.columnIndex(name), let column = column(named: name) else {
      throw TabularError(.outcomeNotFound, file: file, column: name, "no such column to use as the outcome")
    }
    switch column.kind {
    case .binary:
      break
    case .constant:
      let level = column.categories.first.map(quoted) ?? "?"
      throw TabularError(.outcomeNotBinary, file: file, column: name,
                         "the outcome has a single class (\(level) in every row); a binary outcome needs both classes")
    case .categorical:
      throw TabularError(.outcomeNotBinary, file: file, column: name,
                         "the outcome has \(column.categories.count) classes; it must be binary (two classes)")
    case .continuous, .integer, .identifier, .datetime, .personal:
      throw TabularError(.outcomeNotBinary, file: file, column: name,
                         "the outcome is \(column.kind.rawValue) with \(column.distinctCount) distinct values; it must be binary (two classes)")
    }
    if column.hasMissing, let row = (0..<table.rowCount).first(where: { table.isMissing(row: $0, column: index) }) {
      throw table.error(.outcomeHasMissing, row: row, column: index,
                        "the outcome is missing here (\(column.missingCount) missing in all); every row needs a class")
    }
    outcome = name
  }
}
