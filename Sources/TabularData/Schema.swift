/// What a column holds, which decides how it is encoded and written back.
public enum ColumnKind: String, Codable, Sendable, CaseIterable {
  /// Real-valued measurements (written with a decimal point in the file).
  case continuous
  /// Whole-number quantities: counts, ages in years, scores with many levels.
  case integer
  /// Exactly two distinct values (`0`/`1`, `male`/`female`, …).
  case binary
  /// Text labels, or whole-number codes with few levels.
  case categorical
  /// A different value in every row (record numbers); excluded from modelling.
  case identifier
  /// A single distinct value; nothing to learn except, possibly, its missingness.
  case constant
  /// Dates or timestamps in one ``DateTimeFormat``: modelled as a number of days, minutes or seconds, written
  /// back in the input's format.
  case datetime
  /// Personal information (names, e-mail addresses, phone numbers, street addresses, free text): never
  /// modelled and never copied; see ``PersonalInformation``.
  case personal
}

/// The inferred (or user-declared) description of one CSV column.
public struct ColumnSchema: Codable, Sendable, Equatable {
  /// The header name.
  public var name: String
  /// How the column is modelled.
  public var kind: ColumnKind
  /// Whether any cell is missing.
  public var hasMissing: Bool
  /// Smallest value of a numeric column (also of numeric codes); `nil` for text.
  public var minimum: Double?
  /// Largest value of a numeric column (also of numeric codes); `nil` for text.
  public var maximum: Double?
  /// The levels of a binary, categorical or constant column, exactly as spelled in the file:
  /// numeric codes in increasing value, text in byte (code point) order. For a binary column the
  /// second level is the one encoded as 1.
  public var categories: [String]
  /// Whether the levels are numbers; then cells of another file match them by value (`1.0` ≙ `1`).
  public var categoriesAreNumeric: Bool
  /// Largest number of fraction digits seen in the column (0 for integers); decoded values are
  /// rounded to it.
  public var decimals: Int
  /// Smallest number of fraction digits seen; decoded values keep at least this many, so a column
  /// written `97.0` stays `97.0` while a mixed column drops trailing zeros (`1.50000` → `1.5`).
  public var minimumDecimals: Int
  /// Number of missing cells in the data the schema was inferred from.
  public var missingCount: Int
  /// Number of distinct non-missing values (by value for numeric columns, by spelling for text).
  public var distinctCount: Int
  /// The format of a ``ColumnKind/datetime`` column (nil otherwise).
  public var datetimeFormat: DateTimeFormat?
  /// What a ``ColumnKind/personal`` column holds (nil otherwise).
  public var personal: PersonalInformation?
  /// Decoded values are never exactly a training value (nudged by one unit of the last decimal); set by
  /// ``TablePreparation`` on interpolated continuous columns. Nil in model files written before it existed.
  public var avoidsTrainingValues: Bool?
  /// Decoded values are clamped to `[low, high]` (the k-th smallest and largest training values of an interpolated
  /// column; ``TablePreparation``). Nil when no such rule applies, and in model files written before it existed.
  public var releaseRange: [Double]?
  /// Values seen fewer than k times in training (integer and repeated-value columns), each decoded as the value
  /// at the same index of ``rareValuesReleasedAs`` (``TablePreparation/releasedRareValues(tally:common:k:unit:)``).
  public var rareValues: [Double]?
  /// What each of ``rareValues`` is written as.
  public var rareValuesReleasedAs: [Double]?
  /// Values seen at least k times in an interpolated column (zeros, round numbers): written as they are, not
  /// moved off the training values as ``avoidsTrainingValues`` moves the others.
  public var commonValues: [Double]?

  /// The decode-time release rule of this column: clamp to ``releaseRange``, then replace a rare value (matched at
  /// the column's precision) by what it is released as. Nil when the column has none.
  public var releaseRule: ReleaseRule? {
    guard releaseRange != nil || rareValues != nil || commonValues != nil else { return nil }
    return ReleaseRule(range: releaseRange, rare: rareValues ?? [], releasedAs: rareValuesReleasedAs ?? [],
                       common: commonValues ?? [], decimals: kind == .integer ? 0 : decimals)
  }

  /// A column description; inference fills every field, tests may give only a few.
  public init(name: String, kind: ColumnKind, hasMissing: Bool = false, minimum: Double? = nil, maximum: Double? = nil,
              categories: [String] = [], categoriesAreNumeric: Bool = false, decimals: Int = 0, minimumDecimals: Int = 0,
              missingCount: Int = 0, distinctCount: Int = 0) {
    self.name = name; self.kind = kind; self.hasMissing = hasMissing; self.minimum = minimum; self.maximum = maximum
    self.categories = categories; self.categoriesAreNumeric = categoriesAreNumeric; self.decimals = decimals
    self.minimumDecimals = minimumDecimals; self.missingCount = missingCount; self.distinctCount = distinctCount
  }

  /// The decimals a value is moved by to avoid a rare training value: the column's precision, but no finer than its
  /// shortest-written values' (at least 4), so that a column written with float noise (`6.699999999999999`, 15
  /// decimals) moves `27.6` to `27.6001`, not to a number that prints within noise of it.
  public var nudgeDecimals: Int { Swift.min(decimals, Swift.max(minimumDecimals, 4)) }

  /// Whether the column is modelled as a number (one Gaussian matrix column).
  public var isNumeric: Bool { kind == .continuous || kind == .integer }

  /// Whether synthetic values of the column are made up rather than modelled (identifiers, personal information).
  public var isGenerated: Bool { kind == .identifier || kind == .personal }
}

/// The schema of a table: one ``ColumnSchema`` per CSV column, in file order.
public struct Schema: Codable, Sendable, Equatable {
  /// One entry per CSV column, in file order.
  public var columns: [ColumnSchema]
  /// Notes for the user produced by inference (identifier columns left out, …).
  public var warnings: [String]
  /// The binary outcome column, when the user named one (see ``validateOutcome(_:in:)``).
  public var outcome: String?
  /// Relations every synthetic row must satisfy (declared in the metadata or proposed by inference).
  /// Not stored with the schema in model files: the fitted ``TablePreparation`` keeps what it needs.
  public var constraints: [Constraint] = []
  /// One line per column saying what inference decided and why (for `rlsyn schema`; not stored).
  public var decisions: [String] = []

  enum CodingKeys: String, CodingKey { case columns, warnings, outcome }

  /// Equal when the stored parts are (constraints and decisions are not stored).
  public static func == (a: Schema, b: Schema) -> Bool {
    a.columns == b.columns && a.warnings == b.warnings && a.outcome == b.outcome
  }

  /// A schema from its parts.
  public init(columns: [ColumnSchema], warnings: [String] = [], outcome: String? = nil, constraints: [Constraint] = []) {
    self.columns = columns; self.warnings = warnings; self.outcome = outcome; self.constraints = constraints
  }

  /// Column names in order.
  public var columnNames: [String] { columns.map(\.name) }

  /// The column called `name`, if any.
  public func column(named name: String) -> ColumnSchema? { columns.first { $0.name == name } }

  /// How many columns of each kind, in ``ColumnKind`` order (kinds with no column left out).
  public var kindCounts: [(kind: ColumnKind, count: Int)] {
    ColumnKind.allCases.compactMap { kind in
      let n = columns.filter { $0.kind == kind }.count
      return n > 0 ? (kind, n) : nil
    }
  }

  /// One line such as `49 columns: 2 continuous, 9 integer, 24 binary, 14 categorical; 5 with missing values`.
  public var summary: String {
    let kinds = kindCounts.map { "\($0.count) \($0.kind.rawValue)" }.joined(separator: ", ")
    let missing = columns.filter(\.hasMissing).count
    return "\(columns.count) columns: \(kinds); \(missing) with missing values"
  }
}

/// The documented thresholds of schema inference (see `docs/tabular.md`).
public struct InferenceOptions: Sendable, Equatable {
  /// A whole-number column with at most this many distinct values is categorical codes
  /// (NHEFS `education`, `marital` and the 0/1/2 items).
  public var maxCodeLevels: Int
  /// A whole-number column with up to this many distinct values that form one contiguous run starting
  /// at 2 or higher is a code book (NHEFS `income` = 11…22). Counts and scores start at 0 or 1
  /// (SUPPORT2 `num_co` 0…9, `adlp` 0…7) or have gaps (`scoma`), so they stay integer.
  public var maxCodeBookLevels: Int
  /// A text column with more distinct values than this is checked for identifiers and personal information
  /// before it is taken for a category with many levels.
  public var maxPlainCategories: Int
  /// The most levels a categorical column keeps (its most frequent ones seen at least ``rareCount`` times); the
  /// rest are pooled. A `max_categories` entry in the metadata sets it per column.
  public var maxCategories: Int
  /// k: a level or numeric value seen fewer than this many times in training is never released (pooled or
  /// snapped; `docs/tabular.md`).
  public var rareCount: Int
  /// A text or whole-number column with a different value in every row and no missing cell is an
  /// identifier only when there are at least this many rows (in tiny tables uniqueness is chance).
  public var identifierMinimumRows: Int
  /// Fewer data rows than this cannot be described (every column would look constant).
  public var minimumRows: Int

  /// The documented defaults: 6, 15, 100, 5,000, k = 5, 20 and 2.
  public init(maxCodeLevels: Int = 6, maxCodeBookLevels: Int = 15, maxPlainCategories: Int = 100, maxCategories: Int = 5_000,
              rareCount: Int = 5, identifierMinimumRows: Int = 20, minimumRows: Int = 2) {
    self.maxCodeLevels = maxCodeLevels; self.maxCodeBookLevels = maxCodeBookLevels
    self.maxPlainCategories = maxPlainCategories; self.maxCategories = maxCategories; self.rareCount = rareCount
    self.identifierMinimumRows = identifierMinimumRows; self.minimumRows = minimumRows
  }
}

extension Schema {
  /// Checks that each constraint names columns of this schema that suit it.
  /// - Throws: ``TabularError`` naming the file and the constraint's column.
  public func checkConstraints(_ constraints: [Constraint], file: String?) throws {
    for constraint in constraints {
      for name in constraint.columns where column(named: name) == nil {
        throw TabularError(.unknownMetadataColumn, file: file, column: name, "the constraint \(constraint.summary) names a column not in the data")
      }
      switch constraint {
      case .inequality(let low, let high, _):
        let kinds = [low, high].map { column(named: $0)!.kind }
        let numeric = kinds.allSatisfy { $0 == .continuous || $0 == .integer }, dates = kinds.allSatisfy { $0 == .datetime }
        guard numeric || dates else {
          throw TabularError(.metadataConflict, file: file, column: high, "the constraint \(constraint.summary) needs two numeric or two datetime columns")
        }
      case .scalarRange(let name, _, _, _):
        guard column(named: name)!.isNumeric else {
          throw TabularError(.metadataConflict, file: file, column: name, "the constraint \(constraint.summary) needs a numeric column")
        }
      case .fixedCombinations(let names):
        for name in names where ![.binary, .categorical, .constant].contains(column(named: name)!.kind) {
          throw TabularError(.metadataConflict, file: file, column: name, "fixed combinations need categorical columns")
        }
      case .monotoneFunction(let derived, let source):
        for name in [source, derived] where ![.continuous, .integer].contains(column(named: name)!.kind) {
          throw TabularError(.metadataConflict, file: file, column: name, "the constraint \(constraint.summary) needs two numeric columns")
        }
      }
    }
  }
}

/// How a numeric column's decoded values are released (see ``ColumnSchema/releaseRule``). Applied after decoding,
/// so the model is trained on the training values unchanged and the rule touches only what is written.
public struct ReleaseRule: Sendable {
  let range: ClosedRange<Double>?
  let replacements: [Double: Double]
  let common: Set<Double>
  let scale: Double

  init(range: [Double]?, rare: [Double], releasedAs: [Double], common: [Double], decimals: Int) {
    self.range = range.flatMap { $0.count == 2 && $0[0] <= $0[1] ? $0[0]...$0[1] : nil }
    var scale = 1.0
    for _ in 0..<Swift.min(Swift.max(decimals, 0), 15) { scale *= 10 }
    self.scale = scale
    var map: [Double: Double] = [:]
    for (v, r) in zip(rare, releasedAs) { map[(v * scale).rounded()] = r }
    replacements = map
    self.common = Set(common.map { ($0 * scale).rounded() })
  }

  /// Whether `x`, at the column's precision, is a value seen at least k times (written as it is).
  public func isCommon(_ x: Double) -> Bool { !common.isEmpty && common.contains((x * scale).rounded()) }

  /// `x` as released.
  public func apply(_ x: Double) -> Double {
    var y = x
    if let range { y = Swift.min(Swift.max(y, range.lowerBound), range.upperBound) }
    if !replacements.isEmpty, let r = replacements[(y * scale).rounded()] { y = r }
    return y
  }
}
