//===----------------------------------------------------------------------===//
// Which rows of a table hold given cell values (conditional sampling).
//===----------------------------------------------------------------------===//

import Foundation

/// A test one cell of a row must pass, read straight from the stored bytes (no `String` per cell).
public struct CellTest: Sendable, Equatable {
  public enum Rule: Sendable, Equatable {
    /// The cell's text is exactly this (a categorical level as the table writes it).
    case text(String)
    /// The cell parses as a number equal to this (`1` matches `1.0`).
    case number(Double)
  }

  /// The column's index in the table.
  public var column: Int
  public var rule: Rule

  public init(column: Int, rule: Rule) {
    self.column = column
    self.rule = rule
  }
}

extension DataTable {
  /// The indices, in order, of the rows whose cells pass every test. A missing cell passes no test.
  public func rows(passing tests: [CellTest]) -> [Int] {
    var keep = [Bool](repeating: true, count: rowCount)
    for test in tests {
      precondition(test.column >= 0 && test.column < columnCount, "rows(passing:): no column \(test.column)")
      storage[test.column].withBuffers { ends, missing, bytes in
        @inline(__always) func bounds(_ r: Int) -> (Int, Int) { (r == 0 ? 0 : Int(ends[r - 1]), Int(ends[r])) }
        switch test.rule {
        case .text(let text):
          let target = Array(text.utf8)
          target.withUnsafeBufferPointer { t in
            for r in 0..<rowCount where keep[r] {
              if missing[r] { keep[r] = false; continue }
              let (s, e) = bounds(r)
              if e - s != t.count { keep[r] = false; continue }
              if t.count > 0, memcmp(bytes.baseAddress! + s, t.baseAddress!, t.count) != 0 { keep[r] = false }
            }
          }
        case .number(let value):
          for r in 0..<rowCount where keep[r] {
            if missing[r] { keep[r] = false; continue }
            let (s, e) = bounds(r)
            guard e > s, let base = bytes.baseAddress, let parsed = parseNumber(base + s, e - s) else { keep[r] = false; continue }
            if parsed.value != value { keep[r] = false }
          }
        }
      }
    }
    return keep.indices.filter { keep[$0] }
  }
}

extension CellTest {
  /// Parses a decimal number as the table's cells are read (`nil` for anything else, e.g. text or `inf`).
  public static func number(_ text: String) -> Double? {
    var bytes = Array(text.utf8)
    if bytes.isEmpty { return nil }
    return bytes.withUnsafeMutableBufferPointer { p in parseNumber(UnsafePointer(p.baseAddress!), p.count)?.value }
  }
}
