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
      func step() { adam.minimize(Loss.meanSquaredError(mlp(x), y)) }
      for _ in 0..<20 { step() }
      var samples: [Double] = []
      for _ in 0..<5 {
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<(steps / 5) { step() }
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3 / Double(steps / 5))
      }
      samples.sort()
      print(String(format: "MLP 100-256-256-100 ReLU, batch %4d: %7.0f µs/step (best of 5 runs of %d; median %.0f)", batch, samples[0], steps / 5, samples[2]))
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
