//===----------------------------------------------------------------------===//
// GEMM through BLAS and through the portable Swift kernel, against a Double reference.
//===----------------------------------------------------------------------===//

import NumericCore
import Testing
import TestSupport

/// Which GEMM entry point a test exercises.
enum GEMMPath: String, CaseIterable, CustomTestStringConvertible, Sendable {
  /// `Matrix.gemm`: OpenBLAS when it is loaded (the normal case), else the Swift kernel.
  case blas
  /// `Matrix.portableGEMM`: always the Swift kernel.
  case portable

  var testDescription: String { self == .blas ? (BLAS.isAvailable ? "Matrix.gemm (BLAS)" : "Matrix.gemm (no BLAS: fallback)") : "portableGEMM" }

  func run(_ a: Matrix, _ ta: Bool, _ b: Matrix, _ tb: Bool, alpha: Float, beta: Float, into c: inout Matrix) {
    switch self {
    case .blas: Matrix.gemm(a, transposeA: ta, b, transposeB: tb, alpha: alpha, beta: beta, into: &c)
    case .portable: Matrix.portableGEMM(a, transposeA: ta, b, transposeB: tb, alpha: alpha, beta: beta, into: &c)
    }
  }
}

/// `(m, n, k)` shapes: 1×1×1, vector shapes, odd sizes, and sizes past BLAS's small-matrix paths.
let gemmShapes: [(Int, Int, Int)] = [
  (1, 1, 1), (1, 1, 9), (1, 9, 1), (9, 1, 1), (1, 13, 7), (7, 1, 13), (7, 13, 1),
  (7, 13, 5), (33, 5, 17), (5, 33, 2), (37, 70, 65), (64, 64, 64), (129, 67, 200),
]

/// `(α, β)` pairs: the plain product, accumulate, scaled accumulate, negative scale, α = 0.
let gemmScalars: [(Float, Float)] = [(1, 0), (1, 1), (0.7, 0.3), (-1.5, -0.25), (0, 0.5), (2, 1)]

@Suite struct GEMMTests {
  @Test(arguments: GEMMPath.allCases)
  func allTransposeCasesOnAwkwardShapes(_ path: GEMMPath) {
    var seed: UInt64 = 1
    for (m, n, k) in gemmShapes {
      for ta in [false, true] {
        for tb in [false, true] {
          // Every (α, β) pair on the small shapes; one general pair on the large ones (debug builds are slow).
          for (alpha, beta) in m * n * k > 20_000 ? [(Float(0.7), Float(0.3))] : gemmScalars {
            seed += 3
            let a = ta ? randomMatrix(k, m, seed: seed) : randomMatrix(m, k, seed: seed)
            let b = tb ? randomMatrix(n, k, seed: seed + 1) : randomMatrix(k, n, seed: seed + 1)
            let c0 = randomMatrix(m, n, seed: seed + 2)
            var c = c0
            path.run(a, ta, b, tb, alpha: alpha, beta: beta, into: &c)
            let ref = referenceGEMM(a, transposeA: ta, b, transposeB: tb, alpha: alpha, beta: beta, c: c0)
            let ratio = gemmErrorRatio(c, ref, k: k)
            #expect(ratio <= 1, "\(path) \(m)×\(n)×\(k) Aᵀ=\(ta) Bᵀ=\(tb) α=\(alpha) β=\(beta): error \(ratio)× bound")
          }
        }
      }
    }
  }

  @Test(arguments: GEMMPath.allCases)
  func betaZeroIgnoresNaNInOutput(_ path: GEMMPath) {
    let a = randomMatrix(7, 5, seed: 1), b = randomMatrix(5, 13, seed: 2)
    var c = Matrix(rows: 7, cols: 13, repeating: .nan)
    path.run(a, false, b, false, alpha: 1, beta: 0, into: &c)
    #expect(c.isFinite)
    #expect(gemmErrorRatio(c, referenceGEMM(a, transposeA: false, b, transposeB: false, alpha: 1, beta: 0, c: c), k: 5) <= 1)
  }

  @Test(arguments: GEMMPath.allCases)
  func degenerateShapes(_ path: GEMMPath) {
    // k = 0: C ← β · C.
    let a = Matrix(rows: 3, cols: 0), b = Matrix(rows: 0, cols: 4)
    let c0 = randomMatrix(3, 4, seed: 5)
    var c = c0
    path.run(a, false, b, false, alpha: 1, beta: 0.5, into: &c)
    #expect(c.storage == c0.storage.map { $0 * 0.5 })
    var z = c0
    path.run(a, false, b, false, alpha: 1, beta: 0, into: &z)
    #expect(z.storage.allSatisfy { $0 == 0 })
    // m = 0 or n = 0: nothing to compute, shapes are kept.
    var e1 = Matrix(rows: 0, cols: 4)
    path.run(Matrix(rows: 0, cols: 3), false, randomMatrix(3, 4, seed: 6), false, alpha: 1, beta: 0, into: &e1)
    #expect(e1.shape == (0, 4))
    var e2 = Matrix(rows: 3, cols: 0)
    path.run(randomMatrix(3, 2, seed: 7), false, Matrix(rows: 2, cols: 0), false, alpha: 1, beta: 0, into: &e2)
    #expect(e2.shape == (3, 0))
  }

  @Test func blasAndPortableAgree() {
    let a = randomMatrix(37, 70, seed: 41), b = randomMatrix(70, 29, seed: 42)
    var c1 = Matrix(rows: 37, cols: 29), c2 = Matrix(rows: 37, cols: 29)
    Matrix.gemm(a, b, into: &c1)
    Matrix.portableGEMM(a, b, into: &c2)
    #expect(isClose(c1, c2, absolute: 1e-4, relative: 1e-5))
  }

  @Test func matmulConvenience() {
    let a = randomMatrix(7, 13, seed: 51), b = randomMatrix(13, 5, seed: 52)
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
      let lhs = ta ? a.transposed() : a, rhs = tb ? b.transposed() : b
      let got = lhs.matmul(rhs, transposeSelf: ta, transposeOther: tb)
      #expect(got.shape == (7, 5))
      let ref = referenceGEMM(a, transposeA: false, b, transposeB: false, alpha: 1, beta: 0, c: Matrix(rows: 7, cols: 5))
      #expect(gemmErrorRatio(got, ref, k: 13) <= 1, "matmul transposeSelf=\(ta) transposeOther=\(tb)")
    }
    #expect(Matrix.identity(5).matmul(b.transposed()) == b.transposed())
  }

  @Test(arguments: awkwardShapes.map { [$0.rows, $0.cols] } + [[31, 33], [64, 1], [65, 97]])
  func transposedOnOddShapes(_ shape: [Int]) {
    let (r, c) = (shape[0], shape[1])
    let x = randomMatrix(r, c, seed: 61)
    let t = x.transposed()
    #expect(t.rows == c && t.cols == r)
    for i in 0..<r { for j in 0..<c { #expect(t[j, i] == x[i, j]) } }
    #expect(t.transposed() == x)
  }

  @Test func diagnosticsVerifyBothEngines() {
    let current = GEMMDiagnostics.verify(engine: .current)
    #expect(current.passed, "\(current.line)")
    #expect(current.cases == 4 * GEMMDiagnostics.verificationShapes.count)
    let portable = GEMMDiagnostics.verify(engine: .portable)
    #expect(portable.passed, "\(portable.line)")
    #expect(current.line.contains("correct"))
  }
}

/// Products above ``BLAS/singleThreadProductLimit`` run as blocks on our own workers over a single-threaded
/// BLAS: every transpose case, split by rows (tall C) and by columns (wide C), agrees with the reference,
/// as does the unsplit product of a one-thread limit, and a repeat gives the same bits.
@Suite struct SplitGEMMTests {
  @Test(arguments: [(301, 67, 260), (67, 301, 260), (257, 129, 131)])
  func blocksAgreeWithReferenceAndWithOneThread(_ shape: (Int, Int, Int)) throws {
    try #require(BLAS.isAvailable && !BLAS.usesOpenBLASThreads, "needs OpenBLAS with our own threading")
    let (m, n, k) = shape
    #expect(m * n * k >= BLAS.singleThreadProductLimit, "the shape must be large enough to be split")
    var seed: UInt64 = 40
    for ta in [false, true] {
      for tb in [false, true] {
        seed += 3
        let a = ta ? randomMatrix(k, m, seed: seed) : randomMatrix(m, k, seed: seed)
        let b = tb ? randomMatrix(n, k, seed: seed + 1) : randomMatrix(k, n, seed: seed + 1)
        let c0 = randomMatrix(m, n, seed: seed + 2)
        var split = c0, serial = c0
        BLAS.withThreadLimit(2) { Matrix.gemm(a, transposeA: ta, b, transposeB: tb, alpha: 0.7, beta: 0.3, into: &split) }
        BLAS.withThreadLimit(1) { Matrix.gemm(a, transposeA: ta, b, transposeB: tb, alpha: 0.7, beta: 0.3, into: &serial) }
        let ref = referenceGEMM(a, transposeA: ta, b, transposeB: tb, alpha: 0.7, beta: 0.3, c: c0)
        #expect(gemmErrorRatio(split, ref, k: k) <= 1, "\(m)×\(n)×\(k) Aᵀ=\(ta) Bᵀ=\(tb)")
        #expect(gemmErrorRatio(serial, ref, k: k) <= 1)
        // A block's kernel may block the inner dimension differently from the whole product's, so the two
        // differ in the last bits; the same thread count always gives the same bits.
        var again = c0
        BLAS.withThreadLimit(2) { Matrix.gemm(a, transposeA: ta, b, transposeB: tb, alpha: 0.7, beta: 0.3, into: &again) }
        #expect(again == split)
      }
    }
  }
}
