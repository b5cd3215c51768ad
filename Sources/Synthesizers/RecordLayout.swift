//===----------------------------------------------------------------------===//
// How an encoded record's columns are distributed, as the generators see it.
//===----------------------------------------------------------------------===//

import NumericCore
import TabularData

/// Which columns of an encoded record follow which distribution family.
///
/// The tabular encoder lays columns out in this order so that every head is one
/// contiguous block and per-column work is vectorised over blocks:
/// `[Gaussian | Bernoulli | categorical group 1 | group 2 | …]`.
public struct RecordLayout: Codable, Sendable, Equatable {
  /// Real-valued columns (continuous and integer source columns, standardised).
  public var gaussian: Range<Int>
  /// 0/1 columns: binary source columns and missingness indicators.
  public var bernoulli: Range<Int>
  /// One-hot groups, one per multi-level categorical source column.
  public var categoricalGroups: [Range<Int>]
  /// For each Gaussian column (in order), the record column of its missingness indicator, if any.
  public var missingIndicatorForGaussian: [Int?]
  /// For each Gaussian column (in order), the value the encoder gives a missing cell (0, or 0.5 under min-max).
  public var missingValueForGaussian: [Float]
  /// What the Gaussian columns become once written to CSV and read back (rounding, clipping); nil when the
  /// layout was not made from an encoder. Derived from the encoder, so not stored.
  public var roundTrip: GaussianRoundTrip?

  public init(gaussian: Range<Int>, bernoulli: Range<Int>, categoricalGroups: [Range<Int>], missingIndicatorForGaussian: [Int?]? = nil,
              missingValueForGaussian: [Float]? = nil) {
    self.gaussian = gaussian
    self.bernoulli = bernoulli
    self.categoricalGroups = categoricalGroups
    self.missingIndicatorForGaussian = missingIndicatorForGaussian ?? Array(repeating: nil, count: gaussian.count)
    self.missingValueForGaussian = missingValueForGaussian ?? Array(repeating: 0, count: gaussian.count)
    precondition(self.missingIndicatorForGaussian.count == gaussian.count, "one missingness entry per Gaussian column")
    precondition(self.missingValueForGaussian.count == gaussian.count, "one missing value per Gaussian column")
  }

  /// The synthesizer-side view of the tabular encoder's matrix layout (missing values encoded as 0).
  public init(_ layout: EncodingLayout) {
    self.init(gaussian: layout.gaussianColumns, bernoulli: layout.bernoulliColumns,
              categoricalGroups: layout.categoricalGroups, missingIndicatorForGaussian: layout.missingIndicatorForGaussian)
  }

  /// The synthesizer-side view of a fitted encoder: its layout and the encoded value of missing cells.
  public init(_ encoder: TableEncoder) {
    let layout = encoder.layout
    self.init(gaussian: layout.gaussianColumns, bernoulli: layout.bernoulliColumns, categoricalGroups: layout.categoricalGroups,
              missingIndicatorForGaussian: layout.missingIndicatorForGaussian, missingValueForGaussian: encoder.missingValueForGaussian)
    roundTrip = GaussianRoundTrip(encoder)
  }

  /// `records` as they will read back from the CSV: Gaussian values through ``roundTrip`` (when known),
  /// missing slots refilled with the encoder's value.
  public func roundTripped(_ records: Matrix) -> Matrix {
    guard let roundTrip, gaussian.count > 0 else { return records }
    var r = records
    roundTrip.apply(to: &r, columns: gaussian)
    return fillMissingValues(r)
  }

  /// Whether some Gaussian column encodes a missing cell as a value other than 0.
  public var hasNonzeroMissingValues: Bool { missingValueForGaussian.contains { $0 != 0 } }

  enum CodingKeys: String, CodingKey { case gaussian, bernoulli, categoricalGroups, missingIndicatorForGaussian, missingValueForGaussian }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(gaussian: c.decode(Range<Int>.self, forKey: .gaussian), bernoulli: c.decode(Range<Int>.self, forKey: .bernoulli),
                  categoricalGroups: c.decode([Range<Int>].self, forKey: .categoricalGroups),
                  missingIndicatorForGaussian: c.decode([Int?].self, forKey: .missingIndicatorForGaussian),
                  missingValueForGaussian: c.decodeIfPresent([Float].self, forKey: .missingValueForGaussian))
  }

  /// Total number of record columns.
  public var width: Int { Swift.max(gaussian.upperBound, bernoulli.upperBound, categoricalGroups.last?.upperBound ?? 0) }

  /// All categorical columns as one contiguous range (empty when there are none).
  public var categorical: Range<Int> {
    guard let first = categoricalGroups.first, let last = categoricalGroups.last else { return width..<width }
    return first.lowerBound..<last.upperBound
  }

  /// The categorical groups shifted to start at 0 (positions inside the categorical block).
  public var localCategoricalGroups: [Range<Int>] {
    let base = categorical.lowerBound
    return categoricalGroups.map { ($0.lowerBound - base)..<($0.upperBound - base) }
  }

  /// Whether the blocks are contiguous, in order, and cover `0..<width`.
  public var isWellFormed: Bool {
    guard gaussian.lowerBound == 0, bernoulli.lowerBound == gaussian.upperBound else { return false }
    var next = bernoulli.upperBound
    for g in categoricalGroups {
      guard g.lowerBound == next, g.count >= 2 else { return false }
      next = g.upperBound
    }
    return missingIndicatorForGaussian.allSatisfy { $0.map { bernoulli.contains($0) } ?? true }
  }

  /// The record's factors, one per source column, as lists of record columns: a Gaussian column with its
  /// missingness indicator, a Bernoulli column that is no indicator, or a categorical group. The policy draws
  /// the factors independently given the noise, so a factor can be redrawn without touching the others.
  public var factors: [[Int]] {
    let indicators = Set(missingIndicatorForGaussian.compactMap { $0 })
    var out: [[Int]] = []
    for (j, m) in missingIndicatorForGaussian.enumerated() { out.append([gaussian.lowerBound + j] + (m.map { [$0] } ?? [])) }
    for b in bernoulli where !indicators.contains(b) { out.append([b]) }
    for g in categoricalGroups { out.append(Array(g)) }
    return out
  }

  /// `width × factors.count` matrix with a 1 where a record column belongs to a factor: per-column terms
  /// times this matrix are per-factor sums (one GEMM instead of a loop over factors).
  public func factorMembership() -> Matrix {
    let f = factors
    var m = Matrix(rows: width, cols: f.count)
    for (k, columns) in f.enumerated() { for c in columns { m[c, k] = 1 } }
    return m
  }

  /// `rows × gaussian.count` matrix that is 1 where the Gaussian value is present
  /// (its missingness indicator is 0, or it has none) and 0 where it is missing.
  public func presenceMask(_ records: Matrix) -> Matrix {
    let n = records.rows, dg = gaussian.count, w = records.cols
    return records.withUnsafeBufferPointer { p in
      Matrix(rows: n, cols: dg) { out in
        for j in 0..<dg {
          if let m = missingIndicatorForGaussian[j] {
            for i in 0..<n { out[i * dg + j] = p[i * w + m] > 0.5 ? 0 : 1 }
          } else {
            for i in 0..<n { out[i * dg + j] = 1 }
          }
        }
      }
    }
  }

  /// Writes ``missingValueForGaussian`` into every Gaussian slot whose missingness indicator is 1, as the
  /// encoder does for real records.
  public func fillMissingValues(_ records: Matrix) -> Matrix {
    var r = records
    let w = r.cols, n = r.rows, g0 = gaussian.lowerBound
    r.withUnsafeMutableBufferPointer { p in
      for (j, indicator) in missingIndicatorForGaussian.enumerated() {
        guard let m = indicator else { continue }
        let fill = missingValueForGaussian[j]
        for i in 0..<n where p[i * w + m] > 0.5 { p[i * w + g0 + j] = fill }
      }
    }
    return r
  }
}
