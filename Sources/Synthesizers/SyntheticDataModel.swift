//===----------------------------------------------------------------------===//
// The library API: fit a synthesizer on a table, sample tables, save and load.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks
import TabularData

/// The generators this package can fit.
public enum SynthesizerKind: String, Codable, Sendable, CaseIterable {
  /// RLSyn: PPO policy with discriminator rewards (arXiv 2512.21395).
  case rlsyn
  /// Wasserstein GAN with gradient penalty (EMR-WGAN family).
  case gan
  /// Gaussian denoising diffusion on the encoded record (TabDDPM/EHRDiff family).
  case diffusion
}

/// A trained generator over encoded records.
public protocol RecordGenerator: AnyObject {
  /// Named parameters, saved and restored in this order.
  var parameters: [Variable] { get }
  /// `rows` encoded records.
  func generate(rows: Int, rng: inout RandomSource) -> Matrix
}

extension RLSynModel: RecordGenerator {
  public var parameters: [Variable] { policy.parameters }
  public func generate(rows: Int, rng: inout RandomSource) -> Matrix { sample(rows: rows, rng: &rng) }
}

/// Why a model file could not be used.
public struct ModelFileError: Error, CustomStringConvertible, Equatable {
  public let file: String
  public let reason: String
  public var description: String { "\(file): \(reason)" }
}

/// What a fit recorded about itself (stored in the model file).
public struct TrainingSummary: Codable, Sendable, Equatable {
  public var trainingRows: Int
  public var seed: UInt64
  public var iterations: Int
  public var seconds: Double
  public var sourceFile: String?
}

/// A fitted synthesizer together with the encoder that maps tables to its records and back.
///
/// ```swift
/// let table = try CSVReader.read(URL(fileURLWithPath: "train.csv"))
/// let model = try SyntheticDataModel.fit(table, synthesizer: .rlsyn, seed: 0)
/// let synthetic = model.sample(rows: 1_000, seed: 1)
/// try CSVWriter.write(synthetic, to: URL(fileURLWithPath: "synthetic.csv"))
/// try model.save(to: URL(fileURLWithPath: "model.rlsyn"))
/// ```
public final class SyntheticDataModel {
  /// The model file format this build writes and reads (inside the checksummed archive).
  public static let modelFormatVersion = 1

  public let kind: SynthesizerKind
  public let encoder: TableEncoder
  public let generator: any RecordGenerator
  /// Hyperparameters as JSON (the synthesizer's own configuration type).
  public let configurationJSON: Data
  public let summary: TrainingSummary

  init(kind: SynthesizerKind, encoder: TableEncoder, generator: any RecordGenerator, configurationJSON: Data, summary: TrainingSummary) {
    self.kind = kind
    self.encoder = encoder
    self.generator = generator
    self.configurationJSON = configurationJSON
    self.summary = summary
  }

  /// The synthesizer-side view of the encoder's matrix layout.
  public static func recordLayout(_ layout: EncodingLayout) -> RecordLayout {
    RecordLayout(gaussian: layout.gaussianColumns, bernoulli: layout.bernoulliColumns,
                 categoricalGroups: layout.categoricalGroups, missingIndicatorForGaussian: layout.missingIndicatorForGaussian)
  }

  // MARK: Sampling

  /// `rows` synthetic records as a table shaped like the training table.
  public func sample(rows: Int, seed: UInt64) -> DataTable {
    var rng = RandomSource(seed: seed)
    return encoder.decode(generator.generate(rows: rows, rng: &rng))
  }

  /// Encoded synthetic records (the generator's raw output).
  public func sampleEncoded(rows: Int, seed: UInt64) -> Matrix {
    var rng = RandomSource(seed: seed)
    return generator.generate(rows: rows, rng: &rng)
  }

  // MARK: Files

  /// JSON with sorted keys, so that equal values always give equal bytes (Foundation's key order is not stable).
  static func canonicalJSON<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(value)
  }

  struct Header: Codable {
    var format: String
    var modelFormatVersion: Int
    var synthesizer: SynthesizerKind
    var createdBy: String
    var encoder: TableEncoder
    var configuration: String
    var summary: TrainingSummary
  }

  /// Writes the model atomically (temporary file, then rename).
  public func save(to url: URL, createdBy: String = "rlsyn") throws {
    let header = Header(format: "rlsyn-model", modelFormatVersion: Self.modelFormatVersion, synthesizer: kind, createdBy: createdBy,
                        encoder: encoder, configuration: String(decoding: configurationJSON, as: UTF8.self), summary: summary)
    let metadata = try Self.canonicalJSON(header)
    try ParameterArchive(metadata: metadata, parameters: generator.parameters).write(to: url)
  }

  /// Reads a model file, rejecting other formats, other versions and corrupt files with a clear error.
  public static func load(from url: URL) throws -> SyntheticDataModel {
    let archive: ParameterArchive
    do { archive = try ParameterArchive.read(from: url) } catch let e as ParameterArchive.ReadError {
      throw ModelFileError(file: e.file, reason: e.reason)
    }
    let header: Header
    do { header = try JSONDecoder().decode(Header.self, from: archive.metadata) } catch {
      throw ModelFileError(file: url.path, reason: "not an rlsyn model (its description cannot be read: \(error))")
    }
    guard header.format == "rlsyn-model" else { throw ModelFileError(file: url.path, reason: "not an rlsyn model (format '\(header.format)')") }
    guard header.modelFormatVersion == modelFormatVersion else {
      throw ModelFileError(file: url.path, reason: "model format version \(header.modelFormatVersion) is not supported by this build (it reads version \(modelFormatVersion))")
    }
    let configuration = Data(header.configuration.utf8)
    let layout = recordLayout(header.encoder.layout)
    let generator: any RecordGenerator
    do {
      generator = try makeGenerator(kind: header.synthesizer, configuration: configuration, layout: layout)
      try archive.load(into: generator.parameters, source: url.path)
    } catch let e as ParameterArchive.ReadError {
      throw ModelFileError(file: e.file, reason: e.reason)
    } catch let e as DecodingError {
      throw ModelFileError(file: url.path, reason: "its \(header.synthesizer.rawValue) configuration cannot be read (\(e))")
    }
    return SyntheticDataModel(kind: header.synthesizer, encoder: header.encoder, generator: generator,
                              configurationJSON: configuration, summary: header.summary)
  }

  /// An untrained generator of `kind` with the stored configuration (parameters are loaded afterwards).
  static func makeGenerator(kind: SynthesizerKind, configuration: Data, layout: RecordLayout) throws -> any RecordGenerator {
    switch kind {
    case .rlsyn:
      let cfg = try JSONDecoder().decode(RLSynConfiguration.self, from: configuration)
      return RLSynModel(configuration: cfg, layout: layout, seed: 0)
    case .gan:
      let cfg = try JSONDecoder().decode(GANConfiguration.self, from: configuration)
      return GANModel(configuration: cfg, layout: layout, seed: 0)
    case .diffusion:
      let cfg = try JSONDecoder().decode(DiffusionConfiguration.self, from: configuration)
      return DiffusionModel(configuration: cfg, layout: layout, seed: 0)
    }
  }
}
