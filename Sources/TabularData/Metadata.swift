import Foundation
import NumericCore

/// The metadata file: the single-table JSON shape SDV users know, plus optional fields of ours.
///
/// ```json
/// {
///   "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
///   "columns": {
///     "age": {"sdtype": "numerical", "computer_representation": "Int64", "kind": "integer", "min": 25, "max": 74},
///     "sex": {"sdtype": "categorical", "kind": "binary", "categories": ["0", "1"]},
///     "seqn": {"sdtype": "id"}
///   }
/// }
/// ```
///
/// Recognised sdtypes: `numerical`, `categorical`, `boolean`, `id`. Our optional per-column fields:
/// `kind` (a ``ColumnKind``, the most precise override), `categories` (fixes the level list and its
/// order), `decimals` (output precision), `max_categories` (raises the level limit for this column);
/// `missing`, `min` and `max` are written for information and ignored when read (they are
/// recomputed from the data). An optional top-level `outcome` names the binary outcome column.
public struct Metadata: Codable, Sendable, Equatable {
  /// The most fraction digits a column may declare: inference writes at most this many (floats exported at full
  /// precision, such as 0.33399999141693115, have 17), and output past 15 uses the shortest round-trip form.
  public static let maximumDecimals = 40

  /// The sdtypes this program understands: SDV's basic ones, `datetime`, and the personal-information ones
  /// (``PersonalInformation``).
  public static let supportedSdtypes = ["numerical", "categorical", "boolean", "id", "datetime",
                                        "name", "first_name", "last_name", "email", "phone_number", "address", "street_address", "ssn", "text"]

  /// One column's entry.
  public struct Column: Codable, Sendable, Equatable {
    /// SDV semantic type: `numerical`, `categorical`, `boolean` or `id`.
    public var sdtype: String
    /// SDV storage type of a numerical column (`Int64`, `Float`, …): integer or continuous.
    public var computerRepresentation: String?
    /// Ours: the exact kind, overriding what `sdtype` implies.
    public var kind: ColumnKind?
    /// Ours, informational: whether the column had missing cells.
    public var missing: Bool?
    /// Ours, informational: the observed minimum (`min`).
    public var minimum: Double?
    /// Ours, informational: the observed maximum (`max`).
    public var maximum: Double?
    /// Ours: the level list and its order (binary, categorical, constant columns).
    public var categories: [String]?
    /// Ours: fraction digits of decoded values of a continuous column.
    public var decimals: Int?
    /// Ours: this column's own limit on the number of levels.
    public var maxCategories: Int?
    /// SDV: the strftime format of a datetime column.
    public var datetimeFormat: String?
    /// SDV: the column holds personal information (never modelled, never copied).
    public var pii: Bool?

    /// An entry; only `sdtype` is required.
    public init(sdtype: String, computerRepresentation: String? = nil, kind: ColumnKind? = nil, missing: Bool? = nil,
                minimum: Double? = nil, maximum: Double? = nil, categories: [String]? = nil, decimals: Int? = nil,
                maxCategories: Int? = nil) {
      self.sdtype = sdtype; self.computerRepresentation = computerRepresentation; self.kind = kind; self.missing = missing
      self.minimum = minimum; self.maximum = maximum; self.categories = categories; self.decimals = decimals
      self.maxCategories = maxCategories
    }

    enum CodingKeys: String, CodingKey {
      case sdtype, kind, missing, categories, decimals
      case computerRepresentation = "computer_representation"
      case minimum = "min", maximum = "max"
      case maxCategories = "max_categories"
      case datetimeFormat = "datetime_format"
      case pii
    }
  }

  /// Entries by column name.
  public var columns: [String: Column]
  /// The order in which columns are written (file order when built from a schema).
  public var columnOrder: [String]
  /// The binary outcome column, if declared.
  public var outcome: String?
  /// SDV's primary key; treated as an identifier column.
  public var primaryKey: String?
  /// SDV-style constraints (`Inequality`, `ScalarRange`, `FixedCombinations`, `MonotoneFunction`).
  public var constraints: [Constraint] = []
  /// The file it was read from (for error messages); not part of the JSON.
  public var source: String?

  /// Metadata with the given entries; `columnOrder` defaults to alphabetical.
  public init(columns: [String: Column], columnOrder: [String]? = nil, outcome: String? = nil, primaryKey: String? = nil) {
    self.columns = columns
    self.columnOrder = columnOrder ?? columns.keys.sorted()
    self.outcome = outcome; self.primaryKey = primaryKey
  }

  /// `metadata` with `outcome` as its outcome (an empty metadata when there is none), for inference that must leave
  /// the outcome out of proposed constraints; `metadata` itself when `outcome` is nil.
  public static func naming(outcome: String?, in metadata: Metadata?) -> Metadata? {
    guard let outcome else { return metadata }
    var named = metadata ?? Metadata(columns: [:])
    named.outcome = outcome
    return named
  }

  enum CodingKeys: String, CodingKey {
    case specVersion = "METADATA_SPEC_VERSION", columns, outcome, columnOrder = "column_order"
    case primaryKey = "primary_key"
    case constraints
  }

  /// Decodes the JSON shape described above (for model files).
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    columns = try c.decode([String: Column].self, forKey: .columns)
    columnOrder = try c.decodeIfPresent([String].self, forKey: .columnOrder) ?? columns.keys.sorted()
    outcome = try c.decodeIfPresent(String.self, forKey: .outcome)
    primaryKey = try c.decodeIfPresent(String.self, forKey: .primaryKey)
    constraints = try c.decodeIfPresent([Constraint].self, forKey: .constraints) ?? []
  }

  /// Encodes the JSON shape described above, plus `column_order`.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode("SINGLE_TABLE_V1", forKey: .specVersion)
    try c.encode(columns, forKey: .columns)
    try c.encode(columnOrder, forKey: .columnOrder)
    try c.encodeIfPresent(outcome, forKey: .outcome)
    try c.encodeIfPresent(primaryKey, forKey: .primaryKey)
    if !constraints.isEmpty { try c.encode(constraints, forKey: .constraints) }
  }
}

// MARK: - Schema ↔ metadata

extension Metadata {
  /// The metadata describing `schema` (what `rlsyn schema` writes).
  public init(schema: Schema) {
    var entries: [String: Column] = [:]
    for column in schema.columns {
      var entry: Column
      switch column.kind {
      case .continuous: entry = Column(sdtype: "numerical", computerRepresentation: "Float")
      case .integer: entry = Column(sdtype: "numerical", computerRepresentation: "Int64")
      case .binary, .categorical: entry = Column(sdtype: "categorical")
      case .identifier: entry = Column(sdtype: "id")
      case .constant:
        entry = column.categoriesAreNumeric ? Column(sdtype: "numerical") : Column(sdtype: "categorical")
      case .datetime:
        entry = Column(sdtype: "datetime")
        entry.datetimeFormat = column.datetimeFormat?.pattern
      case .personal:
        entry = Column(sdtype: (column.personal ?? .text).sdtype)
        entry.pii = true
      }
      entry.kind = column.kind
      entry.missing = column.hasMissing
      if ![.identifier, .datetime, .personal].contains(column.kind) {
        entry.minimum = column.minimum
        entry.maximum = column.maximum
      }
      if [.binary, .categorical, .constant].contains(column.kind) { entry.categories = column.categories }
      if column.kind == .continuous { entry.decimals = column.decimals }
      entries[column.name] = entry
    }
    self.init(columns: entries, columnOrder: schema.columnNames, outcome: schema.outcome)
    constraints = schema.constraints
  }
}

// MARK: - Reading and writing

extension Metadata {
  /// Reads a metadata file.
  ///
  /// - Throws: ``TabularError`` naming the file: missing file, invalid JSON (with line and column),
  ///   wrong structure (naming the JSON path), unknown sdtypes or kinds (naming the column).
  public static func load(from url: URL, displayName: String? = nil) throws -> Metadata {
    let name = displayName ?? url.relativePath
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw TabularError(.fileNotFound, file: name, "no such metadata file")
    }
    let data: Data
    do { data = try FileContents.read(url) } catch {
      throw TabularError(.unreadableFile, file: name, "cannot be read (\(error.localizedDescription))")
    }
    return try parse(data, name: name)
  }

  /// Parses metadata JSON (`name` is used in error messages).
  public static func parse(_ data: Data, name: String? = nil) throws -> Metadata {
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data)
    } catch {
      throw jsonSyntaxError(error, data: data, name: name)
    }
    func invalid(_ what: String) -> TabularError { TabularError(.invalidMetadata, file: name, what) }
    guard let root = object as? [String: Any] else { throw invalid("the metadata must be a JSON object with a \"columns\" object") }
    guard let columnsObject = root["columns"] else { throw invalid("the metadata has no \"columns\" object") }
    guard let rawColumns = columnsObject as? [String: Any] else { throw invalid("\"columns\" must be a JSON object") }

    var columns: [String: Column] = [:]
    for (columnName, raw) in rawColumns {
      guard let entry = raw as? [String: Any] else { throw invalid("columns.\(columnName) must be a JSON object") }
      func field<T>(_ key: String, _ type: T.Type, _ expected: String) throws -> T? {
        guard let value = entry[key], !(value is NSNull) else { return nil }
        if let typed = value as? T { return typed }
        throw TabularError(.invalidMetadata, file: name, column: columnName, "\"\(key)\" must be \(expected)")
      }
      guard let sdtype = try field("sdtype", String.self, "a string") else {
        throw TabularError(.invalidMetadata, file: name, column: columnName, "the entry has no \"sdtype\"")
      }
      guard supportedSdtypes.contains(sdtype) else {
        let known = ["unknown", "country_code", "postcode", "ipv4_address", "ipv6_address", "latitude", "longitude"]
        let why = known.contains(sdtype) ? "unsupported sdtype" : "unknown sdtype"
        throw TabularError(.unknownSdtype, file: name, column: columnName,
                           "\(why) \"\(sdtype)\" (expected one of \(supportedSdtypes.map { "\"\($0)\"" }.joined(separator: ", ")))")
      }
      var column = Column(sdtype: sdtype)
      column.computerRepresentation = try field("computer_representation", String.self, "a string")
      if let kindName = try field("kind", String.self, "a string") {
        guard let kind = ColumnKind(rawValue: kindName) else {
          throw TabularError(.unknownSdtype, file: name, column: columnName,
                             "unknown kind \"\(kindName)\" (expected one of \(ColumnKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")))")
        }
        column.kind = kind
      }
      column.missing = try field("missing", Bool.self, "true or false")
      column.minimum = try field("min", NSNumber.self, "a number")?.doubleValue
      column.maximum = try field("max", NSNumber.self, "a number")?.doubleValue
      if let categories = try field("categories", [Any].self, "an array of strings") {
        column.categories = try categories.map { item in
          if let s = item as? String { return s }
          if let n = item as? NSNumber { return n.stringValue }   // [0, 1] is fine for numeric codes
          throw TabularError(.invalidMetadata, file: name, column: columnName, "\"categories\" must be an array of strings")
        }
      }
      column.decimals = try field("decimals", NSNumber.self, "a whole number").map { $0.intValue }
      column.maxCategories = try field("max_categories", NSNumber.self, "a whole number").map { $0.intValue }
      column.pii = try field("pii", Bool.self, "true or false")
      if let format = try field("datetime_format", String.self, "a string") {
        guard DateTimeFormat(format) != nil else {
          throw TabularError(.invalidMetadata, file: name, column: columnName,
                             "unsupported \"datetime_format\" \"\(format)\" (codes: %Y %m %d %H %M %S, and %-m %-d %-H unpadded)")
        }
        column.datetimeFormat = format
      }
      if let decimals = column.decimals, decimals < 0 || decimals > Self.maximumDecimals {
        throw TabularError(.invalidMetadata, file: name, column: columnName, "\"decimals\" must be between 0 and \(Self.maximumDecimals)")
      }
      try checkConsistent(column, columnName: columnName, file: name)
      columns[columnName] = column
    }
    guard root["outcome"] == nil || root["outcome"] is String else { throw invalid("\"outcome\" must be a column name") }
    guard root["primary_key"] == nil || root["primary_key"] is String else { throw invalid("\"primary_key\" must be a column name") }
    let outcome = root["outcome"] as? String
    let primaryKey = root["primary_key"] as? String
    var constraints: [Constraint] = []
    if let raw = root["constraints"] {
      guard let list = raw as? [Any] else { throw invalid("\"constraints\" must be an array") }
      constraints = try list.enumerated().map { try Constraint.parse($0.element, index: $0.offset, file: name) }
    }
    var order = (root["column_order"] as? [String]) ?? []
    order = order.filter { columns[$0] != nil }
    order += columns.keys.filter { !order.contains($0) }.sorted()
    var metadata = Metadata(columns: columns, columnOrder: order, outcome: outcome, primaryKey: primaryKey)
    metadata.constraints = constraints
    metadata.source = name
    return metadata
  }

  /// Rejects entries whose `kind` contradicts their `sdtype`.
  static func checkConsistent(_ column: Column, columnName: String, file: String?) throws {
    guard let kind = column.kind else { return }
    let allowed: [String]
    switch kind {
    case .continuous, .integer: allowed = ["numerical"]
    case .binary: allowed = ["categorical", "boolean"]
    case .categorical: allowed = ["categorical", "boolean"]
    case .identifier: allowed = ["id"]
    case .constant: allowed = Metadata.supportedSdtypes
    case .datetime: allowed = ["datetime"]
    case .personal: allowed = Metadata.supportedSdtypes.filter { $0 != "numerical" && $0 != "datetime" }
    }
    if !allowed.contains(column.sdtype) {
      throw TabularError(.metadataConflict, file: file, column: columnName,
                         "sdtype \"\(column.sdtype)\" contradicts kind \"\(kind.rawValue)\"")
    }
  }

  /// A one-line message for a JSON syntax error, with the line and column of the offending character.
  static func jsonSyntaxError(_ error: Error, data: Data, name: String?) -> TabularError {
    let debug = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
    var where_ = ""
    if let range = debug.range(of: #"character (\d+)"#, options: .regularExpression),
       let offset = Int(debug[range].dropFirst("character ".count)) {
      var line = 1, column = 1
      for (k, b) in data.enumerated() {
        if k >= offset { break }
        if b == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
      }
      where_ = " at line \(line), column \(column)"
    } else if debug.lowercased().contains("end of file") || data.isEmpty {
      where_ = " (it ends too early)"
    }
    let reason = debug.replacingOccurrences(of: #" around character \d+"#, with: "", options: .regularExpression)
      .trimmingCharacters(in: CharacterSet(charactersIn: ". "))
    let lowered = reason.prefix(1).lowercased() + reason.dropFirst()
    return TabularError(.invalidMetadata, file: name, "the metadata file is not valid JSON\(where_): \(lowered)")
  }

  /// The JSON text, pretty-printed with columns in ``columnOrder`` (file order), so diffs and hand
  /// edits stay readable.
  public func jsonData() -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    func str(_ s: String) -> String {
      String(decoding: (try? encoder.encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
    func num(_ x: Double) -> String {
      if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
      return "\(x)"
    }
    var lines: [String] = ["{", "  \"METADATA_SPEC_VERSION\": \"SINGLE_TABLE_V1\","]
    if let primaryKey { lines.append("  \"primary_key\": \(str(primaryKey)),") }
    if let outcome { lines.append("  \"outcome\": \(str(outcome)),") }
    lines.append("  \"columns\": {")
    let order = columnOrder.filter { columns[$0] != nil } + columns.keys.filter { !columnOrder.contains($0) }.sorted()
    for (k, name) in order.enumerated() {
      let c = columns[name]!
      var fields = ["\"sdtype\": \(str(c.sdtype))"]
      if let r = c.computerRepresentation { fields.append("\"computer_representation\": \(str(r))") }
      if let kind = c.kind { fields.append("\"kind\": \(str(kind.rawValue))") }
      if let missing = c.missing { fields.append("\"missing\": \(missing)") }
      if let minimum = c.minimum, minimum.isFinite { fields.append("\"min\": \(num(minimum))") }
      if let maximum = c.maximum, maximum.isFinite { fields.append("\"max\": \(num(maximum))") }
      if let decimals = c.decimals { fields.append("\"decimals\": \(decimals)") }
      if let maxCategories = c.maxCategories { fields.append("\"max_categories\": \(maxCategories)") }
      if let format = c.datetimeFormat { fields.append("\"datetime_format\": \(str(format))") }
      if let pii = c.pii { fields.append("\"pii\": \(pii)") }
      if let categories = c.categories { fields.append("\"categories\": [\(categories.map(str).joined(separator: ", "))]") }
      lines.append("    \(str(name)): {\(fields.joined(separator: ", "))}\(k + 1 < order.count ? "," : "")")
    }
    if constraints.isEmpty {
      lines.append("  }")
    } else {
      lines.append("  },")
      lines.append("  \"constraints\": [")
      for (k, constraint) in constraints.enumerated() {
        let text = (try? JSONSerialization.data(withJSONObject: constraint.jsonObject, options: [.sortedKeys, .withoutEscapingSlashes]))
          .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        lines.append("    \(text)\(k + 1 < constraints.count ? "," : "")")
      }
      lines.append("  ]")
    }
    lines.append("}")
    return Data((lines.joined(separator: "\n") + "\n").utf8)
  }

  /// Writes the JSON atomically.
  public func write(to url: URL) throws {
    try AtomicFile.write(jsonData(), to: url)
  }
}
