//===----------------------------------------------------------------------===//
// The library API: a fitted synthesizer with its encoder; sampling.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import TabularData

/// What a fit recorded about itself (stored in the model file). It holds no wall-clock time, so that
/// the same data, seed and thread count give a byte-identical model file.
public struct TrainingSummary: Codable, Sendable, Equatable {
  public var trainingRows: Int
  public var seed: UInt64
  public var iterations: Int
  public var sourceFile: String?

  public init(trainingRows: Int, seed: UInt64, iterations: Int, sourceFile: String?) {
    self.trainingRows = trainingRows
    self.seed = seed
    self.iterations = iterations
    self.sourceFile = sourceFile
  }
}

/// A fitted synthesizer together with the encoder that maps tables to its records and back.
///
/// ```swift
/// let table = try CSVReader.read(URL(fileURLWithPath: "train.csv"))
/// let model = try SyntheticDataModel.fit(table, synthesizer: .rlsyn, options: FitOptions(seed: 0))
/// let synthetic = model.sample(rows: 1_000, seed: 1)
/// try CSVWriter.write(synthetic, to: URL(fileURLWithPath: "synthetic.csv"))
/// try model.save(to: URL(fileURLWithPath: "model.rlsyn"))
/// ```
public final class SyntheticDataModel {
  public let kind: SynthesizerKind
  public let encoder: TableEncoder
  public let generator: any RecordGenerator
  /// The synthesizer's hyperparameters (its own ``SynthesizerConfiguration`` type).
  public let configuration: any SynthesizerConfiguration
  public let summary: TrainingSummary
  /// Wall-clock seconds of the fit that made this model (nil for a loaded model; not saved).
  public let fitSeconds: Double?
  /// The step between the user's table and the encoder's (dates, identifying columns, constraints); nil when it
  /// changes nothing, and for model files written before it existed.
  public let preparation: TablePreparation?

  init(kind: SynthesizerKind, encoder: TableEncoder, generator: any RecordGenerator, configuration: any SynthesizerConfiguration,
       summary: TrainingSummary, fitSeconds: Double?, preparation: TablePreparation? = nil) {
    self.preparation = preparation
    self.kind = kind
    self.encoder = encoder
    self.generator = generator
    self.configuration = configuration
    self.summary = summary
    self.fitSeconds = fitSeconds
  }

  /// The configuration as canonical JSON (sorted keys).
  public var configurationJSON: Data { (try? Self.canonicalJSON(configuration)) ?? Data() }

  /// JSON with sorted keys, so that equal values always give equal bytes (Foundation's key order is not stable).
  static func canonicalJSON<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(value)
  }

  // MARK: Sampling

  /// `rows` synthetic records as a table shaped like the training table.
  ///
  /// - Parameter threads: the most cores to use (default: every active core); the records do not depend on it.
  public func sample(rows: Int, seed: UInt64, threads: Int = TrainingContext.defaultThreads) -> DataTable {
    let decoded = encoder.decode(sampleEncoded(rows: rows, seed: seed, threads: threads))
    // Made-up identifiers and personal information draw from their own stream: the modelled columns stay as they were.
    return preparation?.userTable(decoded, seed: seed ^ 0x9E37_79B9_7F4A_7C15) ?? decoded
  }

  /// Encoded synthetic records (the generator's raw output).
  public func sampleEncoded(rows: Int, seed: UInt64, threads: Int = TrainingContext.defaultThreads) -> Matrix {
    var rng = RandomSource(seed: seed)
    return generator.generate(rows: rows, rng: &rng, threads: Swift.max(threads, 1))
  }
}
