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

  /// A column description; inference fills every field, tests may give only a few.
  public init(name: String, kind: ColumnKind, hasMissing: Bool = false, minimum: Double? = nil, maximum: Double? = nil,
              categories: [String] = [], categoriesAreNumeric: Bool = false, decimals: Int = 0, minimumDecimals: Int = 0,
              missingCount: Int = 0, distinctCount: Int = 0) {
    self.name = name; self.kind = kind; self.hasMissing = hasMissing; self.minimum = minimum; self.maximum = maximum
    self.categories = categories; self.categoriesAreNumeric = categoriesAreNumeric; self.decimals = decimals
    self.minimumDecimals = minimumDecimals; self.missingCount = missingCount; self.distinctCount = distinctCount
  }

  /// Whether the column is modelled as a number (one Gaussian matrix column).
  public var isNumeric: Bool { kind == .continuous || kind == .integer }
}

/// The schema of a table: one ``ColumnSchema`` per CSV column, in file order.
public struct Schema: Codable, Sendable, Equatable {
  /// One entry per CSV column, in file order.
  public var columns: [ColumnSchema]
  /// Notes for the user produced by inference (identifier columns left out, …).
  public var warnings: [String]
  /// The binary outcome column, when the user named one (see ``validateOutcome(_:in:)``).
  public var outcome: String?

  /// A schema from its parts.
  public init(columns: [ColumnSchema], warnings: [String] = [], outcome: String? = nil) {
    self.columns = columns; self.warnings = warnings; self.outcome = outcome
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
  /// More distinct values than this in a text column is an error (one-hot groups that wide do not
  /// train); an identifier column or a `max_categories` entry in the metadata are the ways out.
  public var maxCategories: Int
  /// A text or whole-number column with a different value in every row and no missing cell is an
  /// identifier only when there are at least this many rows (in tiny tables uniqueness is chance).
  public var identifierMinimumRows: Int
  /// Fewer data rows than this cannot be described (every column would look constant).
  public var minimumRows: Int

  /// The documented defaults: 6, 15, 100, 20 and 2.
  public init(maxCodeLevels: Int = 6, maxCodeBookLevels: Int = 15, maxCategories: Int = 100,
              identifierMinimumRows: Int = 20, minimumRows: Int = 2) {
    self.maxCodeLevels = maxCodeLevels; self.maxCodeBookLevels = maxCodeBookLevels; self.maxCategories = maxCategories
    self.identifierMinimumRows = identifierMinimumRows; self.minimumRows = minimumRows
  }
}
