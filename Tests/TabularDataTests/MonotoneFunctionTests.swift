import Foundation
import Testing
import TestSupport
import NumericCore
@testable import TabularData

/// Numeric columns that are a strictly monotone function of an earlier one are written from it, not modelled.
@Suite struct MonotoneFunctionTests {
  /// 200 rows: `x` in (0.5, 50) with 3 decimals; `lx` = log x and `down` = 100 − 2x (functions of x); `bowl` =
  /// (x − 25)² (a function, not monotone); `jitter` = log x + noise (not a function); `gappy` = log x with cells
  /// missing where x is not; `y` the outcome.
  static func table() throws -> DataTable {
    var lines = ["x,lx,down,bowl,jitter,gappy,y"]
    var rng = RandomSource(seed: 5)
    for r in 0..<200 {
      let x = (0.5 + 49.5 * rng.uniformDouble() * 1000).rounded() / 1000
      let jitter = log(x) + 0.5 * (rng.uniformDouble() - 0.5)
      lines.append(String(format: "%.3f,%.6f,%.3f,%.4f,%.6f,%@,%d", x, log(x), 100 - 2 * x, (x - 25) * (x - 25), jitter,
                          r % 7 == 0 ? "" : String(format: "%.6f", log(x)), r % 2))
    }
    return try CSVReader.parse(lines.joined(separator: "\n"), name: "monotone.csv")
  }

  @Test func strictlyMonotoneFunctionsAreProposedOthersAreNot() throws {
    let schema = try Schema.infer(from: Self.table())
    #expect(schema.constraints == [.monotoneFunction(column: "lx", source: "x"), .monotoneFunction(column: "down", source: "x")])
    #expect(schema.decisions.contains { $0.hasPrefix("constraint: lx = f(x), f monotone") })
    // A column with a metadata entry is modelled as declared; the outcome is never derived.
    let declared = Metadata(columns: ["down": Metadata.Column(sdtype: "numerical", computerRepresentation: "Float")])
    #expect(try Schema.infer(from: Self.table(), overrides: declared).constraints == [.monotoneFunction(column: "lx", source: "x")])
  }

  @Test func theColumnIsWrittenFromItsSourceExactlyAtKnotsAndInterpolatedBetween() throws {
    let table = try Self.table()
    let schema = try inferredSchemaCheckingMetadataRoundTrip(table)
    let (preparation, model, _) = try TablePreparation.fit(table, schema: schema, rareCount: 1, seed: 1)
    #expect(model.columnCount == table.columnCount - 2 && model.columnIndex("lx") == nil && model.columnIndex("down") == nil)
    // Replace the model's x by a training value and by a value between two training values.
    let xs = try table.numbers("x").sorted()
    let knot = xs[100], between = (xs[100] + xs[101]) / 2
    #expect(xs[101] > xs[100])
    let xIndex = model.columnIndex("x")!
    var storage = model.storage
    var column = CellColumn(reservingCells: 2)
    column.append(String(format: "%.3f", knot)); column.append(String(format: "%.4f", between))
    storage = storage.map { c in var short = CellColumn(reservingCells: 2); short.append(c.string(0) ?? ""); short.append(c.string(1) ?? ""); return short }
    storage[xIndex] = column
    let back = preparation.userTable(DataTable(columnNames: model.columnNames, storage: storage, rowCount: 2, source: nil), seed: 2)
    let lx = try back.numbers("lx"), down = try back.numbers("down")
    let trainingRow = try table.numbers("x").firstIndex(of: knot)!
    #expect(back.cell(row: 0, column: back.columnIndex("lx")!) == table.cell(row: trainingRow, column: table.columnIndex("lx")!))
    #expect(abs(lx[1] - log(between)) < 1e-4 && lx[1] > log(xs[100]) && lx[1] < log(xs[101]))
    #expect(abs(down[1] - (100 - 2 * between)) < 1e-3)
    // Past the largest training value: the last segment's line, not the end value.
    let function = try #require(preparation.monotoneFunctions?.first { $0.column == "down" })
    guard case .between(let beyond) = function.evaluate(xs.last! + 1) else { Issue.record("a value past the knots gave a knot"); return }
    #expect(abs(beyond - (100 - 2 * (xs.last! + 1))) < 1e-6)
    // A released value one unit of the last decimal off a (large) training value is not taken for it.
    let large = TablePreparation.MonotoneFunction(column: "b", source: "a", knots: [123_456.7891, 123_457.5], values: [1, 2], cells: ["1", "2"])
    #expect(large.evaluate(123_456.7891) == .knot(0))
    #expect(large.evaluate(123_456.7892) != .knot(0))
  }

  /// A source value just past a training value interpolates to a value that, at the column's 2 decimals, is that row's
  /// text: it is moved off every training value, as a continuous column's decoded values are.
  @Test func anInterpolatedValueNeverWritesATrainingText() throws {
    var lines = ["x,y"]
    for i in 1...200 { lines.append(String(format: "%.1f,%.2f", Double(i) + 0.5, Double(i) * 0.05)) }
    let table = try CSVReader.parse(lines.joined(separator: "\n"), name: "steps.csv")
    let schema = try Schema.infer(from: table)
    #expect(schema.constraints == [.monotoneFunction(column: "y", source: "x")])
    let (preparation, model, _) = try TablePreparation.fit(table, schema: schema, rareCount: 5, seed: 1)
    // x = 1.52 and 2.48 lie 0.02 from the training values 1.5 and 2.5 (y = 0.05 and 0.10, one row each).
    var xs = CellColumn(reservingCells: 2)
    xs.append("1.52"); xs.append("2.48")
    let back = preparation.userTable(DataTable(columnNames: model.columnNames, storage: [xs], rowCount: 2, source: nil), seed: 2)
    let written = back.column("y").map { $0 ?? "" }
    let trainingTexts = Set(table.column("y").compactMap { $0 })
    #expect(written.allSatisfy { !trainingTexts.contains($0) }, "wrote \(written)")
    #expect(try back.numbers("y").allSatisfy { abs($0 - 0.05) <= 0.011 || abs($0 - 0.10) <= 0.011 })
    // Whole numbers held by two rows each (wage76 = exp(lwage76) in cents is like this): no neighbour within ±4 is
    // free, so the value moves to the nearest one that no training row holds.
    lines = ["x,n"]
    for i in 1...200 { for _ in 0..<2 { lines.append(String(format: "%.1f,%d", Double(i) + 0.5, 600 + i)) } }
    let whole = try CSVReader.parse(lines.joined(separator: "\n"), name: "cents.csv")
    let (wholePreparation, wholeModel, _) = try TablePreparation.fit(whole, schema: try Schema.infer(from: whole), rareCount: 5, seed: 1)
    var sources = CellColumn(reservingCells: 1)
    sources.append("10.6")
    let cents = wholePreparation.userTable(DataTable(columnNames: wholeModel.columnNames, storage: [sources], rowCount: 1, source: nil), seed: 2)
    #expect(cents.column("n") == ["600"])
  }

  @Test func aDeclaredFunctionThatDoesNotHoldIsAnErrorNamingTheRow() throws {
    let table = try Self.table()
    var meta = Metadata(columns: [:])
    meta.constraints = [.monotoneFunction(column: "bowl", source: "x")]
    let schema = try Schema.infer(from: table, overrides: meta)
    #expect(throws: TabularError.self) { try TablePreparation.fit(table, schema: schema, rareCount: 1) }
    meta.constraints = [.monotoneFunction(column: "gappy", source: "x")]
    do {
      _ = try TablePreparation.fit(table, schema: try Schema.infer(from: table, overrides: meta), rareCount: 1)
      Issue.record("a function with missing cells where its source has values was accepted")
    } catch let error as TabularError {
      #expect(error.description.contains("gappy") && error.description.contains("row"))
    }
    // The computed column is written last: no other constraint may use it, and a source is never itself computed.
    meta.constraints = [.monotoneFunction(column: "lx", source: "x"), .scalarRange(column: "lx", low: -10, high: 10, strict: false)]
    #expect(throws: TabularError.self) { try TablePreparation.fit(table, schema: try Schema.infer(from: table, overrides: meta), rareCount: 1) }
    meta.constraints = [.monotoneFunction(column: "down", source: "lx"), .monotoneFunction(column: "lx", source: "x")]
    #expect(throws: TabularError.self) { try TablePreparation.fit(table, schema: try Schema.infer(from: table, overrides: meta), rareCount: 1) }
    meta.constraints = [.monotoneFunction(column: "y", source: "x")]
    #expect(throws: TabularError.self) { try Schema.infer(from: table, overrides: meta) }  // y is binary
  }
}
