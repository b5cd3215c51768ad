//===----------------------------------------------------------------------===//
// Relations between columns that every synthetic row must satisfy (SDV's constraint classes).
//===----------------------------------------------------------------------===//

import Foundation

/// A constraint in SDV's metadata shape: `{"constraint_class": …, "constraint_parameters": {…}}`.
public enum Constraint: Sendable, Equatable, Hashable {
  /// `low ≤ high` (or `<` when `strict`) in every row where both are present; numbers or dates.
  case inequality(low: String, high: String, strict: Bool)
  /// `low ≤ column ≤ high` (either bound optional; strict bounds exclude the bound itself).
  case scalarRange(column: String, low: Double?, high: Double?, strict: Bool)
  /// Only combinations of these columns' values that occur in training (at least k times) are written.
  case fixedCombinations([String])
  /// `column` is a strictly monotone function of `source` (a logarithm, a square of a non-negative number, a unit
  /// conversion): it is not modelled but computed from `source` through the training rows' pairs of values.
  case monotoneFunction(column: String, source: String)

  /// The columns the constraint names.
  public var columns: [String] {
    switch self {
    case .inequality(let low, let high, _): return [low, high]
    case .scalarRange(let column, _, _, _): return [column]
    case .fixedCombinations(let names): return names
    case .monotoneFunction(let column, let source): return [source, column]
    }
  }

  /// A one-line description (`admission_date ≤ discharge_date`).
  public var summary: String {
    switch self {
    case .inequality(let low, let high, let strict): return "\(low) \(strict ? "<" : "≤") \(high)"
    case .scalarRange(let column, let low, let high, let strict):
      let lo = low.map { "\($0) \(strict ? "<" : "≤") " } ?? ""
      let hi = high.map { " \(strict ? "<" : "≤") \($0)" } ?? ""
      return "\(lo)\(column)\(hi)"
    case .fixedCombinations(let names): return "fixed combinations of \(names.joined(separator: ", "))"
    case .monotoneFunction(let column, let source): return "\(column) = f(\(source)), f monotone"
    }
  }

  /// The JSON object SDV writes for it.
  public var jsonObject: [String: Any] {
    switch self {
    case .inequality(let low, let high, let strict):
      var parameters: [String: Any] = ["low_column_name": low, "high_column_name": high]
      if strict { parameters["strict_boundaries"] = true }
      return ["constraint_class": "Inequality", "constraint_parameters": parameters]
    case .scalarRange(let column, let low, let high, let strict):
      var parameters: [String: Any] = ["column_name": column]
      if let low { parameters["low_value"] = low }
      if let high { parameters["high_value"] = high }
      if strict { parameters["strict_boundaries"] = true }
      return ["constraint_class": "ScalarRange", "constraint_parameters": parameters]
    case .fixedCombinations(let names):
      return ["constraint_class": "FixedCombinations", "constraint_parameters": ["column_names": names]]
    case .monotoneFunction(let column, let source):
      return ["constraint_class": "MonotoneFunction", "constraint_parameters": ["column_name": column, "source_column_name": source]]
    }
  }

  /// Reads one SDV constraint object; `index` and `file` name it in errors.
  static func parse(_ raw: Any, index: Int, file: String?) throws -> Constraint {
    func invalid(_ what: String) -> TabularError { TabularError(.invalidMetadata, file: file, "constraints[\(index)]: \(what)") }
    guard let object = raw as? [String: Any] else { throw invalid("must be a JSON object") }
    guard let kind = object["constraint_class"] as? String else { throw invalid("has no \"constraint_class\"") }
    let parameters = object["constraint_parameters"] as? [String: Any] ?? [:]
    func name(_ key: String) throws -> String {
      guard let value = parameters[key] as? String, !value.isEmpty else { throw invalid("\(kind) needs \"\(key)\" (a column name)") }
      return value
    }
    func number(_ key: String) throws -> Double? {
      guard let value = parameters[key], !(value is NSNull) else { return nil }
      if let n = value as? NSNumber, !(value is Bool) { return n.doubleValue }
      if let s = value as? String, let n = Double(s) { return n }
      throw invalid("\"\(key)\" must be a number")
    }
    let strict = parameters["strict_boundaries"] as? Bool ?? false
    switch kind {
    case "Inequality":
      let low = try name("low_column_name"), high = try name("high_column_name")
      guard low != high else { throw invalid("Inequality compares column '\(low)' with itself") }
      return .inequality(low: low, high: high, strict: strict)
    case "ScalarRange":
      let column = try name("column_name")
      let low = try number("low_value"), high = try number("high_value")
      guard low != nil || high != nil else { throw invalid("ScalarRange needs \"low_value\" or \"high_value\"") }
      if let low, let high, !(low < high) { throw invalid("ScalarRange's low_value must be below its high_value") }
      return .scalarRange(column: column, low: low, high: high, strict: strict)
    case "FixedCombinations":
      guard let names = parameters["column_names"] as? [String], names.count >= 2, Set(names).count == names.count else {
        throw invalid("FixedCombinations needs \"column_names\": two or more different column names")
      }
      return .fixedCombinations(names)
    case "MonotoneFunction":
      let column = try name("column_name"), source = try name("source_column_name")
      guard column != source else { throw invalid("MonotoneFunction derives column '\(column)' from itself") }
      return .monotoneFunction(column: column, source: source)
    default:
      throw invalid("unsupported constraint_class \"\(kind)\" (supported: Inequality, ScalarRange, FixedCombinations, MonotoneFunction)")
    }
  }
}

extension Constraint: Codable {
  public init(from decoder: Decoder) throws {
    let value = try decoder.singleValueContainer().decode(JSONBox.self)
    self = try Constraint.parse(value.object, index: 0, file: nil)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(JSONBox(object: jsonObject))
  }
}

/// A JSON object carried through Codable as its serialised text.
struct JSONBox: Codable {
  var object: Any
  init(object: Any) { self.object = object }
  init(from decoder: Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    object = try JSONSerialization.jsonObject(with: Data(text.utf8))
  }
  func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
  }
}
