//===----------------------------------------------------------------------===//
// WGAN-GP training (Gulrajani et al. 2017) of the EMR-WGAN-style generator.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

/// A trained (or training) WGAN-GP generator: what a model file holds.
public final class GANModel: RecordGenerator {
  public let configuration: GANConfiguration
  public let layout: RecordLayout
  public let generator: GANGenerator

  public init(configuration: GANConfiguration, layout: RecordLayout, seed: UInt64) {
    self.configuration = configuration
    self.layout = layout
    var rng = RandomSource(seed: seed)
    generator = GANGenerator(layout: layout, noiseDimension: configuration.noiseDimension,
                             widths: configuration.generatorWidths, rng: &rng)
  }

  public var parameters: [Variable] { generator.parameters }

  /// `rows` encoded records: `z ~ N(0, I)` through the generator, discrete columns per
  /// ``GANConfiguration/discreteSampling``, missing Gaussian values zeroed. Generated in batches.
  public func generate(rows: Int, rng: inout RandomSource) -> Matrix {
    var parts: [Matrix] = []
    var done = 0
    while done < rows {
      let n = Swift.min(8192, rows - done)
      let z = rng.normalMatrix(rows: n, cols: configuration.noiseDimension)
      parts.append(generator.records(from: generator(Variable(z)), sampling: configuration.discreteSampling, rng: &rng))
      done += n
    }
    return parts.count == 1 ? parts[0] : Matrix.concatenateRows(parts)
  }
}

/// One progress report of ``GANTrainer``.
public struct GANProgress: Sendable, Codable {
  public var iteration: Int
  public var iterations: Int
  /// `mean D(real) − mean D(fake)` of the last critic step (the Wasserstein-1 estimate).
  public var wassersteinEstimate: Float
  /// `λ · mean (‖∇D(x̂)‖ − 1)²` of the last critic step.
  public var gradientPenalty: Float
  /// `−mean D(G(z))` of the last generator step.
  public var generatorLoss: Float
  public var elapsedSeconds: Double
  public var remainingSeconds: Double
}

/// Why GAN or diffusion training stopped early.
public enum BaselineTrainingError: Error, CustomStringConvertible {
  /// A loss or parameter became NaN or infinite; the model was restored to `lastGoodIteration`.
  case diverged(iteration: Int, lastGoodIteration: Int, quantity: String)
  /// The configuration or the data cannot be trained on.
  case invalid(String)

  public var description: String {
    switch self {
    case let .diverged(iteration, lastGood, quantity):
      "training diverged at iteration \(iteration) (\(quantity) is not finite); the model was restored to iteration \(lastGood)"
    case let .invalid(reason): reason
    }
  }
}

/// Trains a ``GANModel`` with the WGAN-GP objective.
///
/// Each iteration:
/// 1. `criticSteps` critic steps, each on a fresh real batch and a fresh fake batch (the fakes of all
///    steps come from one generator pass: the generator does not change meanwhile), minimising
///    `mean D(fake) − mean D(real) + λ · mean_i (‖∇ₓD(x̂_i)‖₂ − 1)²` with `x̂ = ε·real + (1 − ε)·fake`,
///    `ε ~ U(0, 1)` per record;
/// 2. one generator step minimising `−mean D(G(z))`;
/// 3. the saved generator's weights move towards the optimised ones (exponential moving average).
public final class GANTrainer {
  /// The saved generator: the moving average of ``online``'s weights (``GANConfiguration/generatorAverageDecay``).
  public let model: GANModel
  /// The generator that is optimised.
  let online: GANGenerator
  public let critic: GANCritic
  let data: Matrix
  let generatorOptimizer: Adam
  let criticOptimizer: Adam
  var rng: RandomSource
  var realOrder: [Int] = []
  var realCursor = 0
  public private(set) var completedIterations = 0

  /// - Parameters:
  ///   - data: encoded training records laid out as `layout` describes.
  ///   - seed: every random choice (initialisation, noise, interpolation, batches) derives from it.
  public init(configuration: GANConfiguration, layout: RecordLayout, data: Matrix, seed: UInt64) throws {
    if let problem = configuration.validationError() { throw BaselineTrainingError.invalid("invalid configuration: \(problem)") }
    guard layout.isWellFormed, data.cols == layout.width, layout.width > 0 else {
      throw BaselineTrainingError.invalid("the record layout does not match the encoded data")
    }
    guard data.rows >= 2 else { throw BaselineTrainingError.invalid("need at least 2 training records") }
    guard data.isFinite else { throw BaselineTrainingError.invalid("the encoded training data contains NaN or infinite values") }
    var root = RandomSource(seed: seed)
    let initSeed = root.next()
    model = GANModel(configuration: configuration, layout: layout, seed: initSeed)
    var grng = RandomSource(seed: initSeed)
    online = GANGenerator(layout: layout, noiseDimension: configuration.noiseDimension, widths: configuration.generatorWidths, rng: &grng)
    var crng = root.split()
    critic = GANCritic(inputs: layout.width, widths: configuration.criticWidths, rng: &crng)
    rng = root.split()
    self.data = data
    if configuration.marginalInitialization {
      online.initializeToMarginals(of: data)
      model.generator.initializeToMarginals(of: data)
    }
    generatorOptimizer = Adam(parameters: online.parameters, learningRate: configuration.generatorLearningRate,
                              beta1: configuration.beta1, beta2: configuration.beta2)
    criticOptimizer = Adam(parameters: critic.parameters, learningRate: configuration.criticLearningRate,
                           beta1: configuration.beta1, beta2: configuration.beta2)
  }

  var configuration: GANConfiguration { model.configuration }

  /// The next `n` real records, cycling through a fresh permutation each pass.
  func nextRealBatch(_ n: Int) -> Matrix {
    var indices: [Int] = []
    indices.reserveCapacity(n)
    while indices.count < n {
      if realCursor >= realOrder.count { realOrder = rng.permutation(data.rows); realCursor = 0 }
      let take = Swift.min(n - indices.count, realOrder.count - realCursor)
      indices.append(contentsOf: realOrder[realCursor..<(realCursor + take)])
      realCursor += take
    }
    return data.gatherRows(indices)
  }

  /// The gradient penalty `weight · mean_i (‖∇ₓD(x_i)‖₂ − 1)²` at the records `points`
  /// (rows), as a differentiable function of the critic's parameters (double backprop).
  public static func gradientPenalty(critic: (Variable) -> Variable, at points: Matrix, weight: Float) -> Variable {
    let x = Variable(points, requiresGradient: true)
    let gx = gradients(of: critic(x).sum(), withRespectTo: [x], createGraph: true)[0]
    // The tiny constant keeps the square root differentiable where a gradient is exactly zero.
    let norms = (gx.squared().sumOverColumns() + 1e-12).sqrt()
    return (norms - 1).squared().mean() * weight
  }

  /// `ε·real + (1 − ε)·fake` with one `ε` per row.
  public static func interpolate(real: Matrix, fake: Matrix, epsilon: Matrix) -> Matrix {
    precondition(real.hasShape(of: fake) && epsilon.rows == real.rows && epsilon.cols == 1)
    return real * epsilon + fake * (1 - epsilon)
  }

  /// One iteration (critic steps, then a generator step); times left 0.
  func iterate() -> GANProgress {
    let cfg = configuration
    let n = cfg.batchSize
    let generator = online
    let fakeZ = Variable(rng.normalMatrix(rows: n * cfg.criticSteps, cols: cfg.noiseDimension))
    let fakes = generator.relaxed(fakeZ, temperature: cfg.relaxationTemperature, rng: &rng).record.value
    var wasserstein: Float = 0, penalty: Float = 0
    for k in 0..<cfg.criticSteps {
      let real = nextRealBatch(n)
      let fake = fakes.rows((k * n)..<((k + 1) * n))
      let scores = critic(Variable(Matrix.concatenateRows([real, fake])))
      let signs = Variable(Matrix.column([Float](repeating: -1 / Float(n), count: n) + [Float](repeating: 1 / Float(n), count: n)))
      let criticGap = (scores * signs).sum()  // mean D(fake) − mean D(real)
      let eps = rng.uniformMatrix(rows: n, cols: 1)
      let gp = GANTrainer.gradientPenalty(critic: { self.critic($0) }, at: GANTrainer.interpolate(real: real, fake: fake, epsilon: eps),
                                          weight: cfg.gradientPenalty)
      criticOptimizer.minimize(criticGap + gp)
      wasserstein = -criticGap.value.scalarValue
      penalty = gp.value.scalarValue
    }
    let z = Variable(rng.normalMatrix(rows: n, cols: cfg.noiseDimension))
    let out = generator.relaxed(z, temperature: cfg.relaxationTemperature, rng: &rng)
    let generatorLoss = -critic(out.record).mean()
    generatorOptimizer.minimize(generatorLoss)
    completedIterations += 1
    updateAverage()
    return GANProgress(iteration: completedIterations, iterations: cfg.iterations, wassersteinEstimate: wasserstein,
                       gradientPenalty: penalty, generatorLoss: generatorLoss.value.scalarValue, elapsedSeconds: 0, remainingSeconds: 0)
  }

  /// `avg ← d·avg + (1 − d)·online` with `d = min(decay, (1 + step)/(10 + step))`; a copy when the decay is 0.
  func updateAverage() {
    let step = Float(completedIterations)
    let d = Swift.min(configuration.generatorAverageDecay, (1 + step) / (10 + step))
    for (avg, p) in zip(model.generator.parameters, online.parameters) {
      if d == 0 { avg.value = p.value; continue }
      var v = avg.value
      v.scale(by: d)
      v.add(p.value, scaledBy: 1 - d)
      avg.value = v
    }
  }

  /// Runs all iterations, reporting every `logEvery` iterations (and at the end).
  ///
  /// A non-finite loss or parameter stops training with ``BaselineTrainingError/diverged(iteration:lastGoodIteration:quantity:)``
  /// after restoring the parameters of the last report whose values were all finite.
  public func train(progress: (GANProgress) -> Void = { _ in }) throws {
    let start = DispatchTime.now().uptimeNanoseconds
    let all = model.generator.parameters + online.parameters + critic.parameters
    var snapshot = all.map(\.value)
    var snapshotIteration = completedIterations
    while completedIterations < configuration.iterations {
      var report = iterate()
      let numbers: [(String, Float)] = [("the Wasserstein estimate", report.wassersteinEstimate),
                                        ("the gradient penalty", report.gradientPenalty), ("the generator loss", report.generatorLoss)]
      if let bad = numbers.first(where: { !$0.1.isFinite }) {
        for (p, v) in zip(all, snapshot) { p.value = v }
        throw BaselineTrainingError.diverged(iteration: report.iteration, lastGoodIteration: snapshotIteration, quantity: bad.0)
      }
      if report.iteration % Swift.max(configuration.logEvery, 1) == 0 || report.iteration == configuration.iterations {
        let values = all.map(\.value)
        guard values.allSatisfy(\.isFinite) else {
          for (p, v) in zip(all, snapshot) { p.value = v }
          throw BaselineTrainingError.diverged(iteration: report.iteration, lastGoodIteration: snapshotIteration, quantity: "a parameter")
        }
        snapshot = values
        snapshotIteration = report.iteration
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        report.elapsedSeconds = elapsed
        report.remainingSeconds = elapsed / Double(report.iteration) * Double(configuration.iterations - report.iteration)
        progress(report)
      }
    }
  }
}
