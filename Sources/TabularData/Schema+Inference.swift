import Foundation

/// What one pass over a column's cells learns.
struct ColumnStatistics {
  var nonMissing = 0
  var missing = 0
  /// Every non-missing cell parses as a number.
  var allNumeric = true
  /// The first cell that is not a number (0-based row), for error messages.
  var firstTextRow: Int?
  var numericCount = 0
  /// Every numeric cell is written without a decimal point or exponent.
  var allWhole = true
  var maxDecimals = 0
  var minDecimals = Int.max
  var minimum = Double.infinity
  var maximum = -Double.infinity
  /// Distinct spellings.
  var spellings = ByteSliceIndex()

  init(_ column: CellColumn) {
    column.bytes.withUnsafeBufferPointer { all in
      let base = all.baseAddress
      for r in 0..<column.count {
        if column.missing[r] { missing += 1; continue }
        nonMissing += 1
        let s = column.start(r), e = column.end(r)
        let cell = UnsafeBufferPointer(start: base.map { $0 + s }, count: e - s)
        spellings.insert(cell)
        guard allNumeric else { continue }
        if let number = base.flatMap({ parseNumber($0 + s, e - s) }), number.value.isFinite {
          numericCount += 1
          // "18.0" counts as whole: pandas writes integer columns that have missing cells as floats.
          if !number.isWhole && number.value != number.value.rounded() { allWhole = false }
          maxDecimals = Swift.max(maxDecimals, number.decimals)
          minDecimals = Swift.min(minDecimals, number.decimals)
          minimum = Swift.min(minimum, number.value)
          maximum = Swift.max(maximum, number.value)
        } else {
          allNumeric = false
          firstTextRow = r
        }
      }
    }
    if minDecimals == .max { minDecimals = 0 }
  }

  /// Distinct numeric values, ascending (only meaningful when ``allNumeric``). Parsed from the
  /// distinct spellings, not from every cell: a code column of 50,000 cells has a dozen spellings.
  func distinctValues() -> [Double] {
    var sorted: [Double] = []
    sorted.reserveCapacity(spellings.count)
    for k in 0..<spellings.count {
      spellings.keyBytes(k).withUnsafeBufferPointer { p in
        if let base = p.baseAddress, let number = parseNumber(base, p.count) { sorted.append(number.value) }
      }
    }
    sorted.sort()
    var k = 0
    for v in sorted where k == 0 || v != sorted[k - 1] { sorted[k] = v; k += 1 }
    sorted.removeLast(sorted.count - k)
    return sorted
  }
}

extension Schema {
  /// Infers the schema of `table`, applying the per-column overrides of `overrides` first.
  ///
  /// Rules for columns without an override, in order (thresholds in ``InferenceOptions``, documented
  /// in `docs/tabular.md`):
  /// 1. no value at all → error; one distinct value → `constant`; two → `binary`;
  /// 2. every cell a number:
  ///    - any cell written with a decimal point or exponent → `continuous` (`97.0` is a measurement);
  ///    - whole numbers, a different one in every row, no missing cell, ≥ `identifierMinimumRows`
  ///      rows → `identifier`;
  ///    - ≤ `maxCodeLevels` distinct values → `categorical` (codes);
  ///    - ≤ `maxCodeBookLevels` distinct values forming a contiguous run that starts at 2 or more →
  ///      `categorical` (a code book such as 11…22);
  ///    - otherwise `integer`;
  /// 3. text: unique per row as above → `identifier`; more than `maxCategories` distinct values →
  ///    error; otherwise `categorical`.
  ///
  /// - Throws: ``TabularError`` naming the file, column (and row where one cell is at fault): too few
  ///   rows, an entirely missing column, too many categories, metadata naming unknown columns,
  ///   declaring a column numerical that holds text, or contradicting the data.
  public static func infer(from table: DataTable, overrides: Metadata? = nil, options: InferenceOptions = .init()) throws -> Schema {
    let file = table.source
    if table.rowCount < options.minimumRows {
      throw TabularError(.tooFewRows, file: file,
                         "the file has \(table.rowCount) data row\(table.rowCount == 1 ? "" : "s"); at least \(options.minimumRows) are needed to learn anything from it")
    }
    if let overrides {
      let unknown = overrides.columns.keys.filter { table.columnIndex($0) == nil }.sorted()
      if !unknown.isEmpty {
        throw TabularError(.unknownMetadataColumn, file: overrides.source ?? file,
                           "the metadata names \(unknown.count == 1 ? "a column" : "columns") not in the data: \(unknown.map { "'\($0)'" }.joined(separator: ", "))")
      }
      if let key = overrides.primaryKey, table.columnIndex(key) == nil {
        throw TabularError(.unknownMetadataColumn, file: overrides.source ?? file, "the metadata's primary_key '\(key)' is not a column of the data")
      }
    }
    // Columns are independent: infer them on all cores, then report the first failing column.
    let count = table.columnCount
    let results = UnsafeMutablePointer<Result<ColumnSchema, Error>?>.allocate(capacity: count)
    results.initialize(repeating: nil, count: count)
    defer { results.deinitialize(count: count); results.deallocate() }
    let shared = SharedMutable(base: results)
    let entries: [Metadata.Column?] = table.columnNames.map { name in
      overrides?.columns[name] ?? (overrides?.primaryKey == name ? Metadata.Column(sdtype: "id") : nil)
    }
    let reasons = UnsafeMutablePointer<String>.allocate(capacity: count)
    reasons.initialize(repeating: "", count: count)
    defer { reasons.deinitialize(count: count); reasons.deallocate() }
    let sharedReasons = SharedMutable(base: reasons)
    DispatchQueue.concurrentPerform(iterations: count) { index in
      shared.base[index] = Result {
        let (column, reason) = try inferColumn(table, index, override: entries[index], options: options)
        sharedReasons.base[index] = reason
        return column
      }
    }
    var columns: [ColumnSchema] = []
    var warnings: [String] = []
    var decisions: [String] = []
    for (index, name) in table.columnNames.enumerated() {
      let entry = entries[index]
      let column = try results[index]!.get()
      if column.kind == .identifier {
        warnings.append("column '\(name)' is an identifier (\(entry == nil ? reasons[index].components(separatedBy: ";")[0] : "declared in the metadata")); it is left out of the model and written as made-up values in its format, never a training value")
      }
      columns.append(column)
      decisions.append("\(name): \(column.kind.rawValue)\(column.personal.map { " (\($0.rawValue))" } ?? "") — \(reasons[index])")
    }
    var schema = Schema(columns: columns, warnings: warnings)
    schema.decisions = decisions
    if let declared = overrides?.constraints, !declared.isEmpty {
      try schema.checkConstraints(declared, file: overrides?.source ?? file)
      schema.constraints = declared
    } else {
      schema.constraints = proposedInequalities(table, columns)
      for constraint in schema.constraints { schema.decisions.append("constraint: \(constraint.summary) (holds in every row)") }
      let declared = Set(entries.indices.filter { entries[$0] != nil }.map { table.columnNames[$0] })
      for group in proposedFixedCombinations(table, schema.columns, declared: declared, outcome: overrides?.outcome) {
        // A joint level per row: the group's numeric columns become categorical, written back as read.
        let names = group.map { table.columnNames[$0] }
        for i in group where schema.columns[i].isNumeric {
          (schema.columns[i], _) = try inferColumn(table, i, override: Metadata.Column(sdtype: "categorical"), options: options)
          schema.decisions[i] = "\(table.columnNames[i]): categorical — numbers, kept as read: "
            + (i == group[0] ? "they determine other columns" : "'\(names[0])' determines them") + " (fixed combination below)"
        }
        let constraint = Constraint.fixedCombinations(names)
        schema.constraints.append(constraint)
        schema.decisions.append("constraint: \(constraint.summary) (each of the \(schema.columns[group[0]].distinctCount) values of '\(names[0])', every one in at least \(fixedCombinationMinimumSupport) rows, determines the others in every row; declare the columns in the metadata to keep them apart)")
      }
      let grouped = Set(schema.constraints.flatMap { c -> [Int] in
        guard case .fixedCombinations(let names) = c else { return [] }
        return names.compactMap { table.columnIndex($0) }
      })
      for pair in proposedMonotoneFunctions(table, schema.columns, declared: declared, outcome: overrides?.outcome, excluded: grouped) {
        let constraint = Constraint.monotoneFunction(column: table.columnNames[pair.column], source: table.columnNames[pair.source])
        schema.constraints.append(constraint)
        schema.decisions.append("constraint: \(constraint.summary) (the two order every row alike; '\(table.columnNames[pair.column])' is written from '\(table.columnNames[pair.source])' through the training pairs, not modelled; declare it in the metadata to model it)")
      }
    }
    if let outcome = overrides?.outcome {
      try schema.validateOutcome(outcome, in: table)
    }
    return schema
  }

  /// `low ≤ high` between date columns that holds in every row where both are present (and is strict in at least
  /// one), one per high column (the tightest low), so that every proposal can be kept by the gap transform.
  static func proposedInequalities(_ table: DataTable, _ columns: [ColumnSchema]) -> [Constraint] {
    let dates = columns.indices.filter { columns[$0].kind == .datetime && columns[$0].datetimeFormat != nil }
    guard dates.count >= 2 else { return [] }
    let seconds: [[Int?]] = dates.map { c in
      let format = columns[c].datetimeFormat!, cells = table.storage[table.columnIndex(columns[c].name)!]
      return cells.bytes.withUnsafeBufferPointer { p in
        (0..<cells.count).map { r in
          cells.missing[r] ? nil : format.parse(UnsafeBufferPointer(rebasing: p[cells.start(r)..<cells.end(r)])).map { $0 * format.secondsPerUnit }
        }
      }
    }
    var proposals: [Constraint] = []
    for (h, high) in dates.enumerated() {
      // Prefer a low present wherever the high is (then the gap transform keeps the relation in every row), then the
      // tightest: admission ≤ discharge rather than death ≤ discharge when most rows have no death time.
      let highPresent = seconds[h].reduce(0) { $0 + ($1 == nil ? 0 : 1) }
      var best: (low: Int, covers: Bool, meanGap: Double)?
      for (l, low) in dates.enumerated() where l != h {
        var holds = true, strictSomewhere = false, both = 0, gap = 0.0
        for r in 0..<table.rowCount {
          guard let a = seconds[l][r], let b = seconds[h][r] else { continue }
          if a > b { holds = false; break }
          if a < b { strictSomewhere = true }
          both += 1; gap += Double(b - a)
        }
        guard holds, strictSomewhere, both > 0 else { continue }
        let meanGap = gap / Double(both), covers = both == highPresent
        if best == nil || (covers && !best!.covers) || (covers == best!.covers && meanGap < best!.meanGap) { best = (low, covers, meanGap) }
      }
      if let best { proposals.append(.inequality(low: columns[best.low].name, high: columns[high].name, strict: false)) }
    }
    // A cycle (two columns equal in every row both ways) cannot occur: each proposal is strict somewhere.
    return proposals
  }

  /// The kind of one column and the one-line reason for it.
  static func inferColumn(_ table: DataTable, _ index: Int, override: Metadata.Column?, options: InferenceOptions) throws -> (ColumnSchema, String) {
    let name = table.columnNames[index]
    let file = table.source
    let cells = table.storage[index]
    let stats = ColumnStatistics(cells)
    if stats.nonMissing == 0 && override == nil {
      var column = ColumnSchema(name: name, kind: .constant, hasMissing: true, missingCount: stats.missing, distinctCount: 0)
      column.categoriesAreNumeric = true
      return (column, "every cell is missing; written empty")
    }
    let numericDistinct = stats.allNumeric ? stats.distinctValues() : []
    let distinct = stats.allNumeric ? numericDistinct.count : stats.spellings.count
    let unique = distinct == table.rowCount && stats.missing == 0 && table.rowCount >= options.identifierMinimumRows
    let limit = override?.maxCategories ?? options.maxCategories

    // The kind: from the override, else from the rules.
    var kind: ColumnKind
    if let override {
      if let declared = override.kind {
        kind = declared
      } else {
        switch override.sdtype {
        case "numerical":
          let representation = override.computerRepresentation?.lowercased() ?? ""
          if representation.hasPrefix("int") || representation.hasPrefix("uint") { kind = .integer }
          else if representation.hasPrefix("float") { kind = .continuous }
          else { kind = stats.allNumeric && stats.allWhole ? .integer : .continuous }
        case "boolean": kind = .binary
        case "id": kind = .identifier
        case "datetime": kind = .datetime
        case "categorical": kind = .categorical
        default: kind = .personal
        }
        if override.pii == true && kind != .identifier { kind = .personal }
      }
      if (kind == .continuous || kind == .integer || (override.sdtype == "numerical" && kind != .identifier)), !stats.allNumeric, let row = stats.firstTextRow {
        throw table.error(.notANumber, row: row, column: index,
                          "\(quoted(cells.string(row) ?? "")) is not a number, but the metadata declares the column numerical")
      }
      if kind == .binary && distinct > 2 {
        throw TabularError(.metadataConflict, file: file, column: name,
                           "the metadata declares the column binary, but it has \(distinct) distinct values")
      }
      if kind == .constant && distinct > 1 {
        throw TabularError(.metadataConflict, file: file, column: name,
                           "the metadata declares the column constant, but it has \(distinct) distinct values")
      }
    } else if !stats.allNumeric, distinct >= 2, let format = inferDatetimeFormat(cells) {
      var column = ColumnSchema(name: name, kind: .datetime, hasMissing: stats.missing > 0, missingCount: stats.missing, distinctCount: distinct)
      column.datetimeFormat = format
      return (column, "every value is a date in \(format.pattern); modelled as \(format.resolution.rawValue)s, written in that format")
    } else if let personal = PersonalInformation.fromColumnName(name) {
      var column = ColumnSchema(name: name, kind: .personal, hasMissing: stats.missing > 0, missingCount: stats.missing, distinctCount: distinct)
      column.personal = personal
      return (column, "the column's name says \(personal.rawValue); \(personal.isGenerated ? "written as made-up values of the same shape" : "written empty")")
    } else if !stats.allNumeric, distinct >= 2,
              let personal = PersonalInformation.fromContent(sampleSpellings(stats), manyDistinct: distinct > options.maxPlainCategories) {
      var column = ColumnSchema(name: name, kind: .personal, hasMissing: stats.missing > 0, missingCount: stats.missing, distinctCount: distinct)
      column.personal = personal
      return (column, "the values look like \(personal.rawValue); \(personal.isGenerated ? "written as made-up values of the same shape" : "written empty")")
    } else if distinct == 1 {
      kind = .constant
    } else if distinct == 2 {
      kind = .binary
    } else if stats.allNumeric {
      if !stats.allWhole { kind = .continuous }
      else if unique { kind = .identifier }
      else if distinct > options.maxPlainCategories, Double(distinct) > 0.5 * Double(stats.nonMissing),
              PersonalInformation.isIdentifierName(name) { kind = .identifier }
      else if distinct <= options.maxCodeLevels { kind = .categorical }
      else if distinct <= options.maxCodeBookLevels, stats.minimum >= 2,
              stats.maximum - stats.minimum + 1 == Double(distinct) { kind = .categorical }
      else { kind = .integer }
    } else if unique {
      kind = .identifier
    } else if distinct > options.maxPlainCategories && Double(distinct) > 0.5 * Double(stats.nonMissing) {
      kind = .identifier
    } else {
      kind = .categorical
    }

    var column = ColumnSchema(name: name, kind: kind, hasMissing: stats.missing > 0, missingCount: stats.missing, distinctCount: distinct)
    if stats.allNumeric && stats.minimum.isFinite && stats.maximum.isFinite {   // an all-missing column has neither
      column.minimum = stats.minimum
      column.maximum = stats.maximum
    }
    var reason: String
    switch kind {
    case .continuous:
      column.decimals = override?.decimals ?? Swift.min(stats.maxDecimals, Metadata.maximumDecimals)
      column.minimumDecimals = Swift.min(stats.minDecimals, column.decimals)
      reason = override != nil ? "declared in the metadata" : "numbers written with a decimal point or exponent"
    case .integer:
      // Whole numbers spelled "18.0" keep their fraction digits on output.
      if stats.allNumeric && stats.minDecimals > 0 {
        column.decimals = Swift.min(stats.maxDecimals, Metadata.maximumDecimals)
        column.minimumDecimals = Swift.min(stats.minDecimals, column.decimals)
      }
      reason = override != nil ? "declared in the metadata" : "whole numbers, \(distinct) distinct values"
    case .identifier:
      reason = override != nil ? "declared in the metadata"
        : unique ? "a different value in every row; written as made-up values in the same format, never a real one"
        : "\(distinct) distinct values in \(stats.nonMissing) cells, too many for categories; written as made-up values in the same format"
      if let row = stats.firstTextRow, stats.numericCount * 2 > stats.nonMissing, override == nil {
        reason += "; note: most cells are numbers, but row \(row + 1)\(table.line(ofRow: row).map { " (line \($0))" } ?? "") holds \(quoted(cells.string(row) ?? ""))"
      }
    case .datetime:
      let declared = override?.datetimeFormat.flatMap(DateTimeFormat.init)
      guard let format = declared ?? inferDatetimeFormat(cells) else {
        let probe = declared ?? DateTimeFormat.inferable[0]
        let row = firstUnparsable(cells, probe) ?? 0
        throw table.error(.notANumber, row: row, column: index,
                          "\(quoted(cells.string(row) ?? "")) is not a date in \(declared.map { "the metadata's format \($0.pattern)" } ?? "a supported format (ISO 8601, MM/DD/YYYY, DD.MM.YYYY, with or without a time)")")
      }
      if declared != nil, let row = firstUnparsable(cells, format) {
        throw table.error(.notANumber, row: row, column: index, "\(quoted(cells.string(row) ?? "")) is not a date in the metadata's format \(format.pattern)")
      }
      column.datetimeFormat = format
      reason = "declared in the metadata; modelled as \(format.resolution.rawValue)s, written as \(format.pattern)"
    case .personal:
      column.personal = override.flatMap { PersonalInformation(sdtype: $0.sdtype) } ?? PersonalInformation.fromColumnName(name)
        ?? PersonalInformation.fromContent(sampleSpellings(stats), manyDistinct: true) ?? .text
      reason = "declared personal information in the metadata; \(column.personal!.isGenerated ? "written as made-up values of the same shape" : "written empty")"
    case .binary, .categorical, .constant:
      column.categoriesAreNumeric = stats.allNumeric
      column.categories = stats.allNumeric ? numericSpellings(cells, levels: numericDistinct) : textLevels(stats.spellings)
      if let declared = override?.categories {
        column.categories = try checkedDeclaredCategories(declared, observed: column, table: table, index: index)
      }
      switch kind {
      case .binary: reason = override != nil ? "declared in the metadata" : "two distinct values"
      case .constant: reason = override != nil ? "declared in the metadata" : "one distinct value"
      default:
        reason = override != nil ? "declared in the metadata"
          : stats.allNumeric ? "whole-number codes, \(distinct) levels" : "text, \(distinct) levels"
        if distinct > limit { reason += "; only the \(limit) most frequent are kept" }
      }
    }
    return (column, reason)
  }

  /// The first inferable format every non-missing cell of the column parses with (unpadded when some cell
  /// writes a month, day or hour with one digit), or nil.
  static func inferDatetimeFormat(_ cells: CellColumn) -> DateTimeFormat? {
    guard let first = (0..<cells.count).first(where: { !cells.missing[$0] }) else { return nil }
    return cells.bytes.withUnsafeBufferPointer { p -> DateTimeFormat? in
      func cell(_ r: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: p[cells.start(r)..<cells.end(r)]) }
      for format in DateTimeFormat.inferable where format.parse(cell(first)) != nil {
        var short = false, all = true
        for r in 0..<cells.count where !cells.missing[r] {
          if format.parse(cell(r), sawShortField: &short) == nil { all = false; break }
        }
        if all { return short ? format.unpadded : format }
      }
      return nil
    }
  }

  /// The first non-missing row whose cell does not parse in `format`.
  static func firstUnparsable(_ cells: CellColumn, _ format: DateTimeFormat) -> Int? {
    cells.bytes.withUnsafeBufferPointer { p in
      (0..<cells.count).first { r in
        !cells.missing[r] && format.parse(UnsafeBufferPointer(rebasing: p[cells.start(r)..<cells.end(r)])) == nil
      }
    }
  }

  /// Up to 1,000 distinct spellings of a column, for content checks.
  static func sampleSpellings(_ stats: ColumnStatistics) -> [String] {
    let n = stats.spellings.count
    let step = Swift.max(1, n / 1_000)
    return stride(from: 0, to: n, by: step).map { stats.spellings.key($0) }
  }

  /// For each distinct numeric value, its first spelling in the file.
  static func numericSpellings(_ cells: CellColumn, levels: [Double]) -> [String] {
    var spelling = [String?](repeating: nil, count: levels.count)
    var found = 0
    for r in 0..<cells.count where !cells.missing[r] && found < levels.count {
      let value: Double? = cells.bytes.withUnsafeBufferPointer { p in
        parseNumber(p.baseAddress! + cells.start(r), cells.end(r) - cells.start(r))?.value
      }
      guard let value, let k = levels.binarySearch(value), spelling[k] == nil else { continue }
      spelling[k] = cells.string(r)
      found += 1
    }
    return spelling.map { $0 ?? "" }
  }

  /// Distinct spellings in byte order (stable across runs and locales).
  static func textLevels(_ spellings: ByteSliceIndex) -> [String] {
    (0..<spellings.count).sorted { spellings.keyBytes($0).lexicographicallyPrecedes(spellings.keyBytes($1)) }
      .map { spellings.key($0) }
  }

  /// A level list declared in the metadata: no repeats, and it must cover every value in the data.
  static func checkedDeclaredCategories(_ declared: [String], observed: ColumnSchema, table: DataTable, index: Int) throws -> [String] {
    let name = observed.name
    if Set(declared).count != declared.count {
      throw TabularError(.metadataConflict, file: table.source, column: name, "the metadata lists a category twice")
    }
    if observed.kind == .binary && declared.count > 2 {
      throw TabularError(.metadataConflict, file: table.source, column: name,
                         "a binary column has at most 2 categories, the metadata lists \(declared.count)")
    }
    var declaredColumn = observed
    declaredColumn.categories = declared
    declaredColumn.categoriesAreNumeric = observed.categoriesAreNumeric &&
      declared.allSatisfy { var s = $0; return s.withUTF8 { parseNumber($0.baseAddress!, $0.count) } != nil && !s.isEmpty }
    let lookup = CategoryLookup(declaredColumn)
    let cells = table.storage[index]
    try cells.bytes.withUnsafeBufferPointer { p in
      for r in 0..<cells.count where !cells.missing[r] {
        let cell = UnsafeBufferPointer(start: p.baseAddress.map { $0 + cells.start(r) }, count: cells.end(r) - cells.start(r))
        if lookup.code(cell) == nil {
          throw table.error(.unseenCategory, row: r, column: index,
                            "\(quoted(cells.string(r) ?? "")) is not one of the categories listed in the metadata")
        }
      }
    }
    return declared
  }
}

extension Array where Element == Double {
  /// Index of `value` in this ascending array, or `nil`.
  func binarySearch(_ value: Double) -> Int? {
    var lo = 0, hi = count
    while lo < hi {
      let mid = (lo + hi) / 2
      if self[mid] < value { lo = mid + 1 } else { hi = mid }
    }
    return lo < count && self[lo] == value ? lo : nil
  }
}

/// Maps a cell's bytes to its level index: by spelling for text levels, by value for numeric ones.
struct CategoryLookup {
  let numeric: Bool
  let values: [Double]          // ascending, for numeric levels
  let order: [Int]              // level index of values[k]
  var spellings = ByteSliceIndex()

  init(_ column: ColumnSchema) {
    numeric = column.categoriesAreNumeric
    var pairs: [(Double, Int)] = []
    for (k, level) in column.categories.enumerated() {
      spellings.insert(level)
      if numeric {
        var s = level
        if let v = s.withUTF8({ $0.isEmpty ? nil : parseNumber($0.baseAddress!, $0.count)?.value }) { pairs.append((v, k)) }
      }
    }
    pairs.sort { $0.0 < $1.0 }
    values = pairs.map(\.0)
    order = pairs.map(\.1)
  }

  /// The level index of `cell`, or `nil` for an unseen value.
  @inline(__always)
  func code(_ cell: UnsafeBufferPointer<UInt8>) -> Int? {
    if let k = spellings.find(cell) { return k }
    guard numeric, let base = cell.baseAddress, let v = parseNumber(base, cell.count)?.value,
          let k = values.binarySearch(v) else { return nil }
    return order[k]
  }
}
