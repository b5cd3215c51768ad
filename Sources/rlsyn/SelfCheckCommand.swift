import ArgumentParser
import Foundation
import NumericCore

/// `rlsyn self-check`: which BLAS is in use and how fast GEMM runs.
struct SelfCheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "self-check",
    abstract: "Print the BLAS in use (library, kernel, threads) and a GEMM throughput figure.")

  func run() throws {
    print("rlsyn \(RLSynCommand.version)")
    print("BLAS: \(BLAS.summary)")
    let n = 512
    var rng = RandomSource(seed: 1)
    let a = rng.normalMatrix(rows: n, cols: n), b = rng.normalMatrix(rows: n, cols: n)
    var c = Matrix(rows: n, cols: n)
    Matrix.gemm(a, b, into: &c)
    let reps = 10
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<reps { Matrix.gemm(a, b, into: &c) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let gflops = 2 * Double(n * n * n) * Double(reps) / seconds / 1e9
    print(String(format: "sgemm %d³: %.1f GFLOP/s", n, gflops))
  }
}
