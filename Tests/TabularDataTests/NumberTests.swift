import Foundation
import NumericCore
import Testing
@testable import TabularData

func parse(_ s: String) -> ParsedNumber? {
  var copy = s
  return copy.withUTF8 { p in p.isEmpty ? nil : parseNumber(p.baseAddress!, p.count) }
}

func format(_ x: Double, _ decimals: Int, _ minimum: Int) -> String {
  var out: [UInt8] = []
  appendDecimal(x, decimals: decimals, minimumDecimals: minimum, to: &out)
  return String(decoding: out, as: UTF8.self)
}

@Suite struct NumberTests {
  @Test func acceptsDecimalSyntax() throws {
    let cases: [(String, Double, Bool, Int)] = [
      ("12", 12, true, 0), ("-3.50", -3.5, false, 2), ("1e3", 1000, false, 0), ("1.5E-3", 0.0015, false, 4),
      (".5", 0.5, false, 1), ("5.", 5, false, 0), ("+2", 2, true, 0), (" 7 ", 7, true, 0), ("0.19998169", 0.19998169, false, 8),
      ("-0", 0, true, 0), ("00012", 12, true, 0),
    ]
    for (text, value, whole, decimals) in cases {
      let n = try #require(parse(text), "\(text)")
      #expect(n.value == value, "\(text)")
      #expect(n.isWhole == whole, "\(text)")
      #expect(n.decimals == decimals, "\(text)")
    }
  }

  @Test func rejectsText() {
    for text in ["abc", "1.2.3", "-", ".", "e5", "1e", "inf", "nan", "0x10", "1,5", "1 000", "--1", "1e+", "+.e1", " "] {
      #expect(parse(text) == nil, "\(text)")
    }
  }

  /// The fast path and the strtod fallback agree with Swift's own correctly rounded parser.
  @Test func matchesCorrectlyRoundedParsing() {
    var rng = RandomSource(seed: 11)
    for _ in 0..<20_000 {
      let magnitude = pow(10, Double(Int(rng.next() % 16)) - 6)
      let x = (rng.uniformDouble() - 0.3) * magnitude
      for text in [x.description, String(format: "%.6f", x), String(format: "%.3e", x), String(format: "%.17g", x)] {
        #expect(parse(text)?.value == Double(text), "\(text)")
      }
    }
    let long = "3.14159265358979323846264338327950288"
    #expect(parse(long)?.value == Double(long))
    #expect(parse("123456789012345678901234567890")?.value == 123456789012345678901234567890.0)
  }

  @Test func formatsWithColumnPrecision() {
    #expect(format(97, 1, 1) == "97.0")
    #expect(format(1.5, 5, 1) == "1.5")
    #expect(format(62.84998, 5, 1) == "62.84998")
    #expect(format(0.19998169, 8, 1) == "0.19998169")
    #expect(format(79.04, 2, 2) == "79.04")
    #expect(format(12.5, 2, 2) == "12.50")
    #expect(format(-0.0001, 2, 0) == "0")
    #expect(format(-1.25, 1, 1) == "-1.3")
    #expect(format(3, 0, 0) == "3")
    #expect(format(1e17, 2, 0) == "100000000000000000")
    var out: [UInt8] = []
    appendInteger(-9_007_199_254_740_993, to: &out)
    #expect(String(decoding: out, as: UTF8.self) == "-9007199254740993")
  }

  @Test func inverseNormalMatchesKnownQuantiles() {
    #expect(abs(inverseNormalCDF(0.5)) < 1e-15)
    #expect(abs(inverseNormalCDF(0.975) - 1.959963984540054) < 1e-12)
    #expect(abs(inverseNormalCDF(0.001) + 3.090232306167813) < 1e-12)
    #expect(abs(inverseNormalCDF(1e-9) + 5.997807015007686) < 1e-9)
    for p in stride(from: 0.0005, to: 1, by: 0.0137) {
      #expect(abs(normalCDF(inverseNormalCDF(p)) - p) < 1e-14)
    }
  }
}
