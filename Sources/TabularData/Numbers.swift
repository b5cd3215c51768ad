#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A number read from the bytes of one cell.

struct ParsedNumber {
  /// The value, correctly rounded to `Double`.
  var value: Double
  /// Written without a decimal point or exponent (`12`, `-3`), as integer columns are.
  var isWhole: Bool
  /// Digits after the decimal point once the exponent is applied (`1.25` → 2, `1.5e-3` → 4, `1e3` → 0).
  var decimals: Int
}

/// Exact powers of ten up to 10²², the range in which `Double` holds them exactly.

let exactPowersOfTen: [Double] = (0...22).map { e in (0..<e).reduce(1.0) { v, _ in v * 10 } }

/// Parses a decimal number (`[+-]digits[.digits][(e|E)[+-]digits]`, surrounding ASCII spaces
/// allowed) straight from bytes; returns `nil` for anything else (text, `inf`, hex, thousands separators).
///
/// Why a hand parser: creating a `String` or `Substring` per cell costs 10× more than the parse
/// itself. The common case (≤ 15 significant digits, |exponent| ≤ 22) is exact by Clinger's fast
/// path: both the integer mantissa and the power of ten are exact doubles, so one IEEE division or
/// multiplication rounds correctly. Longer inputs fall back to `strtod` on a NUL-terminated copy.

func parseNumber(_ base: UnsafePointer<UInt8>, _ count: Int) -> ParsedNumber? {
  var i = 0, end = count
  while i < end && base[i] == 0x20 { i += 1 }
  while end > i && base[end - 1] == 0x20 { end -= 1 }
  if i == end { return nil }
  let start = i
  var negative = false
  if base[i] == UInt8(ascii: "-") || base[i] == UInt8(ascii: "+") { negative = base[i] == UInt8(ascii: "-"); i += 1 }
  var mantissa: UInt64 = 0
  var significant = 0          // digits from the first non-zero one on
  var intDigits = 0
  var fracDigits = 0           // fraction digits folded into the mantissa
  var droppedIntDigits = 0     // integer digits beyond 19 significant ones (scale the mantissa)
  while i < end, base[i] &- 48 < 10 {
    let d = UInt64(base[i] &- 48)
    if significant < 19 {
      mantissa = mantissa &* 10 &+ d
      if mantissa != 0 { significant += 1 }
    } else { significant += 1; droppedIntDigits += 1 }
    intDigits += 1; i += 1
  }
  var writtenFraction = 0     // every digit after the point, for formatting
  var hasPoint = false
  if i < end && base[i] == UInt8(ascii: ".") {
    hasPoint = true; i += 1
    while i < end, base[i] &- 48 < 10 {
      let d = UInt64(base[i] &- 48)
      if significant < 19 {
        mantissa = mantissa &* 10 &+ d
        if mantissa != 0 { significant += 1 }
        fracDigits += 1
      } else { significant += 1 }   // beyond 19 digits: dropped here, strtod gets them below
      writtenFraction += 1; i += 1
    }
  }
  if intDigits == 0 && writtenFraction == 0 { return nil }
  var exponent = 0
  var hasExponent = false
  if i < end && (base[i] | 0x20) == UInt8(ascii: "e") {
    hasExponent = true; i += 1
    var expNegative = false
    if i < end && (base[i] == UInt8(ascii: "-") || base[i] == UInt8(ascii: "+")) { expNegative = base[i] == UInt8(ascii: "-"); i += 1 }
    let expStart = i
    while i < end, base[i] &- 48 < 10 {
      if exponent < 100_000 { exponent = exponent * 10 + Int(base[i] &- 48) }
      i += 1
    }
    if i == expStart { return nil }
    if expNegative { exponent = -exponent }
  }
  if i != end { return nil }
  let decimals = Swift.max(0, writtenFraction - exponent)
  let scale = exponent - fracDigits + droppedIntDigits
  let value: Double
  if significant <= 15 && scale >= -22 && scale <= 22 {
    let m = Double(mantissa)
    value = scale < 0 ? m / exactPowersOfTen[-scale] : m * exactPowersOfTen[scale]
  } else {
    value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: end - start + 1) { buf in
      for k in 0..<(end - start) { buf[k] = CChar(bitPattern: base[start + k]) }
      buf[end - start] = 0
      return strtod(buf.baseAddress!, nil)
    }
    return ParsedNumber(value: value, isWhole: !hasPoint && !hasExponent, decimals: decimals)
  }
  return ParsedNumber(value: negative ? -value : value, isWhole: !hasPoint && !hasExponent, decimals: decimals)
}

/// Appends the decimal digits of `n` (no sign handling beyond a leading "-").

func appendInteger(_ n: Int64, to out: inout [UInt8]) {
  var magnitude = n.magnitude
  if n < 0 { out.append(UInt8(ascii: "-")) }
  withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
    var k = 20
    repeat {
      k -= 1
      buf[k] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 48
      magnitude /= 10
    } while magnitude > 0
    out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[k..<20]))
  }
}

/// Appends `value` rounded to `decimals` fraction digits, then drops trailing zeros of the fraction
/// while more than `minimumDecimals` remain (so `97.0` stays `97.0` when the input wrote it that way,
/// and `1.50000` becomes `1.5` in a column that mixes precisions). Never writes `-0`.

func appendDecimal(_ value: Double, decimals: Int, minimumDecimals: Int, to out: inout [UInt8]) {
  if decimals > 15 {
    // Fixed point cannot hold this precision in 2^53; the shortest round-trip form can.
    out.append(contentsOf: value.description.utf8)
    return
  }
  let d = Swift.max(decimals, 0)
  let scaled = (value * exactPowersOfTen[d]).rounded()
  if d == 0 || !(scaled.magnitude < 9.0e15) {
    if scaled.magnitude < 9.0e15 {
      let n = Int64(scaled)
      appendInteger(n == 0 ? 0 : n, to: &out)
    } else {
      // Beyond 2^53 the fixed-point path is no longer exact; let the C library round.
      var text = String(format: "%.\(d)f", value).utf8.map { $0 }
      trimFraction(&text, minimumDecimals: minimumDecimals)
      out.append(contentsOf: text)
    }
    return
  }
  let n = Int64(scaled)
  if n < 0 { out.append(UInt8(ascii: "-")) }
  var magnitude = n.magnitude
  let divisor = UInt64(exactPowersOfTen[d])
  appendInteger(Int64(magnitude / divisor), to: &out)
  magnitude %= divisor
  // Fraction digits, right-trimmed to at least minimumDecimals.
  var digits = d
  var fraction = magnitude
  while digits > minimumDecimals && fraction % 10 == 0 { fraction /= 10; digits -= 1 }
  if digits == 0 { return }
  out.append(UInt8(ascii: "."))
  withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 17) { buf in
    for k in stride(from: digits - 1, through: 0, by: -1) {
      buf[k] = UInt8(truncatingIfNeeded: fraction % 10) &+ 48
      fraction /= 10
    }
    out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<digits]))
  }
}


func trimFraction(_ text: inout [UInt8], minimumDecimals: Int) {
  guard let point = text.firstIndex(of: UInt8(ascii: ".")) else { return }
  while text.count - point - 1 > minimumDecimals, text.last == UInt8(ascii: "0") { text.removeLast() }
  if text.last == UInt8(ascii: ".") { text.removeLast() }
}

import Foundation
