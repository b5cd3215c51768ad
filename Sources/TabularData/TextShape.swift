//===----------------------------------------------------------------------===//
// Made-up values in the shape of a column's values (identifiers, personal information).
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore

/// The shapes of a text column's values, learnt without keeping any value: each character becomes its class
/// (upper-case letter `A`, other letter `a`, digit `9`) and everything else (separators, `@`, `-`, spaces) stays
/// as it is; the prefix and suffix every value shares (`CHOP-`) stay too.
///
/// Generation fills each class with random characters, draws templates by their training frequency (templates
/// seen fewer than k times are dropped when a more common one exists, so a rare shape is not released), never
/// writes a training value (checked against salted 64-bit hashes of them, ``excludedHashes``), and for a column
/// whose training values were unique, never writes the same value twice.
public struct TextShape: Codable, Sendable, Equatable {
  /// Shape templates: class codes as Unicode scalars (`\u{1}` upper, `\u{2}` lower, `\u{3}` digit) and literals.
  public var templates: [String]
  /// How often each template was seen.
  public var counts: [Int]
  /// The prefix every value shared (kept verbatim).
  public var prefix: String
  /// The suffix every value shared (kept verbatim).
  public var suffix: String
  /// Whether every training value was different (then the output is unique too).
  public var unique: Bool
  /// Salt of ``excludedHashes``.
  public var salt: UInt64
  /// Sorted salted FNV-1a hashes of the training values, stored base64-encoded: what generation must avoid.
  public var excludedHashes: String
  /// Whether no training value has a leading zero where its shape starts with a digit (`0499` would read as the
  /// real id 499): then made-up values start with 1–9 there. Nil in model files written before it existed.
  public var leadingDigitNonZero: Bool?

  static let upper: Unicode.Scalar = "\u{1}", lower: Unicode.Scalar = "\u{2}", digit: Unicode.Scalar = "\u{3}"

  /// Learns the shapes of `values` (non-missing cells); `k` is the rare-count of the release rule.
  public init(values: [String], rareCount k: Int, salt: UInt64) {
    self.salt = salt
    unique = Set(values).count == values.count
    prefix = Self.commonPrefix(values)
    let shared = prefix
    suffix = String(Self.commonPrefix(values.map { String($0.dropFirst(shared.count).reversed()) }).reversed())
    var tally: [String: Int] = [:]
    for value in values {
      let middle = value.dropFirst(prefix.count).dropLast(suffix.count)
      var template = String.UnicodeScalarView()
      for scalar in middle.unicodeScalars {
        let p = scalar.properties
        if p.isUppercase { template.append(Self.upper) }
        else if p.isAlphabetic { template.append(Self.lower) }
        else if p.numericType != nil && scalar.isASCII { template.append(Self.digit) }
        else if p.numericType != nil { template.append(Self.digit) }
        else { template.append(scalar) }
      }
      tally[String(template), default: 0] += 1
    }
    var pairs = tally.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
    let common = pairs.filter { $0.value >= k }
    if !common.isEmpty { pairs = common } else { pairs = Array(pairs.prefix(1)) }
    templates = pairs.map(\.key)
    counts = pairs.map(\.value)
    let zeroLed = values.contains { value in
      value.dropFirst(shared.count).unicodeScalars.first == "0"
    }
    leadingDigitNonZero = templates.contains { $0.unicodeScalars.first == Self.digit } && !zeroLed ? true : nil
    var hashes = values.map { Self.hash($0, salt: salt) }
    hashes.sort()
    excludedHashes = hashes.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString()
  }

  static func commonPrefix(_ values: [String]) -> String {
    guard var prefix = values.first.map({ Array($0.unicodeScalars) }) else { return "" }
    for value in values.dropFirst() {
      var k = 0
      for scalar in value.unicodeScalars { if k < prefix.count && prefix[k] == scalar { k += 1 } else { break } }
      prefix.removeLast(prefix.count - k)
      if prefix.isEmpty { break }
    }
    // Digits every value shares (MIMIC's subject_id all start with 1) stay in the prefix while at least four free
    // positions remain; in shorter values they are a class, so that the shapes still hold enough values.
    let shortest = values.map { $0.unicodeScalars.count }.min() ?? 0
    while let last = prefix.last, last.properties.numericType != nil, shortest - prefix.count < 4 { prefix.removeLast() }
    var view = String.UnicodeScalarView()
    view.append(contentsOf: prefix)
    return String(view)
  }

  /// Salted 64-bit FNV-1a of the UTF-8 bytes.
  static func hash(_ value: String, salt: UInt64) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ salt
    for byte in value.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return h
  }

  /// `rows` made-up values (deterministic for `seed`).
  public func generate(rows: Int, seed: UInt64) -> [String] {
    let excluded: [UInt64] = {
      guard let data = Data(base64Encoded: excludedHashes) else { return [] }
      return data.withUnsafeBytes { Array($0.bindMemory(to: UInt64.self)) }
    }()
    func isExcluded(_ value: String) -> Bool {
      let h = Self.hash(value, salt: salt)
      var lo = 0, hi = excluded.count
      while lo < hi { let mid = (lo + hi) / 2; if excluded[mid] < h { lo = mid + 1 } else { hi = mid } }
      return lo < excluded.count && excluded[lo] == h
    }
    var rng = RandomSource(seed: seed)
    let total = counts.reduce(0, +)
    let uppers = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars), lowers = Array("abcdefghijklmnopqrstuvwxyz".unicodeScalars)
    let digits = Array("0123456789".unicodeScalars)
    let parsed = templates.map { Array($0.unicodeScalars) }
    var seen = Set<String>()
    var out: [String] = []
    out.reserveCapacity(rows)
    for _ in 0..<rows {
      var attempt = 0
      while true {
        var pick = Int(rng.next() % UInt64(Swift.max(total, 1)))
        var t = 0
        while t < counts.count - 1 && pick >= counts[t] { pick -= counts[t]; t += 1 }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: prefix.unicodeScalars)
        for (position, scalar) in (parsed.isEmpty ? [] : parsed[t]).enumerated() {
          switch scalar {
          case Self.upper: view.append(uppers[Int(rng.next() % 26)])
          case Self.lower: view.append(lowers[Int(rng.next() % 26)])
          case Self.digit where position == 0 && leadingDigitNonZero == true: view.append(digits[1 + Int(rng.next() % 9)])
          case Self.digit: view.append(digits[Int(rng.next() % 10)])
          default: view.append(scalar)
          }
        }
        // After many collisions (a small shape space), lengthen the value rather than loop for ever.
        if attempt >= 50 { for _ in 0..<(attempt / 50) { view.append(digits[Int(rng.next() % 10)]) } }
        view.append(contentsOf: suffix.unicodeScalars)
        let value = String(view)
        attempt += 1
        if isExcluded(value) || (unique && seen.contains(value)) { continue }
        if unique { seen.insert(value) }
        out.append(value)
        break
      }
    }
    return out
  }
}
