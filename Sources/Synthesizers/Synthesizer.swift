//===----------------------------------------------------------------------===//
// The protocol every generator implements, and the names it is known by.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff

/// The name a synthesizer is registered, selected and stored under (`rlsyn`, `gan`, `diffusion`, …).
///
/// An open set: a generator registered in a ``SynthesizerRegistry`` brings its own kind.
public struct SynthesizerKind: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { rawValue = value }
  public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(rawValue)
  }
  public var description: String { rawValue }

  /// RLSyn: PPO policy with discriminator rewards (arXiv 2512.21395).
  public static let rlsyn: SynthesizerKind = "rlsyn"
  /// Wasserstein GAN with gradient penalty (EMR-WGAN family).
  public static let gan: SynthesizerKind = "gan"
  /// Gaussian denoising diffusion on the encoded record (TabDDPM/EHRDiff family).
  public static let diffusion: SynthesizerKind = "diffusion"
}

/// A trained generator over encoded records: what a model file holds besides the encoder.
public protocol RecordGenerator: AnyObject {
  /// Named parameters, saved and restored in this order.
  var parameters: [Variable] { get }
  /// `rows` encoded records. `threads` bounds the cores used; the records do not depend on it.
  func generate(rows: Int, rng: inout RandomSource, threads: Int) -> Matrix
}

extension RecordGenerator {
  /// `rows` encoded records, on every active core.
  public func generate(rows: Int, rng: inout RandomSource) -> Matrix {
    generate(rows: rows, rng: &rng, threads: TrainingContext.defaultThreads)
  }
}

/// The hyperparameters of a synthesizer. Stored (as a nested JSON object) in model files.
///
/// The fields every generator has are requirements, so that the command line and the
/// benchmark can set them without knowing the synthesizer.
public protocol SynthesizerConfiguration: FieldPatchable, Sendable, Equatable {
  /// Training iterations (one ``SynthesizerTrainer/step(_:)`` each).
  var iterations: Int { get set }
  /// Records per training batch.
  var batchSize: Int { get set }
  /// Iterations between progress reports.
  var logEvery: Int { get set }
  /// A description of the first invalid value, or nil when the configuration can be trained.
  func validationError() -> String?
  /// The values, when a model file lacks them, of the fields added after the first files were written
  /// (``decodeStored(_:source:)``).
  static var fieldsAddedLater: ConfigurationPatch { get }
  /// The configuration whose values a stored one's other missing fields take (its preset, or the defaults);
  /// nil (the default) when every field is stored.
  static func storedBase(_ stored: [String: JSONValue]) throws -> Self?
}

extension SynthesizerConfiguration {
  public static var fieldsAddedLater: ConfigurationPatch { [:] }
  public static func storedBase(_ stored: [String: JSONValue]) throws -> Self? { nil }
}

/// A figure a training step reports, by its snake_case name (the key of JSON progress lines).
public struct TrainingFigure: Sendable, Codable, Equatable {
  public var name: String
  public var value: Float
  /// Reported as its latest value (a running total, such as ε spent), not as the mean since the last report.
  public var reportsLatest: Bool
  public init(_ name: String, _ value: Float, reportsLatest: Bool = false) {
    self.name = name
    self.value = value
    self.reportsLatest = reportsLatest
  }
  enum CodingKeys: String, CodingKey { case name, value }
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(try c.decode(String.self, forKey: .name), try c.decode(Float.self, forKey: .value))
  }
}

/// The typed result of one training step.
public protocol TrainingMetrics: Sendable {
  /// The figures in display order. Each must be finite, or training stops as diverged.
  var figures: [TrainingFigure] { get }
}

/// What the training loop tells a step.
public struct TrainingContext: Sendable {
  /// The iteration being run, from 1.
  public var iteration: Int
  /// The most threads the step may use (its own parallel work and BLAS together).
  public var threads: Int

  public init(iteration: Int, threads: Int) {
    self.iteration = iteration
    self.threads = threads
  }

  /// The default thread budget of training and sampling: every active core.
  public static var defaultThreads: Int { ProcessInfo.processInfo.activeProcessorCount }
}

/// The mathematics of one generator's training: the generic ``TrainingLoop`` owns everything else
/// (iterations, weight averaging, finite checks with snapshot and restore, progress, threads).
public protocol SynthesizerTrainer: AnyObject {
  associatedtype Model: RecordGenerator
  associatedtype Metrics: TrainingMetrics
  associatedtype Configuration: SynthesizerConfiguration
  /// The hyperparameters being trained with.
  var configuration: Configuration { get }
  /// The generator that is saved and sampled from.
  var model: Model { get }
  /// Every parameter a step changes (snapshot and restored when training diverges). When
  /// ``weightAverage`` is set, its averaged copy is snapshotted too and need not be listed.
  var trainedParameters: [Variable] { get }
  /// An exponential moving average the loop updates after every step (nil: none).
  var weightAverage: WeightAverage? { get }
  /// BLAS threads per product when the loop allows `threads` (default: all of them). A trainer
  /// that runs its own work in parallel asks for fewer.
  func blasThreads(available threads: Int) -> Int
  /// One training iteration.
  func step(_ context: TrainingContext) -> Metrics
}

extension SynthesizerTrainer {
  public var weightAverage: WeightAverage? { nil }
  public func blasThreads(available threads: Int) -> Int { threads }
}

/// A generator family: its configuration, how it builds a trainer and an (untrained) model.
///
/// Adding a generator means one folder with a type conforming to this protocol, and one line in
/// ``SynthesizerRegistry/standard`` (see `docs/architecture.md`).
public protocol Synthesizer {
  associatedtype Configuration: SynthesizerConfiguration
  associatedtype Model: RecordGenerator
  associatedtype Trainer: SynthesizerTrainer where Trainer.Model == Model, Trainer.Configuration == Configuration

  /// The name it is selected and stored under.
  static var kind: SynthesizerKind { get }
  /// A one-line description for help texts.
  static var summary: String { get }
  /// Named presets (empty when the synthesizer has none).
  static var presets: [String] { get }
  /// The documented defaults for a training table of `rows` rows, or the named `preset`.
  /// - Throws: ``TrainingError/invalid(_:)`` for an unknown preset.
  static func configuration(rows: Int, preset: String?) throws -> Configuration
  /// The documented defaults for a training table of `rows` rows encoded as `layout` describes (nil: not yet known),
  /// or the named `preset`; by default ``configuration(rows:preset:)``, for synthesizers whose defaults ignore the layout.
  static func configuration(rows: Int, layout: RecordLayout?, preset: String?) throws -> Configuration
  /// An untrained model with `configuration` (a model file's parameters are loaded into it).
  static func makeModel(configuration: Configuration, layout: RecordLayout) -> Model
  /// A trainer on encoded `data` laid out as `layout`; every random choice derives from `seed`.
  /// - Throws: ``TrainingError/invalid(_:)`` for an invalid configuration or unusable data.
  static func makeTrainer(configuration: Configuration, layout: RecordLayout, data: Matrix, seed: UInt64) throws -> Trainer
}

extension Synthesizer {
  public static var presets: [String] { [] }

  /// Rejects a preset for synthesizers that have none.
  public static func rejectPreset(_ preset: String?) throws {
    if let preset { throw TrainingError.invalid("\(kind) has no preset '\(preset)'\(presets.isEmpty ? " (it has no presets)" : "")") }
  }
}

extension Synthesizer {
  public static func configuration(rows: Int, layout: RecordLayout?, preset: String?) throws -> Configuration {
    try configuration(rows: rows, preset: preset)
  }
}
