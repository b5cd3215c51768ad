import Foundation
import Testing
import TestSupport

@Suite struct SchemaCommandTests {
  func columns(ofJSON data: Data) throws -> [String: [String: Any]] {
    let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    return try #require(root["columns"] as? [String: [String: Any]])
  }

  @Test func printsSDVMetadataForNHEFS() throws {
    let result = try CommandRunner.run(["schema", CommandRunner.dataset("nhefs.csv").path])
    #expect(result.status == 0, "\(result.stderr)")
    let columns = try columns(ofJSON: Data(result.stdout.utf8))
    #expect(columns.count == 49)
    #expect(columns["age"]?["sdtype"] as? String == "numerical")
    #expect(columns["age"]?["computer_representation"] as? String == "Int64")
    #expect(columns["ht"]?["computer_representation"] as? String == "Float")
    #expect(columns["income"]?["sdtype"] as? String == "categorical")
    #expect(columns["income"]?["kind"] as? String == "categorical")
    #expect(columns["sex"]?["kind"] as? String == "binary")
    #expect((columns["hbp"]?["categories"] as? [String]) == ["0", "1", "2"])
    // Columns appear in file order in the text.
    let qsmk = try #require(result.stdout.range(of: "\"qsmk\""))
    let death = try #require(result.stdout.range(of: "\"death\""))
    #expect(qsmk.lowerBound < death.lowerBound)
  }

  @Test func writesOutputFileAndSummary() throws {
    let dir = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("support2.json")
    let result = try CommandRunner.run(["schema", CommandRunner.dataset("support2.csv").path, "--output", out.path, "--outcome", "death_180d"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("9105 rows; 32 columns: 14 continuous, 8 integer, 4 binary, 6 categorical"))
    let columns = try columns(ofJSON: Data(contentsOf: out))
    #expect(columns["sex"]?["kind"] as? String == "binary")
    #expect(columns["dzgroup"]?["kind"] as? String == "categorical")
    #expect(columns["edu"]?["kind"] as? String == "integer")
    let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
    #expect(root["outcome"] as? String == "death_180d")
  }

  /// Edited metadata passed back with --metadata forces a kind; columns not listed are still inferred.
  @Test func metadataOverridesInference() throws {
    let dir = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let meta = dir.appendingPathComponent("override.json")
    try Data("""
      {"columns": {"school": {"sdtype": "categorical"}, "sex": {"sdtype": "numerical", "computer_representation": "Int64"},
                   "ht": {"sdtype": "numerical", "decimals": 2}}}
      """.utf8).write(to: meta)
    let result = try CommandRunner.run(["schema", CommandRunner.dataset("nhefs.csv").path, "--metadata", meta.path])
    #expect(result.status == 0, "\(result.stderr)")
    let columns = try columns(ofJSON: Data(result.stdout.utf8))
    #expect(columns["school"]?["kind"] as? String == "categorical")
    #expect((columns["school"]?["categories"] as? [String])?.count == 17)
    #expect(columns["sex"]?["kind"] as? String == "integer")
    #expect(columns["ht"]?["decimals"] as? Int == 2)
    #expect(columns["age"]?["kind"] as? String == "integer")
  }

  /// The metadata `rlsyn schema` writes is accepted back unchanged and reproduces itself.
  @Test func writtenMetadataIsAFixedPoint() throws {
    let dir = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let first = dir.appendingPathComponent("a.json"), second = dir.appendingPathComponent("b.json")
    let data = CommandRunner.dataset("support2.csv").path
    #expect(try CommandRunner.run(["schema", data, "-o", first.path]).status == 0)
    let again = try CommandRunner.run(["schema", data, "--metadata", first.path, "-o", second.path])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(try Data(contentsOf: first) == Data(contentsOf: second))
  }

  @Test func identifierColumnGivesAWarning() throws {
    let dir = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let csv = dir.appendingPathComponent("with-id.csv")
    let rows = (0..<40).map { "P\(1000 + $0 * 7),\(20 + $0 % 9),\($0 % 2)" }
    try Data((["patient,age,death"] + rows).joined(separator: "\n").utf8).write(to: csv)
    let result = try CommandRunner.run(["schema", csv.path])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("warning: column 'patient' is an identifier"))
    let columns = try columns(ofJSON: Data(result.stdout.utf8))
    #expect(columns["patient"]?["sdtype"] as? String == "id")
  }
}
