//===----------------------------------------------------------------------===//
// Configurations as data: JSON values, patches of named fields, and the one rule
// by which a stored configuration's missing fields are filled.
//===----------------------------------------------------------------------===//

import Foundation

/// A JSON value: the language of configuration files (`rlsyn fit --config`), presets and model files.
///
/// Integers and other numbers are kept apart, so that an `Int` field such as `Int.max` survives a round trip.
public enum JSONValue: Codable, Sendable, Equatable, CustomStringConvertible {
  case null
  case bool(Bool)
  case int(Int)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() { self = .null }
    else if let v = try? c.decode(Bool.self) { self = .bool(v) }
    else if let v = try? c.decode(Int.self) { self = .int(v) }
    else if let v = try? c.decode(Double.self) { self = .number(v) }
    else if let v = try? c.decode(String.self) { self = .string(v) }
    else if let v = try? c.decode([JSONValue].self) { self = .array(v) }
    else { self = .object(try c.decode([String: JSONValue].self)) }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .null: try c.encodeNil()
    case .bool(let v): try c.encode(v)
    case .int(let v): try c.encode(v)
    case .number(let v): try c.encode(v)
    case .string(let v): try c.encode(v)
    case .array(let v): try c.encode(v)
    case .object(let v): try c.encode(v)
    }
  }

  /// The value as compact JSON with sorted keys.
  public var description: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "?"
  }

  /// The fields of an object (nil for other values).
  public var objectValue: [String: JSONValue]? {
    if case .object(let fields) = self { return fields }
    return nil
  }
}

extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
  ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(integerLiteral value: Int) { self = .int(value) }
  public init(floatLiteral value: Double) { self = .number(value) }
  public init(stringLiteral value: String) { self = .string(value) }
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
  }
}

/// Named fields of a configuration and their new values, in the field names of model files.
public typealias ConfigurationPatch = [String: JSONValue]

/// Why a configuration patch or a stored configuration could not be applied.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Encodes and decodes values through ``JSONValue`` (no text in between).
enum JSONValueCoding {
  static func value<T: Encodable>(of value: T) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
  }

  static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
    try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
  }
}

/// A value whose stored fields can be replaced by name (configurations, encoding options).
public protocol FieldPatchable: Codable {}

extension FieldPatchable {
  /// The value as an object of its stored fields.
  public func storedFields() throws -> [String: JSONValue] {
    guard let fields = try JSONValueCoding.value(of: self).objectValue else {
      throw ConfigurationError("a configuration must encode as a JSON object")
    }
    return fields
  }

  /// This value with the fields of `patch` replaced.
  ///
  /// - Parameter source: where the patch came from, for error messages (`--config FILE`, a preset, …).
  /// - Throws: ``ConfigurationError`` naming a field this configuration does not have (nothing is dropped
  ///   silently), or a value of the wrong type.
  public func applying(_ patch: ConfigurationPatch, source: String) throws -> Self {
    if patch.isEmpty { return self }
    var fields = try storedFields()
    for (name, value) in patch.sorted(by: { $0.key < $1.key }) {
      guard fields[name] != nil else {
        throw ConfigurationError("\(source): unknown field '\(name)' (fields: \(fields.keys.sorted().joined(separator: ", ")))")
      }
      fields[name] = value
    }
    return try Self.decodeFields(fields, source: source)
  }

  /// Decodes a complete set of fields, turning a decoding failure into a one-line ``ConfigurationError``.
  static func decodeFields(_ fields: [String: JSONValue], source: String) throws -> Self {
    do { return try JSONValueCoding.decode(Self.self, from: .object(fields)) } catch let DecodingError.typeMismatch(type, context),
                                                                                   let DecodingError.valueNotFound(type, context) {
      throw ConfigurationError("\(source): field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' must be \(Self.describe(type))")
    } catch let DecodingError.dataCorrupted(context) {
      throw ConfigurationError("\(source): field '\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)")
    } catch let DecodingError.keyNotFound(key, _) {
      throw ConfigurationError("\(source): field '\(key.stringValue)' is missing")
    }
  }

  private static func describe(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type: return "an integer"
    case is Float.Type, is Double.Type: return "a number"
    case is Bool.Type: return "true or false"
    case is String.Type: return "a string"
    default: return "a \(type)"
    }
  }

}

extension SynthesizerConfiguration {
  /// Reads a configuration stored in a model file, by the one rule for missing fields: a field the file lacks
  /// (written before the field existed) takes the value it had then (``fieldsAddedLater``), and any other
  /// missing field takes its value in ``storedBase(_:)`` (the preset the file names, or the defaults).
  public static func decodeStored(_ data: Data, source: String) throws -> Self {
    guard let stored = try JSONDecoder().decode(JSONValue.self, from: data).objectValue else {
      throw ConfigurationError("\(source): the configuration is not a JSON object")
    }
    var fields = try storedBase(stored)?.storedFields() ?? [:]
    for (name, value) in fieldsAddedLater { fields[name] = value }
    for (name, value) in stored { fields[name] = value }
    return try decodeFields(fields, source: source)
  }
}
