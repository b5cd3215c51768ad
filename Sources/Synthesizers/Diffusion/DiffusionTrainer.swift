//===----------------------------------------------------------------------===//
// The diffusion baseline: data scaling, training (ε-prediction) and ancestral sampling.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

/// A trained (or training) diffusion model: the denoiser whose weights are saved (the EMA copy
/// after training) and how records map to the diffused space.
///
/// **Diffused space.** Gaussian columns stay as encoded (N(0, 1) under the default quantile encoding;
/// missing values hold 0). Bernoulli and one-hot categorical columns are mapped from {0, 1} to {−1, 1}
/// ("Gaussian on one-hot", as EHRDiff and TabDDPM's Gaussian-only variant), so every column has a
/// comparable scale.
///
/// **Decoding a sample.** Bernoulli columns: 1 when the value is > 0 (i.e. > 0.5 back on the 0/1 scale);
/// categorical groups: the level with the largest value (argmax); Gaussian values as generated; then
/// every Gaussian value whose missingness indicator came out 1 is set to 0, as the encoder writes it.
public final class DiffusionModel: RecordGenerator {
  public let configuration: DiffusionConfiguration
  public let layout: RecordLayout
  public let denoiser: Denoiser
  public let schedule: NoiseSchedule

  public init(configuration: DiffusionConfiguration, layout: RecordLayout, seed: UInt64) {
    self.configuration = configuration
    self.layout = layout
    var rng = RandomSource(seed: seed)
    denoiser = Denoiser(recordWidth: layout.width, width: configuration.width, depth: configuration.depth,
                        timeEmbeddingDimension: configuration.timeEmbeddingDimension, rng: &rng)
    schedule = NoiseSchedule(kind: configuration.schedule, timesteps: configuration.timesteps)
  }

  public var parameters: [Variable] { denoiser.parameters }

  /// Records (0/1 discrete columns) → diffused space (±1 discrete columns).
  public func toDiffusionSpace(_ records: Matrix) -> Matrix {
    var x = records
    let w = x.cols, n = x.rows, d0 = layout.gaussian.upperBound
    x.withUnsafeMutableBufferPointer { p in
      for i in 0..<n { for j in d0..<w { p[i * w + j] = 2 * p[i * w + j] - 1 } }
    }
    return x
  }

  /// Diffused space → hard records (threshold, argmax, missing values zeroed).
  public func records(fromDiffusionSpace x: Matrix) -> Matrix {
    var r = x
    let w = r.cols, n = r.rows
    let b = layout.bernoulli
    let groups = layout.categoricalGroups
    r.withUnsafeMutableBufferPointer { p in
      for i in 0..<n {
        let row = p.baseAddress! + i * w
        for j in b { row[j] = row[j] > 0 ? 1 : 0 }
        for g in groups {
          var best = g.lowerBound
          for j in g where row[j] > row[best] { best = j }
          for j in g { row[j] = j == best ? 1 : 0 }
        }
      }
    }
    return layout.zeroMissingValues(r)
  }

  /// Ancestral sampling in the diffused space: `x_T ~ N(0, I)`, then one ``NoiseSchedule/step(_:predictedNoise:t:noise:clip:)``
  /// per timestep of the (respaced) schedule, down to x₀.
  public func sampleDiffusionSpace(rows: Int, rng: inout RandomSource) -> Matrix {
    let steps = schedule.evenlySpacedSteps(configuration.samplingSteps)
    let sampler = steps.count == schedule.timesteps ? schedule : schedule.respaced(steps)
    var x = rng.normalMatrix(rows: rows, cols: layout.width)
    let clip: Float? = configuration.clipDenoised > 0 ? configuration.clipDenoised : nil
    for k in stride(from: steps.count, through: 1, by: -1) {
      let eps = denoiser(Variable(x), timesteps: [Int](repeating: steps[k - 1], count: rows)).value
      let z = k > 1 ? rng.normalMatrix(rows: rows, cols: layout.width) : nil
      x = sampler.step(x, predictedNoise: eps, t: k, noise: z, clip: clip)
    }
    return x
  }

  /// `rows` encoded records (in batches of 8,192).
  public func generate(rows: Int, rng: inout RandomSource) -> Matrix {
    var parts: [Matrix] = []
    var done = 0
    while done < rows {
      let n = Swift.min(8192, rows - done)
      parts.append(records(fromDiffusionSpace: sampleDiffusionSpace(rows: n, rng: &rng)))
      done += n
    }
    return parts.count == 1 ? parts[0] : Matrix.concatenateRows(parts)
  }
}

/// One progress report of ``DiffusionTrainer``.
public struct DiffusionProgress: Sendable, Codable {
  public var iteration: Int
  public var iterations: Int
  /// Mean squared error of the predicted noise, averaged since the previous report.
  public var loss: Float
  public var elapsedSeconds: Double
  public var remainingSeconds: Double
}

/// Trains a ``DiffusionModel``: per step, a batch of records, `t ~ U{1…T}` and `ε ~ N(0, I)` per record,
/// and one Adam(W) step on `mean ‖ε_θ(√ᾱ_t x₀ + √(1 − ᾱ_t) ε, t) − ε‖²`. The model's denoiser holds the
/// exponential moving average of the trained weights (``DiffusionConfiguration/emaDecay``).
public final class DiffusionTrainer {
  public let model: DiffusionModel
  /// The network that is optimised (the model's denoiser tracks its moving average).
  let online: Denoiser
  let data: Matrix
  let optimizer: Adam
  var rng: RandomSource
  var order: [Int] = []
  var cursor = 0
  public private(set) var completedIterations = 0

  /// - Parameters:
  ///   - data: encoded training records laid out as `layout` describes.
  ///   - seed: every random choice (initialisation, timesteps, noise, batches) derives from it.
  public init(configuration: DiffusionConfiguration, layout: RecordLayout, data: Matrix, seed: UInt64) throws {
    if let problem = configuration.validationError() { throw BaselineTrainingError.invalid("invalid configuration: \(problem)") }
    guard layout.isWellFormed, data.cols == layout.width, layout.width > 0 else {
      throw BaselineTrainingError.invalid("the record layout does not match the encoded data")
    }
    guard data.rows >= 2 else { throw BaselineTrainingError.invalid("need at least 2 training records") }
    guard data.isFinite else { throw BaselineTrainingError.invalid("the encoded training data contains NaN or infinite values") }
    var root = RandomSource(seed: seed)
    let initSeed = root.next()
    model = DiffusionModel(configuration: configuration, layout: layout, seed: initSeed)
    var orng = RandomSource(seed: initSeed)
    online = Denoiser(recordWidth: layout.width, width: configuration.width, depth: configuration.depth,
                      timeEmbeddingDimension: configuration.timeEmbeddingDimension, rng: &orng)
    rng = root.split()
    self.data = model.toDiffusionSpace(data)
    optimizer = Adam(parameters: online.parameters, learningRate: configuration.learningRate, weightDecay: configuration.weightDecay)
  }

  var configuration: DiffusionConfiguration { model.configuration }

  func nextBatch(_ n: Int) -> Matrix {
    var indices: [Int] = []
    indices.reserveCapacity(n)
    while indices.count < n {
      if cursor >= order.count { order = rng.permutation(data.rows); cursor = 0 }
      let take = Swift.min(n - indices.count, order.count - cursor)
      indices.append(contentsOf: order[cursor..<(cursor + take)])
      cursor += take
    }
    return data.gatherRows(indices)
  }

  /// The training loss on records `x0` (diffused space) at timesteps `t` with noise `noise`.
  public static func loss(denoiser: Denoiser, schedule: NoiseSchedule, x0: Matrix, timesteps t: [Int], noise: Matrix) -> Variable {
    let xt = schedule.noised(x0, noise: noise, timesteps: t)
    return (denoiser(Variable(xt), timesteps: t) - Variable(noise)).squared().mean()
  }

  /// One training step; returns the loss.
  func iterate() -> Float {
    let cfg = configuration
    let x0 = nextBatch(cfg.batchSize)
    let t = (0..<cfg.batchSize).map { _ in 1 + rng.integer(below: cfg.timesteps) }
    let noise = rng.normalMatrix(rows: x0.rows, cols: x0.cols)
    let loss = optimizer.minimize(DiffusionTrainer.loss(denoiser: online, schedule: model.schedule, x0: x0, timesteps: t, noise: noise))
    completedIterations += 1
    updateAverage()
    return loss
  }

  /// `ema ← d·ema + (1 − d)·online` with `d = min(decay, (1 + step)/(10 + step))`; a plain copy when the decay is 0.
  func updateAverage() {
    let step = Float(completedIterations)
    let d = Swift.min(configuration.emaDecay, (1 + step) / (10 + step))
    for (avg, p) in zip(model.denoiser.parameters, online.parameters) {
      if d == 0 { avg.value = p.value; continue }
      var v = avg.value
      v.scale(by: d)
      v.add(p.value, scaledBy: 1 - d)
      avg.value = v
    }
  }

  /// Runs all steps, reporting every `logEvery` steps (and at the end).
  ///
  /// A non-finite loss or parameter stops training with ``BaselineTrainingError/diverged(iteration:lastGoodIteration:quantity:)``
  /// after restoring the (averaged) weights of the last report whose values were all finite.
  public func train(progress: (DiffusionProgress) -> Void = { _ in }) throws {
    let start = DispatchTime.now().uptimeNanoseconds
    let all = model.denoiser.parameters + online.parameters
    var snapshot = all.map(\.value)
    var snapshotIteration = completedIterations
    var lossSum: Double = 0, lossCount = 0
    while completedIterations < configuration.iterations {
      let loss = iterate()
      guard loss.isFinite else {
        for (p, v) in zip(all, snapshot) { p.value = v }
        throw BaselineTrainingError.diverged(iteration: completedIterations, lastGoodIteration: snapshotIteration, quantity: "the loss")
      }
      lossSum += Double(loss)
      lossCount += 1
      if completedIterations % Swift.max(configuration.logEvery, 1) == 0 || completedIterations == configuration.iterations {
        let values = all.map(\.value)
        guard values.allSatisfy(\.isFinite) else {
          for (p, v) in zip(all, snapshot) { p.value = v }
          throw BaselineTrainingError.diverged(iteration: completedIterations, lastGoodIteration: snapshotIteration, quantity: "a parameter")
        }
        snapshot = values
        snapshotIteration = completedIterations
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        progress(DiffusionProgress(iteration: completedIterations, iterations: configuration.iterations,
                                   loss: Float(lossSum / Double(lossCount)), elapsedSeconds: elapsed,
                                   remainingSeconds: elapsed / Double(completedIterations) * Double(configuration.iterations - completedIterations)))
        lossSum = 0
        lossCount = 0
      }
    }
  }
}
