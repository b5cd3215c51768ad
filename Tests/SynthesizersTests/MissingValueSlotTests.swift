import Testing
import NumericCore
import TabularData
import Synthesizers

/// A missing numeric cell must look the same in real and synthetic encoded records under every
/// encoding: otherwise a discriminator (or the detection metric) spots every fake with a missing value.
@Suite struct MissingValueSlotTests {
  /// 60 rows: a numeric column missing in every 4th row, a complete numeric column, a binary and a categorical one.
  static func table() throws -> DataTable {
    var rng = RandomSource(seed: 5)
    var a: [String?] = [], b: [String?] = [], s: [String?] = [], c: [String?] = []
    for i in 0..<60 {
      a.append(i % 4 == 0 ? nil : String(format: "%.2f", 10 + 3 * rng.normal()))
      b.append(String(format: "%.1f", 50 + 10 * rng.normal()))
      s.append(rng.uniform() < 0.4 ? "yes" : "no")
      c.append(["red", "green", "blue"][i % 3])
    }
    return try DataTable(columnNames: ["a", "b", "s", "c"], columns: [a, b, s, c])
  }

  @Test(arguments: NumericEncoding.allCases)
  func encoderAndLayoutAgreeOnTheMissingSlot(encoding: NumericEncoding) throws {
    let table = try Self.table()
    let encoder = try TableEncoder(fitting: table, schema: Schema.infer(from: table), options: EncodingOptions(numeric: encoding))
    let real = try encoder.encode(table)
    let layout = RecordLayout(encoder)
    let indicator = try #require(layout.missingIndicatorForGaussian[0])
    let expected: Float = encoding == .minmax ? 0.5 : 0
    #expect(layout.missingValueForGaussian == [expected, expected])
    for i in 0..<real.rows where real[i, indicator] > 0.5 { #expect(real[i, 0] == expected) }
    // Filling the real records' missing slots changes nothing: the layout writes what the encoder wrote.
    #expect(layout.fillMissingValues(real) == real)
    // A record with junk in the missing slot is repaired to the encoder's value.
    var junk = real
    for i in 0..<junk.rows where junk[i, indicator] > 0.5 { junk[i, 0] = 7 }
    #expect(layout.fillMissingValues(junk) == real)
  }

  @Test(arguments: NumericEncoding.allCases, SynthesizerRegistry.standard.kinds)
  func generatorsWriteTheEncodersMissingValue(encoding: NumericEncoding, kind: SynthesizerKind) throws {
    let table = try Self.table()
    var options = smallOptions(seed: 3)
    options.encoding = EncodingOptions(numeric: encoding)
    let model = try SyntheticDataModel.fit(table, synthesizer: kind, options: options)
    let records = model.sampleEncoded(rows: 400, seed: 9)
    let layout = RecordLayout(model.encoder)
    let indicator = try #require(layout.missingIndicatorForGaussian[0])
    let expected = layout.missingValueForGaussian[0]
    var missing = 0
    for i in 0..<records.rows where records[i, indicator] > 0.5 {
      missing += 1
      #expect(records[i, 0] == expected, "row \(i): \(records[i, 0]) in the missing slot, the encoder writes \(expected)")
    }
    #expect(missing > 0, "the sample should contain missing values to check")
  }
}
