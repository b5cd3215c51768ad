import Foundation
import NumericCore

/// A raw matrix pointer that concurrent workers write through at disjoint rows.
struct SharedFloats: @unchecked Sendable { let base: UnsafeMutablePointer<Float> }

/// The first error (lowest row, then column) among those raised by concurrent workers, so the
/// message does not depend on thread timing.
final class FirstError: @unchecked Sendable {
  private let lock = NSLock()
  private var best: (row: Int, column: Int, error: Error)?

  func record(row: Int, column: Int, _ error: Error) {
    lock.lock(); defer { lock.unlock() }
    if let b = best, (b.row, b.column) <= (row, column) { return }
    best = (row, column, error)
  }

  func rethrow() throws { if let best { throw best.error } }
}

extension TableEncoder {
  /// Encodes `table` (the training table or any other file with the same columns, in any order).
  ///
  /// Rows are processed in tiles of a few hundred rows on all cores; within a tile, each source
  /// column writes its block for every row of the tile, so the tile of the matrix stays in cache and
  /// nothing is allocated per cell.
  ///
  /// - Throws: ``TabularError`` naming the file, row and column for a cell of a numeric column that
  ///   is not a number, a level the schema does not know, or a missing cell in a column that had none
  ///   in the schema; and naming the columns when the table's columns differ from the schema's.
  public func encode(_ table: DataTable) throws -> Matrix {
    let mapping = try Self.columnMapping(schema, table)
    let rows = table.rowCount, width = layout.width
    var matrix = Matrix(rows: rows, cols: width)
    guard rows > 0 && width > 0 else { return matrix }
    let lookups = schema.columns.map { [.binary, .categorical, .constant].contains($0.kind) ? CategoryLookup($0) : nil }
    let tileRows = Swift.max(16, 65_536 / width)
    let tiles = (rows + tileRows - 1) / tileRows
    let failure = FirstError()
    matrix.withUnsafeMutableBufferPointer { buffer in
      let out = SharedFloats(base: buffer.baseAddress!)
      DispatchQueue.concurrentPerform(iterations: tiles) { tile in
        let rowRange = (tile * tileRows)..<Swift.min(rows, (tile + 1) * tileRows)
        for c in coders.indices {
          do {
            try encodeColumn(c, table: table, tableColumn: mapping[c], rows: rowRange, lookup: lookups[c], into: out.base, width: width)
          } catch let error as TabularError {
            failure.record(row: error.row ?? 0, column: c, error)
          } catch {
            failure.record(row: 0, column: c, error)
          }
        }
      }
    }
    try failure.rethrow()
    return matrix
  }

  /// Writes the block(s) of schema column `c` for `rows`.
  private func encodeColumn(_ c: Int, table: DataTable, tableColumn: Int, rows: Range<Int>, lookup: CategoryLookup?,
                            into m: UnsafeMutablePointer<Float>, width: Int) throws {
    let coder = coders[c]
    let cells = table.storage[tableColumn]
    func missingError(_ r: Int) -> TabularError {
      table.error(.unexpectedMissing, row: r, column: tableColumn,
                  "the cell is missing, but the column had no missing values when the schema was made (re-run the schema on all the data)")
    }
    try cells.bytes.withUnsafeBufferPointer { bytes in
      try cells.ends.withUnsafeBufferPointer { ends in
        try cells.missing.withUnsafeBufferPointer { missing in
          @inline(__always) func cell(_ r: Int) -> UnsafeBufferPointer<UInt8> {
            let s = r == 0 ? 0 : ends[r - 1]
            return UnsafeBufferPointer(start: bytes.baseAddress.map { $0 + s }, count: ends[r] - s)
          }
          switch coder.kind {
          case .continuous, .integer:
            let g = coder.gaussian!, indicator = coder.indicator
            try coder.transform!.withKernel { kernel in
              for r in rows {
                let row = m + r * width
                if missing[r] {
                  guard let indicator else { throw missingError(r) }
                  row[g] = kernel.centre
                  row[indicator] = 1
                  continue
                }
                let text = cell(r)
                guard let base = text.baseAddress, let number = parseNumber(base, text.count), number.value.isFinite else {
                  throw table.error(.notANumber, row: r, column: tableColumn,
                                    "\(quoted(String(decoding: text, as: UTF8.self))) is not a number, but the schema says the column is \(coder.kind.rawValue)")
                }
                row[g] = kernel.forward(number.value)
              }
            }
          case .binary, .constant, .categorical:
            let lookup = lookup!
            for r in rows {
              let row = m + r * width
              if missing[r] {
                if let indicator = coder.indicator { row[indicator] = 1 }
                else if let level = coder.missingLevel { row[level] = 1 }
                else { throw missingError(r) }
                continue
              }
              let text = cell(r)
              guard let code = lookup.code(text) else {
                let known = schema.columns[c].categories
                let list = known.count <= 12 ? " (known: \(known.map(quoted).joined(separator: ", ")))" : " (\(known.count) known levels)"
                throw table.error(.unseenCategory, row: r, column: tableColumn,
                                  "\(quoted(String(decoding: text, as: UTF8.self))) is not a level of this column in the schema\(list)")
              }
              if let value = coder.value { row[value] = code == 1 ? 1 : 0 }
              else if let group = coder.group { row[group.lowerBound + code] = 1 }
            }
          case .identifier:
            break
          }
        }
      }
    }
  }
}
