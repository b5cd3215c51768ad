//===----------------------------------------------------------------------===//
// The encoded table the distance- and classifier-based metrics work on.
//===----------------------------------------------------------------------===//

import NumericCore

/// The encoding of score.py: every categorical column one-hot over its *training* levels
/// (missing is a level; levels never seen in training encode as all zeros), every numeric
/// column as two features — the value min-max scaled by the training range (missing cells
/// filled with the training median) and a 0/1 missing flag.
///
/// In this space a record lies in `[0, 1]^d` (numeric values outside the training range
/// fall outside), a changed categorical value moves a record by √2 and a numeric column by
/// at most 1 (plus 1 if it flips between missing and present).
public struct TableEncoding: Sendable {
  /// Indices (into ``PreparedTables/columns``) of the encoded columns, in order.
  public let columnIndices: [Int]
  /// Names of the encoded features (`age`, `age[missing]`, `race=black`, …).
  public let featureNames: [String]
  /// For each encoded feature, the index of its source column in ``PreparedTables/columns``.
  public let featureColumn: [Int]
  /// Squared-distance weight of each feature: 2 for a two-level column encoded as one 0/1 feature (see
  /// `compactBinary`), else 1. `Σ wₖ (aₖ − bₖ)²` is the squared distance of the full one-hot encoding.
  public let featureWeights: [Float]
  /// Columns encoded as one 0/1 feature (the second training level) instead of two one-hot features.
  let compactColumns: Set<Int>

  /// The encoding of `prepared`'s columns, leaving out `excluding` (column indices).
  ///
  /// With `compactBinary`, a categorical column with exactly two training levels, none of whose cells in
  /// the three tables takes another level, becomes one 0/1 feature of weight 2 instead of the one-hot pair:
  /// weighted distances and tree partitions are those of the pair, at half the width (wide code tables).
  public init(_ prepared: PreparedTables, excluding: Set<Int> = [], compactBinary: Bool = false) {
    var idx: [Int] = [], names: [String] = [], source: [Int] = [], weights: [Float] = [], compact: Set<Int> = []
    for (c, info) in prepared.columns.enumerated() where !excluding.contains(c) {
      idx.append(c)
      switch info.kind {
      case .numeric:
        names += [info.name, "\(info.name)[missing]"]; source += [c, c]; weights += [1, 1]
      case .categorical:
        let binary = compactBinary && info.trainingLevelCount == 2
          && [prepared.train, prepared.holdout, prepared.synthetic].allSatisfy { $0.codes[c].allSatisfy { $0 < 2 } }
        if binary {
          compact.insert(c); names.append("\(info.name)=\(info.levels[1])"); source.append(c); weights.append(2)
        } else {
          for l in info.levels.prefix(info.trainingLevelCount) { names.append("\(info.name)=\(l)"); source.append(c); weights.append(1) }
        }
      case .ignored: break
      }
    }
    columnIndices = idx; featureNames = names; featureColumn = source; featureWeights = weights; compactColumns = compact
  }

  /// Number of encoded features.
  public var width: Int { featureNames.count }

  /// Encodes one parsed table into a `rows × width` matrix.
  public func encode(_ table: ParsedTable, _ prepared: PreparedTables) -> Matrix {
    let n = table.rowCount, d = width
    return Matrix(rows: n, cols: d) { out in
      out.initialize(repeating: 0)
      var offset = 0
      for c in columnIndices {
        let info = prepared.columns[c]
        switch info.kind {
        case .numeric:
          let lo = info.minimum, span = (info.maximum - info.minimum) == 0 ? 1 : info.maximum - info.minimum
          let fill = Float((info.median - lo) / span)
          table.numbers[c].withUnsafeBufferPointer { v in
            for r in 0..<n {
              let x = v[r]
              if x.isNaN { out[r * d + offset] = fill; out[r * d + offset + 1] = 1 } else { out[r * d + offset] = Float((x - lo) / span) }
            }
          }
          offset += 2
        case .categorical where compactColumns.contains(c):
          table.codes[c].withUnsafeBufferPointer { v in
            for r in 0..<n where v[r] == 1 { out[r * d + offset] = 1 }
          }
          offset += 1
        case .categorical:
          let k = info.trainingLevelCount
          table.codes[c].withUnsafeBufferPointer { v in
            for r in 0..<n where v[r] < k { out[r * d + offset + v[r]] = 1 }
          }
          offset += k
        case .ignored: break
        }
      }
    }
  }
}
