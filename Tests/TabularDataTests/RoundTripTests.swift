import Foundation
import NumericCore
import Testing
import TestSupport
@testable import TabularData

@Suite struct RoundTripTests {
  /// Read → infer → encode → decode → write reproduces the bundled files cell by cell (and, since
  /// they were written in the same style, byte for byte).
  @Test(arguments: ["nhefs.csv", "support2.csv"])
  func bundledDatasetRoundTrip(_ name: String) throws {
    let url = CommandRunner.dataset(name)
    let table = try CSVReader.read(url)
    let schema = try Schema.infer(from: table)
    let encoder = try TableEncoder(fitting: table, schema: schema)
    let matrix = try encoder.encode(table)
    #expect(matrix.rows == table.rowCount)
    #expect(matrix.cols == encoder.layout.width)
    #expect(matrix.isFinite)
    let decoded = encoder.decode(matrix)
    var mismatches: [String] = []
    for c in 0..<table.columnCount {
      for r in 0..<table.rowCount where table.cell(row: r, column: c) != decoded.cell(row: r, column: c) {
        if mismatches.count < 10 {
          mismatches.append("\(table.columnNames[c]) row \(r + 1): \(table.cell(row: r, column: c) ?? "<missing>") → \(decoded.cell(row: r, column: c) ?? "<missing>")")
        }
      }
    }
    #expect(mismatches.isEmpty, "\(mismatches)")
    let dir = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent(name)
    try CSVWriter.write(decoded, to: out)
    #expect(try Data(contentsOf: out) == Data(contentsOf: url))
  }
}
