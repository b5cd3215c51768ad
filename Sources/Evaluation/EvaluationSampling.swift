//===----------------------------------------------------------------------===//
// Row caps for large tables, as the paper and score.py apply them, and the record of what each metric saw.
//===----------------------------------------------------------------------===//

import NumericCore

/// How many rows of each table the metrics saw.
///
/// Two caps, both score.py's (`MAX_ROWS`, `WIDE_COLS`) and the paper's (membership inference on at most
/// 30,000 members and 30,000 non-members):
/// - the distance-based metrics (DET, MIA, DCR5, EXACT) and attribute inference use at most ``rowCap`` rows
///   per table, a random sample drawn with the evaluation's seed;
/// - tables wider than ``wideColumnThreshold`` columns are evaluated on at most ``rowCap`` rows per table for
///   every metric (the caller samples them before parsing, see ``sampleRows(count:cap:seed:)``).
///
/// The row dictionaries are keyed by ``TableRole`` (JSON: `train`, `holdout` and `synthetic`).
public struct EvaluationSampling: Sendable, Codable, Equatable {
  /// Rows per table in the inputs, before any cap.
  public var inputRows: [TableRole: Int]
  /// Rows per table behind utility and fidelity (the input rows unless the table was wide).
  public var rows: [TableRole: Int]
  /// Rows per table behind DET, MIA, DCR5, EXACT and attribute inference.
  public var distanceRows: [TableRole: Int]
  /// The cap per table; `nil` when none was applied.
  public var rowCap: Int?
  /// Tables with more columns than this have every metric capped.
  public var wideColumnThreshold: Int

  /// The paper's and score.py's cap: 30,000 rows per table.
  public static let defaultRowCap = 30_000
  /// score.py's `WIDE_COLS`.
  public static let defaultWideColumnThreshold = 200

  /// A record of the rows used.
  public init(inputRows: [TableRole: Int], rows: [TableRole: Int], distanceRows: [TableRole: Int], rowCap: Int?,
              wideColumnThreshold: Int = EvaluationSampling.defaultWideColumnThreshold) {
    self.inputRows = inputRows; self.rows = rows; self.distanceRows = distanceRows
    self.rowCap = rowCap; self.wideColumnThreshold = wideColumnThreshold
  }

  /// Whether any metric saw fewer rows than the inputs hold.
  public var isSampled: Bool { inputRows != rows || inputRows != distanceRows }

  /// One line for the printed table and the report, empty when nothing was sampled.
  public var description: String {
    guard isSampled else { return "" }
    func counts(_ d: [TableRole: Int]) -> String {
      TableRole.allCases.map { "\($0.rawValue) \(d[$0] ?? 0)" }.joined(separator: ", ")
    }
    var parts: [String] = []
    if rows != inputRows { parts.append("every metric on a random sample of \(counts(rows)) rows (more than \(wideColumnThreshold) columns)") }
    if distanceRows != rows { parts.append("DET, MIA, DCR5, EXACT and AIR on \(counts(distanceRows)) rows") }
    return "sampled (at most \(rowCap.map(String.init) ?? "all") rows per table, as the paper): " + parts.joined(separator: "; ")
      + "; inputs \(counts(inputRows))"
  }

  /// The rows to keep of a table of `count` rows: all of them when `cap` is `nil` or not exceeded, else `cap`
  /// distinct rows drawn with `seed`, in their original order.
  public static func sampleRows(count: Int, cap: Int?, seed: UInt64) -> [Int] {
    guard let cap, count > cap else { return Array(0..<count) }
    var rng = RandomSource(seed: seed)
    return rng.permutation(count).prefix(cap).sorted()
  }

  /// The per-table seeds: the evaluation's seed, decorrelated per table so that the samples are independent.
  public static func tableSeed(_ seed: UInt64, table: TableRole) -> UInt64 {
    switch table {
    case .train: return seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x1111
    case .holdout: return seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x2222
    case .synthetic: return seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x3333
    }
  }
}

extension ParsedTable {
  /// The rows at `indices`, in that order.
  func selectingRows(_ indices: [Int]) -> ParsedTable {
    ParsedTable(label: label, rowCount: indices.count,
                numbers: numbers.map { col in col.isEmpty ? [] : indices.map { col[$0] } },
                codes: codes.map { col in col.isEmpty ? [] : indices.map { col[$0] } })
  }
}

extension PreparedTables {
  /// The same tables restricted to the rows `kept[.train]`, `kept[.holdout]` and `kept[.synthetic]`.
  func selectingRows(_ kept: [TableRole: [Int]]) -> PreparedTables {
    func pick(_ t: ParsedTable, _ role: TableRole) -> ParsedTable {
      guard let idx = kept[role], idx.count != t.rowCount else { return t }
      return t.selectingRows(idx)
    }
    var out = self
    out.train = pick(train, .train); out.holdout = pick(holdout, .holdout); out.synthetic = pick(synthetic, .synthetic)
    return out
  }
}
