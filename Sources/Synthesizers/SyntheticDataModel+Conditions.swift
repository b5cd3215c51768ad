//===----------------------------------------------------------------------===//
// Conditional sampling: rows in which given columns hold given values.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import TabularData

/// A value one column of every sampled row must hold (`death=1`, `education=3`).
public struct SampleCondition: Sendable, Equatable, Hashable, CustomStringConvertible {
  public var column: String
  public var value: String

  public init(column: String, value: String) {
    self.column = column
    self.value = value
  }

  /// Parses `COLUMN=VALUE` (split at the first `=`; the value may be empty only if it is a level).
  /// - Throws: ``ConditionalSamplingError/malformed(_:)`` when there is no `=` or no column name.
  public init(parsing text: String) throws {
    guard let equals = text.firstIndex(of: "=") else { throw ConditionalSamplingError.malformed(text) }
    column = String(text[..<equals])
    value = String(text[text.index(after: equals)...])
    if column.isEmpty { throw ConditionalSamplingError.malformed(text) }
  }

  public var description: String { "\(column)=\(value)" }
}

/// Why conditional sampling refused or gave up. Every description is one line.
public enum ConditionalSamplingError: Error, CustomStringConvertible, Equatable {
  /// Not `COLUMN=VALUE`.
  case malformed(String)
  /// No such column (the message lists some).
  case unknownColumn(String, columns: [String])
  /// The value is not one of the column's levels, or not a possible value of an integer column.
  case impossibleValue(SampleCondition, reason: String)
  /// The column's kind cannot be conditioned on (identifiers, made-up values, continuous numbers, dates).
  case unsupported(SampleCondition, reason: String)
  /// Two conditions ask one column for different values.
  case contradictory(SampleCondition, SampleCondition)
  /// The budget of drawn rows ran out, or would at the rate seen, before `needed` rows matched.
  case tooRare([SampleCondition], matched: Int, drawn: Int, needed: Int, budget: Int)

  public var description: String {
    switch self {
    case .malformed(let text):
      return "condition '\(text)' is not COLUMN=VALUE"
    case let .unknownColumn(name, columns):
      let shown = columns.prefix(8).joined(separator: ", ")
      return "no column '\(name)' to condition on (columns: \(shown)\(columns.count > 8 ? ", … \(columns.count) in all" : ""))"
    case let .impossibleValue(condition, reason):
      return "condition \(condition) cannot hold: \(reason)"
    case let .unsupported(condition, reason):
      return "condition \(condition) is not supported: \(reason)"
    case let .contradictory(a, b):
      return "conditions \(a) and \(b) contradict each other"
    case let .tooRare(conditions, matched, drawn, needed, budget):
      let what = conditions.map(\.description).joined(separator: ", ")
      return "condition\(conditions.count > 1 ? "s" : "") \(what) \(conditions.count > 1 ? "are" : "is") too rare for this model: "
        + "\(grouped(matched)) of \(grouped(drawn)) drawn rows matched (needed \(grouped(needed))"
        + (drawn < budget ? "; at that rate the budget of \(grouped(budget)) drawn rows would not do)" : ")")
    }
  }
}

/// 1000000 → "1,000,000".
private func grouped(_ n: Int) -> String {
  let digits = String(n.magnitude)
  var out = ""
  for (k, ch) in digits.enumerated() {
    if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
    out.append(ch)
  }
  return n < 0 ? "-" + out : out
}

extension SyntheticDataModel {
  /// The most rows conditional sampling draws for `rows` requested rows: 1,000,000, or 10 × `rows` when
  /// that is more (so any condition met by at least one drawn row in ten succeeds for any size).
  public static func conditionBudget(rows: Int) -> Int { Swift.max(1_000_000, 10 * rows) }

  /// `rows` synthetic records in which every condition holds, by rejection sampling.
  ///
  /// Batches of records are drawn (each from a seed derived from `seed` and the batch number, so the result
  /// depends only on `seed`), decoded, and the rows whose cells satisfy every condition are kept, in order, until
  /// `rows` are collected; the kept records are then decoded together exactly as ``sample(rows:seed:threads:)``
  /// decodes. Binary and categorical columns match by level (a number matches a level equal to it: `1` matches
  /// `1.0`), integer columns by value. Without conditions this is ``sample(rows:seed:threads:)``.
  ///
  /// - Parameter maximumDrawnRows: the budget (default ``conditionBudget(rows:)``).
  /// - Throws: ``ConditionalSamplingError``: before drawing, for an unknown column, a value that is not a level,
  ///   an identifier, made-up, date or continuous column; after drawing the budget, when too few rows matched.
  public func sample(rows: Int, seed: UInt64, conditions: [SampleCondition], threads: Int = TrainingContext.defaultThreads,
                     maximumDrawnRows: Int? = nil) throws -> DataTable {
    precondition(rows >= 0, "sample: negative row count")
    if conditions.isEmpty { return sample(rows: rows, seed: seed, threads: threads) }
    let records = try conditionalRecords(rows: rows, seed: seed, conditions: conditions, threads: threads,
                                         maximumDrawnRows: maximumDrawnRows)
    return userTable(records, seed: seed)
  }

  /// One request of ``sample(_:seed:threads:)``: `rows` records meeting `conditions`.
  public struct ConditionalRequest: Sendable, Equatable {
    public var rows: Int
    public var conditions: [SampleCondition]
    public init(rows: Int, conditions: [SampleCondition]) {
      self.rows = rows
      self.conditions = conditions
    }
  }

  /// The requests' records one after the other, like SDV's `sample_from_conditions`: request `k` draws
  /// `rows` records meeting its conditions (as ``sample(rows:seed:conditions:threads:maximumDrawnRows:)``, from a seed
  /// derived from `seed` and `k`, with its own budget). Every request is validated before any is drawn.
  public func sample(_ requests: [ConditionalRequest], seed: UInt64, threads: Int = TrainingContext.defaultThreads,
                     maximumDrawnRows: Int? = nil) throws -> DataTable {
    for request in requests {
      precondition(request.rows >= 0, "sample: negative row count")
      _ = try conditionPlan(request.conditions)
    }
    var parts: [Matrix] = []
    for (k, request) in requests.enumerated() where request.rows > 0 {
      let requestSeed = Self.batchSeed(seed ^ 0x5851_F42D_4C95_7F2D, UInt64(k))
      parts.append(try conditionalRecords(rows: request.rows, seed: requestSeed, conditions: request.conditions, threads: threads,
                                          maximumDrawnRows: maximumDrawnRows))
    }
    return userTable(parts.isEmpty ? Matrix(rows: 0, cols: encoder.layout.width) : Matrix.concatenateRows(parts), seed: seed)
  }

  /// Decoded `records` in the user's shape, exactly as ``sample(rows:seed:threads:)`` writes its records.
  private func userTable(_ records: Matrix, seed: UInt64) -> DataTable {
    let decoded = encoder.decode(records)
    return preparation?.userTable(decoded, seed: seed ^ 0x9E37_79B9_7F4A_7C15) ?? decoded
  }

  /// `rows` encoded records meeting every condition (rejection sampling; see ``sample(rows:seed:conditions:threads:maximumDrawnRows:)``).
  func conditionalRecords(rows: Int, seed: UInt64, conditions: [SampleCondition], threads: Int, maximumDrawnRows: Int?) throws -> Matrix {
    if conditions.isEmpty { return sampleEncoded(rows: rows, seed: seed, threads: threads) }
    let plan = try conditionPlan(conditions)
    let budget = Swift.max(1, maximumDrawnRows ?? Self.conditionBudget(rows: rows))
    let width = Swift.max(1, encoder.layout.width)
    let largestBatch = Swift.max(1_024, Swift.min(262_144, (1 << 24) / width))
    var parts: [Matrix] = []
    var kept = 0, matched = 0, drawn = 0
    var batch: UInt64 = 0
    var columns: [Int]? = nil
    while kept < rows {
      guard drawn < budget else { throw ConditionalSamplingError.tooRare(conditions, matched: matched, drawn: drawn, needed: rows, budget: budget) }
      // Batch size from the acceptance rate so far (a tenth more than it predicts), or twice the rows drawn so far while
      // nothing matched.
      var size: Int
      if drawn == 0 {
        size = 2 * rows
      } else if matched == 0 {
        size = 2 * drawn
      } else {
        // At most twice the rows drawn so far, so that the early stop below is checked before a long batch.
        size = Swift.min(Int((Double(rows - kept) * Double(drawn) / Double(matched) * 1.1).rounded(.up)), 2 * drawn)
      }
      size = Swift.min(Swift.max(size, 1_024), largestBatch, budget - drawn)
      let batchSeed = Self.batchSeed(seed, batch)
      let encoded = sampleEncoded(rows: size, seed: batchSeed, threads: threads)
      let decoded = encoder.decode(encoded)
      let table = plan.onUserTable ? (preparation?.userTable(decoded, seed: batchSeed) ?? decoded) : decoded
      if columns == nil {
        columns = plan.columns.map { table.columnIndex($0)! }
      }
      let tests = zip(plan.rules, columns!).map { CellTest(column: $1, rule: $0) }
      let hits = table.rows(passing: tests)
      matched += hits.count
      drawn += size
      let take = Array(hits.prefix(rows - kept))
      if !take.isEmpty { parts.append(encoded.gatherRows(take)) }
      kept += take.count
      batch += 1
      // Stop early when even a generous upper bound on the acceptance rate (about 3 standard errors above the
      // observed one; 5 / drawn when nothing matched) leaves the budget too small for the rows still needed.
      if kept < rows {
        let m = Double(matched)
        let upperRate = (m + 3 * m.squareRoot() + 5) / Double(drawn)
        if Double(drawn) + Double(rows - kept) / upperRate > Double(budget) {
          throw ConditionalSamplingError.tooRare(conditions, matched: matched, drawn: drawn, needed: rows, budget: budget)
        }
      }
    }
    return parts.isEmpty ? Matrix(rows: 0, cols: encoder.layout.width) : Matrix.concatenateRows(parts)
  }

  /// The seed of batch `index` (SplitMix64 of the two).
  static func batchSeed(_ seed: UInt64, _ index: UInt64) -> UInt64 {
    var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (index &+ 1) &+ 0xD1B5_4A32_D192_ED03
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The cell tests of the conditions, on the decoded model table or (when a condition's column is changed by
  /// the preparation step: fixed combinations, gaps, constraint clamps) on the user's table.
  struct ConditionPlan {
    var columns: [String]
    var rules: [CellTest.Rule]
    var onUserTable: Bool
  }

  func conditionPlan(_ conditions: [SampleCondition]) throws -> ConditionPlan {
    let userColumns = preparation?.columnOrder ?? encoder.schema.columnNames
    var plan = ConditionPlan(columns: [], rules: [], onUserTable: false)
    var seen: [String: (SampleCondition, CellTest.Rule)] = [:]
    for condition in conditions {
      let name = condition.column
      guard userColumns.contains(name) else { throw ConditionalSamplingError.unknownColumn(name, columns: userColumns) }
      let (rule, onUserTable) = try conditionRule(condition)
      if let (earlier, earlierRule) = seen[name] {
        if earlierRule != rule { throw ConditionalSamplingError.contradictory(earlier, condition) }
        continue
      }
      seen[name] = (condition, rule)
      plan.columns.append(name)
      plan.rules.append(rule)
      plan.onUserTable = plan.onUserTable || onUserTable
    }
    return plan
  }

  private func conditionRule(_ condition: SampleCondition) throws -> (CellTest.Rule, onUserTable: Bool) {
    let name = condition.column
    func unsupported(_ reason: String) -> ConditionalSamplingError { .unsupported(condition, reason: reason) }
    let continuousReason = "'\(name)' is continuous, and a value drawn from a continuous distribution equals a given number "
      + "with probability zero (condition on binary, categorical or integer columns)"
    if let preparation {
      if preparation.generated.contains(where: { $0.name == name }) {
        throw unsupported("'\(name)' is made up at sampling time (an identifier or personal information), not modelled")
      }
      if preparation.datetimes.contains(where: { $0.name == name }) {
        throw unsupported("'\(name)' is a date, modelled as a continuous quantity (exact dates are practically never drawn)")
      }
      if let combination = preparation.combinations.first(where: { $0.columns.contains(name) }),
         let joint = encoder.schema.column(named: combination.columns[0]) {
        let k = combination.columns.firstIndex(of: name)!
        var levels: [String] = []
        for level in joint.categories {
          let parts = level.components(separatedBy: "\u{1F}")
          if parts.count == combination.columns.count, !parts[k].isEmpty, !levels.contains(parts[k]) { levels.append(parts[k]) }
        }
        return (.text(try level(condition, among: levels)), true)
      }
      if let function = preparation.monotoneFunctions?.first(where: { $0.column == name }) {
        throw unsupported("'\(name)' is computed from '\(function.source)' (a monotone function of it), not modelled; condition on '\(function.source)'")
      }
      if preparation.gaps.contains(where: { $0.high == name }) {
        guard preparation.numericFormats[name]?.isInteger == true else { throw unsupported(continuousReason) }
        return (try integerRule(condition, minimum: nil, maximum: nil), true)
      }
    }
    guard let column = encoder.schema.column(named: name) else {
      throw unsupported("'\(name)' is not modelled")
    }
    // A monotone function's source is written as modelled; only its computed column differs (refused above).
    let clamped = preparation?.constraints.contains { c in
      if case .monotoneFunction = c { return false }
      return c.columns.contains(name)
    } ?? false
    switch column.kind {
    case .identifier:
      throw unsupported("'\(name)' is an identifier column (its values are written afresh for every sample, not modelled)")
    case .personal:
      throw unsupported("'\(name)' holds personal information, which is made up at sampling time, not modelled")
    case .datetime:
      throw unsupported("'\(name)' is a date, modelled as a continuous quantity (exact dates are practically never drawn)")
    case .continuous:
      throw unsupported(continuousReason)
    case .integer:
      return (try integerRule(condition, minimum: clamped ? nil : column.minimum, maximum: clamped ? nil : column.maximum), clamped)
    case .binary, .categorical, .constant:
      return (.text(try level(condition, among: column.categories)), clamped)
    }
  }

  private func integerRule(_ condition: SampleCondition, minimum: Double?, maximum: Double?) throws -> CellTest.Rule {
    guard let value = CellTest.number(condition.value) else {
      throw ConditionalSamplingError.impossibleValue(condition, reason: "'\(condition.column)' holds whole numbers and '\(condition.value)' is not a number")
    }
    guard value == value.rounded() else {
      throw ConditionalSamplingError.impossibleValue(condition, reason: "'\(condition.column)' holds whole numbers and \(condition.value) is not one")
    }
    if let minimum, let maximum, value < minimum.rounded(.down) || value > maximum.rounded(.up) {
      throw ConditionalSamplingError.impossibleValue(
        condition, reason: "synthetic '\(condition.column)' stays within \(format(minimum))…\(format(maximum)), the range it was fitted on")
    }
    return .number(value)
  }

  /// The level `condition.value` names: itself, or the level equal to it as a number (`1` for `1.0`).
  private func level(_ condition: SampleCondition, among levels: [String]) throws -> String {
    if levels.contains(condition.value) { return condition.value }
    if let x = CellTest.number(condition.value), let match = levels.first(where: { CellTest.number($0) == x }) { return match }
    let shown = levels.prefix(20).map { $0.isEmpty ? "''" : $0 }.joined(separator: ", ")
    throw ConditionalSamplingError.impossibleValue(
      condition, reason: "'\(condition.value)' is not a level of '\(condition.column)' (levels: \(shown)\(levels.count > 20 ? ", … \(levels.count) in all" : ""))")
  }
}

private func format(_ x: Double) -> String {
  x == x.rounded() && x.magnitude < 1e15 ? String(Int64(x)) : String(x)
}
