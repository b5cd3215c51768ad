//===----------------------------------------------------------------------===//
// Dates and timestamps: a small strftime subset, parsed from and written to cell bytes.
//===----------------------------------------------------------------------===//

import Foundation

/// A date or date-time format in strftime codes, as SDV writes `datetime_format` (`%Y-%m-%d`, `%m/%d/%Y %H:%M`, …).
///
/// Supported codes: `%Y` (4-digit year), `%m`, `%d`, `%H`, `%M`, `%S` (2 digits each; on reading, 1 digit is
/// accepted for `%m`, `%d` and `%H`), glibc's unpadded `%-m`, `%-d`, `%-H`, and `%%`; any other character is a literal. Values are counted in the format's
/// resolution (days, minutes or seconds since 1970-01-01, proleptic Gregorian, no time zone), so a model sees a
/// date as a whole number and writes it back exactly in this format.
public struct DateTimeFormat: Sendable, Equatable, Hashable, CustomStringConvertible {
  enum Piece: Sendable, Equatable, Hashable { case year, month(padded: Bool), day(padded: Bool), hour(padded: Bool), minute, second, literal(UInt8) }

  /// The strftime text.
  public let pattern: String
  let pieces: [Piece]

  /// The unit values are counted in: the finest field the format writes.
  public enum Resolution: String, Codable, Sendable { case day, minute, second }
  public let resolution: Resolution

  /// Seconds per unit of ``resolution``.
  public var secondsPerUnit: Int { resolution == .day ? 86_400 : resolution == .minute ? 60 : 1 }

  /// Parses a strftime pattern; nil when it uses an unsupported code or lacks a year, month or day.
  public init?(_ pattern: String) {
    var pieces: [Piece] = []
    var bytes = Array(pattern.utf8)[...]
    while let b = bytes.popFirst() {
      guard b == UInt8(ascii: "%") else { pieces.append(.literal(b)); continue }
      guard var code = bytes.popFirst() else { return nil }
      let padded = code != UInt8(ascii: "-")
      if !padded {
        guard let next = bytes.popFirst(), [UInt8(ascii: "m"), UInt8(ascii: "d"), UInt8(ascii: "H")].contains(next) else { return nil }
        code = next
      }
      switch code {
      case UInt8(ascii: "Y"): pieces.append(.year)
      case UInt8(ascii: "m"): pieces.append(.month(padded: padded))
      case UInt8(ascii: "d"): pieces.append(.day(padded: padded))
      case UInt8(ascii: "H"): pieces.append(.hour(padded: padded))
      case UInt8(ascii: "M"): pieces.append(.minute)
      case UInt8(ascii: "S"): pieces.append(.second)
      case UInt8(ascii: "%"): pieces.append(.literal(UInt8(ascii: "%")))
      default: return nil
      }
    }
    func has(_ test: (Piece) -> Bool) -> Bool { pieces.contains(where: test) }
    guard has({ $0 == .year }), has({ if case .month = $0 { true } else { false } }), has({ if case .day = $0 { true } else { false } }) else { return nil }
    self.pattern = pattern
    self.pieces = pieces
    resolution = has({ $0 == .second }) ? .second : has({ if case .hour = $0 { true } else { $0 == .minute } }) ? .minute : .day
  }

  /// This format with `%m`, `%d` and `%H` written unpadded (`%-m`, …), for columns written `3/5/2014`.
  public var unpadded: DateTimeFormat {
    DateTimeFormat(pattern.replacingOccurrences(of: "%m", with: "%-m").replacingOccurrences(of: "%d", with: "%-d")
      .replacingOccurrences(of: "%H", with: "%-H")) ?? self
  }

  public var description: String { pattern }

  /// The formats inference tries, in order: ISO 8601 dates and date-times, then `MM/DD/YYYY` and `DD.MM.YYYY`,
  /// each with or without a time, with or without seconds.
  public static let inferable: [DateTimeFormat] = ([
    "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
    // Day first when a day above 12 rules the month-first reading out.
    "%d/%m/%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M",
    "%d.%m.%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
  ] as [String]).compactMap { DateTimeFormat($0) }

  /// The value of a cell in units of ``resolution`` since 1970-01-01, or nil when it does not match the format
  /// or names an impossible date (February 30th, hour 24).
  public func parse(_ cell: UnsafeBufferPointer<UInt8>) -> Int? {
    var short = false
    return parse(cell, sawShortField: &short)
  }

  /// ``parse(_:)-(UnsafeBufferPointer<UInt8>)``, also telling whether a padded field was written with one digit.
  func parse(_ cell: UnsafeBufferPointer<UInt8>, sawShortField short: inout Bool) -> Int? {
    var i = 0
    let n = cell.count
    // Surrounding spaces are tolerated, as for numbers.
    var end = n
    while i < end && cell[i] == 32 { i += 1 }
    while end > i && cell[end - 1] == 32 { end -= 1 }
    var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
    func digits(_ minimum: Int, _ maximum: Int) -> Int? {
      var value = 0, count = 0
      while count < maximum && i < end, cell[i] >= 48 && cell[i] <= 57 {
        value = value * 10 + Int(cell[i] - 48); i += 1; count += 1
      }
      return count >= minimum ? value : nil
    }
    for piece in pieces {
      switch piece {
      case .year: guard let v = digits(4, 4) else { return nil }; year = v
      case .month(let padded):
        let from = i
        guard let v = digits(1, 2) else { return nil }; month = v; if padded && i - from == 1 { short = true }
      case .day(let padded):
        let from = i
        guard let v = digits(1, 2) else { return nil }; day = v; if padded && i - from == 1 { short = true }
      case .hour(let padded):
        let from = i
        guard let v = digits(1, 2) else { return nil }; hour = v; if padded && i - from == 1 { short = true }
      case .minute: guard let v = digits(2, 2) else { return nil }; minute = v
      case .second: guard let v = digits(2, 2) else { return nil }; second = v
      case .literal(let b): guard i < end, cell[i] == b else { return nil }; i += 1
      }
    }
    guard i == end, (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year),
          hour < 24, minute < 60, second < 60 else { return nil }
    let days = Self.daysFromCivil(year: year, month: month, day: day)
    switch resolution {
    case .day: return days
    case .minute: return (days * 24 + hour) * 60 + minute
    case .second: return ((days * 24 + hour) * 60 + minute) * 60 + second
    }
  }

  /// Parses a string (for tests and metadata); see ``parse(_:)-(UnsafeBufferPointer<UInt8>)``.
  public func parse(_ text: String) -> Int? {
    var text = text
    return text.withUTF8 { parse($0) }
  }

  /// Appends the text of `units` (in ``resolution``) to `out`, zero-padded as the format's codes say.
  public func append(_ units: Int, to out: inout [UInt8]) {
    var days = units, secondsOfDay = 0
    switch resolution {
    case .day: break
    case .minute:
      days = Self.floorDivide(units, 1_440); secondsOfDay = (units - days * 1_440) * 60
    case .second:
      days = Self.floorDivide(units, 86_400); secondsOfDay = units - days * 86_400
    }
    let (year, month, day) = Self.civilFromDays(days)
    func put(_ value: Int, width: Int) {
      var digits: [UInt8] = []
      var v = Swift.abs(value)
      repeat { digits.append(UInt8(48 + v % 10)); v /= 10 } while v > 0
      while digits.count < width { digits.append(48) }
      if value < 0 { out.append(UInt8(ascii: "-")) }
      out.append(contentsOf: digits.reversed())
    }
    for piece in pieces {
      switch piece {
      case .year: put(year, width: 4)
      case .month(let padded): put(month, width: padded ? 2 : 1)
      case .day(let padded): put(day, width: padded ? 2 : 1)
      case .hour(let padded): put(secondsOfDay / 3_600, width: padded ? 2 : 1)
      case .minute: put(secondsOfDay / 60 % 60, width: 2)
      case .second: put(secondsOfDay % 60, width: 2)
      case .literal(let b): out.append(b)
      }
    }
  }

  /// The text of `units` in this format.
  public func string(_ units: Int) -> String {
    var out: [UInt8] = []
    append(units, to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  static func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = floorDivide(y, 400)
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The date of a day count since 1970-01-01 (inverse of ``daysFromCivil(year:month:day:)``).
  static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = floorDivide(z, 146_097)
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}

extension DateTimeFormat: Codable {
  public init(from decoder: Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let format = DateTimeFormat(text) else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unsupported datetime format '\(text)'"))
    }
    self = format
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(pattern)
  }
}
