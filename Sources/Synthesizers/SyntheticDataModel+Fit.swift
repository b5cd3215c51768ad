//===----------------------------------------------------------------------===//
// Fitting: encode the table, train the chosen synthesizer.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import TabularData

/// A progress report of any synthesizer's training, for terminals and JSON logs.
public struct FitProgress: Sendable, Codable {
  public var iteration: Int
  public var iterations: Int
  /// Named figures of this synthesizer (e.g. `mean_reward`, `discriminator_loss`).
  public var metrics: [String: Float]
  public var elapsedSeconds: Double
  public var remainingSeconds: Double
}

/// Settings of one fit that are not hyperparameters.
public struct FitOptions {
  public var seed: UInt64
  public var encoding: EncodingOptions
  /// Adjusts the RLSyn configuration after the preset was chosen (command-line overrides).
  public var rlsyn: (inout RLSynConfiguration) -> Void
  /// Forces a preset instead of choosing by row count.
  public var rlsynPreset: RLSynConfiguration.Preset?
  public var sourceFile: String?
  /// Adjusts the GAN configuration after the defaults were chosen (command-line overrides).
  public var gan: (inout GANConfiguration) -> Void = { _ in }
  /// Adjusts the diffusion configuration after the defaults were chosen (command-line overrides).
  public var diffusion: (inout DiffusionConfiguration) -> Void = { _ in }

  public init(seed: UInt64 = 0, encoding: EncodingOptions = .init(), rlsynPreset: RLSynConfiguration.Preset? = nil,
              sourceFile: String? = nil, rlsyn: @escaping (inout RLSynConfiguration) -> Void = { _ in }) {
    self.seed = seed
    self.encoding = encoding
    self.rlsynPreset = rlsynPreset
    self.sourceFile = sourceFile
    self.rlsyn = rlsyn
  }
}

/// Training stopped early; `partialModel` holds the last good state (for saving).
public struct FitInterrupted: Error, CustomStringConvertible {
  public let reason: String
  public let partialModel: SyntheticDataModel?
  public var description: String { reason }
}

extension SyntheticDataModel {
  /// Fits `synthesizer` to `table`.
  ///
  /// - Parameters:
  ///   - schema: the table's schema (inferred when nil).
  ///   - progress: called with periodic reports.
  /// - Throws: ``TabularError`` for unusable data, ``FitInterrupted`` when training diverges
  ///   (its `partialModel` holds the last good parameters).
  public static func fit(_ table: DataTable, schema: Schema? = nil, synthesizer: SynthesizerKind = .rlsyn,
                         options: FitOptions = FitOptions(), progress: (FitProgress) -> Void = { _ in }) throws -> SyntheticDataModel {
    let schema = try schema ?? Schema.infer(from: table)
    let encoder = try TableEncoder(fitting: table, schema: schema, options: options.encoding)
    let data = try encoder.encode(table)
    let layout = recordLayout(encoder.layout)
    let start = DispatchTime.now().uptimeNanoseconds
    func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    switch synthesizer {
    case .rlsyn:
      var config = RLSynConfiguration(preset: options.rlsynPreset ?? .automatic(rows: table.rowCount))
      options.rlsyn(&config)
      let trainer = try RLSynTrainer(configuration: config, layout: layout, data: data, seed: options.seed)
      let configJSON = try SyntheticDataModel.canonicalJSON(config)
      func model() -> SyntheticDataModel {
        SyntheticDataModel(kind: .rlsyn, encoder: encoder, generator: trainer.model, configurationJSON: configJSON,
                           summary: TrainingSummary(trainingRows: table.rowCount, seed: options.seed,
                                                    iterations: trainer.completedIterations, seconds: seconds(), sourceFile: options.sourceFile))
      }
      do {
        try trainer.train { p in
          progress(FitProgress(iteration: p.iteration, iterations: p.iterations,
                               metrics: ["mean_reward": p.meanReward, "discriminator_loss": p.discriminatorLoss, "r1_penalty": p.r1Penalty,
                                         "policy_loss": p.policyLoss, "entropy": p.entropy],
                               elapsedSeconds: p.elapsedSeconds, remainingSeconds: p.remainingSeconds))
        }
      } catch let e as RLSynTrainingError {
        if case .diverged = e { throw FitInterrupted(reason: e.description, partialModel: model()) }
        throw FitInterrupted(reason: e.description, partialModel: nil)
      }
      return model()
    case .gan:
      var config = GANConfiguration(rows: table.rowCount)
      options.gan(&config)
      let trainer = try GANTrainer(configuration: config, layout: layout, data: data, seed: options.seed)
      let configJSON = try SyntheticDataModel.canonicalJSON(config)
      func model() -> SyntheticDataModel {
        SyntheticDataModel(kind: .gan, encoder: encoder, generator: trainer.model, configurationJSON: configJSON,
                           summary: TrainingSummary(trainingRows: table.rowCount, seed: options.seed,
                                                    iterations: trainer.completedIterations, seconds: seconds(), sourceFile: options.sourceFile))
      }
      do {
        try trainer.train { p in
          progress(FitProgress(iteration: p.iteration, iterations: p.iterations,
                               metrics: ["wasserstein_estimate": p.wassersteinEstimate, "gradient_penalty": p.gradientPenalty,
                                         "generator_loss": p.generatorLoss],
                               elapsedSeconds: p.elapsedSeconds, remainingSeconds: p.remainingSeconds))
        }
      } catch let e as BaselineTrainingError {
        if case .diverged = e { throw FitInterrupted(reason: e.description, partialModel: model()) }
        throw FitInterrupted(reason: e.description, partialModel: nil)
      }
      return model()
    case .diffusion:
      var config = DiffusionConfiguration(rows: table.rowCount)
      options.diffusion(&config)
      let trainer = try DiffusionTrainer(configuration: config, layout: layout, data: data, seed: options.seed)
      let configJSON = try SyntheticDataModel.canonicalJSON(config)
      func model() -> SyntheticDataModel {
        SyntheticDataModel(kind: .diffusion, encoder: encoder, generator: trainer.model, configurationJSON: configJSON,
                           summary: TrainingSummary(trainingRows: table.rowCount, seed: options.seed,
                                                    iterations: trainer.completedIterations, seconds: seconds(), sourceFile: options.sourceFile))
      }
      do {
        try trainer.train { p in
          progress(FitProgress(iteration: p.iteration, iterations: p.iterations, metrics: ["loss": p.loss],
                               elapsedSeconds: p.elapsedSeconds, remainingSeconds: p.remainingSeconds))
        }
      } catch let e as BaselineTrainingError {
        if case .diverged = e { throw FitInterrupted(reason: e.description, partialModel: model()) }
        throw FitInterrupted(reason: e.description, partialModel: nil)
      }
      return model()
    }
  }
}
