import Foundation
import NumericCore

/// Writes a ``DataTable`` as RFC 4180 CSV.
///
/// Fields that contain the separator, a quote, CR or LF are quoted (quotes doubled); everything
/// else is written as is. Missing cells are written empty, except in a one-column table, where an
/// empty line would read back as a blank line (skipped), so they are written `""` as pandas does.
/// Lines end with LF.
///
/// Rows are streamed through a 1 MiB buffer into a temporary file in the destination's folder,
/// which is renamed over the destination only after the last byte is written: a failed or
/// interrupted run never leaves a half-written file, and never clobbers an existing one.
public struct CSVWriter {
  /// Rows rendered per chunk. A chunk's text (about 3 MB at 1,460 one-byte columns) stays in cache while
  /// its columns are scattered into it, and two chunks render at once.
  static let rowsPerChunk = 1_024

  /// Writes `table` to `url` atomically (temporary file + rename).
  ///
  /// Rows are rendered in chunks, column by column (one borrow of each column's buffers per chunk instead
  /// of one per cell), and two chunks at a time on Dispatch workers; chunks reach the file in order.
  ///
  /// - Throws: ``AtomicFile/WriteError`` naming the file when the folder is missing or not
  ///   writable or the disk is full; no file is left behind.
  public static func write(_ table: DataTable, to url: URL, delimiter: UInt8 = UInt8(ascii: ",")) throws {
    try AtomicFile.write(to: url) { sink in
      var header: [UInt8] = []
      for (c, name) in table.columnNames.enumerated() {
        if c > 0 { header.append(delimiter) }
        appendField(Array(name.utf8)[...], delimiter: delimiter, to: &header)
      }
      header.append(UInt8(ascii: "\n"))
      try sink(header)
      let quoting = table.storage.map { columnNeedsQuotes($0, delimiter: delimiter) }
      let chunks = (table.rowCount + rowsPerChunk - 1) / rowsPerChunk
      let parallel = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))
      var first = 0
      while first < chunks {
        let count = min(parallel, chunks - first)
        var texts = Array(repeating: [UInt8](), count: count)
        texts.withUnsafeMutableBufferPointer { slots in
          // Each worker writes only its own slot.
          let shared = SharedMutable(base: slots.baseAddress!)
          let render: @Sendable (Int) -> Void = { [first] k in
            let lower = (first + k) * rowsPerChunk
            shared.base[k] = renderRows(lower..<min(table.rowCount, lower + rowsPerChunk), of: table,
                                        quoting: quoting, delimiter: delimiter)
          }
          if count == 1 { render(0) } else { DispatchQueue.concurrentPerform(iterations: count, execute: render) }
        }
        for text in texts { try sink(text) }
        first += count
      }
    }
  }

  /// Whether any cell of `column` contains the delimiter, a quote, CR or LF (one pass over its text).
  static func columnNeedsQuotes(_ column: CellColumn, delimiter: UInt8) -> Bool {
    column.bytes.withUnsafeBufferPointer { bytes in
      var found: UInt8 = 0
      for b in bytes {
        // Branch-free so that the scan vectorises.
        found |= UInt8(b == delimiter ? 1 : 0) | UInt8(b == UInt8(ascii: "\"") ? 1 : 0)
          | UInt8(b == UInt8(ascii: "\n") ? 1 : 0) | UInt8(b == UInt8(ascii: "\r") ? 1 : 0)
      }
      return found != 0
    }
  }

  /// The CSV lines of `rows`, each ending with LF: first every line's length, column by column, then
  /// each column's fields scattered to their lines' cursors.
  static func renderRows(_ rows: Range<Int>, of table: DataTable, quoting: [Bool], delimiter: UInt8) -> [UInt8] {
    let n = rows.count, columnCount = table.storage.count, first = rows.lowerBound
    // A one-column table writes a missing cell as `""` (an empty line would read back as no row).
    let missingText: [UInt8] = columnCount == 1 ? [UInt8(ascii: "\""), UInt8(ascii: "\"")] : []
    // Delimiters and the newline.
    var cursor = [Int](repeating: Swift.max(0, columnCount - 1) + 1, count: n)
    var total = 0
    table.storage.withUnsafeBufferPointer { columns in
      cursor.withUnsafeMutableBufferPointer { length in
        for c in 0..<columnCount {
          columns[c].withBuffers { ends, missing, bytes in
            for i in 0..<n {
              let r = first + i
              let start = r == 0 ? 0 : Int(ends[r - 1]), end = Int(ends[r])
              if missing[r] { length[i] += missingText.count }
              else if quoting[c] { length[i] += quotedLength(UnsafeBufferPointer(rebasing: bytes[start..<end]), delimiter: delimiter) }
              else { length[i] += end - start }
            }
          }
        }
        // Lengths become start offsets.
        for i in 0..<n { let l = length[i]; length[i] = total; total += l }
      }
    }
    return [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
      let base = out.baseAddress!
      table.storage.withUnsafeBufferPointer { columns in
        cursor.withUnsafeMutableBufferPointer { at in
          for c in 0..<columnCount {
            columns[c].withBuffers { ends, missing, bytes in
              for i in 0..<n {
                let r = first + i
                var p = base + at[i]
                if c > 0 { p.pointee = delimiter; p += 1 }
                let start = r == 0 ? 0 : Int(ends[r - 1]), end = Int(ends[r])
                if missing[r] {
                  for b in missingText { p.pointee = b; p += 1 }
                } else if quoting[c] {
                  p = writeQuoted(UnsafeBufferPointer(rebasing: bytes[start..<end]), delimiter: delimiter, at: p)
                } else {
                  for k in start..<end { p.pointee = bytes[k]; p += 1 }
                }
                at[i] = p - base
              }
            }
          }
          for i in 0..<n { base[at[i]] = UInt8(ascii: "\n") }
        }
      }
      initialized = total
    }
  }

  /// Bytes `field` takes in the file: quoted (and its quotes doubled) when it holds a special byte.
  @inline(__always)
  static func quotedLength(_ field: UnsafeBufferPointer<UInt8>, delimiter: UInt8) -> Int {
    var special = false, quotes = 0
    for b in field {
      if b == UInt8(ascii: "\"") { quotes += 1; special = true }
      else if b == delimiter || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") { special = true }
    }
    return special ? field.count + quotes + 2 : field.count
  }

  /// Writes `field` at `p` as ``appendField(_:delimiter:to:)`` would and returns the position after it.
  @inline(__always)
  static func writeQuoted(_ field: UnsafeBufferPointer<UInt8>, delimiter: UInt8, at p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
    var p = p
    let special = field.contains { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
    if special { p.pointee = UInt8(ascii: "\""); p += 1 }
    for b in field {
      if special && b == UInt8(ascii: "\"") { p.pointee = b; p += 1 }
      p.pointee = b; p += 1
    }
    if special { p.pointee = UInt8(ascii: "\""); p += 1 }
    return p
  }

  /// Renders `table` as CSV text in memory (tests, small outputs).
  public static func string(_ table: DataTable) throws -> String {
    let dir = FileManager.default.temporaryDirectory
    let url = dir.appendingPathComponent("rlsyn-csv-\(UUID().uuidString).csv")
    try write(table, to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    return try String(contentsOf: url, encoding: .utf8)
  }

  @inline(__always)
  static func appendField<C: Collection>(_ field: C, delimiter: UInt8, to out: inout [UInt8]) where C.Element == UInt8 {
    var needsQuotes = false
    for b in field where b == delimiter || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
      needsQuotes = true; break
    }
    if !needsQuotes { out.append(contentsOf: field); return }
    out.append(UInt8(ascii: "\""))
    for b in field {
      if b == UInt8(ascii: "\"") { out.append(b) }
      out.append(b)
    }
    out.append(UInt8(ascii: "\""))
  }
}
