import Foundation
import NumericCore

/// Output columns that concurrent workers fill at disjoint indices.
struct SharedColumns: @unchecked Sendable { let base: UnsafeMutablePointer<CellColumn> }

extension TableEncoder {
  /// Turns a matrix (rows × ``EncodingLayout/width``, e.g. a generator's output) back into cells
  /// shaped like the input file.
  ///
  /// - Gaussian: inverse transform, rounded for integer columns, clipped to the training range,
  ///   written with the column's decimals (see ``ColumnSchema/decimals``); NaN decodes as the centre.
  /// - Bernoulli: > 0.5 → the second level. Categorical: the level with the largest value.
  /// - An indicator > 0.5, or the missing level winning its group, gives a missing cell.
  ///
  /// Each source column is decoded by one worker straight into its byte buffer; no `String` is made.
  /// `matrix.cols` must equal ``EncodingLayout/width`` (a programming error otherwise).
  public func decode(_ matrix: Matrix) -> DataTable {
    precondition(matrix.cols == layout.width, "decode: the matrix has \(matrix.cols) columns, the layout \(layout.width)")
    let rows = matrix.rows, width = layout.width
    let count = schema.columns.count
    let output = UnsafeMutablePointer<CellColumn>.allocate(capacity: count)
    output.initialize(repeating: CellColumn(), count: count)
    defer { output.deinitialize(count: count); output.deallocate() }
    let shared = SharedColumns(base: output)
    matrix.withUnsafeBufferPointer { buffer in
      let m = SharedPointer(base: buffer.baseAddress)
      DispatchQueue.concurrentPerform(iterations: count) { c in
        shared.base[c] = decodeColumn(c, m.base, rows: rows, width: width)
      }
    }
    let storage = Array(UnsafeBufferPointer(start: output, count: count))
    return DataTable(columnNames: schema.columnNames, storage: storage, rowCount: rows, source: nil)
  }

  private func decodeColumn(_ c: Int, _ m: UnsafePointer<Float>?, rows: Int, width: Int) -> CellColumn {
    let coder = coders[c]
    let column = schema.columns[c]
    var out = CellColumn(reservingCells: rows, bytes: rows * 6)
    guard let m else {                       // an empty matrix: rows == 0 or width == 0
      for r in 0..<rows { if coder.kind == .identifier { out.append(String(r + 1)) } else { out.appendMissing() } }
      return out
    }
    if column.isNumeric {
      decodeNumeric(coder, column, m, rows: rows, width: width, into: &out)
      return out
    }
    let levels = column.categories.map { Array($0.utf8) }
    @inline(__always) func appendLevel(_ k: Int) {
      if levels.isEmpty { out.appendMissing(); return }
      out.bytes.append(contentsOf: levels[Swift.min(k, levels.count - 1)])
      out.closeCell()
    }
    for r in 0..<rows {
      let row = m + r * width
      if let indicator = coder.indicator, row[indicator] > 0.5 { out.appendMissing(); continue }
      switch coder.kind {
      case .continuous, .integer:
        break                                 // handled by decodeNumeric above
      case .binary:
        appendLevel(row[coder.value!] > 0.5 ? 1 : 0)
      case .constant:
        appendLevel(0)
      case .categorical:
        let group = coder.group!
        var best = group.lowerBound
        var bestValue = -Float.infinity
        for j in group where row[j] > bestValue { best = j; bestValue = row[j] }
        if best == coder.missingLevel { out.appendMissing() } else { appendLevel(best - group.lowerBound) }
      case .identifier:
        appendInteger(Int64(r + 1), to: &out.bytes)
        out.closeCell()
      }
    }
    return out
  }

  /// Inverse transform, rounding, clipping and formatting of one numeric column.
  private func decodeNumeric(_ coder: ColumnCoder, _ column: ColumnSchema, _ m: UnsafePointer<Float>, rows: Int, width: Int,
                             into out: inout CellColumn) {
    let g = coder.gaussian!
    let isInteger = column.kind == .integer
    coder.transform!.withKernel { kernel in
      for r in 0..<rows {
        let row = m + r * width
        if let indicator = coder.indicator, row[indicator] > 0.5 { out.appendMissing(); continue }
        let x = kernel.inverse(row[g])
        if isInteger {
          let n = x.rounded()
          if n.magnitude < 9.0e18 { appendInteger(Int64(n), to: &out.bytes) }
          else { out.bytes.append(contentsOf: String(format: "%.0f", n).utf8) }
        } else {
          appendDecimal(x, decimals: column.decimals, minimumDecimals: column.minimumDecimals, to: &out.bytes)
        }
        out.closeCell()
      }
    }
  }
}

/// A read-only matrix pointer shared with concurrent workers.
struct SharedPointer: @unchecked Sendable { let base: UnsafePointer<Float>? }
