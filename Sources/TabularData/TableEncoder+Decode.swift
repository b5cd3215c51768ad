import Foundation
import NumericCore

extension TableEncoder {
  /// Turns a matrix (rows × ``EncodingLayout/width``, e.g. a generator's output) back into cells
  /// shaped like the input file.
  ///
  /// - Gaussian: inverse transform, rounded for integer columns, clipped to the training range,
  ///   written with the column's decimals (see ``ColumnSchema/decimals``); NaN decodes as the centre.
  /// - Bernoulli: > 0.5 → the second level. Categorical: the level with the largest value.
  /// - An indicator > 0.5, or the missing level winning its group, gives a missing cell.
  ///
  /// Per block of rows, the matrix is first transposed (in cache-sized tiles) so that each source
  /// column then reads contiguous values; one worker per source column appends straight into that
  /// column's byte buffer. No `String` is made per cell.
  /// `matrix.cols` must equal ``EncodingLayout/width`` (a programming error otherwise).
  public func decode(_ matrix: Matrix) -> DataTable {
    precondition(matrix.cols == layout.width, "decode: the matrix has \(matrix.cols) columns, the layout \(layout.width)")
    let rows = matrix.rows, width = layout.width, count = schema.columns.count
    let output = UnsafeMutablePointer<CellColumn>.allocate(capacity: count)
    output.initialize(repeating: CellColumn(), count: count)
    defer { output.deinitialize(count: count); output.deallocate() }
    let shared = SharedMutable(base: output)
    let levels = schema.columns.map { LevelBytes($0.categories) }
    for c in 0..<count { output[c] = CellColumn(reservingCells: rows, bytes: rows * (schema.columns[c].isNumeric ? 7 : 4)) }

    if width > 0 && rows > 0 {
      let blockRows = Swift.max(64, Swift.min(rows, (1 << 21) / width))
      var scratch = [Float](repeating: 0, count: blockRows * width)
      matrix.withUnsafeBufferPointer { source in
        scratch.withUnsafeMutableBufferPointer { scratchBuffer in
          let src = SharedMutable(base: UnsafeMutablePointer(mutating: source.baseAddress!))
          let t = SharedMutable(base: scratchBuffer.baseAddress!)
          for blockStart in stride(from: 0, to: rows, by: blockRows) {
            let n = Swift.min(blockRows, rows - blockStart)
            // Transpose rows blockStart..<+n into column-major scratch, 32 × 32 tiles per worker.
            let columnTiles = (width + 31) / 32
            DispatchQueue.concurrentPerform(iterations: columnTiles) { tile in
              let c0 = tile * 32, c1 = Swift.min(width, c0 + 32)
              for r0 in stride(from: 0, to: n, by: 32) {
                let r1 = Swift.min(n, r0 + 32)
                for r in r0..<r1 {
                  let row = src.base + (blockStart + r) * width
                  for c in c0..<c1 { t.base[c * blockRows + r] = row[c] }
                }
              }
            }
            DispatchQueue.concurrentPerform(iterations: count) { c in
              decodeColumn(c, UnsafePointer(t.base), stride: blockRows, rows: n, firstRow: blockStart,
                           levels: levels[c], into: &shared.base[c])
            }
          }
        }
      }
    } else {
      for c in 0..<count {
        for r in 0..<rows {
          if coders[c].kind == .identifier { output[c].append(String(r + 1)) } else { output[c].appendMissing() }
        }
      }
    }
    let storage = Array(UnsafeBufferPointer(start: output, count: count))
    return DataTable(columnNames: schema.columnNames, storage: storage, rowCount: rows, source: nil)
  }

  /// Decodes `rows` rows of one source column from column-major scratch (column `j` of the matrix
  /// starts at `t + j * stride`).
  private func decodeColumn(_ c: Int, _ t: UnsafePointer<Float>, stride: Int, rows: Int, firstRow: Int,
                            levels: LevelBytes, into out: inout CellColumn) {
    let coder = coders[c]
    let column = schema.columns[c]
    let indicator = coder.indicator.map { t + $0 * stride }
    @inline(__always) func appendLevel(_ k: Int) {
      if levels.count == 0 { out.appendMissing(); return }
      levels.append(Swift.min(k, levels.count - 1), to: &out.bytes)
      out.closeCell()
    }
    switch coder.kind {
    case .continuous, .integer:
      let scores = t + coder.gaussian! * stride
      let isInteger = column.kind == .integer
      let avoids = column.avoidsTrainingValues == true
      let release = column.releaseRule
      coder.transform!.withKernel { kernel in
        for i in 0..<rows {
          if let indicator, indicator[i] > 0.5 { out.appendMissing(); continue }
          var x = kernel.inverse(scores[i])
          if let release { x = release.apply(isInteger ? x.rounded() : x) }
          if isInteger && column.minimumDecimals > 0 {
            // Whole numbers the input spelled with a fraction ("18.0", as pandas writes them) keep that spelling.
            appendDecimal(x.rounded(), decimals: column.decimals, minimumDecimals: column.minimumDecimals, to: &out.bytes)
          } else if isInteger {
            let n = x.rounded()
            if n.magnitude < 9.0e18 { appendInteger(Int64(n), to: &out.bytes) }
            else { out.bytes.append(contentsOf: String(format: "%.0f", n).utf8) }
          } else if avoids && !(release?.isCommon(x) ?? false) {
            appendDecimal(kernel.avoidingKnots(x, decimals: column.nudgeDecimals), decimals: column.decimals,
                          minimumDecimals: column.minimumDecimals, to: &out.bytes)
          } else {
            appendDecimal(x, decimals: column.decimals, minimumDecimals: column.minimumDecimals, to: &out.bytes)
          }
          out.closeCell()
        }
      }
    case .binary:
      let value = t + coder.value! * stride
      for i in 0..<rows {
        if let indicator, indicator[i] > 0.5 { out.appendMissing(); continue }
        appendLevel(value[i] > 0.5 ? 1 : 0)
      }
    case .constant:
      for i in 0..<rows {
        if let indicator, indicator[i] > 0.5 { out.appendMissing(); continue }
        appendLevel(0)
      }
    case .categorical:
      // Argmax level by level over contiguous scratch columns (vectorisable), then write the levels.
      let group = coder.group!
      let first = t + group.lowerBound * stride
      let missingSlot = coder.missingLevel.map { $0 - group.lowerBound } ?? -1
      withUnsafeTemporaryAllocation(of: Int32.self, capacity: rows) { best in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: rows) { bestValue in
          best.initialize(repeating: 0)
          bestValue.initialize(repeating: -.infinity)
          for j in 0..<group.count {
            let column = first + j * stride
            let slot = Int32(j)
            for i in 0..<rows where column[i] > bestValue[i] {
              bestValue[i] = column[i]
              best[i] = slot
            }
          }
          for i in 0..<rows {
            let k = Int(best[i])
            if k == missingSlot { out.appendMissing() } else { appendLevel(k) }
          }
        }
      }
    case .identifier:
      for i in 0..<rows {
        appendInteger(Int64(firstRow + i + 1), to: &out.bytes)
        out.closeCell()
      }
    case .datetime, .personal:
      // The encoder refuses these kinds (``TablePreparation`` turns them into model columns first).
      for _ in 0..<rows { out.appendMissing() }
    }
  }
}

/// The UTF-8 spellings of a column's levels in one buffer, so writing a level copies bytes without
/// touching (retaining) a per-level array.
struct LevelBytes: Sendable {
  var bytes: [UInt8] = []
  var ends: [Int] = []

  init(_ levels: [String]) {
    for level in levels { bytes.append(contentsOf: level.utf8); ends.append(bytes.count) }
  }

  var count: Int { ends.count }

  @inline(__always)
  func append(_ k: Int, to out: inout [UInt8]) {
    let start = k == 0 ? 0 : ends[k - 1]
    bytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<ends[k]])) }
  }
}
