import Foundation
import Testing
import TestSupport
@testable import TabularData

@Suite struct MetadataTests {
  let table: DataTable = {
    var rows = ["id,age,score,sex,stage,code"]
    for r in 0..<40 {
      rows.append("R\(r),\(30 + r % 17),\(String(format: "%.2f", 1.5 + Double(r % 13) * 0.25)),\(r % 2 == 0 ? "F" : "M"),\(["I", "II", "III"][r % 3]),\(r % 4 + 1)")
    }
    return try! CSVReader.parse(rows.joined(separator: "\n"), name: "data.csv")
  }()

  func metadata(_ json: String) throws -> Metadata { try Metadata.parse(Data(json.utf8), name: "meta.json") }

  func failure(_ json: String) -> TabularError? {
    do { _ = try Schema.infer(from: table, overrides: try metadata(json)); return nil } catch { return error as? TabularError }
  }

  @Test func schemaToMetadataAndBack() throws {
    let schema = try Schema.infer(from: table)
    #expect(schema.columns.map(\.kind) == [.identifier, .integer, .continuous, .binary, .categorical, .categorical])
    let meta = Metadata(schema: schema)
    let reparsed = try Metadata.parse(meta.jsonData())
    #expect(reparsed.columns == meta.columns)
    #expect(try Schema.infer(from: table, overrides: reparsed).columns == schema.columns)
    // Codable (for model files) keeps the column order.
    let coded = try JSONDecoder().decode(Metadata.self, from: JSONEncoder().encode(meta))
    #expect(coded.columnOrder == table.columnNames)
    #expect(coded.columns == meta.columns)
  }

  /// Floats exported at full precision (17 fraction digits) survive `rlsyn schema` → `--metadata`.
  @Test func fullPrecisionFloatsRoundTripThroughMetadata() throws {
    let csv = "tax,y\n0.33399999141693115,1\n2.0394599437713623,0\n1.5,1\n"
    let t = try CSVReader.parse(csv, name: "floats.csv")
    let schema = try Schema.infer(from: t)
    #expect(schema.columns[0].decimals == 17)
    let reread = try Metadata.parse(Metadata(schema: schema).jsonData(), name: "meta.json")
    #expect(try Schema.infer(from: t, overrides: reread).columns[0].decimals == 17)
    #expect(throws: TabularError.self) { try metadata(#"{"columns": {"tax": {"sdtype": "numerical", "decimals": 41}}}"#) }
  }

  /// `--metadata <(…)` in bash passes a pipe as `/dev/fd/N`.
  @Test func metadataFilesCanBePipes() throws {
    let meta = Metadata(schema: try Schema.infer(from: table))
    let pipe = Pipe()
    pipe.fileHandleForWriting.write(meta.jsonData())
    try pipe.fileHandleForWriting.close()
    let read = try Metadata.load(from: URL(fileURLWithPath: "/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)"))
    #expect(read.columns == meta.columns)
  }

  @Test func overridesForceKinds() throws {
    let meta = try metadata("""
      {"columns": {"code": {"sdtype": "numerical"}, "age": {"sdtype": "categorical"},
                   "score": {"sdtype": "numerical", "computer_representation": "Float", "decimals": 1},
                   "stage": {"sdtype": "categorical", "categories": ["III", "II", "I", "IV"]}},
       "primary_key": "id", "outcome": "sex"}
      """)
    let schema = try Schema.infer(from: table, overrides: meta)
    #expect(schema.column(named: "code")?.kind == .integer)
    #expect(schema.column(named: "age")?.kind == .categorical)
    #expect(schema.column(named: "age")?.categories.first == "30")
    #expect(schema.column(named: "score")?.decimals == 1)
    #expect(schema.column(named: "stage")?.categories == ["III", "II", "I", "IV"])
    #expect(schema.column(named: "id")?.kind == .identifier)
    #expect(schema.outcome == "sex")
  }

  @Test func rejectsBadEntriesByName() throws {
    #expect(failure(#"{"columns": {"weight": {"sdtype": "numerical"}, "zz": {"sdtype": "id"}}}"#)?.description
            == "meta.json: the metadata names columns not in the data: 'weight', 'zz'")
    let unsupported = failure(#"{"columns": {"age": {"sdtype": "latitude"}}}"#)
    #expect(unsupported?.code == .unknownSdtype)
    #expect(unsupported?.description.contains("unsupported sdtype \"latitude\"") == true)
    let notADate = failure(#"{"columns": {"age": {"sdtype": "datetime"}}}"#)
    #expect(notADate?.code == .notANumber && notADate?.description.contains("is not a date") == true)
    #expect(failure(#"{"columns": {"age": {"sdtype": "numerical", "kind": "binary"}}}"#)?.code == .metadataConflict)
    #expect(failure(#"{"columns": {"age": {"sdtype": "numerical", "kind": "ordinal"}}}"#)?.code == .unknownSdtype)
    #expect(failure(#"{"columns": {"stage": {"sdtype": "boolean"}}}"#)?.code == .metadataConflict)
    #expect(failure(#"{"columns": {"sex": {"sdtype": "numerical"}}}"#)?.code == .notANumber)
    let unseen = failure(#"{"columns": {"stage": {"sdtype": "categorical", "categories": ["I", "II"]}}}"#)
    #expect(unseen?.code == .unseenCategory)
    #expect(unseen?.row == 3)
    #expect(failure(#"{"columns": {"age": {"sdtype": 3}}}"#)?.code == .invalidMetadata)
    #expect(failure(#"{"columns": {"age": {}}}"#)?.code == .invalidMetadata)
    #expect(failure(#"{"columns": []}"#)?.code == .invalidMetadata)
    #expect(failure(#"[1, 2]"#)?.code == .invalidMetadata)
    #expect(failure(#"{"columns": {}, "primary_key": "nope"}"#)?.code == .unknownMetadataColumn)
    #expect(failure(#"{"columns": {}, "outcome": "stage"}"#)?.code == .outcomeNotBinary)
    let syntax = failure("{\n  \"columns\": {\n    \"age\": {\"sdtype\": numerical}\n  }\n}")
    #expect(syntax?.code == .invalidMetadata)
    #expect(syntax?.description.contains("line 3") == true)
  }

  /// A code column with many levels is categorical (no error); `sdtype: id` still leaves it out.
  @Test func manyLevelCodeColumnsAreCategorical() throws {
    var rows = ["dx,y"]
    for r in 0..<300 { rows.append("code-\(r % 150),\(r % 2)") }
    let wide = try CSVReader.parse(rows.joined(separator: "\n"), name: "wide.csv")
    let inferred = try Schema.infer(from: wide)
    #expect(inferred.column(named: "dx")?.kind == .categorical && inferred.column(named: "dx")?.categories.count == 150)
    let raised = try Schema.infer(from: wide, overrides: try metadata(#"{"columns": {"dx": {"sdtype": "categorical", "max_categories": 200}}}"#))
    #expect(raised.column(named: "dx")?.categories.count == 150)
    let dropped = try Schema.infer(from: wide, overrides: try metadata(#"{"columns": {"dx": {"sdtype": "id"}}}"#))
    #expect(dropped.column(named: "dx")?.kind == .identifier)
  }

  @Test func outcomeChecks() throws {
    var schema = try Schema.infer(from: table)
    try schema.validateOutcome("sex", in: table)
    #expect(schema.outcome == "sex")
    #expect(throws: TabularError.self) { try schema.validateOutcome("stage", in: table) }
    #expect(throws: TabularError.self) { try schema.validateOutcome("nope", in: table) }
    let withMissing = try CSVReader.parse("y,x\n1,2\n0,3\n,4\n1,5\n", name: "m.csv")
    var s = try Schema.infer(from: withMissing)
    do {
      try s.validateOutcome("y", in: withMissing)
      Issue.record("an outcome with a missing cell must be rejected")
    } catch let error as TabularError {
      #expect(error.code == .outcomeHasMissing)
      #expect(error.row == 3)
      #expect(error.line == 4)
    }
  }

  @Test func dataTableViews() throws {
    let sub = table.selectingRows([3, 1])
    #expect(sub.rowCount == 2)
    #expect(sub.column("id") == ["R3", "R1"])
    #expect(sub.lineNumbers == [5, 3])
    let two = try table.selectingColumns(["sex", "age"])
    #expect(two.columnNames == ["sex", "age"])
    #expect(throws: TabularError.self) { try table.selectingColumns(["sex", "nope"]) }
    #expect(try table.numbers("score")[0] == 1.5)
    #expect(throws: TabularError.self) { try table.numbers("sex") }
    #expect(table.row(0) == ["R0", "30", "1.50", "F", "I", "1"])
  }
}
