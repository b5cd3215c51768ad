//===----------------------------------------------------------------------===//
// GEMMDiagnostics and AllocatorTuning (behaviour only; timings belong to rlsyn-bench).
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Testing

@Suite struct DiagnosticsTests {
  @Test func throughputReportsAPositiveFigure() {
    let t = GEMMDiagnostics.throughput(engine: .portable, size: 16, repeats: 2, minimumSampleSeconds: 0)
    #expect(t.size == 16 && t.threads == 1)
    #expect(t.seconds > 0 && t.gflops.isFinite && t.gflops > 0)
    #expect(t.line.contains("sgemm 16³") && t.line.contains("GFLOP/s"))
    let b = GEMMDiagnostics.throughput(engine: .current, size: 8, threads: 1, repeats: 1, minimumSampleSeconds: 0)
    #expect(b.gflops > 0)
  }

  @Test func standardReportHasOneLinePerFigure() {
    let lines = GEMMDiagnostics.standardReport(sizes: [8], threadCounts: [1], repeats: 1)
    #expect(lines.count == 2)
    #expect(lines.allSatisfy { $0.contains("sgemm 8³") || $0.contains("no BLAS") })
  }

  @Test func verificationCatchesAWrongResult() {
    // The verdict's error measure: a correct check passes far below its bound.
    let v = GEMMDiagnostics.verify(engine: .portable)
    #expect(v.passed && v.worstError < v.tolerance / 10)
    #expect(v.tolerance == Double(131 + 2) * Double(Float.ulpOfOne))
  }

  #if os(Linux)
  @Test func allocatorTuningIsAcceptedByGlibc() {
    let env = ProcessInfo.processInfo.environment
    let userTuned = env["GLIBC_TUNABLES"]?.contains("malloc") == true
      || ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"].contains { env[$0] != nil }
    #expect(AllocatorTuning.keepFreedMemory() == !userTuned)
    #expect(AllocatorTuning.keepFreedMemory() == !userTuned, "idempotent")
  }
  #endif
}
