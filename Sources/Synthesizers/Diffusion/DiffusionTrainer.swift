//===----------------------------------------------------------------------===//
// Training the diffusion baseline: ε-prediction with the simple MSE loss.
//===----------------------------------------------------------------------===//

import NumericCore
import Autodiff
import NeuralNetworks

/// The figure of one diffusion training step.
public struct DiffusionStepMetrics: TrainingMetrics {
  /// Mean squared error of the predicted noise.
  public var loss: Float
  public var figures: [TrainingFigure] { [TrainingFigure("loss", loss)] }
}

/// Trains a ``DiffusionModel``: per step, a batch of records, `t ~ U{1…T}` and `ε ~ N(0, I)` per record,
/// and one Adam(W) step on `mean ‖ε_θ(√ᾱ_t x₀ + √(1 − ᾱ_t) ε, t) − ε‖²`. The model's denoiser holds the
/// exponential moving average of the trained weights (``DiffusionConfiguration/emaDecay``), kept by the loop's ``WeightAverage``.
public final class DiffusionTrainer: SynthesizerTrainer {
  public let model: DiffusionModel
  /// The network that is optimised (the model's denoiser tracks its moving average).
  let online: Denoiser
  let optimizer: Adam
  var rng: RandomSource
  var batches: BatchCycler

  /// - Parameters:
  ///   - data: encoded training records laid out as `layout` describes.
  ///   - seed: every random choice (initialisation, timesteps, noise, batches) derives from it.
  public init(configuration: DiffusionConfiguration, layout: RecordLayout, data: Matrix, seed: UInt64) throws {
    try TrainingError.check(configuration: configuration, layout: layout, data: data)
    var root = RandomSource(seed: seed)
    let initSeed = root.next()
    model = DiffusionModel(configuration: configuration, layout: layout, seed: initSeed)
    var orng = RandomSource(seed: initSeed)
    online = Denoiser(recordWidth: layout.width, width: configuration.width, depth: configuration.depth,
                      timeEmbeddingDimension: configuration.timeEmbeddingDimension,
                      columnSkip: configuration.appliesColumnSkip(width: layout.width), rng: &orng)
    rng = root.split()
    batches = BatchCycler(data: model.toDiffusionSpace(data))
    optimizer = Adam(parameters: online.parameters, learningRate: configuration.learningRate, weightDecay: configuration.weightDecay)
  }

  public var configuration: DiffusionConfiguration { model.configuration }

  public var trainedParameters: [Variable] { online.parameters }

  public var weightAverage: WeightAverage? {
    WeightAverage(online: online.parameters, average: model.denoiser.parameters, decay: configuration.emaDecay)
  }

  /// The training loss on records `x0` (diffused space) at timesteps `t` with noise `noise`.
  public static func loss(denoiser: Denoiser, schedule: NoiseSchedule, x0: Matrix, timesteps t: [Int], noise: Matrix) -> Variable {
    blockLoss(denoiser: denoiser, noised: schedule.noised(x0, noise: noise, timesteps: t), timesteps: t, noise: noise, rows: 0..<x0.rows)
  }

  /// The rows `r`'s share of ``loss(denoiser:schedule:x0:timesteps:noise:)``, given the noised batch `xt`: their
  /// squared errors summed and divided by the whole batch's element count (all rows: the mean).
  static func blockLoss(denoiser: Denoiser, noised xt: Matrix, timesteps t: [Int], noise: Matrix, rows r: Range<Int>) -> Variable {
    (denoiser(Variable(xt.rows(r)), timesteps: Array(t[r])) - Variable(noise.rows(r))).squared().sum() * (1 / Float(Swift.max(xt.count, 1)))
  }

  /// One training step. On several cores the batch is split into row blocks (``NeuralNetworks/DataParallel``), one
  /// per core, with the same random draws as on one; each block contributes its rows' share of the mean.
  public func step(_ context: TrainingContext) -> DiffusionStepMetrics {
    let cfg = configuration
    let x0 = batches.next(cfg.batchSize, rng: &rng)
    let t = (0..<cfg.batchSize).map { _ in 1 + rng.integer(below: cfg.timesteps) }
    let noise = rng.normalMatrix(rows: x0.rows, cols: x0.cols)
    let xt = model.schedule.noised(x0, noise: noise, timesteps: t)
    let ranges = DataParallel.rowBlocks(rows: x0.rows, blocks: DataParallel.defaultBlocks(batch: x0.rows, threads: context.threads))
    let denoiser = online
    let parts = DataParallel.mapBlocks(ranges.count) { i in
      Autodiff.valueAndGradients(at: denoiser.parameters) {
        DiffusionTrainer.blockLoss(denoiser: denoiser, noised: xt, timesteps: t, noise: noise, rows: ranges[i])
      }
    }
    optimizer.update(DataParallel.sum(parts.map(\.gradients)))
    return DiffusionStepMetrics(loss: parts.reduce(0) { $0 + $1.value })
  }
}
