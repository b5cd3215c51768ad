//===----------------------------------------------------------------------===//
// Flush-to-zero of subnormal floats: scoped to the calling thread, inherited by split products.
//===----------------------------------------------------------------------===//

import NumericCore
import Testing

@Suite struct FloatingPointModeTests {
  /// Where the x86 control bits are reachable; elsewhere the mode is a no-op and these tests check only that.
  static let supported: Bool = {
    #if arch(x86_64) && canImport(Glibc)
    return true
    #else
    return false
    #endif
  }()

  /// A product whose exact result (1e-39) is subnormal; the operands come from an array so it is not folded away.
  static func subnormalProduct(_ operands: [Float] = [1e-20, 1e-19]) -> Float { operands[0] * operands[1] }

  @Test func flushesInsideTheScopeAndRestoresAfter() {
    #expect(!FloatingPointMode.flushesSubnormals)
    #expect(Self.subnormalProduct() != 0)
    let inside = FloatingPointMode.withSubnormalsFlushed { (FloatingPointMode.flushesSubnormals, Self.subnormalProduct()) }
    #expect(inside.0 == Self.supported)
    #expect((inside.1 == 0) == Self.supported)
    #expect(!FloatingPointMode.flushesSubnormals)
    #expect(Self.subnormalProduct() != 0)
  }

  @Test func passingFalseLeavesTheThreadAsItIs() {
    let unflushed = FloatingPointMode.withSubnormalsFlushed(false) { Self.subnormalProduct() }
    #expect(unflushed != 0)
    // Nested: an inner `false` does not undo an outer flush.
    let nested = FloatingPointMode.withSubnormalsFlushed { FloatingPointMode.withSubnormalsFlushed(false) { Self.subnormalProduct() } }
    #expect((nested == 0) == Self.supported)
  }

  @Test func normalNumbersAreUnchanged() {
    let operands: [Float] = [1.5e-19, 3e-19, 7.25, -0.1]
    let flushed = FloatingPointMode.withSubnormalsFlushed { (operands[0] * operands[1], operands[2] * operands[3]) }
    #expect(flushed.0 == operands[0] * operands[1])
    #expect(flushed.1 == operands[2] * operands[3])
  }

  /// A product split across Dispatch workers gives the same bits as on one thread, flushed or not: the workers
  /// take the calling thread's mode. One input entry is subnormal, so a worker that ignored the mode would differ.
  @Test func splitProductsInheritTheMode() {
    let m = 512, k = 128, n = 128
    #expect(m * n * k >= BLAS.singleThreadProductLimit, "the shape must be large enough to be split")
    var a = Matrix(rows: m, cols: k, storage: (0..<(m * k)).map { Float(($0 * 7) % 11) - 5 })
    // Every 32nd row holds one subnormal entry and zeros, so its product with column 0 of B is that entry × 1e30;
    // whichever way the rows are split, each block has such a row.
    let marked = Array(stride(from: 31, to: m, by: 32))
    for i in marked {
      for j in 0..<k { a[i, j] = 0 }
      a[i, 0] = 3e-39
    }
    var b = Matrix(rows: k, cols: n, storage: (0..<(k * n)).map { Float(($0 * 3) % 5) - 2 })
    for j in 0..<n { b[0, j] = 0 }
    b[0, 0] = 1e30
    for flush in [false, true] {
      let one = FloatingPointMode.withSubnormalsFlushed(flush) { BLAS.withThreadLimit(1) { a.matmul(b) } }
      let split = FloatingPointMode.withSubnormalsFlushed(flush) { BLAS.withThreadLimit(2) { a.matmul(b) } }
      #expect(one == split, "flush \(flush)")
      // Unflushed 3e-9; flushed (DAZ on the input) 0, on whichever worker computes the row.
      if Self.supported {
        for i in marked { #expect((split[i, 0] == 0) == flush, "flush \(flush), row \(i): \(split[i, 0])") }
      }
    }
  }
}
