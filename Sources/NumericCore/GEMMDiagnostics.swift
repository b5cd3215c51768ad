//===----------------------------------------------------------------------===//
// GEMM throughput and correctness checks shared by `rlsyn self-check` and `rlsyn-bench gemm`.
//===----------------------------------------------------------------------===//

import Foundation

/// Measures GEMM throughput and checks GEMM results against a `Double` reference.
///
/// `rlsyn self-check` and `rlsyn-bench gemm` both print these figures, so the two
/// commands always agree on how they are measured.
public enum GEMMDiagnostics {
  /// Which implementation a measurement or check exercised.
  public enum Engine: String, Sendable {
    /// ``Matrix/gemm(_:transposeA:_:transposeB:alpha:beta:into:)``: BLAS when loaded, else the Swift kernel.
    case current
    /// ``Matrix/portableGEMM(_:transposeA:_:transposeB:alpha:beta:into:)`` (always the Swift kernel).
    case portable
  }

  /// One throughput figure for `C = A · B` with square `size × size` operands.
  public struct Throughput: Sendable {
    /// The implementation measured.
    public let engine: Engine
    /// `m = n = k`.
    public let size: Int
    /// BLAS threads during the measurement (1 for the Swift kernel).
    public let threads: Int
    /// Best wall-clock seconds of one product.
    public let seconds: Double
    /// `2 · size³ / seconds / 1e9`.
    public var gflops: Double { 2 * pow(Double(size), 3) / seconds / 1e9 }

    /// A one-line, human-readable form, e.g. `sgemm 1024³  BLAS Haswell, 2 threads:  98.1 GFLOP/s`.
    public var line: String {
      let what: String
      switch engine {
      case .current where BLAS.isAvailable: what = "BLAS \(BLAS.coreName ?? "?"), \(threads) thread\(threads == 1 ? "" : "s")"
      case .current: what = "Matrix.gemm (Swift fallback)"
      case .portable: what = "portableGEMM (Swift), 1 thread"
      }
      let label = "sgemm \(size)³  \(what):".padding(toLength: 46, withPad: " ", startingAt: 0)
      return label + String(format: " %7.1f GFLOP/s  (%.3f ms)", gflops, seconds * 1e3)
    }
  }

  /// Best-of-`repeats` time of `C = A · B` at `size³` through `engine`, with `threads`
  /// BLAS threads (restored afterwards). Each sample runs the product often enough to
  /// take at least `minimumSampleSeconds`, so small sizes are not dominated by timer noise.
  public static func throughput(
    engine: Engine, size: Int, threads: Int = 1, repeats: Int = 5, minimumSampleSeconds: Double = 0.02, seed: UInt64 = 42
  ) -> Throughput {
    var rng = RandomSource(seed: seed)
    let a = rng.normalMatrix(rows: size, cols: size), b = rng.normalMatrix(rows: size, cols: size)
    var c = Matrix(rows: size, cols: size)
    let previousThreads = BLAS.threadCount
    let useBLAS = engine == .current && BLAS.isAvailable
    if useBLAS { BLAS.setThreadCount(threads) }
    defer { if useBLAS { BLAS.setThreadCount(previousThreads) } }
    func product() {
      switch engine {
      case .current: Matrix.gemm(a, b, into: &c)
      case .portable: Matrix.portableGEMM(a, b, into: &c)
      }
    }
    let warmStart = now()
    product()
    let once = max(now() - warmStart, 1e-9)
    let inner = max(1, Int((minimumSampleSeconds / once).rounded(.up)))
    var best = Double.infinity
    for _ in 0..<max(1, repeats) {
      let t0 = now()
      for _ in 0..<inner { product() }
      best = min(best, (now() - t0) / Double(inner))
    }
    return Throughput(engine: engine, size: size, threads: useBLAS ? threads : 1, seconds: best)
  }

  /// The standard report: BLAS at each size with 1 and 2 threads, then the Swift kernel
  /// at each size, one ``Throughput/line`` each.
  public static func standardReport(sizes: [Int] = [256, 1024], threadCounts: [Int] = [1, 2], repeats: Int = 5, includePortable: Bool = true) -> [String] {
    var lines: [String] = []
    if BLAS.isAvailable {
      for size in sizes {
        for t in threadCounts {
          lines.append(throughput(engine: .current, size: size, threads: t, repeats: repeats).line)
        }
      }
    } else {
      lines.append("no BLAS library loaded: Matrix.gemm runs the portable Swift kernel")
    }
    if includePortable {
      for size in sizes {
        lines.append(throughput(engine: .portable, size: size, repeats: max(1, min(repeats, 3)), minimumSampleSeconds: 0).line)
      }
    }
    return lines
  }

  /// The outcome of ``verify(engine:seed:)``.
  public struct Verification: Sendable {
    /// Number of products checked (transpose cases × shapes).
    public let cases: Int
    /// Largest `|c − c_ref| / (Σₚ |α aᵢₚ bₚⱼ| + |β cᵢⱼ|)` over all elements of all cases.
    public let worstError: Double
    /// The largest error accepted: `(k_max + 2) · Float.ulpOfOne`, a standard bound for
    /// single-precision dot products of length `k` in any summation order.
    public let tolerance: Double
    /// Whether every case was within ``tolerance`` (and finite).
    public var passed: Bool { worstError <= tolerance }

    /// A one-line verdict for `self-check`.
    public var line: String {
      String(format: "GEMM check vs Double reference (%d cases: 4 transpose combinations, awkward shapes, α=0.7, β=0.3): worst error %.2e (bound %.2e) → %@",
             cases, worstError, tolerance, passed ? "correct" : "WRONG")
    }
  }

  /// Shapes `(m, n, k)` used by ``verify(engine:seed:)``: 1×1, vectors, odd sizes and one above BLAS's blocking thresholds.
  public static let verificationShapes: [(Int, Int, Int)] = [(1, 1, 1), (1, 7, 3), (9, 1, 4), (7, 13, 5), (33, 5, 17), (37, 29, 53), (67, 70, 131)]

  /// Checks `C ← 0.7 · op(A) · op(B) + 0.3 · C` in all four transpose cases on
  /// ``verificationShapes`` against a reference accumulated in `Double`.
  public static func verify(engine: Engine = .current, seed: UInt64 = 7) -> Verification {
    var rng = RandomSource(seed: seed)
    let alpha: Float = 0.7, beta: Float = 0.3
    var worst = 0.0, cases = 0, kMax = 0
    for (m, n, k) in verificationShapes {
      kMax = max(kMax, k)
      for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let a = ta ? rng.normalMatrix(rows: k, cols: m) : rng.normalMatrix(rows: m, cols: k)
        let b = tb ? rng.normalMatrix(rows: n, cols: k) : rng.normalMatrix(rows: k, cols: n)
        let c0 = rng.normalMatrix(rows: m, cols: n)
        var c = c0
        switch engine {
        case .current: Matrix.gemm(a, transposeA: ta, b, transposeB: tb, alpha: alpha, beta: beta, into: &c)
        case .portable: Matrix.portableGEMM(a, transposeA: ta, b, transposeB: tb, alpha: alpha, beta: beta, into: &c)
        }
        for i in 0..<m {
          for j in 0..<n {
            var exact = Double(beta) * Double(c0[i, j])
            var magnitude = Swift.abs(exact)
            for p in 0..<k {
              let term = Double(alpha) * Double(ta ? a[p, i] : a[i, p]) * Double(tb ? b[j, p] : b[p, j])
              exact += term
              magnitude += Swift.abs(term)
            }
            let got = Double(c[i, j])
            let error = got.isFinite ? Swift.abs(got - exact) / max(magnitude, .leastNormalMagnitude) : .infinity
            worst = max(worst, error)
          }
        }
        cases += 1
      }
    }
    return Verification(cases: cases, worstError: worst, tolerance: Double(kMax + 2) * Double(Float.ulpOfOne))
  }

  static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
