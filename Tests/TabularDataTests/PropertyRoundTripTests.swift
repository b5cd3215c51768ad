import Foundation
import NumericCore
import Testing
@testable import TabularData

/// A random table built cell by cell, with the kind each column must be inferred as.
struct GeneratedTable {
  var names: [String] = []
  var kinds: [ColumnKind] = []
  var cells: [[String?]] = []     // column-major
  var rows = 0

  /// CSV text with random quoting of fields that do not need it, random missing-value spelling,
  /// and LF or CRLF line ends.
  func csv(_ rng: inout RandomSource) -> String {
    let crlf = rng.uniform() < 0.5
    let end = crlf ? "\r\n" : "\n"
    func field(_ value: String?) -> String {
      guard let value else {
        let spelling = ["", "NA", "nan", "NULL", "\"\""][Int(rng.next() % 5)]
        // An unquoted empty cell in a one-column file is a blank line, which readers skip.
        return spelling.isEmpty && names.count == 1 ? "\"\"" : spelling
      }
      let needs = value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")
      if needs || rng.uniform() < 0.2 { return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
      return value
    }
    var text = names.map { field($0) }.joined(separator: ",") + end
    for r in 0..<rows {
      text += (0..<names.count).map { field(cells[$0][r]) }.joined(separator: ",") + end
    }
    return text
  }

  static func random(_ rng: inout RandomSource) -> GeneratedTable {
    var g = GeneratedTable()
    g.rows = 40 + Int(rng.next() % 120)
    let columnCount = 1 + Int(rng.next() % 7)
    let kinds: [ColumnKind] = [.continuous, .integer, .binary, .categorical, .constant, .identifier]
    let pieces = ["a", "b", "é", "中", " ", ",", "\"", "\n", "x y", "Zz", "-", "/", "'"]
    func label(_ rng: inout RandomSource) -> String {
      // A leading letter keeps labels from looking like numbers or NA tokens.
      "L" + (0..<(1 + Int(rng.next() % 4))).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
    }
    for c in 0..<columnCount {
      let kind = kinds[Int(rng.next() % UInt64(kinds.count))]
      let missingRate: Float = kind == .identifier ? 0 : [0, 0.1, 0.4][Int(rng.next() % 3)]
      // Values every column must show at least once (so inference sees all levels), then random draws.
      var required: [String] = []
      var draw: (inout RandomSource) -> String
      switch kind {
      case .continuous:
        let decimals = 1 + Int(rng.next() % 4)
        let fixed = rng.uniform() < 0.5
        let scale = Double([1, 10, 250][Int(rng.next() % 3)])
        draw = { rng in
          let x = 1 + abs(Double(rng.normal())) * scale
          let rounded = (x * pow(10, Double(decimals))).rounded() / pow(10, Double(decimals))
          // Fixed style keeps trailing zeros ("12.50"); the shortest style is what pandas writes ("12.5", "97.0").
          return fixed ? String(format: "%.\(decimals)f", rounded) : rounded.description
        }
        required = [draw(&rng), draw(&rng), draw(&rng)]
      case .integer:
        let pool = (0..<(16 + Int(rng.next() % 14))).map { String(-40 + Int($0) * (1 + Int(rng.next() % 9))) }
        required = Array(Set(pool)).sorted()
        draw = { rng in pool[Int(rng.next() % UInt64(pool.count))] }
        if required.count <= 15 { required = (0..<20).map { String($0 * 3 - 7) } }
      case .binary:
        let pairs = [["0", "1"], ["no", "yes"], ["female", "male"], [label(&rng), label(&rng)]]
        var pair = pairs[Int(rng.next() % UInt64(pairs.count))]
        if pair[0] == pair[1] { pair[1] += "2" }
        required = pair
        draw = { rng in pair[Int(rng.next() % 2)] }
      case .categorical:
        var levels = Set<String>()
        let want = 3 + Int(rng.next() % 5)
        while levels.count < want { levels.insert(label(&rng)) }
        let list = levels.sorted()
        required = list
        draw = { rng in list[Int(rng.next() % UInt64(list.count))] }
      case .constant:
        let value = rng.uniform() < 0.5 ? label(&rng) : "42"
        required = [value]
        draw = { _ in value }
      case .identifier, .datetime, .personal:
        required = []
        draw = { _ in "" }
      }
      var column: [String?] = []
      for r in 0..<g.rows {
        if kind == .identifier { column.append("ID-\(1000 + r * 7)"); continue }
        if r < required.count { column.append(required[r]); continue }
        column.append(rng.uniform() < missingRate ? nil : draw(&rng))
      }
      g.names.append("col\(c)" + (rng.uniform() < 0.3 ? ", \"quoted\" name" : ""))
      g.kinds.append(kind)
      g.cells.append(column)
    }
    return g
  }
}

@Suite struct PropertyRoundTripTests {
  /// Random tables (kinds, missingness, quoting, line ends): read → infer → encode → decode → write →
  /// read gives back every cell; identifiers come back as row numbers.
  @Test func randomTablesRoundTrip() throws {
    var rng = RandomSource(seed: 20_251_221)
    for iteration in 0..<100 {
      let g = GeneratedTable.random(&rng)
      let text = g.csv(&rng)
      let table = try CSVReader.parse(text, name: "generated-\(iteration).csv")
      #expect(table.columnNames == g.names)
      #expect(table.rowCount == g.rows)
      for c in 0..<g.names.count {
        #expect(table.column(at: c) == g.cells[c], "iteration \(iteration) column \(c) read")
      }
      let schema = try Schema.infer(from: table)
      #expect(schema.columns.map(\.kind) == g.kinds, "iteration \(iteration)")
      let encoder = try TableEncoder(fitting: table, schema: schema)
      let matrix = try encoder.encode(table)
      #expect(matrix.isFinite)
      let decoded = encoder.decode(matrix)
      let rewritten = try CSVReader.parse(try CSVWriter.string(decoded))
      for c in 0..<g.names.count {
        let expected = g.kinds[c] == .identifier ? (1...g.rows).map { String($0) } : g.cells[c]
        let got = rewritten.column(at: c)
        if got != expected {
          let r = (0..<g.rows).first { got[$0] != expected[$0] }!
          Issue.record("iteration \(iteration), column \(c) (\(g.kinds[c])), row \(r): \(String(describing: expected[r])) → \(String(describing: got[r]))")
        }
      }
    }
  }

  /// Random matrices (a generator's raw output) always decode to cells the encoder accepts back.
  @Test func randomMatricesDecodeToValidCells() throws {
    var rng = RandomSource(seed: 77)
    for _ in 0..<20 {
      let g = GeneratedTable.random(&rng)
      let table = try CSVReader.parse(g.csv(&rng))
      let encoder = try TableEncoder(fitting: table, schema: try Schema.infer(from: table))
      let noise = rng.normalMatrix(rows: 64, cols: encoder.layout.width, std: 3)
      let decoded = encoder.decode(noise)
      #expect(decoded.rowCount == 64)
      let again = try encoder.encode(try CSVReader.parse(try CSVWriter.string(decoded)).selectingColumns(table.columnNames))
      #expect(again.rows == 64)
    }
  }
}
