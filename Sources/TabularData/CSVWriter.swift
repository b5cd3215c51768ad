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
  /// Writes `table` to `url` atomically (temporary file + rename).
  ///
  /// - Throws: ``AtomicFile/WriteError`` naming the file when the folder is missing or not
  ///   writable or the disk is full; no file is left behind.
  public static func write(_ table: DataTable, to url: URL, delimiter: UInt8 = UInt8(ascii: ",")) throws {
    try AtomicFile.write(to: url) { sink in
      var buffer: [UInt8] = []
      buffer.reserveCapacity(1 << 20)
      for (c, name) in table.columnNames.enumerated() {
        if c > 0 { buffer.append(delimiter) }
        appendField(Array(name.utf8)[...], delimiter: delimiter, to: &buffer)
      }
      buffer.append(UInt8(ascii: "\n"))
      let singleColumn = table.storage.count == 1
      // Borrow the columns through one buffer pointer: copying a CellColumn per cell would retain
      // and release its three arrays every time.
      try table.storage.withUnsafeBufferPointer { columns in
        for r in 0..<table.rowCount {
          for c in 0..<columns.count {
            if c > 0 { buffer.append(delimiter) }
            if columns[c].missing[r] {
              if singleColumn { buffer.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "\"")]) }
              continue
            }
            let start = columns[c].start(r), end = columns[c].end(r)
            columns[c].bytes.withUnsafeBufferPointer { p in
              appendField(UnsafeBufferPointer(rebasing: p[start..<end]), delimiter: delimiter, to: &buffer)
            }
          }
          buffer.append(UInt8(ascii: "\n"))
          if buffer.count >= 1 << 20 {
            try sink(buffer)
            buffer.removeAll(keepingCapacity: true)
          }
        }
      }
      try sink(buffer)
    }
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
