import Foundation
import NumericCore

/// A raw pointer that concurrent workers write through at disjoint indices.
struct SharedMutable<T>: @unchecked Sendable { let base: UnsafeMutablePointer<T> }

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

  var hasError: Bool { lock.lock(); defer { lock.unlock() }; return best != nil }

  func rethrow() throws {
    lock.lock(); let found = best; lock.unlock()
    if let found { throw found.error }
  }
}

/// Where one source column writes in a matrix row: a compact, copy-free form of ``ColumnCoder``
/// for the scatter loop.
struct ScatterPlan {
  /// 0 none, 1 Gaussian (+indicator), 2 Bernoulli value (+indicator), 3 indicator only, 4 one-hot.
  var action: [Int32] = []
  /// Gaussian column, Bernoulli column or group start.
  var target: [Int32] = []
  /// Missingness indicator column or −1.
  var indicator: [Int32] = []

  init(_ coders: [ColumnCoder]) {
    for coder in coders {
      switch coder.kind {
      case .continuous, .integer: action.append(1); target.append(Int32(coder.gaussian!))
      case .binary: action.append(2); target.append(Int32(coder.value!))
      case .constant: action.append(coder.indicator == nil ? 0 : 3); target.append(-1)
      case .categorical: action.append(4); target.append(Int32(coder.group!.lowerBound))
      case .identifier, .datetime, .personal: action.append(0); target.append(-1)
      }
      indicator.append(Int32(coder.indicator ?? -1))
    }
  }
}

extension TableEncoder {
  /// Encodes `table` (the training table or any other file with the same columns, in any order).
  ///
  /// Two vectorised passes per block of rows, both on all cores:
  /// 1. one worker per source column turns its cells into a contiguous column of values (a score,
  ///    a 0/1, a level index and a missing flag), so the column's lookup tables stay in cache;
  /// 2. workers over row ranges scatter those columns into the row-major matrix.
  /// Nothing is allocated per cell; the scratch is bounded (~16 MB) whatever the table's size.
  ///
  /// - Throws: ``TabularError`` naming the file, row and column for a cell of a numeric column that
  ///   is not a number, a level the schema does not know, or a missing cell in a column that had none
  ///   in the schema; and naming the columns when the table's columns differ from the schema's.
  public func encode(_ table: DataTable) throws -> Matrix {
    let mapping = try Self.columnMapping(schema, table)
    let rows = table.rowCount, width = layout.width, columns = coders.count
    var matrix = Matrix(rows: rows, cols: width)
    guard rows > 0 && width > 0 else { return matrix }
    let lookups = schema.columns.map { [.binary, .categorical, .constant].contains($0.kind) ? CategoryLookup($0) : nil }
    let plan = ScatterPlan(coders)
    let blockRows = Swift.max(64, Swift.min(rows, (1 << 21) / Swift.max(1, columns)))
    var values = [Float](repeating: 0, count: blockRows * columns)
    var codes = [Int32](repeating: 0, count: blockRows * columns)
    let failure = FirstError()
    let workers = ProcessInfo.processInfo.activeProcessorCount

    try values.withUnsafeMutableBufferPointer { valueBuffer in
      try codes.withUnsafeMutableBufferPointer { codeBuffer in
        try matrix.withUnsafeMutableBufferPointer { matrixBuffer in
          let v = SharedMutable(base: valueBuffer.baseAddress!), k = SharedMutable(base: codeBuffer.baseAddress!)
          let m = SharedMutable(base: matrixBuffer.baseAddress!)
          for blockStart in stride(from: 0, to: rows, by: blockRows) {
            let n = Swift.min(blockRows, rows - blockStart)
            DispatchQueue.concurrentPerform(iterations: columns) { c in
              do {
                try fillColumn(c, table: table, tableColumn: mapping[c], rows: blockStart..<blockStart + n, lookup: lookups[c],
                               values: v.base + c * blockRows, codes: k.base + c * blockRows)
              } catch {
                failure.record(row: (error as? TabularError)?.row ?? 0, column: c, error)
              }
            }
            try failure.rethrow()
            let chunk = (n + workers * 4 - 1) / (workers * 4)
            DispatchQueue.concurrentPerform(iterations: (n + chunk - 1) / chunk) { part in
              plan.action.withUnsafeBufferPointer { action in
                plan.target.withUnsafeBufferPointer { target in
                  plan.indicator.withUnsafeBufferPointer { indicator in
                    for i in (part * chunk)..<Swift.min(n, (part + 1) * chunk) {
                      let row = m.base + (blockStart + i) * width
                      for c in 0..<columns {
                        let value = v.base[c * blockRows + i], code = k.base[c * blockRows + i]
                        switch action[c] {
                        case 1, 2: row[Int(target[c])] = value
                        case 4: row[Int(target[c]) + Int(code)] = 1
                        default: break
                        }
                        if indicator[c] >= 0 { row[Int(indicator[c])] = Float(code) }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return matrix
  }

  /// Pass 1 for schema column `c`: for each row, `values[i]` gets the Gaussian score or Bernoulli
  /// value and `codes[i]` the missing flag (0/1) or, for a categorical column, the one-hot slot.
  private func fillColumn(_ c: Int, table: DataTable, tableColumn: Int, rows: Range<Int>, lookup: CategoryLookup?,
                          values: UnsafeMutablePointer<Float>, codes: UnsafeMutablePointer<Int32>) throws {
    let coder = coders[c]
    let cells = table.storage[tableColumn]
    func missingError(_ r: Int) -> TabularError {
      table.error(.unexpectedMissing, row: r, column: tableColumn,
                  "the cell is missing, but the column had no missing values when the schema was made (re-run the schema on all the data)")
    }
    let offset = rows.lowerBound
    try cells.bytes.withUnsafeBufferPointer { bytes in
      try cells.ends.withUnsafeBufferPointer { ends in
        try cells.missing.withUnsafeBufferPointer { missing in
          @inline(__always) func cell(_ r: Int) -> UnsafeBufferPointer<UInt8> {
            let s = r == 0 ? 0 : Int(ends[r - 1])
            return UnsafeBufferPointer(start: bytes.baseAddress.map { $0 + s }, count: Int(ends[r]) - s)
          }
          switch coder.kind {
          case .continuous, .integer:
            let hasIndicator = coder.indicator != nil
            try coder.transform!.withKernel { kernel in
              for r in rows {
                let i = r - offset
                if missing[r] {
                  guard hasIndicator else { throw missingError(r) }
                  values[i] = kernel.centre
                  codes[i] = 1
                  continue
                }
                let text = cell(r)
                guard let base = text.baseAddress, let number = parseNumber(base, text.count), number.value.isFinite else {
                  throw table.error(.notANumber, row: r, column: tableColumn,
                                    "\(quoted(String(decoding: text, as: UTF8.self))) is not a number, but the schema says the column is \(coder.kind.rawValue)")
                }
                values[i] = kernel.forward(number.value)
                codes[i] = 0
              }
            }
          case .binary, .constant, .categorical:
            let lookup = lookup!
            let missingSlot = coder.group.map { Int32($0.count - 1) }
            for r in rows {
              let i = r - offset
              if missing[r] {
                values[i] = 0
                if coder.indicator != nil { codes[i] = 1 }
                else if coder.missingLevel != nil, let missingSlot { codes[i] = missingSlot }
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
              if coder.kind == .categorical {
                codes[i] = Int32(code)
              } else {
                values[i] = code == 1 ? 1 : 0
                codes[i] = 0
              }
            }
          case .identifier, .datetime, .personal:
            break
          }
        }
      }
    }
  }
}

extension TableEncoder {
  /// Replaces, in `matrix` (an encoding of a table by this encoder), the score of every present value of each
  /// column that decodes to observed values by a draw within its level's CDF step
  /// (``NumericTransform/dequantized(_:uniform:)``). Each column draws from its own stream, derived from `seed`
  /// and the column's position, so the result does not depend on the other columns. Decoding gives the same
  /// table as before. A no-op unless ``EncodingOptions/dequantizeLevels`` is set.
  public func dequantize(_ matrix: inout Matrix, seed: UInt64) {
    precondition(matrix.cols == layout.width, "dequantize takes a matrix this encoder made")
    guard options.dequantizeLevels else { return }
    let rows = matrix.rows, width = matrix.cols
    matrix.withUnsafeMutableBufferPointer { p in
      for (c, coder) in coders.enumerated() {
        guard let transform = coder.transform, transform.decodesToObservedValues, let column = coder.gaussian else { continue }
        var random = RandomSource(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(c + 1)))
        for i in 0..<rows {
          if let indicator = coder.indicator, p[i * width + indicator] > 0.5 { continue }
          p[i * width + column] = transform.dequantized(p[i * width + column], uniform: random.uniformDouble())
        }
      }
    }
  }

  /// Spreads each numeric column's scores uniformly within their histogram bins (``NumericTransform/spreadBetweenKnots(_:uniform:)``),
  /// from a stream of `seed`: a private fit's encoder has bins, not the training values, so a value's place inside its
  /// bin carries no distribution the model could learn, only spikes where values repeat.
  public func spreadWithinHistogramBins(_ matrix: inout Matrix, columns names: Set<String>, seed: UInt64) {
    precondition(matrix.cols == layout.width, "spreadWithinHistogramBins takes a matrix this encoder made")
    let rows = matrix.rows, width = matrix.cols
    matrix.withUnsafeMutableBufferPointer { p in
      for (c, coder) in coders.enumerated() where names.contains(schema.columns[c].name) {
        guard let transform = coder.transform, let column = coder.gaussian else { continue }
        var random = RandomSource(seed: seed ^ (0x5851_F42D_4C95_7F2D &* UInt64(c + 1)))
        for i in 0..<rows {
          if let indicator = coder.indicator, p[i * width + indicator] > 0.5 { continue }
          p[i * width + column] = transform.spreadBetweenKnots(p[i * width + column], uniform: random.uniformDouble())
        }
      }
    }
  }
}
