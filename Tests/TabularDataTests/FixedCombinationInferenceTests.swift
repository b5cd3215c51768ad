import Foundation
import Testing
import TestSupport
import NumericCore
@testable import TabularData

/// Columns another column determines in every row are proposed as fixed combinations.
@Suite struct FixedCombinationInferenceTests {
  /// 6 states × `rowsPerState` rows: each state has one tax (continuous), one region flag and one rate (integer);
  /// `age`, `flag` and `y` vary within states.
  static func table(rowsPerState: Int = 15) throws -> DataTable {
    let tax = ["0.334", "0.5", "0.125", "1.25", "0.75", "2.0"], rate = ["4", "6", "5", "9", "4", "7"]
    var lines = ["state,tax,south,rate,age,flag,y"]
    var rng = RandomSource(seed: 11)
    for s in 0..<6 {
      for r in 0..<rowsPerState {
        lines.append("S\(s),\(tax[s]),\(s % 2),\(rate[s]),\(20 + Int.random(in: 0..<50, using: &rng)),\(r % 2),\((r + s) % 3 == 0 ? 1 : 0)")
      }
    }
    return try CSVReader.parse(lines.joined(separator: "\n"), name: "states.csv")
  }

  @Test func aKeyAndTheColumnsItDeterminesBecomeOneCombination() throws {
    let schema = try Schema.infer(from: Self.table())
    #expect(schema.constraints == [.fixedCombinations(["state", "tax", "south", "rate"])])
    #expect(schema.column(named: "tax")?.kind == .categorical && schema.column(named: "rate")?.kind == .categorical)
    #expect(schema.column(named: "age")?.isNumeric == true)
    #expect(schema.decisions.contains { $0.hasPrefix("constraint: fixed combinations of state, tax, south, rate") })
    #expect(schema.decisions.contains { $0.hasPrefix("tax: categorical — numbers, kept as read") })
  }

  @Test func rareKeyLevelsTheOutcomeAndDeclaredColumnsAreLeftAlone() throws {
    // 9 rows per state: the dependence could be an accident of few rows; 10 are enough.
    #expect(try Schema.infer(from: Self.table(rowsPerState: 9)).constraints.isEmpty)
    #expect(try Schema.infer(from: Self.table(rowsPerState: 10)).constraints.count == 1)
    // The outcome stays its own column; the others still group.
    var withOutcome = Metadata(columns: [:]); withOutcome.outcome = "south"
    #expect(try Schema.infer(from: Self.table(), overrides: withOutcome).constraints == [.fixedCombinations(["state", "tax", "rate"])])
    // A column declared in the metadata keeps its declared kind and its own column.
    let declared = Metadata(columns: ["tax": Metadata.Column(sdtype: "numerical", computerRepresentation: "Float")])
    let schema = try Schema.infer(from: Self.table(), overrides: declared)
    #expect(schema.constraints == [.fixedCombinations(["state", "south", "rate"])])
    #expect(schema.column(named: "tax")?.kind == .continuous)
    // So does the outcome given on the command line (`rlsyn schema --outcome`, `rlsyn benchmark --outcome`).
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString).csv")
    defer { try? FileManager.default.removeItem(at: file) }
    try CSVWriter.write(Self.table(), to: file)
    let loaded = try TabularInput.load(data: file, outcome: "south")
    #expect(loaded.schema.constraints == [.fixedCombinations(["state", "tax", "rate"])] && loaded.schema.outcome == "south")
    // Declared constraints replace every proposal.
    var explicit = Metadata(columns: [:]); explicit.constraints = [.scalarRange(column: "age", low: 0, high: 120, strict: false)]
    #expect(try Schema.infer(from: Self.table(), overrides: explicit).constraints == explicit.constraints)
  }

  /// The proposal survives `rlsyn schema` → `--metadata`, and the fitted preparation writes only seen combinations.
  @Test func proposalsRoundTripAndKeepCombinations() throws {
    let table = try Self.table()
    let schema = try inferredSchemaCheckingMetadataRoundTrip(table)
    let (preparation, model, _) = try TablePreparation.fit(table, schema: schema, rareCount: 5, seed: 1)
    #expect(model.columnCount == table.columnCount - 3)
    let back = preparation.userTable(model, seed: 2)
    let key = { (t: DataTable, r: Int) in (0..<4).map { t.cell(row: r, column: $0) ?? "" }.joined(separator: "|") }
    let seen = Set((0..<table.rowCount).map { key(table, $0) })
    for r in 0..<back.rowCount { #expect(seen.contains(key(back, r))) }
    #expect(back.cell(row: 0, column: 1).map { ["0.334", "0.5", "0.125", "1.25", "0.75", "2.0"].contains($0) } == true)
  }
}
