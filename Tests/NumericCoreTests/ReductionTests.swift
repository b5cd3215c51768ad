//===----------------------------------------------------------------------===//
// Sums, means, maxima, variances and argmax against Double reference loops.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Testing
import TestSupport

@Suite struct ReductionTests {
  /// Single-precision sums of `n` terms are within about `n · ε · Σ|x|` of the exact sum.
  func sumTolerance(_ values: [Double]) -> Double {
    Double(values.count + 2) * Double(Float.ulpOfOne) * values.reduce(0) { $0 + Swift.abs($1) } + 1e-30
  }

  @Test(arguments: awkwardShapes.map { [$0.rows, $0.cols] })
  func rowSquaredNorms(_ shape: [Int]) {
    let (r, c) = (shape[0], shape[1])
    let x = randomMatrix(r, c, seed: 19)
    let norms = x.rowSquaredNorms()
    #expect(norms.rows == r && norms.cols == 1)
    for i in 0..<r {
      let squares = (0..<c).map { Double(x[i, $0]) * Double(x[i, $0]) }
      #expect(Swift.abs(Double(norms[i, 0]) - squares.reduce(0, +)) <= sumTolerance(squares), "row \(i) on \(r)×\(c)")
    }
  }

  @Test(arguments: awkwardShapes.map { [$0.rows, $0.cols] })
  func sumsAndMeans(_ shape: [Int]) {
    let (r, c) = (shape[0], shape[1])
    let x = randomMatrix(r, c, seed: 17)
    let v = doubles(x)

    let total = v.reduce(0, +)
    #expect(Swift.abs(Double(x.sum()) - total) <= sumTolerance(v), "sum on \(r)×\(c)")
    let mean = v.isEmpty ? 0 : total / Double(v.count)
    #expect(Swift.abs(Double(x.mean()) - mean) <= sumTolerance(v) / Double(max(1, v.count)) + 1e-7, "mean on \(r)×\(c)")

    // Column sums (reduce over rows): 1 × c.
    let colSums = x.sumOverRows(), colMeans = x.meanOverRows()
    #expect(colSums.rows == 1 && colSums.cols == c && colMeans.rows == 1 && colMeans.cols == c)
    for j in 0..<c {
      let column = (0..<r).map { v[$0 * c + j] }
      let s = column.reduce(0, +)
      #expect(Swift.abs(Double(colSums[0, j]) - s) <= sumTolerance(column), "sumOverRows col \(j) on \(r)×\(c)")
      let m = r == 0 ? 0 : s / Double(r)
      #expect(Swift.abs(Double(colMeans[0, j]) - m) <= sumTolerance(column) / Double(max(r, 1)) + 2e-7 * Swift.abs(m), "meanOverRows col \(j)")
    }

    // Row sums (reduce over columns): r × 1.
    let rowSums = x.sumOverColumns(), rowMeans = x.meanOverColumns(), rowMax = x.maxOverColumns()
    #expect(rowSums.rows == r && rowSums.cols == 1 && rowMeans.rows == r && rowMax.rows == r && rowMax.cols == 1)
    for i in 0..<r {
      let row = Array(v[(i * c)..<((i + 1) * c)])
      let s = row.reduce(0, +)
      #expect(Swift.abs(Double(rowSums[i, 0]) - s) <= sumTolerance(row), "sumOverColumns row \(i) on \(r)×\(c)")
      let m = c == 0 ? 0 : s / Double(c)
      #expect(Swift.abs(Double(rowMeans[i, 0]) - m) <= sumTolerance(row) / Double(max(c, 1)) + 2e-7 * Swift.abs(m), "meanOverColumns row \(i)")
      #expect(Double(rowMax[i, 0]) == (row.max() ?? -.infinity), "maxOverColumns row \(i) on \(r)×\(c)")
    }

    // Column variances (population), two-pass in Double.
    let variance = x.varianceOverRows()
    #expect(variance.rows == 1 && variance.cols == c)
    for j in 0..<c where r > 0 {
      let column = (0..<r).map { v[$0 * c + j] }
      let m = column.reduce(0, +) / Double(r)
      let vr = column.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(r)
      #expect(Swift.abs(Double(variance[0, j]) - vr) <= 1e-6 * (vr + 1), "varianceOverRows col \(j) on \(r)×\(c)")
    }

    // argmax: first index of the largest element of each row.
    let arg = x.argmaxPerRow()
    #expect(arg.count == r)
    for i in 0..<r where c > 0 {
      let row = Array(v[(i * c)..<((i + 1) * c)])
      #expect(arg[i] == row.firstIndex(of: row.max()!), "argmax row \(i)")
    }
  }

  @Test func emptyReductions() {
    #expect(Matrix(rows: 0, cols: 0).sum() == 0 && Matrix(rows: 0, cols: 0).mean() == 0)
    #expect(Matrix(rows: 0, cols: 3).sumOverRows() == Matrix(rows: 1, cols: 3))
    #expect(Matrix(rows: 0, cols: 3).meanOverRows() == Matrix(rows: 1, cols: 3))
    #expect(Matrix(rows: 3, cols: 0).sumOverColumns() == Matrix(rows: 3, cols: 1))
    #expect(Matrix(rows: 3, cols: 0).meanOverColumns() == Matrix(rows: 3, cols: 1))
    #expect(Matrix(rows: 2, cols: 0).maxOverColumns().storage == [-.infinity, -.infinity])
  }

  @Test func argmaxTiesAndInfinities() {
    let x = Matrix([[1, 3, 3, 2], [-.infinity, -.infinity, -5, -.infinity], [7, 7, 7, 7]])
    #expect(x.argmaxPerRow() == [1, 2, 0])
    #expect(x.maxOverColumns().storage == [3, -5, 7])
  }

  @Test func largeSumIsAccurate() {
    // 1M values: a naive Float running sum drifts by ~1e-3 relative; the kernel must stay within n·ε.
    var rng = RandomSource(seed: 99)
    let x = rng.uniformMatrix(rows: 1000, cols: 1000, lower: 0, upper: 1)
    let exact = x.storage.reduce(0.0) { $0 + Double($1) }
    #expect(Swift.abs(Double(x.sum()) - exact) / exact < 1e-4)
    let colSums = x.sumOverRows()
    let exact0 = (0..<1000).reduce(0.0) { $0 + Double(x[$1, 0]) }
    #expect(Swift.abs(Double(colSums[0, 0]) - exact0) / exact0 < 1e-5)
  }
}
