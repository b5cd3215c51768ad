import Foundation
import Testing
import TabularData

/// pandas writes integer columns that have missing cells as floats ("18.0"); inference must see whole numbers.
@Suite struct FloatWrittenIntegerTests {
  @Test func wholeNumbersWrittenWithPointZeroKeepTheirKindAndSpelling() throws {
    var lines = ["code,count,height"]
    for i in 0..<60 {
      let code = i % 7 == 0 ? "" : "\(11 + i % 12).0"          // 12 consecutive codes, some missing
      let count = i % 5 == 0 ? "" : "\(i % 40).0"               // a count with 40 distinct values
      lines.append("\(code),\(count),\(150 + Double(i) * 0.37)")
    }
    let table = try CSVReader.parse(lines.joined(separator: "\n") + "\n", name: "pandas.csv")
    let schema = try Schema.infer(from: table)
    #expect(schema.column(named: "code")?.kind == .categorical)
    #expect(schema.column(named: "code")?.categories.first == "11.0")
    #expect(schema.column(named: "count")?.kind == .integer)
    #expect(schema.column(named: "height")?.kind == .continuous)
    // The round trip keeps the ".0" spelling.
    let encoder = try TableEncoder(fitting: table, schema: schema)
    let back = encoder.decode(try encoder.encode(table))
    #expect(back.column("count") == table.column("count"))
    #expect(back.column("code") == table.column("code"))
  }
}
