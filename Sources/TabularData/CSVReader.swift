import Foundation

/// How ``CSVReader`` interprets a file.
public struct CSVReadOptions: Sendable {
  /// Cell texts read as missing, compared case-insensitively (an empty cell is always missing).
  /// The defaults cover R (`NA`), pandas (`NaN`, `nan`), SQL (`NULL`) and spreadsheets (`N/A`).
  public var missingTokens: [String]
  /// The field separator (ASCII).
  public var delimiter: UInt8
  /// The name used for the file in error messages; defaults to the path as given.
  public var displayName: String?

  /// The most text bytes one column may hold (``CellColumn``'s 32-bit offsets); lowered only by tests.
  var maximumColumnBytes = CellColumn.maximumBytes

  /// Options with the default NA tokens, a comma separator and the path as display name.
  public init(missingTokens: [String] = ["NA", "N/A", "NaN", "NULL"], delimiter: UInt8 = UInt8(ascii: ","), displayName: String? = nil) {
    self.missingTokens = missingTokens; self.delimiter = delimiter; self.displayName = displayName
  }
}

/// Reads RFC 4180 CSV files into a ``DataTable``.
///
/// - Fields may be quoted; a doubled quote inside quotes is one quote; quoted fields may hold the
///   separator, CR and LF. Records end with LF, CRLF or a lone CR. A UTF-8 byte-order mark is skipped.
/// - The first record is the header. Blank lines are skipped (pandas does the same).
/// - Empty cells and ``CSVReadOptions/missingTokens`` (quoted or not) are missing.
/// - A quote inside an unquoted field is kept as text (as Python's `csv` does); text after a closing
///   quote is an error.
/// - Every record must have as many fields as the header; the file must be valid UTF-8.
///
/// The file is read into memory once and scanned byte by byte; unquoted fields are copied with one
/// `memcpy` into their column's byte buffer, so there is no per-cell object.
public struct CSVReader {
  /// Reads the whole file; gzip-compressed files (`.csv.gz`, recognised by their magic number) are decompressed first.
  ///
  /// - Throws: ``TabularError`` for a missing or unreadable file, an empty file, a header without
  ///   rows, empty or duplicate column names, ragged rows, an unbalanced quote, text after a closing
  ///   quote and invalid UTF-8, each naming the file, line and column.
  public static func read(_ url: URL, options: CSVReadOptions = .init()) throws -> DataTable {
    let name = options.displayName ?? url.relativePath
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
      throw TabularError(.fileNotFound, file: name, "no such file")
    }
    guard !isDirectory.boolValue else { throw TabularError(.unreadableFile, file: name, "is a directory, not a CSV file") }
    var data: Data
    do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
      throw TabularError(.unreadableFile, file: name, "cannot be read (\(error.localizedDescription))")
    }
    if data.withUnsafeBytes(Gzip.isCompressed) {
      // Text CSV compresses about 4–10×; the buffer doubles if the guess is short.
      let hint = data.count * 6
      data = Data()
      data = try Gzip.decompress(path: url.path, name: name, sizeHint: hint)
    }
    return try parse(data, options: options, name: name)
  }

  /// Parses CSV text held in memory (`name` is used in error messages).
  public static func parse(_ data: Data, options: CSVReadOptions = .init(), name: String? = nil) throws -> DataTable {
    if data.isEmpty { throw TabularError(.emptyFile, file: name, "the file is empty (no header line)") }
    return try data.withUnsafeBytes { raw in
      let bytes = raw.bindMemory(to: UInt8.self)
      var parser = Parser(bytes: bytes, options: options, name: name)
      return try parser.run()
    }
  }

  /// Parses CSV text held in a string.
  public static func parse(_ text: String, options: CSVReadOptions = .init(), name: String? = nil) throws -> DataTable {
    try parse(Data(text.utf8), options: options, name: name)
  }
}

/// Hands a value that is only read to concurrent workers.
struct UncheckedSendable<T>: @unchecked Sendable { let value: T }

private enum Terminator { case delimiter, endOfRecord, endOfFile }

/// The RFC 4180 state machine over one byte buffer.
private struct Parser {
  let p: UnsafePointer<UInt8>
  let n: Int
  let name: String?
  let delimiter: UInt8
  /// Missing tokens, lower-cased UTF-8.
  let tokens: [[UInt8]]
  let longestToken: Int
  var i = 0
  var line = 1
  /// The header names, once read.
  var names: [String] = []
  /// Whether the file holds any byte ≥ 0x80 (if not, UTF-8 validation is skipped).
  var hasNonASCII = false
  /// The most text bytes one column may hold (``CSVReadOptions/maximumColumnBytes``).
  let maximumColumnBytes: Int

  init(bytes: UnsafeBufferPointer<UInt8>, options: CSVReadOptions, name: String?) {
    p = bytes.baseAddress!   // callers reject empty input first
    n = bytes.count
    self.name = name
    delimiter = options.delimiter
    maximumColumnBytes = options.maximumColumnBytes
    tokens = options.missingTokens.map { Array($0.lowercased().utf8) }.filter { !$0.isEmpty }
    longestToken = tokens.map(\.count).max() ?? 0
  }

  mutating func run() throws -> DataTable {
    if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { i = 3 }
    hasNonASCII = scanForNonASCII()
    skipBlankLines()
    if i >= n { throw TabularError(.emptyFile, file: name, "the file is empty (no header line)") }

    // Header.
    var names: [String] = []
    var scratch: [UInt8] = []
    while true {
      scratch.removeAll(keepingCapacity: true)
      let startLine = line
      let term = try scanField(into: &scratch, column: names.count, rowForError: nil, startLine: startLine)
      if hasNonASCII, let bad = invalidUTF8Offset(scratch[...]) {
        throw TabularError(.invalidUTF8, file: name, line: startLine,
                           "header field \(names.count + 1) is not valid UTF-8 (byte 0x\(String(scratch[bad], radix: 16, uppercase: true)) at offset \(bad))")
      }
      names.append(String(decoding: scratch, as: UTF8.self))
      if term != .delimiter { break }
    }
    try DataTable.validateHeader(names, file: name)
    self.names = names

    // Data rows: pass 1 finds field boundaries for a chunk of rows (serial, it must follow quotes),
    // pass 2 copies each column's cells into its buffer (one worker per column).
    let columns = names.count
    let estimatedRows = Swift.max(16, (n - i) / Swift.max(1, estimateRecordLength()))
    var storage = (0..<columns).map { _ in CellColumn(reservingCells: estimatedRows, bytes: (n - i) / columns) }
    var lines: [Int32] = []
    lines.reserveCapacity(estimatedRows)
    // ~16K fields per chunk: the boundaries (256 KB) and the chunk's bytes stay in L2 while the
    // column workers of pass 2 read them at a stride (a 1M-field chunk made pass 2 miss on every cell).
    // At least 64 rows, so that a wide table's pass 2 is not dominated by per-chunk work (at 1,460
    // columns, 11-row chunks spent more time dispatching and allocating than copying).
    let chunkRows = Swift.max(1, Swift.min(estimatedRows + 1, Swift.max(64, (1 << 14) / columns)))
    // Field k of the chunk spans bytes bounds[2k] ..< bounds[2k + 1] (quotes included).
    var bounds = [Int](repeating: 0, count: 2 * chunkRows * columns)
    var rows = 0
    var rowsInChunk = 0
    let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r"), quote = UInt8(ascii: "\""), d = delimiter
    skipBlankLines()
    try bounds.withUnsafeMutableBufferPointer { b in
      do {
        while i < n {
          let startLine = line
          var c = 0
          var k = 2 * rowsInChunk * columns
          while true {
            if c == columns {
              throw TabularError(.raggedRow, file: name, row: rows + 1, line: startLine,
                                 "the row has more than the \(columns) fields of the header")
            }
            let start = i
            var j = i
            if j < n && p[j] == quote {
              let openLine = line
              j += 1
              while true {
                while j < n && p[j] != quote {
                  if p[j] == lf || (p[j] == cr && (j + 1 >= n || p[j + 1] != lf)) { line += 1 }
                  j += 1
                }
                if j >= n {
                  throw TabularError(.unbalancedQuote, file: name, row: rows + 1, line: startLine, column: names[c],
                                     "a quoted field opened on line \(openLine) is never closed (unbalanced quote)")
                }
                if j + 1 < n && p[j + 1] == quote { j += 2; continue }   // doubled quote
                j += 1                                                    // closing quote
                break
              }
              if j < n && p[j] != d && p[j] != lf && p[j] != cr {
                throw TabularError(.textAfterQuote, file: name, row: rows + 1, line: line, column: names[c],
                                   "unexpected text after a closing quote (a quote inside a quoted field must be doubled)")
              }
            } else {
              while j < n {
                let byte = p[j]
                if byte == d || byte == lf || byte == cr { break }
                j += 1
              }
            }
            b[k] = start; b[k + 1] = j; k += 2
            c += 1
            if j >= n { i = n; break }
            let byte = p[j]
            if byte == d { i = j + 1; continue }
            i = (byte == cr && j + 1 < n && p[j + 1] == lf) ? j + 2 : j + 1
            line += 1
            break
          }
          if c != columns {
            throw TabularError(.raggedRow, file: name, row: rows + 1, line: startLine,
                               "the row has \(c) field\(c == 1 ? "" : "s"), the header has \(columns) (nothing for '\(names[c])')")
          }
          lines.append(Int32(truncatingIfNeeded: startLine))
          rows += 1
          rowsInChunk += 1
          if rowsInChunk == chunkRows {
            try copyCells(b, rows: rowsInChunk, firstRow: rows - rowsInChunk, lines: lines, into: &storage)
            rowsInChunk = 0
          }
          skipBlankLines()
        }
        if rowsInChunk > 0 { try copyCells(b, rows: rowsInChunk, firstRow: rows - rowsInChunk, lines: lines, into: &storage) }
      } catch let error as TabularError where error.code != .invalidUTF8 && error.code != .columnTooLarge {
        // A structural error found by pass 1; an invalid cell in an earlier row of the same chunk
        // (found only by pass 2) comes first in the file, so report that one if there is one.
        if rowsInChunk > 0 { try copyCells(b, rows: rowsInChunk, firstRow: rows - rowsInChunk, lines: lines, into: &storage) }
        throw error
      }
    }
    if rows == 0 {
      throw TabularError(.headerOnly, file: name, "the file has a header but no data rows")
    }
    return DataTable(columnNames: names, storage: storage, rowCount: rows, source: name, lineNumbers: lines)
  }

  /// Pass 2: copies the cells of `rows` rows (bounds from pass 1) into their columns, in parallel
  /// over columns: unquoting, NA tokens → missing, UTF-8 validation when the file is not ASCII.
  func copyCells(_ bounds: UnsafeMutableBufferPointer<Int>, rows: Int, firstRow: Int, lines: [Int32],
                 into storage: inout [CellColumn]) throws {
    let columns = storage.count
    let failure = FirstError()
    let b = SharedMutable(base: bounds.baseAddress!)
    let src = SharedMutable(base: UnsafeMutablePointer(mutating: p))
    let parser = UncheckedSendable(value: self)
    storage.withUnsafeMutableBufferPointer { out in
      let o = SharedMutable(base: out.baseAddress!)
      let work = { @Sendable (c: Int) in
        let me = parser.value
        do { try me.copyColumn(c, b.base, rows: rows, columns: columns, src: src.base, into: &o.base[c]) }
        catch let error as CellError {
          let row = firstRow + error.row
          failure.record(row: row, column: c, TabularError(error.code, file: me.name, row: row + 1, line: Int(lines[row]),
                                                           column: me.names[c], error.message))
        } catch {
          failure.record(row: firstRow, column: c, error)
        }
      }
      // A worker copies a tile of adjacent columns, whose boundaries (rows × tile × 16 bytes, about
      // 16 KB) stay in L1 from one column to the next.
      let tile = Swift.max(1, (1 << 10) / Swift.max(1, rows))
      let tiles = (columns + tile - 1) / tile
      let tileWork = { @Sendable (t: Int) in for c in (t * tile)..<Swift.min(columns, (t + 1) * tile) { work(c) } }
      if rows * columns < 2048 { for c in 0..<columns { work(c) } }
      else { DispatchQueue.concurrentPerform(iterations: tiles, execute: tileWork) }
    }
    try failure.rethrow()
  }

  /// A cell-level failure of pass 2, located by row within the chunk.
  struct CellError: Error { var code: TabularError.Code = .invalidUTF8; let row: Int; let message: String }

  /// Copies one column's cells of the chunk; throws ``CellError`` for invalid UTF-8 or a column past the offset limit.
  func copyColumn(_ c: Int, _ bounds: UnsafeMutablePointer<Int>, rows: Int, columns: Int, src: UnsafeMutablePointer<UInt8>,
                  into column: inout CellColumn) throws {
    var total = 0
    for r in 0..<rows { let k = 2 * (r * columns + c); total += bounds[k + 1] - bounds[k] }
    let quote = UInt8(ascii: "\"")
    let base = column.bytes.count
    guard base + total <= maximumColumnBytes else {
      // Offsets are 32-bit (CellColumn); name the row where the column passes the limit.
      var running = base, row = 0
      while row < rows - 1 { let k = 2 * (row * columns + c); running += bounds[k + 1] - bounds[k]; if running > maximumColumnBytes { break }; row += 1 }
      throw CellError(code: .columnTooLarge, row: row, message: "the column holds more than 4 GiB of text, the most one column can hold")
    }
    // Grow once per chunk and write through pointers; the exact length of the text is set at the end.
    column.bytes.append(contentsOf: repeatElement(0, count: total))
    let firstCell = column.ends.count
    column.ends.append(contentsOf: repeatElement(0, count: rows))
    column.missing.append(contentsOf: repeatElement(false, count: rows))
    var used = base
    try column.bytes.withUnsafeMutableBufferPointer { dest in
      try column.ends.withUnsafeMutableBufferPointer { allEnds in
        try column.missing.withUnsafeMutableBufferPointer { allMissing in
          let ends = allEnds.baseAddress! + firstCell, missing = allMissing.baseAddress! + firstCell
          for r in 0..<rows {
            let k = 2 * (r * columns + c)
            var start = bounds[k], end = bounds[k + 1]
            let cellStart = used
            if end > start && src[start] == quote {
              start += 1; end -= 1                         // drop the enclosing quotes, undo doubled ones
              var j = start
              while j < end {
                dest[used] = src[j]; used += 1
                j += (src[j] == quote) ? 2 : 1
              }
            } else if end - start > 16 {
              (dest.baseAddress! + used).update(from: src + start, count: end - start)
              used += end - start
            } else {
              // Most cells are a few bytes: a loop beats a memmove call.
              for j in start..<end { dest[used] = src[j]; used += 1 }
            }
            let length = used - cellStart
            if length == 0 || (length <= longestToken && isMissingToken(UnsafeBufferPointer(start: dest.baseAddress! + cellStart, count: length))) {
              used = cellStart
              missing[r] = true
            } else if hasNonASCII, let bad = invalidUTF8Offset(UnsafeBufferPointer(start: dest.baseAddress! + cellStart, count: length)) {
              throw CellError(row: r, message: "the cell is not valid UTF-8 (byte 0x\(String(dest[cellStart + bad], radix: 16, uppercase: true)) at offset \(bad))")
            }
            ends[r] = UInt32(truncatingIfNeeded: used)   // used ≤ base + total, checked above
          }
        }
      }
    }
    column.bytes.removeLast(column.bytes.count - used)
  }

  func isMissingToken(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
    outer: for token in tokens where token.count == cell.count {
      var k = 0
      for t in token {
        var b = cell[k]
        if b >= 65 && b <= 90 { b |= 0x20 }
        if b != t { continue outer }
        k += 1
      }
      return true
    }
    return false
  }

  /// Scans one field starting at `i` and appends its unescaped bytes to `dest`.
  @inline(__always)
  mutating func scanField(into dest: inout [UInt8], column: Int, rowForError: Int?, startLine: Int) throws -> Terminator {
    // Column names are looked up only when an error is raised (passing the name per cell costs a retain).
    let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), quote = UInt8(ascii: "\"")
    if i < n && p[i] == quote {
      let openLine = line
      i += 1
      while true {
        var j = i
        while j < n && p[j] != quote {
          if p[j] == lf || (p[j] == cr && (j + 1 >= n || p[j + 1] != lf)) { line += 1 }
          j += 1
        }
        dest.append(contentsOf: UnsafeBufferPointer(start: p + i, count: j - i))
        if j >= n {
          throw TabularError(.unbalancedQuote, file: name, row: rowForError, line: rowForError == nil ? openLine : startLine,
                             column: rowForError == nil ? nil : names[column],
                             "a quoted field opened on line \(openLine) is never closed (unbalanced quote)")
        }
        if j + 1 < n && p[j + 1] == quote {        // doubled quote → one quote
          dest.append(quote)
          i = j + 2
          continue
        }
        i = j + 1                                     // closing quote
        break
      }
      if i >= n { return .endOfFile }
      let c = p[i]
      if c == delimiter { i += 1; return .delimiter }
      if c == lf { i += 1; line += 1; return .endOfRecord }
      if c == cr { i += (i + 1 < n && p[i + 1] == lf) ? 2 : 1; line += 1; return .endOfRecord }
      throw TabularError(.textAfterQuote, file: name, row: rowForError, line: line, column: rowForError == nil ? nil : names[column],
                         "unexpected text after a closing quote (a quote inside a quoted field must be doubled)")
    }
    var j = i
    let d = delimiter
    while j < n {
      let c = p[j]
      if c == d || c == lf || c == cr { break }
      j += 1
    }
    if j > i { dest.append(contentsOf: UnsafeBufferPointer(start: p + i, count: j - i)) }
    if j >= n { i = n; return .endOfFile }
    let c = p[j]
    if c == d { i = j + 1; return .delimiter }
    if c == lf { i = j + 1; line += 1; return .endOfRecord }
    i = (j + 1 < n && p[j + 1] == lf) ? j + 2 : j + 1
    line += 1
    return .endOfRecord
  }

  mutating func skipBlankLines() {
    while i < n {
      if p[i] == UInt8(ascii: "\n") { i += 1; line += 1 }
      else if p[i] == UInt8(ascii: "\r") { i += (i + 1 < n && p[i + 1] == UInt8(ascii: "\n")) ? 2 : 1; line += 1 }
      else { break }
    }
  }

  /// Bytes per record, judged from the first few lines after the header (for reserving capacity).
  func estimateRecordLength() -> Int {
    var j = i, newlines = 0
    let limit = Swift.min(n, i + 65_536)
    while j < limit && newlines < 64 { if p[j] == UInt8(ascii: "\n") { newlines += 1 }; j += 1 }
    return Swift.max(1, (j - i) / Swift.max(1, newlines))
  }

  /// Whether any byte has the high bit set, eight bytes at a time.
  func scanForNonASCII() -> Bool {
    var j = i
    let raw = UnsafeRawPointer(p)
    while j + 8 <= n {
      if raw.loadUnaligned(fromByteOffset: j, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return true }
      j += 8
    }
    while j < n { if p[j] >= 0x80 { return true }; j += 1 }
    return false
  }
}

/// The offset of the first byte that breaks UTF-8 well-formedness (overlong forms, surrogates and
/// values above U+10FFFF included), or `nil` if `bytes` is valid.
func invalidUTF8Offset(_ bytes: ArraySlice<UInt8>) -> Int? {
  bytes.withUnsafeBufferPointer { invalidUTF8Offset($0) }
}

/// See ``invalidUTF8Offset(_:)-(ArraySlice<UInt8>)``.
func invalidUTF8Offset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
  var k = bytes.startIndex
  let end = bytes.endIndex
  while k < end {
    let b = bytes[k]
    if b < 0x80 { k += 1; continue }
    let need: Int
    var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
    switch b {
    case 0xC2...0xDF: need = 1
    case 0xE0: need = 2; lower = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: need = 2
    case 0xED: need = 2; upper = 0x9F
    case 0xF0: need = 3; lower = 0x90
    case 0xF1...0xF3: need = 3
    case 0xF4: need = 3; upper = 0x8F
    default: return k - bytes.startIndex
    }
    if k + need >= end { return k - bytes.startIndex }   // truncated sequence
    let second = bytes[k + 1]
    if second < lower || second > upper { return k - bytes.startIndex }
    if need >= 2 { let x = bytes[k + 2]; if x < 0x80 || x > 0xBF { return k - bytes.startIndex } }
    if need >= 3 { let x = bytes[k + 3]; if x < 0x80 || x > 0xBF { return k - bytes.startIndex } }
    k += need + 1
  }
  return nil
}
