//===----------------------------------------------------------------------===//
// From the data layer's tables and metadata to the evaluation's inputs.
//===----------------------------------------------------------------------===//

import TabularData

extension EvaluationTable {
  /// The cells of a ``DataTable`` (as read by `CSVReader`), labelled by its source path.
  public init(_ table: DataTable, label: String? = nil) {
    self.init(label: label ?? table.source ?? "table", columnNames: table.columnNames,
              columns: (0..<table.columnCount).map { table.column(at: $0) })
  }
}

extension ColumnTyping {
  /// The evaluation kinds declared by a metadata file: numerical / continuous / integer columns are
  /// numeric, categorical / boolean / binary / constant columns categorical, `id` / identifier
  /// columns (and the primary key) ignored. Columns the metadata does not list keep score.py's rule.
  public static func overrides(from metadata: Metadata) -> [String: EvaluationColumnKind] {
    var out: [String: EvaluationColumnKind] = [:]
    for (name, column) in metadata.columns {
      if let kind = column.kind {
        switch kind {
        case .continuous, .integer, .datetime: out[name] = .numeric
        case .binary, .categorical, .constant: out[name] = .categorical
        case .identifier, .personal: out[name] = .ignored
        }
      } else {
        switch column.sdtype {
        case "numerical", "datetime": out[name] = .numeric
        case "id": out[name] = .ignored
        case _ where column.pii == true: out[name] = .ignored
        case "categorical", "boolean": out[name] = .categorical
        default: out[name] = .ignored  // personal sdtypes (name, email, …): made up, never modelled
        }
      }
    }
    if let key = metadata.primaryKey { out[key] = .ignored }
    return out
  }
}

extension EvaluationSampling {
  /// The evaluation's view of one input table under score.py's wide-table rule: a table with more than
  /// ``defaultWideColumnThreshold`` columns keeps at most `rowCap` random rows (drawn with `seed` and the
  /// table's `role`); other tables are kept whole. Sampling the
  /// ``DataTable`` before conversion bounds the memory of the per-cell view.
  public static func evaluationTable(_ table: DataTable, role: TableRole, label: String, rowCap: Int?, seed: UInt64) -> EvaluationTable {
    let wide = table.columnCount > defaultWideColumnThreshold
    let keep = sampleRows(count: table.rowCount, cap: wide ? rowCap : nil, seed: tableSeed(seed, table: role))
    return EvaluationTable(keep.count == table.rowCount ? table : table.selectingRows(keep), label: label)
  }
}

extension EvaluationDetails {
  /// Labels the histogram bins of date columns with dates in the column's own format: the evaluation sees
  /// dates as day, minute or second counts (``DataTable/datesAsNumbers(_:)``), the reader wants a date axis.
  public mutating func labelDates(_ schema: Schema) {
    for i in marginals.indices where marginals[i].kind == .numeric {
      guard let column = schema.column(named: marginals[i].name), column.kind == .datetime,
            let format = column.datetimeFormat else { continue }
      let edges = marginals[i].edges
      for b in 0..<min(edges.count - 1, marginals[i].labels.count) where edges[b].isFinite && edges[b + 1].isFinite {
        marginals[i].labels[b] = "\(format.string(Int(edges[b].rounded(.down))))–\(format.string(Int(edges[b + 1].rounded(.down))))"
      }
    }
  }
}
