import ArgumentParser
import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

/// `rlsyn-bench training-step`: µs per (forward, backward, Adam) step of an MLP, the figure
/// compared with PyTorch (1.70 ms at batch 256, 5.2 ms at batch 1024 on this machine type).
struct TrainingStepBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "training-step",
    abstract: "Time forward+backward+Adam steps of an MLP 100-256-256-100 (ReLU, MSE).")

  @Option(help: "Batch sizes to time.") var batches: [Int] = [256, 1024]
  @Option(help: "Timed steps per batch size (after 20 warm-up steps).") var steps: Int = 200
  @Option(help: "BLAS threads (default: the library's).") var threads: Int?
  @Flag(help: "Also time forward, backward and the Adam update separately.") var breakdown = false
  @Option(help: "Row blocks per step (DataParallel, one core each); 0 = one per core up to DataParallel.largestBlockedBatch (512 with OpenBLAS's kernels other than AVX-512 ones, any batch otherwise), else 1.")
  var blocks: Int = 0

  func run() {
    AllocatorTuning.keepFreedMemory()
    if let threads { BLAS.setThreadCount(threads) }
    print("BLAS: \(BLAS.summary)")
    for batch in batches {
      var rng = RandomSource(seed: 0)
      let mlp = MLP(sizes: [100, 256, 256, 100], activation: .relu, rng: &rng)
      let adam = Adam(parameters: mlp.parameters, learningRate: 1e-3)
      let x = Variable(rng.normalMatrix(rows: batch, cols: 100))
      let y = Variable(rng.normalMatrix(rows: batch, cols: 100))
      let cores = threads ?? ProcessInfo.processInfo.activeProcessorCount
      let blockCount = blocks > 0 ? blocks : (cores > 1 && batch <= DataParallel.largestBlockedBatch ? cores : 1)
      let ranges = DataParallel.rowBlocks(rows: batch, blocks: blockCount)
      let xs = ranges.map { Variable(x.value.rows($0)) }, ys = ranges.map { Variable(y.value.rows($0)) }
      let share = ranges.map { Float($0.count) / Float(batch) }
      func step() {
        if blockCount == 1 { adam.minimize(Loss.meanSquaredError(mlp(x), y)) }
        // The mean over the batch is the blocks' means weighted by their share of the rows.
        else { adam.minimize(blocks: blockCount, threads: cores) { i in Loss.meanSquaredError(mlp(xs[i]), ys[i]) * share[i] } }
      }
      for _ in 0..<20 { step() }
      var samples: [Double] = []
      for _ in 0..<5 {
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<(steps / 5) { step() }
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3 / Double(steps / 5))
      }
      samples.sort()
      print(String(format: "MLP 100-256-256-100 ReLU, batch %4d, %d row block(s): %7.0f µs/step (best of 5 runs of %d; median %.0f)", batch, blockCount, samples[0], steps / 5, samples[2]))
      if breakdown {
        var tf = Double.infinity, tb = Double.infinity, ta = Double.infinity
        for _ in 0..<50 {
          let t0 = DispatchTime.now().uptimeNanoseconds
          let loss = Loss.meanSquaredError(mlp(x), y)
          let t1 = DispatchTime.now().uptimeNanoseconds
          let g = gradients(of: loss, withRespectTo: mlp.parameters).map(\.value)
          let t2 = DispatchTime.now().uptimeNanoseconds
          adam.update(g)
          let t3 = DispatchTime.now().uptimeNanoseconds
          tf = min(tf, Double(t1 - t0) / 1e3); tb = min(tb, Double(t2 - t1) / 1e3); ta = min(ta, Double(t3 - t2) / 1e3)
        }
        print(String(format: "  forward %.0f µs, backward %.0f µs, Adam %.0f µs (best of 50)", tf, tb, ta))
      }
    }
  }
}
