//===----------------------------------------------------------------------===//
// Between the user's table and the table a generator models: dates as numbers, identifying
// columns out, rare values never released, constraints kept by reversible transforms.
//===----------------------------------------------------------------------===//

import Foundation

/// A fitted, reversible step between a user's table and the table the encoder and generators see.
///
/// Forward (``modelTable(_:)``, fitted on the training rows):
/// - **Identifiers and personal information** leave the model table; only their shape is kept (``TextShape``).
/// - **Dates and timestamps** become whole numbers of days, minutes or seconds (``DateTimeFormat``).
/// - **Inequalities** `low ≤ high` (numbers or dates) are kept by modelling the non-negative gap `high − low`
///   in place of `high` (when `low` is present wherever `high` is); others are enforced by clamping.
/// - **Fixed combinations** become one categorical column of the combinations seen.
/// - **Monotone functions** (`lage = log age`) leave the model table; each is written from its source's value
///   through the training rows' pairs (``MonotoneFunction``).
/// - **Rare values are never released** (k = ``rareCount``): categorical levels seen fewer than k times are
///   pooled (text: into the level ``pooledLevel``; numeric codes: into the nearest common code). Numbers keep
///   their training values in the model table; their rule is stored in the column's schema and applied to
///   decoded values (``ColumnSchema/releaseRule``): whole-number and repeated values seen fewer than k times are
///   written as the nearest common value, or in the tails as their run's median (``releasedRareValues(tally:common:k:unit:)``);
///   other continuous columns are limited to their k-th smallest and largest training values and never write a
///   rare training value exactly (``ColumnSchema/avoidsTrainingValues``). Dates are clamped on the table.
///
/// Backward (``userTable(_:seed:)``): the inverse, then identifiers and personal information made up in their
/// shape, columns in the user's order.
public struct TablePreparation: Codable, Sendable, Equatable {
  /// A column written without being modelled.
  public struct Generated: Codable, Sendable, Equatable {
    public var name: String
    /// The shape values are made in; nil writes the column empty (free text).
    public var shape: TextShape?
    /// The share of training cells that were missing (kept in the output).
    public var missingShare: Double
  }

  /// A date column, modelled as whole units since 1970.
  public struct Datetime: Codable, Sendable, Equatable {
    public var name: String
    public var format: DateTimeFormat
    /// The k-th smallest and largest training values (units): synthetic dates stay inside.
    public var lower: Int
    public var upper: Int
    /// Dates (units) that fewer than k training records hold: a synthetic date that lands on one moves to the
    /// nearest date that none or at least k records hold. Nil when none (and in model files from before the rule).
    public var rareUnits: [Int]? = nil
  }

  /// `high` modelled as its gap above `low` (both numbers, or both dates).
  public struct Gap: Codable, Sendable, Equatable {
    public var low: String
    public var high: String
    /// Seconds per unit of low and high for dates (nil for numbers).
    public var lowSecondsPerUnit: Int?
    public var highSecondsPerUnit: Int?
  }

  /// Columns modelled as one categorical column of their joint values (named after the first).
  public struct Combination: Codable, Sendable, Equatable {
    public var columns: [String]
  }

  /// A column computed from another: the training rows' distinct source values, ascending, with the column's value
  /// and its text as read at each. A source value between two knots gets the linear interpolation of theirs, and
  /// one outside them the end segment's line (written in the column's format), so the column stays monotone in its
  /// source and exact at every knot.
  public struct MonotoneFunction: Codable, Sendable, Equatable {
    public var column: String
    public var source: String
    public var knots: [Double]
    public var values: [Double]
    public var cells: [String]
    /// The column's values that fewer than k training rows hold, ascending: a value written between knots is moved
    /// off them (nil: none, or a model file from before the rule).
    public var rareValues: [Double]? = nil
  }

  /// The user's column names, in file order.
  public var columnOrder: [String]
  /// k of the release rule.
  public var rareCount: Int
  public var generated: [Generated]
  public var datetimes: [Datetime]
  /// In dependency order: a gap's low is reconstructed before the gap itself.
  public var gaps: [Gap]
  public var combinations: [Combination]
  /// Every constraint, enforced again after decoding (clamps; the gap transform already holds its own).
  public var constraints: [Constraint]
  /// How numeric columns of the user's table are written (decimals), for clamps and gaps.
  public var numericFormats: [String: NumberFormat]
  /// Columns computed from another after decoding; nil in model files from before them.
  public var monotoneFunctions: [MonotoneFunction]? = nil

  /// Decimals of a numeric column as the input writes them.
  public struct NumberFormat: Codable, Sendable, Equatable {
    public var decimals: Int
    public var minimumDecimals: Int
    public var isInteger: Bool
  }

  /// The text level rare text categories are pooled into.
  public static let pooledLevel = "(other)"
  /// Separates the values of a fixed combination inside its joint level.
  static let combinationSeparator = "\u{1F}"

  /// Whether the step changes nothing (then model files need not store it).
  public var isIdentity: Bool {
    generated.isEmpty && datetimes.isEmpty && gaps.isEmpty && combinations.isEmpty && constraints.isEmpty && (monotoneFunctions ?? []).isEmpty
  }
}

// MARK: - Fitting

extension TablePreparation {
  /// Fits the step to the training rows and returns it with the model table and its schema.
  ///
  /// - Parameters:
  ///   - table: the training rows, columns as in `schema`.
  ///   - schema: the user's schema (kinds, formats, constraints).
  ///   - rareCount: k of the release rule (≥ 1; 1 releases every value).
  ///   - seed: salts the hashes of identifying values.
  /// - Throws: ``TabularError`` for a constraint on a missing or unsuitable column, or cells that do not parse.
  public static func fit(_ table: DataTable, schema: Schema, rareCount: Int = 5, maxCategories: Int = 5_000, seed: UInt64 = 0)
    throws -> (preparation: TablePreparation, table: DataTable, schema: Schema) {
    let k = Swift.max(1, rareCount)
    let mapping = try TableEncoder.columnMapping(schema, table)
    try schema.checkConstraints(schema.constraints, file: nil)
    var preparation = TablePreparation(columnOrder: schema.columnNames, rareCount: k, generated: [], datetimes: [], gaps: [],
                                       combinations: [], constraints: schema.constraints, numericFormats: [:])
    var names: [String] = [], storage: [CellColumn] = [], columns: [ColumnSchema] = []
    // Numbers of date and numeric columns (units or values), for gaps and clamps.
    var numbers: [String: [Double?]] = [:]
    for (c, column) in schema.columns.enumerated() {
      let cells = table.storage[mapping[c]]
      switch column.kind {
      case .identifier, .personal:
        let values = (0..<cells.count).compactMap { cells.string($0) }
        let makesValues = column.kind == .identifier || (column.personal?.isGenerated ?? false)
        let shape = makesValues ? TextShape(values: values, rareCount: k, salt: seed ^ 0x5EED_1D5 &+ UInt64(c)) : nil
        preparation.generated.append(Generated(name: column.name, shape: shape,
                                               missingShare: cells.count == 0 ? 0 : Double(cells.count - values.count) / Double(cells.count)))
        continue
      case .datetime:
        guard let format = column.datetimeFormat else { throw TabularError(.invalidArgument, column: column.name, "a datetime column needs a format") }
        var units: [Double?] = []
        units.reserveCapacity(cells.count)
        try cells.bytes.withUnsafeBufferPointer { p in
          for r in 0..<cells.count {
            if cells.missing[r] { units.append(nil); continue }
            guard let v = format.parse(UnsafeBufferPointer(rebasing: p[cells.start(r)..<cells.end(r)])) else {
              throw table.error(.notANumber, row: r, column: mapping[c], "\(quoted(cells.string(r) ?? "")) is not a date in \(format.pattern)")
            }
            units.append(Double(v))
          }
        }
        let present = units.compactMap { $0 }.sorted()
        // The k-th smallest and largest dates, one unit inside (when that leaves a range), so that dates clamped to
        // the bounds do not repeat a training date.
        let inside = k > 1 ? 1 : 0
        var lower = present.isEmpty ? 0 : Int(present[Swift.min(k - 1, present.count - 1)])
        var upper = present.isEmpty ? 0 : Int(present[Swift.max(present.count - k, 0)])
        if upper - lower > 2 * inside { lower += inside; upper -= inside }
        var datetime = Datetime(name: column.name, format: format, lower: Swift.min(lower, upper), upper: Swift.max(lower, upper))
        if k > 1 {
          var tally: [Int: Int] = [:]
          for v in present { tally[Int(v), default: 0] += 1 }
          let rare = tally.filter { $0.value < k }.keys.sorted()
          if !rare.isEmpty { datetime.rareUnits = rare }
        }
        preparation.datetimes.append(datetime)
        numbers[column.name] = units
        var modelColumn = ColumnSchema(name: column.name, kind: .continuous, hasMissing: column.hasMissing, missingCount: column.missingCount,
                                       distinctCount: column.distinctCount)
        modelColumn.minimum = present.first; modelColumn.maximum = present.last
        names.append(column.name); columns.append(modelColumn); storage.append(numberColumn(units, decimals: 0))
      case .continuous, .integer:
        let values = try table.numbers(table.columnNames[mapping[c]]).map { $0.isNaN ? nil : $0 } as [Double?]
        numbers[column.name] = values
        preparation.numericFormats[column.name] = NumberFormat(decimals: column.decimals, minimumDecimals: column.minimumDecimals,
                                                               isInteger: column.kind == .integer)
        names.append(column.name); columns.append(column); storage.append(cells)
      case .binary, .categorical, .constant:
        names.append(column.name); columns.append(column); storage.append(cells)
      }
    }
    // Inequalities: the gap transform where it applies, in dependency order; the rest stay clamps.
    var gapped = Set<String>()
    for case .inequality(let low, let high, _) in orderedInequalities(schema.constraints) where !gapped.contains(high) {
      guard let lowValues = numbers[low], let highValues = numbers[high], let h = names.firstIndex(of: high) else { continue }
      // The gap needs low wherever high is present.
      guard zip(lowValues, highValues).allSatisfy({ $0.0 != nil || $0.1 == nil }) else { continue }
      let lowDate = preparation.datetimes.first { $0.name == low }, highDate = preparation.datetimes.first { $0.name == high }
      guard (lowDate == nil) == (highDate == nil) else { continue }
      let gap = Gap(low: low, high: high, lowSecondsPerUnit: lowDate?.format.secondsPerUnit, highSecondsPerUnit: highDate?.format.secondsPerUnit)
      let values = zip(lowValues, highValues).map { pair -> Double? in
        guard let l = pair.0, let hv = pair.1 else { return nil }
        return hv - gap.lowInHighUnits(l)
      }
      let decimals = highDate == nil ? Swift.max(columns[h].decimals, preparation.numericFormats[low]?.decimals ?? 0) : 0
      storage[h] = numberColumn(values, decimals: decimals)
      var modelColumn = ColumnSchema(name: high, kind: columns[h].kind == .integer ? .integer : .continuous, hasMissing: columns[h].hasMissing,
                                     decimals: decimals, minimumDecimals: 0, missingCount: columns[h].missingCount,
                                     distinctCount: columns[h].distinctCount)
      let present = values.compactMap { $0 }
      modelColumn.minimum = present.min(); modelColumn.maximum = present.max()
      columns[h] = modelColumn
      preparation.gaps.append(gap)
      gapped.insert(high)
    }
    // Fixed combinations: one joint categorical column.
    for case .fixedCombinations(let group) in schema.constraints {
      let indices = group.compactMap { names.firstIndex(of: $0) }
      guard indices.count == group.count else { continue }
      var joint = CellColumn(reservingCells: table.rowCount)
      for r in 0..<table.rowCount {
        joint.append(indices.map { storage[$0].string(r) ?? "" }.joined(separator: combinationSeparator))
      }
      let levels = Set((0..<table.rowCount).compactMap { joint.string($0) }).sorted()
      let first = indices[0]
      storage[first] = joint
      columns[first] = ColumnSchema(name: names[first], kind: levels.count <= 1 ? .constant : .categorical, categories: levels, distinctCount: levels.count)
      for i in indices.dropFirst().sorted(by: >) { names.remove(at: i); storage.remove(at: i); columns.remove(at: i) }
      preparation.combinations.append(Combination(columns: group))
    }
    // Monotone functions: the column leaves the model table; its knots are the training rows' pairs.
    for case .monotoneFunction(let column, let source) in schema.constraints {
      let summary = Constraint.monotoneFunction(column: column, source: source).summary
      // The column is written last, from its source: no other constraint may read or change it, and a source is
      // never itself computed (inference proposes only the first column of a chain).
      if let other = schema.constraints.first(where: { $0 != .monotoneFunction(column: column, source: source) && $0.columns.contains(column) }) {
        throw TabularError(.metadataConflict, file: table.source, column: column, "'\(column)' is computed from '\(source)' (\(summary)), so it cannot also take part in \(other.summary)")
      }
      if case .monotoneFunction(_, let root)? = schema.constraints.first(where: { if case .monotoneFunction(source, _) = $0 { true } else { false } }) {
        throw TabularError(.metadataConflict, file: table.source, column: column, "'\(source)' is itself computed from '\(root)': declare \(column) = f(\(root)) instead")
      }
      if column == schema.outcome {
        throw TabularError(.metadataConflict, file: table.source, column: column, "the outcome cannot be computed from another column (\(summary))")
      }
      guard let sourceValues = numbers[source], numbers[column] != nil, let c = names.firstIndex(of: column), names.contains(source) else { continue }
      let function = try monotoneFunction(column: column, source: source, sourceValues: sourceValues, values: numbers[column]!,
                                          cells: storage[c], rareCount: k, table: table)
      preparation.monotoneFunctions = (preparation.monotoneFunctions ?? []) + [function]
      names.remove(at: c); storage.remove(at: c); columns.remove(at: c)
    }
    // Rare values.
    for i in columns.indices {
      let isDate = preparation.datetimes.contains { $0.name == names[i] }
      (columns[i], storage[i]) = releasing(columns[i], storage[i], rareCount: k, maxLevels: Swift.max(1, maxCategories), isDate: isDate)
    }
    var modelTable = DataTable(columnNames: names, storage: storage, rowCount: table.rowCount, source: table.source)
    modelTable.source = table.source
    var modelSchema = Schema(columns: columns, warnings: schema.warnings, outcome: schema.outcome)
    modelSchema.decisions = schema.decisions
    return (preparation, modelTable, modelSchema)
  }

  /// The knots of `column = f(source)` on the training rows.
  /// - Throws: ``TabularError`` naming the rows where `column` is not a strictly monotone function of `source`, or
  ///   where one of the two is missing and the other is not.
  static func monotoneFunction(column: String, source: String, sourceValues: [Double?], values: [Double?], cells: CellColumn,
                               rareCount k: Int = 1, table: DataTable) throws -> MonotoneFunction {
    let columnIndex = table.columnIndex(column)!
    var pairs: [(x: Double, y: Double, row: Int)] = []
    pairs.reserveCapacity(cells.count)
    for r in 0..<cells.count {
      switch (sourceValues[r], values[r]) {
      case (nil, nil): continue
      case (let x?, let y?): pairs.append((x, y, r))
      default:
        throw table.error(.metadataConflict, row: r, column: columnIndex,
                          "'\(column)' = f('\(source)') needs both present or both missing in every row")
      }
    }
    pairs.sort { $0.x < $1.x }
    var function = MonotoneFunction(column: column, source: source, knots: [], values: [], cells: [])
    var rows: [Int] = []  // training rows at each knot
    for p in pairs {
      if let last = function.knots.last, last == p.x {
        guard function.values.last == p.y else {
          throw table.error(.metadataConflict, row: p.row, column: columnIndex,
                            "'\(column)' is not a function of '\(source)': \(source) = \(p.x) gives \(column) = \(function.values.last!) and \(p.y)")
        }
        rows[rows.count - 1] += 1
        continue
      }
      function.knots.append(p.x); function.values.append(p.y); function.cells.append(cells.string(p.row) ?? ""); rows.append(1)
    }
    let rare = zip(function.values, rows).filter { $0.1 < k }.map(\.0).sorted()
    function.rareValues = rare.isEmpty ? nil : rare
    // Strictly monotone: every step between neighbouring knots has the first step's sign.
    let rising = function.values.count > 1 && function.values[1] > function.values[0]
    for k in 1..<Swift.max(function.values.count, 1) where rising ? !(function.values[k] > function.values[k - 1]) : !(function.values[k] < function.values[k - 1]) {
      let row = pairs.first { $0.x == function.knots[k] }!.row
      throw table.error(.metadataConflict, row: row, column: columnIndex,
                        "'\(column)' is not a strictly monotone function of '\(source)': \(source) = \(function.knots[k - 1]) and \(function.knots[k]) give \(column) = \(function.values[k - 1]) and \(function.values[k])")
    }
    return function
  }

  /// Inequalities ordered so that a column's own gap (as a high) comes before its use as a low.
  static func orderedInequalities(_ constraints: [Constraint]) -> [Constraint] {
    var remaining = constraints.filter { if case .inequality = $0 { true } else { false } }
    var ordered: [Constraint] = []
    while !remaining.isEmpty {
      let highs = Set(remaining.compactMap { if case .inequality(_, let high, _) = $0 { high } else { nil } })
      guard let next = remaining.firstIndex(where: { if case .inequality(let low, _, _) = $0 { !highs.contains(low) } else { false } }) else {
        ordered += remaining; break
      }
      ordered.append(remaining.remove(at: next))
    }
    return ordered
  }

  /// A text column of numbers (nil: missing) written with `decimals` fraction digits.
  static func numberColumn(_ values: [Double?], decimals: Int) -> CellColumn {
    var out = CellColumn(reservingCells: values.count, bytes: values.count * 8)
    for value in values {
      guard let value else { out.appendMissing(); continue }
      if decimals == 0, value.magnitude < 9e18 { appendInteger(Int64(value.rounded()), to: &out.bytes) }
      else { appendDecimal(value, decimals: decimals, minimumDecimals: 0, to: &out.bytes) }
      out.closeCell()
    }
    return out
  }

  /// The column with rare values pooled or snapped (see the type's documentation).
  static func releasing(_ column: ColumnSchema, _ cells: CellColumn, rareCount k: Int, maxLevels: Int, isDate: Bool) -> (ColumnSchema, CellColumn) {
    var column = column
    switch column.kind {
    case .binary, .categorical:
      // k = 1: every level is released, declared levels the data lacks included (a private fit reads no counts).
      guard k > 1 else { return (column, cells) }
      let lookup = CategoryLookup(column)
      var counts = [Int](repeating: 0, count: column.categories.count)
      var codes = [Int?](repeating: nil, count: cells.count)
      cells.bytes.withUnsafeBufferPointer { p in
        for r in 0..<cells.count where !cells.missing[r] {
          codes[r] = lookup.code(UnsafeBufferPointer(rebasing: p[cells.start(r)..<cells.end(r)]))
          if let code = codes[r] { counts[code] += 1 }
        }
      }
      var common = counts.indices.filter { counts[$0] >= k }
      if common.count > maxLevels { common = Array(common.sorted { counts[$0] > counts[$1] }.prefix(maxLevels)).sorted() }
      guard common.count < column.categories.count else { return (column, cells) }
      let commonSet = Set(common)
      var levels = common.map { column.categories[$0] }
      var replacement: [Int: String?] = [:]
      if column.categoriesAreNumeric {
        // A rare numeric code becomes the nearest common code (by value); with no common code, missing.
        let values = column.categories.map { Double($0) ?? .nan }
        for code in column.categories.indices where !commonSet.contains(code) {
          let nearest = common.min { abs(values[$0] - values[code]) < abs(values[$1] - values[code]) }
          replacement[code] = nearest.map { column.categories[$0] }
        }
      } else {
        var pooled = pooledLevel
        while column.categories.contains(pooled) { pooled = "(" + pooled + ")" }
        levels.append(pooled)
        for code in column.categories.indices where !commonSet.contains(code) { replacement[code] = pooled }
      }
      var out = CellColumn(reservingCells: cells.count, bytes: cells.bytes.count)
      for r in 0..<cells.count {
        if let code = codes[r], let swap = replacement[code] { out.append(swap) } else { out.append(cells.string(r)) }
      }
      let stillMissing = (0..<out.count).contains { out.missing[$0] }
      column.categories = levels
      column.distinctCount = levels.count
      column.hasMissing = stillMissing
      column.missingCount = (0..<out.count).filter { out.missing[$0] }.count
      if levels.count <= 1 { column.kind = .constant; if levels.isEmpty { column.categoriesAreNumeric = true } }
      else if levels.count == 2 { column.kind = .binary } else { column.kind = .categorical }
      return (column, out)
    case .continuous, .integer:
      var values: [Double?] = []
      values.reserveCapacity(cells.count)
      cells.bytes.withUnsafeBufferPointer { p in
        for r in 0..<cells.count {
          if cells.missing[r] { values.append(nil); continue }
          values.append(p.baseAddress.flatMap { parseNumber($0 + cells.start(r), cells.end(r) - cells.start(r))?.value })
        }
      }
      let present = values.compactMap { $0 }
      guard !present.isEmpty else { return (column, cells) }
      var tally: [Double: Int] = [:]
      for v in present { tally[v, default: 0] += 1 }
      let repeated = Double(present.count) >= 4 * Double(tally.count)
      let common = tally.filter { $0.value >= k }.keys.sorted()
      if !isDate && (column.kind == .integer || repeated) && !common.isEmpty {
        guard common.count < tally.count else { return (column, cells) }
        let released = releasedRareValues(tally: tally, common: common, k: k,
                                          unit: column.kind == .integer ? 1 : pow(10, -Double(column.nudgeDecimals)))
        // Applied when decoding (ColumnSchema.releaseRule): the model learns the training values unchanged.
        let rare = released.keys.sorted()
        column.rareValues = rare
        column.rareValuesReleasedAs = rare.map { released[$0]! }
        let written = common + column.rareValuesReleasedAs!
        column.minimum = written.min(); column.maximum = written.max()
        return (column, cells)
      }
      // Interpolated columns: limit to the k-th smallest and largest training values, never write a training value.
      let sorted = present.sorted()
      let lower = sorted[Swift.min(k - 1, sorted.count - 1)], upper = sorted[Swift.max(sorted.count - k, 0)]
      // k = 1 releases everything seen at least once: no rule applies, and the model is as without preparation.
      if !isDate && k > 1 { column.avoidsTrainingValues = true }
      if column.kind == .integer { column.kind = .continuous; column.decimals = 0; column.minimumDecimals = 0 }
      if !isDate {
        // Clamped when decoding (ColumnSchema.releaseRule): the model learns the training values unchanged.
        guard k > 1, lower <= upper else { return (column, cells) }
        column.releaseRange = [lower, upper]
        if !common.isEmpty { column.commonValues = common }
        column.minimum = lower; column.maximum = upper
        return (column, cells)
      }
      guard lower <= upper, sorted.first! < lower || sorted.last! > upper else { return (column, cells) }
      let clamped = values.map { $0.map { Swift.min(Swift.max($0, lower), upper) } }
      column.minimum = lower; column.maximum = upper
      return (column, rewritten(cells, values, clamped, decimals: isDate ? 0 : column.decimals, isInteger: isDate, minimumDecimals: column.minimumDecimals))
    default:
      return (column, cells)
    }
  }

  /// What each value seen fewer than `k` times (by `tally`) is released as. Inside the range of the `common` values
  /// (seen at least `k` times, sorted) a rare value snaps to the nearest common one (ties: the lower). Beyond it, each
  /// tail is cut, from the common range outward, into runs of at least `k` records, and every value of a run is
  /// released as the run's median moved by whole `unit`s to the nearest value no training record holds fewer than
  /// `k` times. Tails keep their shape, and an outlier seen once (an age of 65,526) is hidden in its run's median.
  static func releasedRareValues(tally: [Double: Int], common: [Double], k: Int, unit: Double) -> [Double: Double] {
    var out: [Double: Double] = [:]
    let rare = tally.filter { $0.value < k }
    let rareSteps = Set(rare.keys.map { ($0 / unit).rounded() })
    func offRare(_ v: Double) -> Double {
      let m = (v / unit).rounded()
      for step in 0..<100_000 {
        for candidate in [m + Double(step), m - Double(step)] where !rareSteps.contains(candidate) {
          return candidate * unit
        }
      }
      return v
    }
    func groupTail(_ tail: [Double], boundary: Double) {
      var runs: [[Double]] = [], run: [Double] = []
      for v in tail {
        run.append(contentsOf: repeatElement(v, count: tally[v]!))
        if run.count >= k { runs.append(run); run = [] }
      }
      if !run.isEmpty {
        if runs.isEmpty { for v in Set(run) { out[v] = boundary }; return }
        runs[runs.count - 1] += run
      }
      for members in runs {
        let median = members.sorted()[members.count / 2]
        let value = offRare(median)
        for v in Set(members) { out[v] = value }
      }
    }
    let first = common.first!, last = common.last!
    groupTail(rare.keys.filter { $0 < first }.sorted(by: >), boundary: first)
    groupTail(rare.keys.filter { $0 > last }.sorted(), boundary: last)
    for v in rare.keys where v > first && v < last {
      var lo = 0, hi = common.count
      while lo < hi { let mid = (lo + hi) / 2; if common[mid] < v { lo = mid + 1 } else { hi = mid } }
      out[v] = v - common[lo - 1] <= common[lo] - v ? common[lo - 1] : common[lo]
    }
    return out
  }

  /// `cells` with the changed values written anew (unchanged cells keep their exact spelling).
  static func rewritten(_ cells: CellColumn, _ before: [Double?], _ after: [Double?], decimals: Int, isInteger: Bool, minimumDecimals: Int) -> CellColumn {
    var out = CellColumn(reservingCells: cells.count, bytes: cells.bytes.count)
    for r in 0..<cells.count {
      guard let value = after[r] else { out.appendMissing(); continue }
      if before[r] == value {
        out.append(cells.string(r))
      } else {
        if isInteger && minimumDecimals == 0 { appendInteger(Int64(value.rounded()), to: &out.bytes) }
        else { appendDecimal(value, decimals: decimals, minimumDecimals: minimumDecimals, to: &out.bytes) }
        out.closeCell()
      }
    }
    return out
  }
}

extension TablePreparation.Gap {
  /// A low value in the high column's units, rounded up for dates (so `high ≥ low` in seconds ⇔ gap ≥ 0).
  func lowInHighUnits(_ low: Double) -> Double {
    guard let l = lowSecondsPerUnit, let h = highSecondsPerUnit else { return low }
    return (low * Double(l) / Double(h)).rounded(.up)
  }
}
