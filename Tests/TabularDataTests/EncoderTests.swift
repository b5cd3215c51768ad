import Foundation
import NumericCore
import Testing
import TestSupport
@testable import TabularData

@Suite struct EncoderTests {
  /// A small table with one column of every modelled kind, missing values in several.
  func sample() throws -> DataTable {
    let rows = 30
    var bmi: [String?] = [], visits: [String?] = [], sex: [String?] = [], stage: [String?] = [], site: [String?] = []
    var id: [String?] = []
    for r in 0..<rows {
      bmi.append(r % 7 == 3 ? nil : String(format: "%.1f", 18.5 + Double(r * 37 % 23)))
      visits.append(String(r * 13 % 23))
      sex.append(r % 11 == 5 ? nil : (r % 3 == 0 ? "F" : "M"))
      stage.append(r % 9 == 4 ? nil : ["I", "II", "III", "IV"][r % 4])
      site.append("north")
      id.append("P\(r)")
    }
    return try DataTable(columnNames: ["id", "bmi", "sex", "stage", "visits", "site"],
                         columns: [id, bmi, sex, stage, visits, site], source: "sample.csv")
  }

  @Test func layoutOrdersFamilies() throws {
    let table = try sample()
    let schema = try Schema.infer(from: table)
    #expect(schema.columns.map(\.kind) == [.identifier, .continuous, .binary, .categorical, .integer, .constant])
    let encoder = try TableEncoder(fitting: table, schema: schema)
    let layout = encoder.layout
    #expect(layout.gaussianColumns == 0..<2)                 // bmi, visits
    #expect(layout.bernoulliColumns == 2..<5)                // sex value, bmi indicator, sex indicator
    #expect(layout.categoricalGroups == [5..<10])            // I, II, III, IV, missing
    #expect(layout.width == 10)
    #expect(layout.missingIndicatorForGaussian == [3, nil])
    #expect(layout.blocks(for: "sex").map(\.range) == [2..<3, 4..<5])
    #expect(layout.blocks(for: "stage").first?.missingLevel == 9)
    #expect(layout.blocks(for: "id").isEmpty)
    #expect(layout.blocks.map(\.range.lowerBound) == layout.blocks.map(\.range.lowerBound).sorted())
  }

  @Test func encodesCellsAsDocumented() throws {
    let table = try sample()
    let schema = try Schema.infer(from: table)
    let encoder = try TableEncoder(fitting: table, schema: schema)
    let m = try encoder.encode(table)
    // Row 3: bmi missing → 0 in its Gaussian column and 1 in its indicator.
    #expect(m[3, 0] == 0)
    #expect(m[3, 3] == 1)
    #expect(m[0, 3] == 0)
    // Row 0: sex "F" is the first level → 0; row 1 "M" → 1; row 5 missing → indicator.
    #expect(m[0, 2] == 0)
    #expect(m[1, 2] == 1)
    #expect(m[5, 4] == 1)
    // Stage: one-hot, exactly one 1 per row, missing level at row 4.
    for r in 0..<m.rows {
      #expect((5..<10).map { m[r, $0] }.reduce(0, +) == 1)
    }
    #expect(m[4, 9] == 1)
    #expect(m[2, 5 + 2] == 1)                                 // "III"
    // Quantile scores of a numeric column are centred.
    let scores = (0..<m.rows).map { m[$0, 1] }
    #expect(abs(scores.reduce(0, +) / Float(m.rows)) < 0.05)
  }

  @Test func decodesThresholdsArgmaxClippingAndRounding() throws {
    let table = try sample()
    let schema = try Schema.infer(from: table)
    let encoder = try TableEncoder(fitting: table, schema: schema)
    var m = Matrix(rows: 4, cols: encoder.layout.width)
    // Row 0: extreme scores clip to the training range; sex 0.49 → first level; stage argmax II.
    m[0, 0] = 50; m[0, 1] = -50; m[0, 2] = 0.49; m[0, 6] = 0.9; m[0, 5] = 0.3
    // Row 1: indicators on → missing; stage missing level wins.
    m[1, 3] = 0.7; m[1, 4] = 0.51; m[1, 9] = 2
    // Row 2: NaN decodes to the centre; integer output rounded.
    m[2, 0] = .nan; m[2, 1] = 0.1234; m[2, 2] = 0.51; m[2, 8] = 1
    m[3, 7] = 1
    let out = encoder.decode(m)
    let bmiMax = schema.column(named: "bmi")!.maximum!
    #expect(out.cell(row: 0, column: 1) == String(format: "%.1f", bmiMax))
    #expect(out.cell(row: 0, column: 4) == "0")
    #expect(out.cell(row: 0, column: 2) == "F")
    #expect(out.cell(row: 0, column: 3) == "II")
    #expect(out.cell(row: 1, column: 1) == nil)
    #expect(out.cell(row: 1, column: 2) == nil)
    #expect(out.cell(row: 1, column: 3) == nil)
    #expect(out.cell(row: 2, column: 2) == "M")
    #expect(out.cell(row: 2, column: 3) == "IV")
    #expect(out.cell(row: 3, column: 3) == "III")
    #expect(out.column("site") == ["north", "north", "north", "north"])
    #expect(out.column("id") == ["1", "2", "3", "4"])
    let visits = try out.numbers("visits")
    #expect(visits.allSatisfy { $0 == $0.rounded() && $0 >= 0 && $0 <= 22 })
    let centre = try #require(Double(out.cell(row: 2, column: 1) ?? ""))
    #expect(centre > 18.5 && centre < 41.5)
  }

  @Test func secondFileErrorsNameFileRowAndColumn() throws {
    let table = try sample()
    let schema = try Schema.infer(from: table)
    let encoder = try TableEncoder(fitting: table, schema: schema)
    func failure(_ csv: String) -> TabularError? {
      do { _ = try encoder.encode(try CSVReader.parse(csv, name: "holdout.csv")); return nil } catch { return error as? TabularError }
    }
    let header = "id,bmi,sex,stage,visits,site\n"
    let unseen = failure(header + "P1,20.5,F,I,3,north\nP2,21.0,F,V,4,north\n")
    #expect(unseen?.code == .unseenCategory)
    #expect(unseen?.description.hasPrefix("holdout.csv: row 2 (line 3), column 'stage': \"V\"") == true)
    let text = failure(header + "P1,20.5,F,I,three,north\n")
    #expect(text?.code == .notANumber)
    #expect(text?.column == "visits")
    #expect(text?.row == 1)
    let missing = failure(header + "P1,20.5,F,I,,north\n")
    #expect(missing?.code == .unexpectedMissing)
    #expect(failure("bmi,sex,stage,visits,site\n20,F,I,3,north\n")?.code == .columnMismatch)
    #expect(failure(header.dropLast() + ",extra\nP1,20.5,F,I,3,north,1\n")?.code == .columnMismatch)
    // Numeric levels match by value; column order may differ.
    let reordered = try CSVReader.parse("site,visits,stage,sex,bmi,id\nnorth,3.0,II,M,20.5,Q\n")
    let m = try encoder.encode(reordered)
    #expect(m[0, 2] == 1)
    #expect(m[0, 6] == 1)
  }

  /// The encoder is stored in model files: JSON round trip gives an identical encoder.
  @Test func codableRoundTrip() throws {
    let table = try CSVReader.read(CommandRunner.dataset("nhefs.csv"))
    let encoder = try TableEncoder(fitting: table, schema: Schema.infer(from: table))
    let data = try JSONEncoder().encode(encoder)
    let restored = try JSONDecoder().decode(TableEncoder.self, from: data)
    #expect(restored.layout == encoder.layout)
    #expect(restored.schema == encoder.schema)
    #expect(try restored.encode(table) == encoder.encode(table))
    var rng = RandomSource(seed: 5)
    let noise = rng.normalMatrix(rows: 50, cols: encoder.layout.width)
    #expect(restored.decode(noise) == encoder.decode(noise))
  }

  /// Standard and min-max scaling also invert: categories and integers exactly, decimals within
  /// Float precision of the scaled value.
  @Test(arguments: [NumericEncoding.standard, .minmax])
  func otherNumericEncodingsInvert(_ method: NumericEncoding) throws {
    let table = try CSVReader.read(CommandRunner.dataset("support2.csv"))
    let schema = try Schema.infer(from: table)
    let encoder = try TableEncoder(fitting: table, schema: schema, options: EncodingOptions(numeric: method))
    let decoded = encoder.decode(try encoder.encode(table))
    for column in schema.columns {
      if column.kind == .continuous {
        let a = try table.numbers(column.name), b = try decoded.numbers(column.name)
        let span = column.maximum! - column.minimum!
        for r in 0..<a.count {
          #expect(a[r].isNaN == b[r].isNaN)
          if !a[r].isNaN { #expect(abs(a[r] - b[r]) <= 1e-6 * span + pow(10, -Double(column.decimals)), "\(column.name)") }
        }
      } else {
        #expect(table.column(column.name) == decoded.column(column.name), "\(column.name)")
      }
    }
    if method == .minmax {
      let m = try encoder.encode(table)
      for g in encoder.layout.gaussianColumns {
        #expect((0..<m.rows).allSatisfy { m[$0, g] >= 0 && m[$0, g] <= 1 })
      }
    }
  }

  /// The quantile map makes a heavy-tailed lab column close to N(0, 1) and keeps order.
  @Test func quantileScoresAreStandardNormal() throws {
    let table = try CSVReader.read(CommandRunner.dataset("support2.csv"))
    let schema = try Schema.infer(from: table)
    let encoder = try TableEncoder(fitting: table, schema: schema)
    let m = try encoder.encode(table)
    let urine = try table.numbers("urine")
    let g = encoder.layout.blocks(for: "urine")[0].range.lowerBound
    let present = urine.indices.filter { !urine[$0].isNaN }
    let z = present.map { Double(m[$0, g]) }
    let mean = z.reduce(0, +) / Double(z.count)
    let sd = (z.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(z.count)).squareRoot()
    #expect(abs(mean) < 0.02)
    #expect(abs(sd - 1) < 0.05)
    for (a, b) in zip(present, present.dropFirst()) where urine[a] < urine[b] {
      #expect(m[a, g] < m[b, g])
    }
  }

  /// With fewer knots than distinct values the transform is still monotone and decodes within range.
  @Test func thinnedKnotsStayMonotone() throws {
    var rng = RandomSource(seed: 9)
    let values = (0..<5000).map { _ in exp(Double(rng.normal()) * 1.5) }
    let t = NumericTransform(method: .quantile, values: values, knots: 100, fallback: 0...1)
    #expect(t.knotValues.count <= 100)
    #expect(zip(t.knotScores, t.knotScores.dropFirst()).allSatisfy { $0 < $1 })
    let sorted = values.sorted()
    let forward = sorted.map { t.forward($0) }
    #expect(zip(forward, forward.dropFirst()).allSatisfy { $0 <= $1 })
    for z in stride(from: Float(-6), through: 6, by: 0.01) {
      let x = t.inverse(z)
      #expect(x >= sorted.first! && x <= sorted.last!)
    }
  }

  /// An integer column decodes to the values it took: the empirical quantile of Φ(z). With scores drawn
  /// from N(0, 1) every level comes back at its training frequency, and each training value round-trips.
  @Test func integerColumnsDecodeToObservedValuesAtTheirFrequencies() throws {
    // A coma-score-like column: 0 (70 %), 9, 26, 44, 100.
    let levels: [(Double, Int)] = [(0, 700), (9, 120), (26, 80), (44, 60), (100, 40)]
    let values = levels.flatMap { Array(repeating: $0.0, count: $0.1) }
    let t = NumericTransform(method: .quantile, values: values, knots: 10_000, fallback: 0...1, discrete: true)
    let boundaries = try #require(t.levelBoundaries)
    #expect(boundaries.count == levels.count - 1)
    for (v, _) in levels { #expect(t.inverse(t.forward(v)) == v) }
    var rng = RandomSource(seed: 4)
    var counts: [Double: Int] = [:]
    let n = 200_000
    for _ in 0..<n { counts[t.inverse(rng.normal()), default: 0] += 1 }
    #expect(Set(counts.keys) == Set(levels.map(\.0)))
    for (v, c) in levels {
      let expected = Double(c) / Double(values.count), observed = Double(counts[v] ?? 0) / Double(n)
      #expect(abs(observed - expected) < 0.005, "level \(v): \(observed) vs \(expected)")
    }
    // Without `discrete` the inverse interpolates between knots (values the column never had).
    let interpolating = NumericTransform(method: .quantile, values: values, knots: 10_000, fallback: 0...1)
    #expect(interpolating.levelBoundaries == nil)
    #expect(interpolating.inverse((t.forward(0) + t.forward(9)) / 2) != 0)
  }

  /// Model files written before level boundaries existed decode as they did (no boundaries).
  @Test func storedTransformsWithoutBoundariesKeepInterpolating() throws {
    let t = NumericTransform(method: .quantile, values: [1, 2, 2, 5, 9], knots: 100, fallback: 0...1, discrete: true)
    #expect(t.levelBoundaries != nil)
    var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(t)) as! [String: Any]
    object.removeValue(forKey: "levelBoundaries")
    let old = try JSONDecoder().decode(NumericTransform.self, from: JSONSerialization.data(withJSONObject: object))
    #expect(old.levelBoundaries == nil)
    #expect(try JSONDecoder().decode(NumericTransform.self, from: JSONEncoder().encode(t)) == t)
  }
}
