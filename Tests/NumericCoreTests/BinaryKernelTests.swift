//===----------------------------------------------------------------------===//
// Statically dispatched binary kernels, explicit broadcasting and the vectorisable sqrt.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Testing
import TestSupport

@Suite struct BinaryKernelTests {
  static let kernels: [(String, @Sendable (Matrix, Matrix) -> Matrix, @Sendable (Double, Double) -> Double)] = [
    ("AddKernel", { Matrix.combine($0, $1, AddKernel()) }, { $0 + $1 }),
    ("SubtractKernel", { Matrix.combine($0, $1, SubtractKernel()) }, { $0 - $1 }),
    ("MultiplyKernel", { Matrix.combine($0, $1, MultiplyKernel()) }, { $0 * $1 }),
    ("DivideKernel", { Matrix.combine($0, $1, DivideKernel()) }, { $0 / $1 }),
    ("SignScaleKernel(0.7, -0.2)", { Matrix.combine($0, $1, SignScaleKernel(positive: 0.7, negative: -0.2)) },
     { $1 > 0 ? Double(Float(0.7)) * $0 : Double(Float(-0.2)) * $0 }),
    ("LessOrEqualMaskKernel", { Matrix.combine($0, $1, LessOrEqualMaskKernel()) }, { $0 <= $1 ? 1 : 0 }),
    ("MinimumKernel", { Matrix.combine($0, $1, MinimumKernel()) }, { min($0, $1) }),
    ("MaximumKernel", { Matrix.combine($0, $1, MaximumKernel()) }, { max($0, $1) }),
    ("ClosureKernel", { Matrix.combine($0, $1, ClosureKernel { a, b in a * a - b }) }, { Double(Float($0 * $0)) - $1 }),
  ]

  @Test func everyKernelInEveryBroadcastDirection() {
    for (index, (sa, sb)) in ElementwiseTests.broadcastPairs.enumerated() {
      let a = awayFromZero(sa.0, sa.1, seed: UInt64(3 * index + 1))
      let b = awayFromZero(sb.0, sb.1, seed: UInt64(3 * index + 2))
      for (name, op, ref) in Self.kernels {
        let got = op(a, b)
        let expected = referenceCombine(a, b, ref)
        #expect(got.rows == expected.rows && got.cols == expected.cols, "\(name) \(sa) with \(sb)")
        guard got.count == expected.values.count else { continue }
        #expect(worstError(got, expected.values, absolute: 1e-30, relative: 2.4e-7) <= 1, "\(name) \(sa) with \(sb)")
      }
    }
  }

  @Test func kernelRunVariantsOnRawPointers() {
    let x: [Float] = [1, -2, 3, 0.5, -0.25], y: [Float] = [2, 2, -1, 4, 8]
    var out = [Float](repeating: .nan, count: 5)
    let k = SubtractKernel()
    x.withUnsafeBufferPointer { px in
      y.withUnsafeBufferPointer { py in
        out.withUnsafeMutableBufferPointer { po in
          k.run(po.baseAddress!, px.baseAddress!, py.baseAddress!, count: 5)
        }
      }
    }
    #expect(out == [-1, -4, 4, -3.5, -8.25])
    x.withUnsafeBufferPointer { px in
      out.withUnsafeMutableBufferPointer { po in k.run(po.baseAddress!, px.baseAddress!, scalar: 1, count: 5) }
    }
    #expect(out == [0, -3, 2, -0.5, -1.25])
    y.withUnsafeBufferPointer { py in
      out.withUnsafeMutableBufferPointer { po in k.run(po.baseAddress!, scalar: 1, py.baseAddress!, count: 5) }
    }
    #expect(out == [-1, -1, 2, -3, -7])
  }

  @Test func broadcastToShape() {
    let row = Matrix.row([1, 2, 3]), column = Matrix.column([4, 5]), scalar = Matrix.scalar(7)
    #expect(row.broadcast(toRows: 2, cols: 3).nestedRows == [[1, 2, 3], [1, 2, 3]])
    #expect(column.broadcast(toRows: 2, cols: 3).nestedRows == [[4, 4, 4], [5, 5, 5]])
    #expect(scalar.broadcast(toRows: 2, cols: 2).nestedRows == [[7, 7], [7, 7]])
    let full = randomMatrix(7, 13, seed: 3)
    #expect(full.broadcast(toRows: 7, cols: 13) == full)
    #expect(row.broadcast(toRows: 0, cols: 3).shape == (0, 3))
    // Broadcasting then combining equals combining with implicit broadcasting.
    let x = randomMatrix(2, 3, seed: 4)
    #expect(x + column.broadcast(toRows: 2, cols: 3) == x + column)
    #expect(Matrix(repeatingRow: row, count: 4) == row.broadcast(toRows: 4, cols: 3))
    #expect(Matrix(repeatingRow: row, count: 0).shape == (0, 3))
    #expect(Matrix(repeatingRow: Matrix(rows: 1, cols: 0), count: 3).shape == (3, 0))
  }

  @Test func vectorizableSquareRootOnNormalInputs() {
    let xs = logGrid(-37.9, 38.5, count: 200_001, signed: false) + grid(0.25, 4) + [Float.leastNormalMagnitude, .greatestFiniteMagnitude, 1, 4]
    var worst = 0.0, worstX: Float = 0
    for x in xs {
      let exact = Double(x).squareRoot()
      let error = Swift.abs(Double(x.vectorizableSquareRoot) - exact) / exact
      if error > worst { worst = error; worstX = x }
    }
    #expect(worst <= 4e-7, "worst relative error \(worst) at \(worstX)")
    #expect(Float(0).vectorizableSquareRoot == 0)
  }
}
