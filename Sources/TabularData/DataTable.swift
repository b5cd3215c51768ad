import Foundation

/// One column's cells as read: the UTF-8 bytes of every cell concatenated, an end offset per
/// cell and a missing flag per cell.
///
/// Why not `[String?]`: a 126,500-row table of 1,460 columns would hold 185 million `String`
/// values, many of them heap objects. One byte buffer per column keeps reading, hashing and
/// number parsing allocation-free and cache-friendly.

struct CellColumn: Sendable {
  /// Cell texts, back to back. Missing cells contribute no bytes.
  var bytes: [UInt8] = []
  /// `ends[i]` is the offset one past the last byte of cell `i`; cell `i` starts at `ends[i - 1]` (or 0).
  /// 32-bit, so that a cell costs 6 bytes of bookkeeping instead of 10 (126,522 × 1,460 cells: 1.1 GB
  /// instead of 1.9 GB); one column's text is limited to 4 GiB (``maximumBytes``).
  var ends: [UInt32] = []
  /// Whether cell `i` is missing (empty or an NA token in the file).
  var missing: [Bool] = []

  init() {}

  init(reservingCells cells: Int, bytes byteCount: Int = 0) {
    ends.reserveCapacity(cells); missing.reserveCapacity(cells); bytes.reserveCapacity(byteCount)
  }

  /// The most text bytes one column can hold (the offsets are 32-bit).
  static let maximumBytes = Int(UInt32.max)

  var count: Int { ends.count }

  @inline(__always) func start(_ i: Int) -> Int { i == 0 ? 0 : Int(ends[i - 1]) }
  @inline(__always) func end(_ i: Int) -> Int { Int(ends[i]) }

  /// The current end offset as stored; traps with a clear message past ``maximumBytes``
  /// (the CSV reader checks before it gets here and reports the file and row instead).
  @inline(__always) private var currentEnd: UInt32 {
    precondition(bytes.count <= Self.maximumBytes, "a column holds more than 4 GiB of text")
    return UInt32(truncatingIfNeeded: bytes.count)
  }

  mutating func append(_ value: String?) {
    if let value {
      bytes.append(contentsOf: value.utf8)
      ends.append(currentEnd); missing.append(false)
    } else {
      appendMissing()
    }
  }

  @inline(__always) mutating func appendMissing() {
    ends.append(currentEnd); missing.append(true)
  }

  /// Closes a cell whose bytes were already appended to `bytes`.
  @inline(__always) mutating func closeCell() {
    ends.append(currentEnd); missing.append(false)
  }

  /// Calls `body` with the column's end offsets, missing flags and text, borrowed once.
  @inline(__always)
  func withBuffers<R>(_ body: (UnsafeBufferPointer<UInt32>, UnsafeBufferPointer<Bool>, UnsafeBufferPointer<UInt8>) -> R) -> R {
    ends.withUnsafeBufferPointer { e in missing.withUnsafeBufferPointer { m in bytes.withUnsafeBufferPointer { b in body(e, m, b) } } }
  }

  func string(_ i: Int) -> String? {
    if missing[i] { return nil }
    return bytes.withUnsafeBufferPointer { p in
      String(decoding: UnsafeBufferPointer(rebasing: p[start(i)..<end(i)]), as: UTF8.self)
    }
  }

  /// A new column holding the given cells, in the given order.
  func gathering(_ indices: [Int]) -> CellColumn {
    var out = CellColumn(reservingCells: indices.count, bytes: bytes.count * indices.count / Swift.max(1, count))
    bytes.withUnsafeBufferPointer { p in
      for i in indices {
        if missing[i] { out.appendMissing(); continue }
        out.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[start(i)..<end(i)]))
        out.closeCell()
      }
    }
    return out
  }
}

/// A table of raw cells as read from a CSV file, stored column by column.
///
/// Cells are text exactly as they appeared in the file (quotes removed, doubled quotes
/// undone); `nil` means missing. Typed views (``numbers(_:)``) parse straight from the stored
/// bytes. Values are immutable after construction; derive new tables with
/// ``selectingRows(_:)`` or ``selectingColumns(_:)``.
public struct DataTable: Sendable {
  /// Column names in file order; unique and non-empty.
  public internal(set) var columnNames: [String]
  /// Number of data rows (the header is not a row).
  public internal(set) var rowCount: Int
  /// Where the data came from, used in error messages (the path as the user gave it).
  public var source: String?
  /// The 1-based line of the file on which each data row starts (empty for tables built in memory).
  /// Rows and lines differ when quoted cells contain line breaks or blank lines are skipped.
  public internal(set) var lineNumbers: [Int32]

  var storage: [CellColumn]

  init(columnNames: [String], storage: [CellColumn], rowCount: Int, source: String?, lineNumbers: [Int32] = []) {
    self.columnNames = columnNames; self.storage = storage; self.rowCount = rowCount
    self.source = source; self.lineNumbers = lineNumbers
  }

  /// Builds a table from columns of cells (`nil` = missing), e.g. in tests or from another source.
  ///
  /// - Throws: ``TabularError`` if names are empty or repeated, or the columns differ in length.
  public init(columnNames: [String], columns: [[String?]], source: String? = nil) throws {
    guard columnNames.count == columns.count else {
      throw TabularError(.columnMismatch, file: source, "\(columnNames.count) column names but \(columns.count) columns")
    }
    try Self.validateHeader(columnNames, file: source)
    let rows = columns.first?.count ?? 0
    var storage: [CellColumn] = []
    for (name, cells) in zip(columnNames, columns) {
      guard cells.count == rows else {
        throw TabularError(.raggedRow, file: source, column: name, "has \(cells.count) cells, the first column has \(rows)")
      }
      var column = CellColumn(reservingCells: rows)
      for cell in cells { column.append(cell) }
      storage.append(column)
    }
    self.init(columnNames: columnNames, storage: storage, rowCount: rows, source: source)
  }

  /// Checks that names are non-empty and unique.
  static func validateHeader(_ names: [String], file: String?) throws {
    var seen: [String: Int] = [:]
    for (i, name) in names.enumerated() {
      if name.isEmpty {
        throw TabularError(.emptyColumnName, file: file, line: 1, "column \(i + 1) of the header has an empty name")
      }
      if let first = seen[name] {
        throw TabularError(.duplicateColumnName, file: file, line: 1, column: name,
                           "the name appears twice in the header (columns \(first + 1) and \(i + 1))")
      }
      seen[name] = i
    }
  }

  /// Number of columns.
  public var columnCount: Int { columnNames.count }

  /// The position of the column called `name`, or `nil`.
  public func columnIndex(_ name: String) -> Int? { columnNames.firstIndex(of: name) }

  /// The cells of column `name` (`nil` = missing). `name` must be one of ``columnNames``.
  public func column(_ name: String) -> [String?] {
    guard let index = columnIndex(name) else { preconditionFailure("DataTable has no column named '\(name)'") }
    return column(at: index)
  }

  /// The cells of the column at `index` (`nil` = missing).
  public func column(at index: Int) -> [String?] {
    let c = storage[index]
    return (0..<rowCount).map { c.string($0) }
  }

  /// One cell (`nil` = missing).
  public func cell(row: Int, column: Int) -> String? { storage[column].string(row) }

  /// Whether one cell is missing.
  public func isMissing(row: Int, column: Int) -> Bool { storage[column].missing[row] }

  /// All cells of one row, in column order.
  public func row(_ index: Int) -> [String?] { storage.map { $0.string(index) } }

  /// Number of missing cells in the column at `index`.
  public func missingCount(column index: Int) -> Int { storage[index].missing.reduce(0) { $0 + ($1 ? 1 : 0) } }

  /// The 1-based file line of data row `row` (0-based), if the table came from a file.
  public func line(ofRow row: Int) -> Int? { row < lineNumbers.count ? Int(lineNumbers[row]) : nil }

  /// An error located at one cell (row is 0-based here, 1-based in the message).
  public func error(_ code: TabularError.Code, row: Int, column: Int, _ detail: String) -> TabularError {
    TabularError(code, file: source, row: row + 1, line: line(ofRow: row), column: columnNames[column], detail)
  }

  /// The table restricted to `indices` (in that order; repeats allowed), e.g. a train/holdout split.
  public func selectingRows(_ indices: [Int]) -> DataTable {
    DataTable(columnNames: columnNames, storage: storage.map { $0.gathering(indices) }, rowCount: indices.count,
              source: source, lineNumbers: lineNumbers.isEmpty ? [] : indices.map { lineNumbers[$0] })
  }

  /// The table with only the named columns, in the given order.
  ///
  /// - Throws: ``TabularError/Code/columnMismatch`` naming every absent column.
  public func selectingColumns(_ names: [String]) throws -> DataTable {
    let absent = names.filter { columnIndex($0) == nil }
    guard absent.isEmpty else {
      throw TabularError(.columnMismatch, file: source, "no column named \(absent.map { "'\($0)'" }.joined(separator: ", "))")
    }
    let indices = names.map { columnIndex($0)! }
    return DataTable(columnNames: names, storage: indices.map { storage[$0] }, rowCount: rowCount,
                     source: source, lineNumbers: lineNumbers)
  }
}

extension DataTable: Equatable {
  /// Tables are equal when names and cells agree (the source path and line numbers are ignored).
  public static func == (a: DataTable, b: DataTable) -> Bool {
    guard a.columnNames == b.columnNames, a.rowCount == b.rowCount else { return false }
    for (x, y) in zip(a.storage, b.storage) {
      if x.missing != y.missing { return false }
      for i in 0..<a.rowCount where !x.missing[i] {
        if x.string(i) != y.string(i) { return false }
      }
    }
    return true
  }
}
