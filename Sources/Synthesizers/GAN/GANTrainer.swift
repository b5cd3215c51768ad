//===----------------------------------------------------------------------===//
// WGAN-GP training (Gulrajani et al. 2017) of the EMR-WGAN-style generator.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

/// The figures of one WGAN-GP iteration.
public struct GANStepMetrics: TrainingMetrics {
  /// `mean D(real) − mean D(fake)` of the last critic step (the Wasserstein-1 estimate).
  public var wassersteinEstimate: Float
  /// `λ · mean (‖∇D(x̂)‖ − 1)²` of the last critic step.
  public var gradientPenalty: Float
  /// `−mean D(G(z))` of the generator step.
  public var generatorLoss: Float

  public var figures: [TrainingFigure] {
    [TrainingFigure("wasserstein_estimate", wassersteinEstimate), TrainingFigure("gradient_penalty", gradientPenalty),
     TrainingFigure("generator_loss", generatorLoss)]
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
/// 3. the saved generator's weights move towards the optimised ones (the loop's ``WeightAverage``).
public final class GANTrainer: SynthesizerTrainer {
  /// The saved generator: the moving average of ``online``'s weights (``GANConfiguration/generatorAverageDecay``).
  public let model: GANModel
  /// The generator that is optimised.
  let online: GANGenerator
  public let critic: GANCritic
  let generatorOptimizer: Adam
  let criticOptimizer: Adam
  var rng: RandomSource
  var realBatches: BatchCycler

  /// - Parameters:
  ///   - data: encoded training records laid out as `layout` describes.
  ///   - seed: every random choice (initialisation, noise, interpolation, batches) derives from it.
  public init(configuration: GANConfiguration, layout: RecordLayout, data: Matrix, seed: UInt64) throws {
    try TrainingError.check(configuration: configuration, layout: layout, data: data)
    var root = RandomSource(seed: seed)
    let initSeed = root.next()
    model = GANModel(configuration: configuration, layout: layout, seed: initSeed)
    var grng = RandomSource(seed: initSeed)
    online = GANGenerator(layout: layout, noiseDimension: configuration.noiseDimension, widths: configuration.generatorWidths, rng: &grng)
    var crng = root.split()
    critic = GANCritic(inputs: layout.width, widths: configuration.criticWidths, rng: &crng)
    rng = root.split()
    realBatches = BatchCycler(data: data)
    if configuration.marginalInitialization {
      online.initializeToMarginals(of: data)
      model.generator.initializeToMarginals(of: data)
    }
    generatorOptimizer = Adam(parameters: online.parameters, learningRate: configuration.generatorLearningRate,
                              beta1: configuration.beta1, beta2: configuration.beta2)
    criticOptimizer = Adam(parameters: critic.parameters, learningRate: configuration.criticLearningRate,
                           beta1: configuration.beta1, beta2: configuration.beta2)
  }

  public var configuration: GANConfiguration { model.configuration }

  public var trainedParameters: [Variable] { online.parameters + critic.parameters }

  public var weightAverage: WeightAverage? {
    WeightAverage(online: online.parameters, average: model.generator.parameters, decay: configuration.generatorAverageDecay)
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

  /// One iteration: critic steps, then a generator step. On several cores each step's batch is split into row blocks
  /// (``NeuralNetworks/DataParallel``), one per core, with the same random draws as on one; each block contributes its
  /// rows' share of the batch means, so the gradients are the whole batch's up to rounding.
  public func step(_ context: TrainingContext) -> GANStepMetrics {
    let cfg = configuration
    let n = cfg.batchSize, tau = cfg.relaxationTemperature
    let blocks = DataParallel.defaultBlocks(batch: n, threads: context.threads)
    let generator = online, critic = self.critic
    // The fakes of all critic steps come from one generator pass: the generator does not change meanwhile.
    let fakeZ = rng.normalMatrix(rows: n * cfg.criticSteps, cols: cfg.noiseDimension)
    let fakeNoise = online.relaxationNoise(rows: fakeZ.rows, temperature: tau, rng: &rng)
    let fakeRanges = DataParallel.rowBlocks(rows: fakeZ.rows, blocks: blocks)
    let fakes = Matrix.concatenateRows(DataParallel.mapBlocks(blocks) { i in
      generator.relaxed(Variable(fakeZ.rows(fakeRanges[i])), temperature: tau, noise: fakeNoise, rows: fakeRanges[i]).record.value
    })
    let ranges = DataParallel.rowBlocks(rows: n, blocks: blocks)
    var wasserstein: Float = 0, penalty: Float = 0
    for k in 0..<cfg.criticSteps {
      let real = realBatches.next(n, rng: &rng)
      let fake = fakes.rows((k * n)..<((k + 1) * n))
      let points = GANTrainer.interpolate(real: real, fake: fake, epsilon: rng.uniformMatrix(rows: n, cols: 1))
      let parts = DataParallel.mapBlocks(blocks) { i -> (gap: Float, gp: Float, gradients: [Matrix]) in
        let r = ranges[i]
        let scores = critic(Variable(Matrix.concatenateRows([real.rows(r), fake.rows(r)])))
        let signs = Variable(Matrix.column([Float](repeating: -1 / Float(n), count: r.count) + [Float](repeating: 1 / Float(n), count: r.count)))
        let gap = (scores * signs).sum()  // the block's share of mean D(fake) − mean D(real)
        // The block's mean times its share of the batch (exactly 1 for a single block): the batch mean's contribution.
        let gp = GANTrainer.gradientPenalty(critic: { critic($0) }, at: points.rows(r),
                                            weight: cfg.gradientPenalty * (Float(r.count) / Float(n)))
        let g = gradients(of: gap + gp, withRespectTo: critic.parameters).map(\.value)
        return (gap.value.scalarValue, gp.value.scalarValue, g)
      }
      criticOptimizer.update(DataParallel.sum(parts.map(\.gradients)))
      wasserstein = -parts.reduce(0) { $0 + $1.gap }
      penalty = parts.reduce(0) { $0 + $1.gp }
    }
    let z = rng.normalMatrix(rows: n, cols: cfg.noiseDimension)
    let noise = online.relaxationNoise(rows: n, temperature: tau, rng: &rng)
    let parts = DataParallel.mapBlocks(blocks) { i -> (loss: Float, gradients: [Matrix]) in
      let r = ranges[i]
      let out = generator.relaxed(Variable(z.rows(r)), temperature: tau, noise: noise, rows: r)
      let loss = -critic(out.record).sum() * (1 / Float(n))  // the block's share of −mean D(G(z))
      return (loss.value.scalarValue, gradients(of: loss, withRespectTo: generator.parameters).map(\.value))
    }
    generatorOptimizer.update(DataParallel.sum(parts.map(\.gradients)))
    return GANStepMetrics(wassersteinEstimate: wasserstein, gradientPenalty: penalty, generatorLoss: parts.reduce(0) { $0 + $1.loss })
  }
}
