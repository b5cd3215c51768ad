//===----------------------------------------------------------------------===//
// Slicing, concatenation, gather/scatter, one-hot and their adjointness.
//===----------------------------------------------------------------------===//

import NumericCore
import Testing
import TestSupport

@Suite struct IndexingTests {
  @Test(arguments: awkwardShapes.map { [$0.rows, $0.cols] })
  func columnAndRowSlices(_ shape: [Int]) {
    let (r, c) = (shape[0], shape[1])
    let x = randomMatrix(r, c, seed: 21)
    // Every range on narrow matrices; the edges and the middle on wide ones.
    let columnBounds = c <= 16 ? Array(0...c) : [0, 1, c / 2, c - 1, c]
    let rowBounds = r <= 16 ? Array(0...r) : [0, 1, r / 2, r - 1, r]
    for lo in columnBounds {
      for hi in columnBounds where hi >= lo {
        let s = x.columns(lo..<hi)
        #expect(s.rows == r && s.cols == hi - lo)
        for i in 0..<r { for j in lo..<hi { #expect(s[i, j - lo] == x[i, j]) } }
      }
    }
    for lo in rowBounds {
      for hi in rowBounds where hi >= lo {
        let s = x.rows(lo..<hi)
        #expect(s.rows == hi - lo && s.cols == c)
        for i in lo..<hi { for j in 0..<c { #expect(s[i - lo, j] == x[i, j]) } }
      }
    }
  }

  @Test func gatherRowsWithRepeatsAndEmpty() {
    let x = randomMatrix(7, 13, seed: 22)
    let idx = [6, 0, 0, 3, 6]
    let g = x.gatherRows(idx)
    #expect(g.rows == 5 && g.cols == 13)
    for (k, i) in idx.enumerated() { #expect(g.row(k) == x.row(i)) }
    #expect(x.gatherRows([]).rows == 0 && x.gatherRows([]).cols == 13)
    let thin = Matrix(rows: 4, cols: 0)
    #expect(thin.gatherRows([1, 2]).shape == (2, 0))
  }

  @Test func concatenation() {
    let a = randomMatrix(3, 2, seed: 1), b = randomMatrix(3, 0, seed: 2), c = randomMatrix(3, 5, seed: 3)
    let h = Matrix.concatenateColumns([a, b, c])
    #expect(h.rows == 3 && h.cols == 7)
    #expect(h.columns(0..<2) == a && h.columns(2..<7) == c)
    #expect(Matrix.concatenateColumns([]).shape == (0, 0))
    #expect(Matrix.concatenateColumns([a]) == a)

    let d = randomMatrix(1, 5, seed: 4), e = randomMatrix(0, 5, seed: 5), f = randomMatrix(4, 5, seed: 6)
    let v = Matrix.concatenateRows([d, e, f])
    #expect(v.rows == 5 && v.cols == 5)
    #expect(v.rows(0..<1) == d && v.rows(1..<5) == f)
    #expect(Matrix.concatenateRows([]).shape == (0, 0))

    // Slices and concatenation are inverse.
    let x = randomMatrix(33, 5, seed: 7)
    #expect(Matrix.concatenateColumns([x.columns(0..<1), x.columns(1..<4), x.columns(4..<5)]) == x)
    #expect(Matrix.concatenateRows([x.rows(0..<10), x.rows(10..<10), x.rows(10..<33)]) == x)
  }

  @Test(arguments: [(1, 1), (1, 9), (9, 1), (7, 13), (33, 5)])
  func gatherScatterOneHot(rows: Int, cols: Int) {
    var rng = RandomSource(seed: UInt64(rows * 100 + cols))
    let x = randomMatrix(rows, cols, seed: 31)
    let idx = (0..<rows).map { _ in rng.integer(below: cols) }

    let g = x.gather(columnIndices: idx)
    #expect(g.rows == rows && g.cols == 1)
    for i in 0..<rows { #expect(g[i, 0] == x[i, idx[i]]) }

    let v = randomMatrix(rows, 1, seed: 32)
    let s = Matrix.scatter(v, columnIndices: idx, columns: cols)
    #expect(s.rows == rows && s.cols == cols)
    for i in 0..<rows { for j in 0..<cols { #expect(s[i, j] == (j == idx[i] ? v[i, 0] : 0)) } }

    // Adjointness: ⟨gather(x), v⟩ = ⟨x, scatter(v)⟩.
    let lhs = inner(g, v), rhs = inner(x, s)
    #expect(Swift.abs(lhs - rhs) <= 1e-9 * (innerMagnitude(g, v) + 1))

    // One-hot is scatter of ones, and gather = row sums of x ⊙ oneHot.
    let oh = Matrix.oneHot(idx, classes: cols)
    #expect(oh == Matrix.scatter(Matrix(rows: rows, cols: 1, repeating: 1), columnIndices: idx, columns: cols))
    #expect(oh.sumOverColumns() == Matrix(rows: rows, cols: 1, repeating: 1))
    #expect((x * oh).sumOverColumns() == g)
    #expect(oh.argmaxPerRow() == idx)
  }

  @Test func emptyGatherScatterOneHot() {
    #expect(Matrix(rows: 0, cols: 4).gather(columnIndices: []).shape == (0, 1))
    #expect(Matrix.scatter(Matrix(rows: 0, cols: 1), columnIndices: [], columns: 4).shape == (0, 4))
    #expect(Matrix.oneHot([], classes: 3).shape == (0, 3))
  }
}
