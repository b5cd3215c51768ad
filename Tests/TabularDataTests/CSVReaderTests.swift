import Foundation
import Testing
import TestSupport
import NumericCore
@testable import TabularData

@Suite struct CSVReaderTests {
  func read(_ text: String, options: CSVReadOptions = .init()) throws -> DataTable {
    try CSVReader.parse(text, options: options, name: "t.csv")
  }

  func readError(_ bytes: [UInt8]) -> TabularError? {
    do { _ = try CSVReader.parse(Data(bytes), name: "t.csv"); return nil } catch { return error as? TabularError }
  }

  @Test func quotedFieldsDoubledQuotesAndEmbeddedNewlines() throws {
    let t = try read("name,note,n\r\n\"Smith, J\",\"said \"\"hi\"\"\",1\r\n\"a\r\nb\",\"x\ny\",2\r\nplain,,3\r\n")
    #expect(t.columnNames == ["name", "note", "n"])
    #expect(t.rowCount == 3)
    #expect(t.column("name") == ["Smith, J", "a\r\nb", "plain"])
    #expect(t.column("note") == ["said \"hi\"", "x\ny", nil])
    #expect(t.column("n") == ["1", "2", "3"])
    // Row 2 starts on line 3 and spans two embedded line breaks, so row 3 starts on line 6.
    #expect(t.lineNumbers == [2, 3, 6])
  }

  @Test func lineEndingsBOMBlankLinesAndNoFinalNewline() throws {
    let lf = try read("a,b\n1,2\n3,4")
    let crlf = try read("a,b\r\n1,2\r\n3,4\r\n")
    let cr = try read("a,b\r1,2\r3,4\r")
    let bom = try CSVReader.parse(Data([0xEF, 0xBB, 0xBF] + Array("a,b\n1,2\n\n\n3,4\n".utf8)))
    for t in [lf, crlf, cr, bom] {
      #expect(t.columnNames == ["a", "b"])
      #expect(t.column("a") == ["1", "3"])
      #expect(t.column("b") == ["2", "4"])
    }
    #expect(bom.lineNumbers == [2, 5])
  }

  @Test func missingTokensAreCaseInsensitiveAndConfigurable() throws {
    let t = try read("x,y\nNA,1\nna,2\nnan,3\nNULL,4\nn/a,5\n\"\",6\n,7\nNone,8\n")
    #expect(t.column("x") == [nil, nil, nil, nil, nil, nil, nil, "None"])
    let custom = try read("x,y\n-99,1\nNA,2\n", options: CSVReadOptions(missingTokens: ["-99"]))
    #expect(custom.column("x") == [nil, "NA"])
  }

  @Test func trailingSeparatorMeansMissingLastCell() throws {
    let t = try read("a,b,c\n1,2,\n4,,6\n")
    #expect(t.column("c") == [nil, "6"])
    #expect(t.column("b") == ["2", nil])
  }

  @Test func quoteInsideUnquotedFieldIsText() throws {
    let t = try read("a,b\n5\" pipe,1\n")
    #expect(t.column("a") == ["5\" pipe"])
  }

  @Test func nonASCIIIsKept() throws {
    let t = try read("name,city\nRenée,Zürich\n李,東京\n")
    #expect(t.column("name") == ["Renée", "李"])
    #expect(t.column("city") == ["Zürich", "東京"])
  }

  @Test func errorsNameLineAndColumn() throws {
    let ragged = readError(Array("a,b,c\n1,2,3\n1,2,3,4\n".utf8))
    #expect(ragged?.code == .raggedRow)
    #expect(ragged?.line == 3)
    #expect(ragged?.row == 2)

    let afterQuote = readError(Array("a,b\n\"x\"y,1\n".utf8))
    #expect(afterQuote?.code == .textAfterQuote)
    #expect(afterQuote?.column == "a")

    let unbalanced = readError(Array("a,b\n1,2\n3,\"oops\n4,5\n".utf8))
    #expect(unbalanced?.code == .unbalancedQuote)
    #expect(unbalanced?.column == "b")
    #expect(unbalanced?.line == 3)

    // Overlong encoding, lone continuation byte, truncated sequence, surrogate: all rejected.
    for bad: [UInt8] in [[0xC0, 0xAF], [0x80], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80]] {
      let error = readError(Array("a,b\n1,2\n3,x".utf8) + bad + Array("y\n".utf8))
      #expect(error?.code == .invalidUTF8)
      #expect(error?.row == 2)
      #expect(error?.column == "b")
    }
    // The earliest problem wins even when a later row is structurally broken.
    let first = readError(Array("a,b\n1,x".utf8) + [0xFF] + Array("\n3,4,5\n".utf8))
    #expect(first?.code == .invalidUTF8)
    #expect(first?.row == 1)

    let header = readError(Array("a,".utf8) + [0xFF] + Array("\n1,2\n".utf8))
    #expect(header?.code == .invalidUTF8)
    #expect(header?.line == 1)

    // A column past the 32-bit offset limit (lowered here to 10 bytes) is an error naming its row, not a trap.
    var small = CSVReadOptions()
    small.maximumColumnBytes = 10
    let tooLarge = #expect(throws: TabularError.self) {
      try CSVReader.parse("a,b\n1,xxxx\n2,yyyy\n3,zzzz\n", options: small, name: "t.csv")
    }
    #expect(tooLarge?.code == .columnTooLarge)
    #expect(tooLarge?.column == "b")
    #expect(tooLarge?.row == 3)
    #expect(try CSVReader.parse("a,b\n1,xxxx\n2,yyyy\n", options: small, name: "t.csv").column("b") == ["xxxx", "yyyy"])

    #expect(readError([])?.code == .emptyFile)
    #expect(readError(Array("\n\n".utf8))?.code == .emptyFile)
    #expect(readError(Array("a,b\n\n".utf8))?.code == .headerOnly)
    #expect(readError(Array("a,a\n1,2\n".utf8))?.code == .duplicateColumnName)
    #expect(readError(Array("a,\n1,2\n".utf8))?.code == .emptyColumnName)
  }

  @Test func missingFileAndDirectory() throws {
    #expect(throws: TabularError.self) { try CSVReader.read(URL(fileURLWithPath: "/nonexistent/x.csv")) }
    do {
      _ = try CSVReader.read(FileManager.default.temporaryDirectory)
      Issue.record("reading a directory should fail")
    } catch let error as TabularError {
      #expect(error.code == .unreadableFile)
    }
  }

  @Test func messageIsOneLineWithLocation() {
    let e = TabularError(.notANumber, file: "d.csv", row: 3, line: 4, column: "age", "\"a\nb\" is not a number")
    #expect(e.description == "d.csv: row 3 (line 4), column 'age': \"a\\nb\" is not a number")
  }
}

@Suite struct CSVWriterTests {
  @Test func quotesOnlyWhenNeededAndReadsBack() throws {
    let table = try DataTable(columnNames: ["a b", "x,y", "q"], columns: [
      ["plain", "with,comma", "say \"hi\""],
      ["line\nbreak", nil, "cr\r\nlf"],
      ["", "Ünïcode", " padded "],
    ])
    let text = try CSVWriter.string(table)
    #expect(text.hasPrefix("a b,\"x,y\",q\n"))
    #expect(text.contains("\"with,comma\""))
    #expect(text.contains("\"say \"\"hi\"\"\""))
    let back = try CSVReader.parse(text)
    #expect(back.column("a b") == ["plain", "with,comma", "say \"hi\""])
    #expect(back.column("x,y") == ["line\nbreak", nil, "cr\r\nlf"])
    // An empty (non-missing) string is indistinguishable from missing in CSV and reads back as missing.
    #expect(back.column("q") == [nil, "Ünïcode", " padded "])
  }

  @Test func singleColumnMissingCellsSurvive() throws {
    let table = try DataTable(columnNames: ["x"], columns: [["1", nil, "3", nil]])
    let text = try CSVWriter.string(table)
    #expect(text == "x\n1\n\"\"\n3\n\"\"\n")
    #expect(try CSVReader.parse(text) == table)
  }

  /// Several chunks (rendered two at a time) and a partial last chunk: the text equals a line-by-line
  /// rendering, with quoting, missing cells and empty fields in every chunk.
  @Test func multiChunkOutputEqualsLineByLineRendering() throws {
    let rows = 2 * CSVWriter.rowsPerChunk + 37
    var rng = RandomSource(seed: 9)
    let pool = ["0", "1", "12.5", "a,b", "say \"x\"", "multi\nline", "Ünï", "-3e-7"]
    var columns: [[String?]] = []
    for c in 0..<5 {
      columns.append((0..<rows).map { _ in
        if rng.uniform() < 0.1 { return nil }
        // Columns 0 and 1 never need quotes; 2–4 sometimes do.
        return pool[Int(rng.next() % UInt64(c < 2 ? 3 : pool.count))]
      })
    }
    let names = ["id", "flag", "text, quoted", "b", "c"]
    let table = try DataTable(columnNames: names, columns: columns)
    func field(_ s: String) -> String {
      s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
    var expected = names.map(field).joined(separator: ",") + "\n"
    for r in 0..<rows { expected += columns.map { $0[r].map(field) ?? "" }.joined(separator: ",") + "\n" }
    let text = try CSVWriter.string(table)
    #expect(text == expected)
    #expect(try CSVReader.parse(text).column("b") == columns[3].map { $0 == "" ? nil : $0 })
    // A table without rows is its header line.
    #expect(try CSVWriter.string(try DataTable(columnNames: ["a", "b"], columns: [[], []])) == "a,b\n")
  }

  @Test func failedWriteLeavesNothingAndKeepsExistingFile() throws {
    let dir = try CommandRunner.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let table = try DataTable(columnNames: ["a"], columns: [["1", "2"]])
    // The destination is a non-empty folder: the final rename fails.
    let blocker = dir.appendingPathComponent("out.csv")
    try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: false)
    try Data("keep".utf8).write(to: blocker.appendingPathComponent("inside"))
    #expect(throws: AtomicFile.WriteError.self) { try CSVWriter.write(table, to: blocker) }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.csv"])
    #expect(try Data(contentsOf: blocker.appendingPathComponent("inside")) == Data("keep".utf8))
    // A folder that does not exist.
    #expect(throws: AtomicFile.WriteError.self) { try CSVWriter.write(table, to: dir.appendingPathComponent("no/such.csv")) }
    // Success replaces an existing file.
    let target = dir.appendingPathComponent("t.csv")
    try Data("old".utf8).write(to: target)
    try CSVWriter.write(table, to: target)
    #expect(try String(contentsOf: target, encoding: .utf8) == "a\n1\n2\n")
  }
}
