//===----------------------------------------------------------------------===//
// Reductions, grouped log-softmax and indexing.
//===----------------------------------------------------------------------===//

import NumericCore

extension Variable {
  /// Sum of all elements (`1 × 1`).
  public func sum() -> Variable { sum(toRows: 1, cols: 1) }

  /// Mean of all elements (`1 × 1`).
  public func mean() -> Variable { sum() * (1 / Float(Swift.max(value.count, 1))) }

  /// Column sums (`1 × cols`).
  public func sumOverRows() -> Variable { sum(toRows: 1, cols: cols) }

  /// Row sums (`rows × 1`).
  public func sumOverColumns() -> Variable { sum(toRows: rows, cols: 1) }

  /// Column means (`1 × cols`).
  public func meanOverRows() -> Variable { sumOverRows() * (1 / Float(Swift.max(rows, 1))) }

  /// Row means (`rows × 1`).
  public func meanOverColumns() -> Variable { sumOverColumns() * (1 / Float(Swift.max(cols, 1))) }

  /// Log-softmax within each group of columns (columns outside every group pass through).
  ///
  /// Backward: `g − softmax · (Σ_group g)`, written with differentiable ops so it can be
  /// differentiated again.
  public func logSoftmax(groups: [Range<Int>]) -> Variable {
    let width = cols
    return Variable(operationResult: value.logSoftmax(groups: groups), inputs: [self]) { g, _, y in
      [g - y.exp() * g.sumWithinGroups(groups).expandToGroups(groups, columns: width)]
    }
  }

  /// Sums each group of columns (`rows × groups.count`).
  public func sumWithinGroups(_ groups: [Range<Int>]) -> Variable {
    let width = cols
    return Variable(operationResult: value.sumWithinGroups(groups), inputs: [self]) { g, _, _ in
      [g.expandToGroups(groups, columns: width)]
    }
  }

  /// Copies column `k` over every column of group `k` (`rows × columns`); the adjoint of ``sumWithinGroups(_:)``.
  public func expandToGroups(_ groups: [Range<Int>], columns: Int) -> Variable {
    Variable(operationResult: value.expandToGroups(groups, columns: columns), inputs: [self]) { g, _, _ in
      [g.sumWithinGroups(groups)]
    }
  }

  /// The columns in `range`.
  public func columns(_ range: Range<Int>) -> Variable {
    let width = cols
    return Variable(operationResult: value.columns(range), inputs: [self]) { g, _, _ in
      [g.padColumns(at: range.lowerBound, toWidth: width)]
    }
  }

  /// Places `self` at columns `offset..<offset+cols` of a zero matrix `width` wide.
  public func padColumns(at offset: Int, toWidth width: Int) -> Variable {
    let range = offset..<(offset + cols)
    let v = value.paddingColumns(at: offset, toWidth: width)
    return Variable(operationResult: v, inputs: [self]) { g, _, _ in [g.columns(range)] }
  }

  /// Rows `range` of `self`.
  public func rows(_ range: Range<Int>) -> Variable {
    let height = rows
    return Variable(operationResult: value.rows(range), inputs: [self]) { g, _, _ in
      [g.padRows(at: range.lowerBound, toHeight: height)]
    }
  }

  /// Places `self` at rows `offset..<offset+rows` of a zero matrix `height` tall.
  public func padRows(at offset: Int, toHeight height: Int) -> Variable {
    let range = offset..<(offset + rows)
    let v = Matrix.concatenateRows([Matrix(rows: offset, cols: cols), value, Matrix(rows: height - range.upperBound, cols: cols)])
    return Variable(operationResult: v, inputs: [self]) { g, _, _ in [g.rows(range)] }
  }

  /// Side-by-side concatenation.
  public static func concatenateColumns(_ parts: [Variable]) -> Variable {
    let v = Matrix.concatenateColumns(parts.map(\.value))
    var offsets: [Range<Int>] = []
    var start = 0
    for p in parts { offsets.append(start..<(start + p.cols)); start += p.cols }
    return Variable(operationResult: v, inputs: parts) { g, _, _ in offsets.map { g.columns($0) } }
  }

  /// `out[i] = self[i, indices[i]]` (`rows × 1`).
  public func gather(columnIndices indices: [Int]) -> Variable {
    let width = cols
    return Variable(operationResult: value.gather(columnIndices: indices), inputs: [self]) { g, _, _ in
      [g.scatter(columnIndices: indices, columns: width)]
    }
  }

  /// The adjoint of ``gather(columnIndices:)``.
  public func scatter(columnIndices indices: [Int], columns: Int) -> Variable {
    Variable(operationResult: Matrix.scatter(value, columnIndices: indices, columns: columns), inputs: [self]) { g, _, _ in
      [g.gather(columnIndices: indices)]
    }
  }
}
