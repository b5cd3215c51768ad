import Foundation
import NumericCore
import Testing
import TestSupport
@testable import TabularData

/// Continuous columns recorded at a fixed resolution decode to their training values, and generators can train
/// on dequantized scores that decode back to the same table.
@Suite struct DequantizationTests {
  /// A creatinine-like column: 40 values on a 0.1 grid over 2,000 rows (multiplicity 50).
  func gridValues(_ seed: UInt64, rows: Int = 2_000) -> [Double] {
    var rng = RandomSource(seed: seed)
    return (0..<rows).map { _ in (Double(Swift.min(39, Swift.max(0, Int((abs(rng.normal()) * 12).rounded()))))) / 10 + 0.5 }
  }

  @Test func repeatedContinuousValuesDecodeToObservedValues() throws {
    let values = gridValues(1)
    let snapped = NumericTransform(method: .quantile, values: values, knots: 10_000, fallback: 0...1, repeatedValueMultiplicity: 4)
    #expect(snapped.decodesToObservedValues)
    let observed = Set(values)
    var rng = RandomSource(seed: 2)
    for _ in 0..<5_000 { #expect(observed.contains(snapped.inverse(rng.normal()))) }
    // Off, or a threshold above the column's multiplicity: interpolation as before.
    let off = NumericTransform(method: .quantile, values: values, knots: 10_000, fallback: 0...1, repeatedValueMultiplicity: 0)
    #expect(!off.decodesToObservedValues)
    let distinct = Double(observed.count), multiplicity = Double(values.count) / distinct
    let above = NumericTransform(method: .quantile, values: values, knots: 10_000, fallback: 0...1,
                                 repeatedValueMultiplicity: multiplicity + 1)
    #expect(!above.decodesToObservedValues)
    // Mostly unique values (an age with decimals) are left alone at the default threshold.
    var ages = RandomSource(seed: 3)
    let unique = (0..<2_000).map { _ in 50 + Double(ages.normal()) * 12 }
    #expect(!NumericTransform(method: .quantile, values: unique, knots: 10_000, fallback: 0...1,
                              repeatedValueMultiplicity: 4).decodesToObservedValues)
  }

  /// Every dequantized score decodes to the value it came from, and over the training values the scores are
  /// N(0, 1) (mean, sd and a Kolmogorov–Smirnov distance) instead of spikes.
  @Test func dequantizedScoresStayInTheirLevelAndAreStandardNormal() throws {
    let values = gridValues(4)
    let t = NumericTransform(method: .quantile, values: values, knots: 10_000, fallback: 0...1, repeatedValueMultiplicity: 4)
    var rng = RandomSource(seed: 5)
    var scores: [Double] = []
    for v in values {
      let z = t.dequantized(t.forward(v), uniform: rng.uniformDouble())
      #expect(t.inverse(z) == v)
      scores.append(Double(z))
    }
    // The ends of the unit interval stay finite and in their level.
    for v in [values.min()!, values.max()!] {
      for u in [0.0, 1.0.nextDown] {
        let z = t.dequantized(t.forward(v), uniform: u)
        #expect(z.isFinite && t.inverse(z) == v)
      }
    }
    let n = Double(scores.count)
    let mean = scores.reduce(0, +) / n
    let sd = (scores.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
    #expect(abs(mean) < 0.06)
    #expect(abs(sd - 1) < 0.06)
    let sorted = scores.sorted()
    var ks = 0.0
    for (i, z) in sorted.enumerated() {
      let f = 0.5 * erfc(-z / 2.0.squareRoot())
      ks = Swift.max(ks, abs(f - Double(i) / n), abs(f - Double(i + 1) / n))
    }
    #expect(ks < 0.04, "KS distance \(ks)")                 // spikes of the mid-rank scores would give about 0.1
    let spikes = values.map { Double(t.forward($0)) }.sorted()
    var spikeKS = 0.0
    for (i, z) in spikes.enumerated() {
      let f = 0.5 * erfc(-z / 2.0.squareRoot())
      spikeKS = Swift.max(spikeKS, abs(f - Double(i) / n), abs(f - Double(i + 1) / n))
    }
    #expect(spikeKS > 2 * ks)
    // Columns that interpolate are left unchanged.
    let plain = NumericTransform(method: .quantile, values: values, knots: 10_000, fallback: 0...1)
    #expect(plain.dequantized(0.3, uniform: 0.7) == 0.3)
  }

  /// Dequantizing an encoded table touches only present values of columns that decode to observed values,
  /// depends on the seed, and decodes to the same table.
  @Test func dequantizedMatrixDecodesToTheSameTable() throws {
    var rows = ["lab,age,grade,sex"]
    let lab = gridValues(6, rows: 600)
    var rng = RandomSource(seed: 7)
    for r in 0..<600 {
      let labCell = r % 13 == 0 ? "" : String(format: "%.1f", lab[r])
      rows.append("\(labCell),\(String(format: "%.4f", 40 + Double(rng.normal()) * 9)),\(r * 7 % 61),\(r % 3 == 0 ? "F" : "M")")
    }
    let table = try CSVReader.parse(rows.joined(separator: "\n") + "\n", name: "lab.csv")
    let schema = try Schema.infer(from: table)
    let encoder = try TableEncoder(fitting: table, schema: schema)
    #expect(encoder.options.dequantizeLevels && encoder.options.repeatedValueMultiplicity == 4)
    #expect(schema.column(named: "lab")?.kind == .continuous && schema.column(named: "grade")?.kind == .integer)
    let plain = try encoder.encode(table)
    var a = plain, b = plain, c = plain
    encoder.dequantize(&a, seed: 1)
    encoder.dequantize(&b, seed: 1)
    encoder.dequantize(&c, seed: 2)
    #expect(a == b)
    #expect(a != c)
    let labColumn = encoder.layout.blocks(for: "lab")[0].range.lowerBound
    let ageColumn = encoder.layout.blocks(for: "age")[0].range.lowerBound
    let gradeColumn = encoder.layout.blocks(for: "grade")[0].range.lowerBound
    let labCells = table.column("lab")
    var changed = 0
    for r in 0..<table.rowCount {
      #expect(a[r, ageColumn] == plain[r, ageColumn])              // mostly unique values: untouched
      if labCells[r] == nil { #expect(a[r, labColumn] == plain[r, labColumn]) }   // missing: the centre stays
      if a[r, labColumn] != plain[r, labColumn] { changed += 1 }
    }
    #expect(changed > 500)
    #expect((0..<table.rowCount).contains { a[$0, gradeColumn] != plain[$0, gradeColumn] })   // integer column
    #expect(encoder.decode(a) == encoder.decode(plain))
    #expect(encoder.decode(a).column("lab") == labCells)
    // Switched off: nothing changes.
    var options = EncodingOptions()
    options.dequantizeLevels = false
    let unchanged = try TableEncoder(fitting: table, schema: schema, options: options)
    var d = try unchanged.encode(table)
    unchanged.dequantize(&d, seed: 1)
    #expect(d == plain)
  }

  /// Encoders stored before these options existed decode with both off, as they were fitted.
  @Test func olderOptionsDecodeWithBothOff() throws {
    var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(EncodingOptions())) as! [String: Any]
    object.removeValue(forKey: "repeatedValueMultiplicity")
    object.removeValue(forKey: "dequantizeLevels")
    let old = try JSONDecoder().decode(EncodingOptions.self, from: JSONSerialization.data(withJSONObject: object))
    #expect(old.repeatedValueMultiplicity == 0 && !old.dequantizeLevels)
    object["repeatedValueMultiplicity"] = -1
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(EncodingOptions.self, from: JSONSerialization.data(withJSONObject: object))
    }
  }
}
