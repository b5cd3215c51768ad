/// How a numeric (continuous or integer) column is mapped to its Gaussian matrix column.
public enum NumericEncoding: String, Codable, Sendable, CaseIterable {
  /// z-score with the training mean and standard deviation.
  case standard
  /// `(x − min) / (max − min)`, in [0, 1].
  case minmax
  /// Empirical CDF, then the standard-normal quantile: every column becomes close to N(0, 1) whatever
  /// its shape. The default (see ``EncodingOptions``).
  case quantile
}

/// Choices made when fitting a ``TableEncoder``.
public struct EncodingOptions: Codable, Sendable, Equatable {
  /// The transform of numeric columns.
  ///
  /// Default `quantile`: lab values in hospital data are heavy-tailed (SUPPORT2 `urine` runs from 0 to
  /// 9,000 with most mass below 3,000; `bili`, `crea`, `wblc` are log-normal-like). A z-score leaves
  /// those tails at 10–20 σ, where a generator with Gaussian heads wastes capacity and its outputs
  /// overshoot; min-max squeezes the bulk into a sliver near 0. The quantile map turns every marginal
  /// into N(0, 1), handles ties (integer columns) and spikes, and its inverse lands inside the
  /// observed range by construction.
  public var numeric: NumericEncoding
  /// Per-column exceptions to ``numeric``.
  public var perColumn: [String: NumericEncoding]
  /// The most interpolation knots a quantile transform keeps. A column with at most this many
  /// distinct values keeps all of them, which makes encode → decode exact for its training values;
  /// beyond it, knots sit at evenly spaced probabilities. The model file stores ~12 bytes per knot.
  public var quantileKnots: Int
  /// Whether quantile-encoded integer columns decode to the values they took in training (the empirical
  /// quantile, ``NumericTransform/levelBoundaries``) rather than to rounded interpolations between them.
  /// Default on: a score that takes 0, 9, 26, … otherwise comes back as 4 or 17, values it never had.
  public var integersTakeObservedValues: Bool
  /// Quantile-encoded continuous columns whose values repeat at least this often on average (non-missing
  /// count / distinct values) decode to their training values too, as integer columns do; 0 turns it off.
  /// Default 4: lab values recorded at a fixed resolution (SUPPORT2's creatinine takes 124 values over
  /// 6,324 rows) otherwise come back spread between the recorded values, and a detector splits them off
  /// column by column (single-column detection AUC 0.96 for `crea`, 0.94 for `temp`; 0.52–0.56 once decoded
  /// to observed values). Columns whose values are mostly unique (age in years with decimals) are not affected.
  public var repeatedValueMultiplicity: Double
  /// Whether generators train on dequantized scores for the columns that decode to observed values: each
  /// training score is replaced by a draw from N(0, 1) within its level's CDF step
  /// (``NumericTransform/dequantized(_:uniform:)``), so a discriminator cannot tell real from synthetic records
  /// by the spikes of a discrete column, which a continuous head cannot produce and decoding removes anyway.
  public var dequantizeLevels: Bool

  /// Quantile encoding with up to 10,000 knots, unless told otherwise.
  public init(numeric: NumericEncoding = .quantile, perColumn: [String: NumericEncoding] = [:], quantileKnots: Int = 10_000,
              integersTakeObservedValues: Bool = true, repeatedValueMultiplicity: Double = 4, dequantizeLevels: Bool = true) {
    self.numeric = numeric; self.perColumn = perColumn; self.quantileKnots = quantileKnots
    self.integersTakeObservedValues = integersTakeObservedValues
    self.repeatedValueMultiplicity = repeatedValueMultiplicity
    self.dequantizeLevels = dequantizeLevels
  }

  enum CodingKeys: String, CodingKey {
    case numeric, perColumn, quantileKnots, integersTakeObservedValues, repeatedValueMultiplicity, dequantizeLevels
  }

  /// Decodes stored options; model files written before `integersTakeObservedValues`, `repeatedValueMultiplicity`
  /// or `dequantizeLevels` existed get `false` / 0, which is how they were fitted.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    numeric = try c.decode(NumericEncoding.self, forKey: .numeric)
    perColumn = try c.decode([String: NumericEncoding].self, forKey: .perColumn)
    quantileKnots = try c.decode(Int.self, forKey: .quantileKnots)
    integersTakeObservedValues = try c.decodeIfPresent(Bool.self, forKey: .integersTakeObservedValues) ?? false
    repeatedValueMultiplicity = try c.decodeIfPresent(Double.self, forKey: .repeatedValueMultiplicity) ?? 0
    dequantizeLevels = try c.decodeIfPresent(Bool.self, forKey: .dequantizeLevels) ?? false
    guard repeatedValueMultiplicity.isFinite, repeatedValueMultiplicity >= 0 else {
      throw DecodingError.dataCorruptedError(forKey: .repeatedValueMultiplicity, in: c, debugDescription: "must be a finite number ≥ 0")
    }
  }
}

/// The distribution family of a block of matrix columns (what head a generator needs for it).
public enum BlockDistribution: String, Codable, Sendable {
  /// One real-valued column (identity / Gaussian head).
  case gaussian
  /// One 0/1 column (sigmoid head).
  case bernoulli
  /// A one-hot group (softmax head).
  case categorical
}

/// A run of matrix columns that belongs to one source column.
public struct EncodedBlock: Codable, Sendable, Equatable {
  /// The source column's name.
  public var column: String
  /// Whether this block is the missingness indicator of `column` (a Bernoulli column that is 1 where
  /// the cell is missing).
  public var isMissingIndicator: Bool
  /// The head a generator needs for the block.
  public var distribution: BlockDistribution
  /// The matrix columns of the block.
  public var range: Range<Int>
  /// For a categorical group of a column with missing values: the matrix column of the extra
  /// "missing" level (always the group's last column).
  public var missingLevel: Int?

  /// A block of `range` belonging to source column `column`.
  public init(column: String, isMissingIndicator: Bool, distribution: BlockDistribution, range: Range<Int>, missingLevel: Int? = nil) {
    self.column = column; self.isMissingIndicator = isMissingIndicator; self.distribution = distribution
    self.range = range; self.missingLevel = missingLevel
  }
}

/// Where every source column lives in the model matrix.
///
/// The order is fixed so that a generator can treat each distribution family as one slice:
/// `[ Gaussian … | Bernoulli … | one-hot group | one-hot group | … ]`.
/// - Gaussian: one column per continuous or integer source column, in file order.
/// - Bernoulli: first one column per binary source column (1 = its second level), in file order;
///   then the missingness indicators of the numeric, binary and constant columns that have missing
///   values, in file order.
/// - Categorical: one one-hot group per categorical column, in file order; a column with missing
///   values has one extra last level meaning "missing".
/// Identifier columns have no matrix columns.
public struct EncodingLayout: Codable, Sendable, Equatable {
  /// Total number of matrix columns.
  public var width: Int
  /// Every block, in matrix order.
  public var blocks: [EncodedBlock]
  /// The Gaussian columns, one per continuous or integer source column (first in the matrix).
  public var gaussianColumns: Range<Int>
  /// The Bernoulli columns: binary values, then missingness indicators (after the Gaussian ones).
  public var bernoulliColumns: Range<Int>
  /// One contiguous one-hot group per categorical source column (last in the matrix).
  public var categoricalGroups: [Range<Int>]
  /// For each Gaussian column (in order), the matrix column of its missingness indicator, if any.
  public var missingIndicatorForGaussian: [Int?]

  /// The blocks of one source column (value first, then its indicator).
  public func blocks(for column: String) -> [EncodedBlock] { blocks.filter { $0.column == column } }
}
