import Foundation
import Testing
@testable import TabularData

/// `.csv.gz` input: MIMIC-IV ships gzip-compressed CSV, so the reader decompresses by magic number.
@Suite struct GzipTests {
  /// `age,sex,code\n34,F,1\n51,M,0\n,F,1\n`, compressed by Python's `gzip.compress(…, mtime=0)`.
  static let oneMember = "H4sIAAAAAAACA0tMT9UpTq3QSc5PSeUyNtFx0zHkMjXU8dUx4AKzAbaLr7YgAAAA"
  /// Two members, `age,sex,code\n34,F,1\n` and `51,M,0\n` (what `cat a.gz b.gz` gives).
  static let twoMembers = "H4sIAAAAAAACA0tMT9UpTq3QSc5PSeUyNtFx0zHkAgDU30LDFAAAAB+LCAAAAAAAAgMzNdTx1THgAgAPo5rLBwAAAA=="

  func write(_ base64: String, name: String, dropLast: Int = 0) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rlsyn-gzip-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(Data(base64Encoded: base64)!.dropLast(dropLast)).write(to: url)
    return url
  }

  @Test func compressedFileReadsLikeItsText() throws {
    let table = try CSVReader.read(try write(Self.oneMember, name: "t.csv.gz"))
    #expect(table.columnNames == ["age", "sex", "code"])
    #expect(table.rowCount == 3)
    #expect(table.column("age") == ["34", "51", nil])
    #expect(table.column("code") == ["1", "0", "1"])
  }

  @Test func concatenatedMembersAreOneStream() throws {
    let table = try CSVReader.read(try write(Self.twoMembers, name: "t.csv.gz"))
    #expect(table.rowCount == 2)
    #expect(table.column("sex") == ["F", "M"])
  }

  @Test func recognisedByContentNotName() throws {
    let table = try CSVReader.read(try write(Self.oneMember, name: "plain-name.csv"))
    #expect(table.rowCount == 3)
  }

  @Test func truncatedFileIsAnErrorNamingIt() throws {
    let url = try write(Self.oneMember, name: "cut.csv.gz", dropLast: 12)
    do {
      _ = try CSVReader.read(url, options: CSVReadOptions(displayName: "cut.csv.gz"))
      Issue.record("a truncated gzip file was read")
    } catch let error as TabularError {
      #expect(error.description.contains("cut.csv.gz"))
      #expect(error.description.contains("gzip"))
    }
  }
}
