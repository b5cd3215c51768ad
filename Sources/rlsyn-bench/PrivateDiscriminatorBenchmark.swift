import ArgumentParser
import Foundation
import NumericCore
import Autodiff
import NeuralNetworks
import Synthesizers

/// `rlsyn-bench private-discriminator`: µs per discriminator gradient of DP-SGD (each real record's BCE + R1 gradient
/// clipped, summed, noised; fakes as usual) against the ordinary step's gradient (`Discriminator.loss` on the tape), on
/// the same batches. The Adam update, the same for both, is not timed.
struct PrivateDiscriminatorBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "private-discriminator",
    abstract: "Time the DP-SGD discriminator gradient (per-record clipping, noise) against the ordinary one.")

  @Option(help: "Real and fake records per step.") var batch: Int = 256
  @Option(help: "Record width (encoded features).") var features: Int = 100
  @Option(help: "Discriminator width (RLSyn's default).") var width: Int = 128
  @Option(parsing: .upToNextOption, help: "R1 weights to time (RLSyn's lazy R1 steps use γ · interval = 15; the others 0).")
  var gammas: [Float] = [15, 0]
  @Option(help: "Timed runs; the median and the best are reported.") var runs: Int = 7
  @Option(help: "Steps per run.") var steps: Int = 50
  @Option(help: "Row blocks (DataParallel, one core each); 0 = what RLSyn's sequential step uses on this machine.")
  var blocks: Int = 0
  @Flag(help: "Skip the reference loop of one tape pass per real record.") var skipLoop = false

  func run() {
    AllocatorTuning.keepFreedMemory()
    print("BLAS: \(BLAS.summary)")
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let blockCount = blocks > 0 ? blocks : DataParallel.defaultBlocks(batch: batch, threads: cores)
    var rng = RandomSource(seed: 0)
    let d = Discriminator(inputs: features, width: width, rng: &rng)
    let real = rng.normalMatrix(rows: batch, cols: features), fake = rng.normalMatrix(rows: batch, cols: features)
    print("Discriminator \(features)-\(width)-\(width)-1, batch \(batch) real + \(batch) fake, \(blockCount) row block(s), \(cores) core(s)")
    for gamma in gammas {
      func ordinary() -> [Matrix] {
        // RLSynTrainer.discriminatorGradients: each block carries its share of both means.
        let ranges = DataParallel.rowBlocks(rows: batch, blocks: blockCount)
        let parts = DataParallel.mapBlocks(ranges.count) { i -> [Matrix] in
          let share = Float(ranges[i].count) / Float(batch)
          let (total, _, _) = d.loss(real: real.rows(ranges[i]), fake: fake.rows(ranges[i]), gamma: gamma)
          return gradients(of: total * share, withRespectTo: d.parameters).map(\.value)
        }
        return DataParallel.sum(parts)
      }
      var noise = RandomSource(seed: 1)
      func dpStep() -> [Matrix] {
        d.privateGradients(real: real, fake: fake, gamma: gamma, clipNorm: 1, noiseMultiplier: 1, realDenominator: Float(batch),
                           rng: &noise, blocks: blockCount).gradients
      }
      func realOnly() -> [Matrix] { d.privateRealGradients(real: real, gamma: gamma, clipNorm: 1, blocks: blockCount).clippedSum }
      func fakesOnly() -> [Matrix] { d.fakeGradients(fake: fake, blocks: blockCount).gradients }
      func noiseOnly() -> [Matrix] {
        var g = d.parameters.map { Matrix(rows: $0.rows, cols: $0.cols) }
        Discriminator.addGaussianNoise(to: &g, noiseMultiplier: 1, clipNorm: 1, rng: &noise)
        return g
      }
      // Interleaved runs, so that a change in the machine's load hits every variant alike.
      let t = time([ordinary, dpStep, realOnly, fakesOnly, noiseOnly])
      let (a, b, c, f, z) = (t[0], t[1], t[2], t[3], t[4])
      print(String(format: "γ = %4.1f  ordinary step (tape)               %7.0f µs (best %.0f)", gamma, a.median, a.best))
      print(String(format: "          DP step (clip + noise + fakes)      %7.0f µs (best %.0f)  ×%.2f the ordinary", b.median, b.best, b.median / a.median))
      print(String(format: "          of which real records' clipped sum  %7.0f µs (best %.0f)", c.median, c.best))
      print(String(format: "                   fake records' gradient     %7.0f µs (best %.0f)", f.median, f.best))
      print(String(format: "                   noise (%d coordinates)  %7.0f µs (best %.0f)", d.parameters.reduce(0) { $0 + $1.value.count }, z.median, z.best))
      if !skipLoop {
        // The naive reference: one tape pass (with double backprop) per real record, then clip and sum.
        func loop() -> [Matrix] {
          var sum = d.parameters.map { Matrix(rows: $0.rows, cols: $0.cols) }
          for i in 0..<batch {
            let x = Variable(real.rows(i..<(i + 1)), requiresGradient: true)
            let logits = d(x)
            var loss = (-logits).softplus().sum()
            if gamma > 0 { loss = loss + gradients(of: logits.sum(), withRespectTo: [x], createGraph: true)[0].squared().sum() * (gamma / 2) }
            let g = gradients(of: loss, withRespectTo: d.parameters).map(\.value)
            let norm = g.reduce(0) { $0 + $1.squared().sum() }.squareRoot()
            for k in sum.indices { sum[k].add(g[k], scaledBy: min(1, 1 / norm)) }
          }
          return sum
        }
        let l = time([loop], steps: max(1, steps / 10))[0]
        print(String(format: "          loop of %d single-record tape passes %7.0f µs (best %.0f)  ×%.1f the closed form", batch, l.median, l.best, l.median / c.median))
      }
    }
  }

  /// Median and best µs per call of each body over `runs` runs of `steps` calls each (after a warm-up run), the bodies
  /// taking turns within each run.
  func time(_ bodies: [() -> [Matrix]], steps: Int? = nil) -> [(median: Double, best: Double)] {
    let n = steps ?? self.steps
    var sink: Float = 0
    for body in bodies { for _ in 0..<n { sink += body()[0].storage[0] } }
    var samples = [[Double]](repeating: [], count: bodies.count)
    for _ in 0..<runs {
      for (k, body) in bodies.enumerated() {
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<n { sink += body()[0].storage[0] }
        samples[k].append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3 / Double(n))
      }
    }
    if sink.isNaN { print("(NaN gradient)") }
    return samples.map { s in
      let sorted = s.sorted()
      return (sorted[sorted.count / 2], sorted[0])
    }
  }
}
