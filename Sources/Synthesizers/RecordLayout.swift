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

  public init(gaussian: Range<Int>, bernoulli: Range<Int>, categoricalGroups: [Range<Int>], missingIndicatorForGaussian: [Int?]? = nil) {
    self.gaussian = gaussian
    self.bernoulli = bernoulli
    self.categoricalGroups = categoricalGroups
    self.missingIndicatorForGaussian = missingIndicatorForGaussian ?? Array(repeating: nil, count: gaussian.count)
    precondition(self.missingIndicatorForGaussian.count == gaussian.count, "one missingness entry per Gaussian column")
  }

  /// The synthesizer-side view of the tabular encoder's matrix layout.
  public init(_ layout: EncodingLayout) {
    self.init(gaussian: layout.gaussianColumns, bernoulli: layout.bernoulliColumns,
              categoricalGroups: layout.categoricalGroups, missingIndicatorForGaussian: layout.missingIndicatorForGaussian)
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

  /// Writes 0 into every Gaussian slot whose missingness indicator is 1 (as the encoder does for real records).
  public func zeroMissingValues(_ records: Matrix) -> Matrix {
    var r = records
    let w = r.cols, n = r.rows, g0 = gaussian.lowerBound
    r.withUnsafeMutableBufferPointer { p in
      for (j, indicator) in missingIndicatorForGaussian.enumerated() {
        guard let m = indicator else { continue }
        for i in 0..<n where p[i * w + m] > 0.5 { p[i * w + g0 + j] = 0 }
      }
    }
    return r
  }
}
