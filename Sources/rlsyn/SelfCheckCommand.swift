import ArgumentParser
import Foundation
import NumericCore

/// `rlsyn self-check`: which BLAS is in use, whether GEMM is correct, and how fast it runs.
struct SelfCheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "self-check",
    abstract: "Print the BLAS in use (library, kernel, threads), a GEMM correctness verdict and a GEMM throughput figure.",
    discussion: """
      Exits with a non-zero status when GEMM disagrees with a Double reference.
      Environment: OPENBLAS_CORETYPE (respected as is), RLSYN_BLAS_CORETYPE=auto (let OpenBLAS pick
      its kernels itself), RLSYN_BLAS_LIBRARY=<path>|none (none: portable Swift GEMM).
      """)

  @Flag(help: "Also print sgemm GFLOP/s at 256³ and 1024³ with 1 and 2 BLAS threads, and the portable Swift GEMM (same figures as `rlsyn-bench gemm`).")
  var bench = false

  @Option(help: "Timed samples per --bench figure; the best is reported.")
  var repeats = 5

  func run() throws {
    AllocatorTuning.keepFreedMemory()
    print("rlsyn \(RLSynCommand.version)")
    print("BLAS: \(BLAS.summary)")
    let check = GEMMDiagnostics.verify()
    print(check.line)
    // One quick figure; the Swift fallback gets a smaller size so that debug builds stay fast.
    let size = BLAS.isAvailable ? 512 : 256
    let quick = GEMMDiagnostics.throughput(engine: .current, size: size, threads: BLAS.threadCount, repeats: 3)
    print(quick.line)
    if bench {
      for line in GEMMDiagnostics.standardReport(repeats: repeats) { print(line) }
    }
    if !check.passed { throw ExitCode.failure }
  }
}
