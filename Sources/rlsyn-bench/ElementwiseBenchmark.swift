import ArgumentParser
import Foundation
import NumericCore

/// `rlsyn-bench elementwise`: throughput of NumericCore's element-wise kernels on 1M floats.
///
/// Each kernel reads 1M floats and writes 1M new ones (8 MB of traffic, so the cheap ones
/// are memory-bound). A hand-written loop over unsafe buffers is printed alongside as the
/// ceiling a kernel should reach; a kernel far below it has an abstraction problem.
struct ElementwiseBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "elementwise",
    abstract: "Gelem/s of map, relu, sigmoid, tanh, softplus, broadcasting combine, reductions and log-softmax on 1M floats.")

  @Option(help: "Number of elements (a 1000-column matrix; rounded down to whole rows).")
  var elements = 1_000_000

  @Option(help: "Timed runs per kernel; the best is reported.")
  var repeats = 20

  @Option(help: "Only run kernels whose name contains this text.")
  var only: String?

  @Flag(help: "Keep glibc's default allocator thresholds (freed large blocks go back to the kernel).")
  var defaultAllocator = false

  func run() throws {
    let tuned = defaultAllocator ? false : AllocatorTuning.keepFreedMemory()
    let cols = 1000
    let rows = max(1, elements / cols)
    let n = rows * cols
    var rng = RandomSource(seed: 7)
    let x = rng.normalMatrix(rows: rows, cols: cols, std: 3)
    let y = rng.normalMatrix(rows: rows, cols: cols)
    let rowVector = rng.normalMatrix(rows: 1, cols: cols)
    let columnVector = rng.normalMatrix(rows: rows, cols: 1)
    let absX = x.abs()
    print("elementwise kernels on \(rows)×\(cols) = \(n) floats, best of \(repeats) (Gelem/s = elements / best time)")
    print("allocator: " + (tuned ? "AllocatorTuning.keepFreedMemory() applied" : "glibc defaults"))

    func report(_ name: String, _ body: () -> Matrix) {
      if let only, !name.contains(only) { return }
      var sink: Float = 0
      let t = bestTime(repeats: repeats) { let r = body(); sink += r.storage[r.count / 2] }
      blackHole(sink)
      let label = name.padding(toLength: 34, withPad: " ", startingAt: 0)
      print(label + String(format: " %9.1f µs  %6.2f Gelem/s", t * 1e6, Double(n) / t / 1e9))
    }

    report("raw unsafe loop  y = 2x + 1") { rawAffine(x) }
    report("map { 2x + 1 }") { x.map { 2 * $0 + 1 } }
    report("x * 2 + 1 (scalar operators)") { x * 2 + 1 }
    report("raw unsafe loop  max(x, 0)") { rawRelu(x) }
    report("relu()") { x.relu() }
    report("leakyRelu(slope: 0.2)") { x.leakyRelu(slope: 0.2) }
    report("sigmoid()") { x.sigmoid() }
    report("tanh()") { x.tanh() }
    report("softplus()") { x.softplus() }
    report("exp()") { x.exp() }
    report("log(|x|)") { absX.log() }
    // The methods above use FastMath (the default); these are glibc's functions, for comparison.
    report("glibc sigmoid 1 / (1 + expf(−x))") { x.map { 1 / (1 + Foundation.exp(-$0)) } }
    report("glibc softplus (expf, log1pf)") { x.map { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) } }
    report("glibc expf") { x.map { Foundation.exp($0) } }
    report("glibc logf of |x|") { absX.map { Foundation.log($0) } }
    report("x + y (same shape)") { x + y }
    report("x + row vector (1×n)") { x + rowVector }
    report("x * column vector (m×1)") { x * columnVector }
    report("row vector - x (broadcast left)") { rowVector - x }
    report("x / scalar matrix (1×1)") { x / Matrix.scalar(3) }
    report("combine(x, y) { x·y + x }") { Matrix.combine(x, y) { $0 * $1 + $0 } }
    report("clamped(-1, 1)") { x.clamped(lower: -1, upper: 1) }
    report("sumOverRows() (reduction)") { x.sumOverRows() }
    report("sumOverColumns() (reduction)") { x.sumOverColumns() }
    report("sum() (all elements)") { Matrix.scalar(x.sum()) }
    report("maxOverColumns() (reduction)") { x.maxOverColumns() }
    let groups = stride(from: 0, to: cols, by: 10).map { $0..<Swift.min($0 + 10, cols) }
    report("logSoftmax(groups: 100 × 10 cols)") { x.logSoftmax(groups: groups) }
    report("softmax(groups: 100 × 10 cols)") { x.softmax(groups: groups) }
    report("transposed()") { x.transposed() }
  }
}

/// The ceiling: `2x + 1` written directly over unsafe buffers.
@inline(never)
func rawAffine(_ x: Matrix) -> Matrix {
  x.withUnsafeBufferPointer { src in
    Matrix(rows: x.rows, cols: x.cols) { dst in
      for i in 0..<src.count { dst[i] = 2 * src[i] + 1 }
    }
  }
}

/// The ceiling for ReLU written directly over unsafe buffers.
@inline(never)
func rawRelu(_ x: Matrix) -> Matrix {
  x.withUnsafeBufferPointer { src in
    Matrix(rows: x.rows, cols: x.cols) { dst in
      for i in 0..<src.count { dst[i] = src[i] > 0 ? src[i] : 0 }
    }
  }
}

/// Keeps a value alive so the optimiser cannot drop the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }
