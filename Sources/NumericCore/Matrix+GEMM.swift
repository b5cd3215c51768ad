//===----------------------------------------------------------------------===//
// Matrix products: OpenBLAS sgemm, or a portable Swift kernel.
//===----------------------------------------------------------------------===//

extension Matrix {
  /// `C ← α · op(A) · op(B) + β · C`, where `op` optionally transposes.
  ///
  /// Goes to `cblas_sgemm` when a BLAS library is loaded, otherwise to
  /// ``portableGEMM(_:transposeA:_:transposeB:alpha:beta:into:)``. With `beta == 0`
  /// the previous contents of `c` are ignored (NaNs in it do not propagate).
  ///
  /// Large products run on up to ``BLAS/threadCount`` threads (``BLAS/withThreadLimit(_:_:)`` lowers it for
  /// the calling thread), as blocks of C on Dispatch workers over a single-threaded BLAS.
  ///
  /// Numerics: single-precision accumulation; results differ from a Double reference by
  /// about `k · ε · max|a||b|`, and between thread counts in the last bits at most.
  @inlinable
  public static func gemm(
    _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
    alpha: Float = 1, beta: Float = 0, into c: inout Matrix
  ) {
    let m = transposeA ? a.cols : a.rows
    let k = transposeA ? a.rows : a.cols
    let kb = transposeB ? b.cols : b.rows
    let n = transposeB ? b.rows : b.cols
    precondition(k == kb, "gemm: inner dimensions differ (\(a.rows)×\(a.cols)\(transposeA ? "ᵀ" : "") · \(b.rows)×\(b.cols)\(transposeB ? "ᵀ" : ""))")
    precondition(c.rows == m && c.cols == n, "gemm: output is \(c.rows)×\(c.cols), expected \(m)×\(n)")
    if m == 0 || n == 0 { return }
    if k == 0 {
      c.scale(by: beta == 0 ? 0 : beta)
      if beta == 0 { c.fill(0) }
      return
    }
    if let lib = BLAS.library {
      let blocks = BLAS.blocks(m: m, n: n, k: k)
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          c.withUnsafeMutableBufferPointer { pc in
            BLAS.sgemm(lib, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                       pa.baseAddress!, lda: a.cols, pb.baseAddress!, ldb: b.cols, beta: beta, pc.baseAddress!, ldc: n,
                       blocks: blocks)
          }
        }
      }
    } else {
      portableGEMM(a, transposeA: transposeA, b, transposeB: transposeB, alpha: alpha, beta: beta, into: &c)
    }
  }

  /// The Swift GEMM used when no BLAS is loaded: transposes are materialised, then an
  /// i-k-j loop over unsafe buffers (auto-vectorised; about 15 GFLOP/s on one core).
  public static func portableGEMM(
    _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
    alpha: Float = 1, beta: Float = 0, into c: inout Matrix
  ) {
    let A = transposeA ? a.transposed() : a
    let B = transposeB ? b.transposed() : b
    precondition(A.cols == B.rows && c.rows == A.rows && c.cols == B.cols, "portableGEMM: shape mismatch")
    let m = A.rows, k = A.cols, n = B.cols
    A.withUnsafeBufferPointer { pa in
      B.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          for i in 0..<m {
            let ci = pc.baseAddress! + i * n
            if beta == 0 { for j in 0..<n { ci[j] = 0 } } else if beta != 1 { for j in 0..<n { ci[j] *= beta } }
            for p in 0..<k {
              let s = alpha * pa[i * k + p]
              if s == 0 { continue }
              let bp = pb.baseAddress! + p * n
              for j in 0..<n { ci[j] += s * bp[j] }
            }
          }
        }
      }
    }
  }

  /// `op(self) · op(other)` as a new matrix.
  @inlinable
  public func matmul(_ other: Matrix, transposeSelf: Bool = false, transposeOther: Bool = false) -> Matrix {
    let m = transposeSelf ? cols : rows
    let n = transposeOther ? other.rows : other.cols
    let k = transposeSelf ? rows : cols
    // With β = 0 sgemm never reads C, so the output need not be zeroed first (unless k = 0).
    var c = k == 0 ? Matrix(rows: m, cols: n) : Matrix(rows: m, cols: n) { _ in }
    Matrix.gemm(self, transposeA: transposeSelf, other, transposeB: transposeOther, into: &c)
    return c
  }

  /// The transpose, copied in cache-friendly 32 × 32 tiles (pointer arithmetic only, so
  /// the tile loops carry no overflow checks).
  public func transposed() -> Matrix {
    let r = rows, c = cols
    return withUnsafeBufferPointer { source in
      Matrix(rows: c, cols: r) { destination in
        guard r > 0, c > 0, let src = source.baseAddress, let dst = destination.baseAddress else { return }
        let tile = 32
        var i0 = 0
        while i0 < r {
          let i1 = Swift.min(i0 + tile, r)
          var j0 = 0
          while j0 < c {
            let j1 = Swift.min(j0 + tile, c)
            for j in j0..<j1 {
              let out = dst + j * r          // row j of the transpose
              var input = src + i0 * c + j   // column j of the source, from row i0
              for i in i0..<i1 {
                out[i] = input.pointee
                input += c
              }
            }
            j0 = j1
          }
          i0 = i1
        }
      }
    }
  }
}
