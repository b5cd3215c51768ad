import Foundation
import Testing
import TestSupport

/// One malformed input, the arguments that feed it to `rlsyn schema`, and what the message must say.
struct BadInputCase: CustomTestStringConvertible, Sendable {
  let label: String
  /// Fixture-relative arguments; `$F/` is the fixture folder.
  let arguments: [String]
  /// Fragments the one-line message must contain (file, row/line, column, explanation).
  let fragments: [String]
  var testDescription: String { label }
}

let badInputCases: [BadInputCase] = [
  .init(label: "missing file", arguments: ["$F/does-not-exist.csv"], fragments: ["does-not-exist.csv", "no such file"]),
  .init(label: "empty file", arguments: ["$F/empty.csv"], fragments: ["empty.csv", "the file is empty"]),
  .init(label: "header only", arguments: ["$F/header-only.csv"], fragments: ["header-only.csv", "header but no data rows"]),
  .init(label: "duplicate column name", arguments: ["$F/duplicate-names.csv"],
        fragments: ["duplicate-names.csv", "line 1", "column 'age'", "appears twice", "columns 1 and 3"]),
  .init(label: "empty column name", arguments: ["$F/empty-name.csv"],
        fragments: ["empty-name.csv", "line 1", "column 2 of the header has an empty name"]),
  .init(label: "ragged row", arguments: ["$F/ragged.csv"],
        fragments: ["ragged.csv", "row 3 (line 4)", "2 fields, the header has 3", "'smoker'"]),
  .init(label: "unbalanced quote", arguments: ["$F/unbalanced-quote.csv"],
        fragments: ["unbalanced-quote.csv", "row 2 (line 3)", "column 'name'", "never closed"]),
  .init(label: "invalid UTF-8", arguments: ["$F/invalid-utf8.csv"],
        fragments: ["invalid-utf8.csv", "row 2 (line 3)", "column 'name'", "not valid UTF-8", "0xFF"]),
  .init(label: "text in a column the metadata declares numerical",
        arguments: ["$F/text-in-numeric.csv", "--metadata", "$F/text-in-numeric.meta.json"],
        fragments: ["text-in-numeric.csv", "row 3 (line 4)", "column 'age'", "\"forty\" is not a number", "numerical"]),
  .init(label: "single data row", arguments: ["$F/single-row.csv"],
        fragments: ["single-row.csv", "1 data row", "at least 2"]),
  .init(label: "unparsable date in a datetime column", arguments: ["$F/bad-date.csv", "--metadata", "$F/bad-date.meta.json"],
        fragments: ["bad-date.csv", "row 3 (line 4)", "column 'admitted'", "\"2014-13-40\" is not a date", "%Y-%m-%d"]),
  .init(label: "constraint naming a missing column", arguments: ["$F/good.csv", "--metadata", "$F/constraint-unknown-column.meta.json"],
        fragments: ["constraint-unknown-column.meta.json", "column 'discharge_age'", "not in the data"]),
  .init(label: "outcome with a single class", arguments: ["$F/single-class-outcome.csv", "--outcome", "death"],
        fragments: ["single-class-outcome.csv", "column 'death'", "single class", "\"0\""]),
  .init(label: "outcome column absent", arguments: ["$F/good.csv", "--outcome", "survived"],
        fragments: ["good.csv", "column 'survived'", "no such column"]),
  .init(label: "metadata not valid JSON", arguments: ["$F/good.csv", "--metadata", "$F/invalid-json.meta.json"],
        fragments: ["invalid-json.meta.json", "not valid JSON", "line 3"]),
  .init(label: "metadata names an unknown column", arguments: ["$F/good.csv", "--metadata", "$F/unknown-column.meta.json"],
        fragments: ["unknown-column.meta.json", "'height'", "not in the data"]),
  .init(label: "metadata with an unknown sdtype", arguments: ["$F/good.csv", "--metadata", "$F/unknown-sdtype.meta.json"],
        fragments: ["unknown-sdtype.meta.json", "column 'smoker'", "unknown sdtype \"numeric\""]),
  .init(label: "metadata file missing", arguments: ["$F/good.csv", "--metadata", "$F/none.meta.json"],
        fragments: ["none.meta.json", "no such metadata file"]),
]

@Suite struct BadInputTests {
  static let fixtures = CommandRunner.packageRoot.appendingPathComponent("Tests/EndToEndTests/Fixtures/bad-input")

  /// Every case: exit status 1, exactly one line on stderr naming file/row/column, nothing on stdout,
  /// and no output file (nor temporary file) left in the output folder.
  @Test(arguments: badInputCases)
  func rejectsWithOneLineMessage(_ badCase: BadInputCase) throws {
    let outDir = try CommandRunner.temporaryDirectory("rlsyn-bad-input")
    defer { try? FileManager.default.removeItem(at: outDir) }
    let output = outDir.appendingPathComponent("meta.json")
    let arguments = ["schema"] + badCase.arguments.map { $0.replacingOccurrences(of: "$F", with: Self.fixtures.path) }
      + ["--output", output.path]
    let result = try CommandRunner.run(arguments)
    #expect(result.status == 1)
    let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
    #expect(lines.count == 1, "stderr: \(result.stderr)")
    #expect(result.stderr.hasPrefix("error: "))
    for fragment in badCase.fragments {
      #expect(result.stderr.contains(fragment), "missing \(fragment) in: \(result.stderr)")
    }
    #expect(!result.stderr.contains("Fatal error"))
    #expect(result.stdout.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: output.path))
    #expect(try FileManager.default.contentsOfDirectory(atPath: outDir.path).isEmpty)
  }

  /// The good fixture passes, so the failures above come from the defects, not the harness.
  @Test func goodFixtureIsAccepted() throws {
    let outDir = try CommandRunner.temporaryDirectory("rlsyn-bad-input")
    defer { try? FileManager.default.removeItem(at: outDir) }
    let output = outDir.appendingPathComponent("meta.json")
    let result = try CommandRunner.run(["schema", Self.fixtures.appendingPathComponent("good.csv").path,
                                        "--outcome", "death", "--output", output.path])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(FileManager.default.fileExists(atPath: output.path))
  }

  /// An output folder that does not exist: a clean error, no partial file.
  @Test func unwritableOutput() throws {
    let result = try CommandRunner.run(["schema", Self.fixtures.appendingPathComponent("good.csv").path,
                                        "--output", "/nonexistent-folder-rlsyn/meta.json"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("meta.json"))
    #expect(result.stderr.contains("does not exist"))
  }
}
