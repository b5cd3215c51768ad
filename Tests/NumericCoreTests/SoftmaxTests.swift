//===----------------------------------------------------------------------===//
// Log-softmax / softmax over column groups, and the group sum/expand adjoint pair.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Testing
import TestSupport

/// Reference log-softmax in Double: each group normalised with log-sum-exp, other columns copied.
func referenceLogSoftmax(_ x: Matrix, groups: [Range<Int>]) -> [Double] {
  var out = doubles(x)
  for i in 0..<x.rows {
    for g in groups where !g.isEmpty {
      let values = g.map { Double(x[i, $0]) }
      let m = values.max()!
      let lse = m + Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - m) })
      for j in g { out[i * x.cols + j] = Double(x[i, j]) - lse }
    }
  }
  return out
}

@Suite struct SoftmaxTests {
  /// 10 columns: a 3-column group, a 1-column group, columns 4 and 5 outside every group,
  /// a 3-column group, and column 9 outside again.
  static let groups: [Range<Int>] = [0..<3, 3..<4, 6..<9]

  @Test(arguments: [1, 2, 7, 33])
  func logSoftmaxMatchesReference(rows: Int) {
    let x = randomMatrix(rows, 10, seed: UInt64(rows), lower: -8, upper: 8)
    let got = x.logSoftmax(groups: Self.groups)
    #expect(got.rows == rows && got.cols == 10)
    // Absolute tolerance: log-probabilities near 0 are differences of O(10) numbers.
    #expect(worstError(got, referenceLogSoftmax(x, groups: Self.groups), absolute: 2e-6, relative: 4e-7) <= 1)
    for i in 0..<rows {
      #expect(got[i, 3] == 0, "a 1-column group has log-probability 0")
      for j in [4, 5, 9] { #expect(got[i, j] == x[i, j], "column \(j) is outside every group and copied") }
    }
  }

  @Test func softmaxSumsToOneWithinEachGroup() {
    let x = randomMatrix(7, 10, seed: 4, lower: -20, upper: 20)
    let p = x.softmax(groups: Self.groups)
    let expected = referenceLogSoftmax(x, groups: Self.groups).map(Foundation.exp)
    for i in 0..<7 {
      for g in Self.groups {
        let s = g.reduce(0.0) { $0 + Double(p[i, $1]) }
        #expect(Swift.abs(s - 1) < 1e-6)
        for j in g { #expect(isClose(Double(p[i, j]), expected[i * 10 + j], absolute: 1e-7, relative: 1e-6)) }
      }
      for j in [4, 5, 9] { #expect(p[i, j] == x[i, j]) }
    }
  }

  @Test func extremeLogitsStayFinite() {
    let x = Matrix([[1e4, -1e4, 0, 5], [-1e4, -1e4, -1e4, 1e4], [1e4, 1e4, -1e4, -1e4]])
    let groups: [Range<Int>] = [0..<3, 3..<4]
    let l = x.logSoftmax(groups: groups)
    #expect(l.isFinite)
    #expect(l.nestedRows[0] == [0, -2e4, -1e4, 0])
    #expect(isClose(Double(l[1, 0]), -Foundation.log(3.0), absolute: 1e-6, relative: 1e-6))
    #expect(isClose(Double(l[2, 0]), -Foundation.log(2.0), absolute: 1e-6, relative: 1e-6))
    #expect(isClose(Double(l[2, 2]), -2e4 - Foundation.log(2.0), absolute: 0, relative: 1e-7))
    let p = x.softmax(groups: groups)
    #expect(p.isFinite)
    #expect(p[0, 0] == 1 && p[0, 1] == 0 && p[0, 3] == 1)
  }

  @Test func groupEdgeCases() {
    let x = randomMatrix(3, 4, seed: 8)
    // No groups: identity. An empty group is ignored.
    #expect(x.logSoftmax(groups: []) == x)
    #expect(x.logSoftmax(groups: [2..<2]) == x)
    // One group over all columns equals the ordinary row-wise log-softmax.
    let all = x.logSoftmax(groups: [0..<4])
    #expect(worstError(all, referenceLogSoftmax(x, groups: [0..<4]), absolute: 1e-6, relative: 4e-7) <= 1)
    // Empty matrices.
    #expect(Matrix(rows: 0, cols: 4).logSoftmax(groups: [0..<4]).count == 0)
    #expect(Matrix(rows: 0, cols: 4).softmax(groups: [0..<2]).count == 0)
  }

  @Test func sumWithinGroupsAndExpandAreAdjoint() {
    let groups: [Range<Int>] = [0..<3, 3..<4, 6..<9]
    let x = randomMatrix(5, 10, seed: 12)
    let s = x.sumWithinGroups(groups)
    #expect(s.rows == 5 && s.cols == 3)
    for i in 0..<5 {
      for (k, g) in groups.enumerated() {
        let ref = g.reduce(0.0) { $0 + Double(x[i, $1]) }
        #expect(Swift.abs(Double(s[i, k]) - ref) < 1e-5)
      }
    }
    let y = randomMatrix(5, 3, seed: 13)
    let e = y.expandToGroups(groups, columns: 10)
    #expect(e.rows == 5 && e.cols == 10)
    for i in 0..<5 { for j in [4, 5, 9] { #expect(e[i, j] == 0) } }
    // ⟨sumWithinGroups(x), y⟩ = ⟨x, expandToGroups(y)⟩
    let lhs = inner(s, y), rhs = inner(x, e)
    #expect(Swift.abs(lhs - rhs) <= 1e-6 * innerMagnitude(x, e) + 1e-9)
  }
}
