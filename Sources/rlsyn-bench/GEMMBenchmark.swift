import ArgumentParser
import NumericCore

/// `rlsyn-bench gemm`: sgemm GFLOP/s through BLAS (1 and 2 threads) and through the portable Swift GEMM.
///
/// Prints the same lines as `rlsyn self-check --bench` (both use ``GEMMDiagnostics``).
/// Environment switches of ``BLAS`` apply, e.g. `RLSYN_BLAS_CORETYPE=auto` to measure the
/// kernels OpenBLAS picks by itself, or `OPENBLAS_CORETYPE=Zen` to force a core type.
struct GEMMBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gemm",
    abstract: "sgemm GFLOP/s at 256³ and 1024³ with 1 and 2 BLAS threads, and the portable Swift GEMM.")

  @Option(help: "Timed samples per figure; the best is reported.")
  var repeats = 7

  @Option(parsing: .upToNextOption, help: "Square sizes m = n = k.")
  var sizes: [Int] = [256, 1024]

  @Option(parsing: .upToNextOption, help: "BLAS thread counts.")
  var threads: [Int] = [1, 2]

  @Flag(help: "Skip the portable Swift GEMM.")
  var skipPortable = false

  func run() throws {
    AllocatorTuning.keepFreedMemory()
    print("BLAS: \(BLAS.summary)")
    print(GEMMDiagnostics.verify().line)
    for line in GEMMDiagnostics.standardReport(sizes: sizes, threadCounts: threads, repeats: repeats, includePortable: !skipPortable) {
      print(line)
    }
  }
}
