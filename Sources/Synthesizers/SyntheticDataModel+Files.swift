//===----------------------------------------------------------------------===//
// Model files: a checksummed parameter archive whose metadata is a JSON header.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import NeuralNetworks
import TabularData

/// Why a model file could not be used.
public struct ModelFileError: Error, CustomStringConvertible, Equatable {
  public let file: String
  public let reason: String
  public var description: String { "\(file): \(reason)" }
}

extension SyntheticDataModel {
  /// The model file format this build writes. Version 2 stores the configuration as a nested JSON
  /// object and no training time; version 1 (rlsyn 0.1) stored it as a string, and is still read.
  /// Version 3 (``monotoneFunctionFormatVersion``) is written only by models with monotone functions.
  public static let modelFormatVersion = 2
  /// The version of a model whose preparation writes columns from their source (monotone functions): a build that
  /// reads only versions 1–2 would write those columns empty instead of refusing the file.
  public static let monotoneFunctionFormatVersion = 3
  /// The versions this build reads.
  public static let readableModelFormatVersions = 1...3

  /// The version this model is written as.
  var formatVersion: Int {
    (preparation?.monotoneFunctions ?? []).isEmpty ? Self.modelFormatVersion : Self.monotoneFunctionFormatVersion
  }

  /// The header's fields other than the configuration (decoded first, to learn the synthesizer).
  struct HeaderFields: Codable {
    var format: String
    var modelFormatVersion: Int
    var synthesizer: SynthesizerKind
    var createdBy: String
    var encoder: TableEncoder
    var summary: TrainingSummary
    /// Absent when the model has none (and in files written before it existed).
    var preparation: TablePreparation?
  }

  /// The header as written: the fields plus the configuration as a nested object.
  struct Header: Encodable {
    var fields: HeaderFields
    var configuration: any SynthesizerConfiguration

    enum CodingKeys: String, CodingKey { case format, modelFormatVersion, synthesizer, createdBy, encoder, summary, configuration, preparation }

    func encode(to encoder: Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(fields.format, forKey: .format)
      try c.encode(fields.modelFormatVersion, forKey: .modelFormatVersion)
      try c.encode(fields.synthesizer, forKey: .synthesizer)
      try c.encode(fields.createdBy, forKey: .createdBy)
      try c.encode(fields.encoder, forKey: .encoder)
      try c.encode(fields.summary, forKey: .summary)
      try c.encode(configuration, forKey: .configuration)
      try c.encodeIfPresent(fields.preparation, forKey: .preparation)
    }
  }

  /// Writes the model atomically (temporary file, then rename). The same model gives the same bytes.
  public func save(to url: URL, createdBy: String = "rlsyn") throws {
    let fields = HeaderFields(format: "rlsyn-model", modelFormatVersion: formatVersion, synthesizer: kind,
                              createdBy: createdBy, encoder: encoder, summary: summary, preparation: preparation)
    let metadata = try Self.canonicalJSON(Header(fields: fields, configuration: configuration))
    try ParameterArchive(metadata: metadata, parameters: generator.parameters).write(to: url)
  }

  /// Reads a model file, rejecting other formats, other versions, unknown synthesizers and corrupt
  /// files with a clear error.
  public static func load(from url: URL, registry: SynthesizerRegistry = .standard) throws -> SyntheticDataModel {
    let archive: ParameterArchive
    do { archive = try ParameterArchive.read(from: url) } catch let e as ParameterArchive.ReadError {
      throw ModelFileError(file: e.file, reason: e.reason)
    }
    let fields: HeaderFields
    let configurationJSON: Data
    do {
      fields = try JSONDecoder().decode(HeaderFields.self, from: archive.metadata)
      configurationJSON = try storedConfiguration(in: archive.metadata)
    } catch {
      throw ModelFileError(file: url.path, reason: "not an rlsyn model (its description cannot be read: \(error))")
    }
    guard fields.format == "rlsyn-model" else { throw ModelFileError(file: url.path, reason: "not an rlsyn model (format '\(fields.format)')") }
    guard readableModelFormatVersions.contains(fields.modelFormatVersion) else {
      throw ModelFileError(file: url.path, reason: "model format version \(fields.modelFormatVersion) is not supported by this build "
                           + "(it reads versions \(readableModelFormatVersions.lowerBound)–\(readableModelFormatVersions.upperBound))")
    }
    let type: any Synthesizer.Type
    do { type = try registry.synthesizer(fields.synthesizer) } catch {
      throw ModelFileError(file: url.path, reason: "\(error)")
    }
    let (generator, configuration): (any RecordGenerator, any SynthesizerConfiguration)
    do {
      (generator, configuration) = try untrainedModel(type, configurationJSON: configurationJSON, layout: RecordLayout(fields.encoder))
      try archive.load(into: generator.parameters, source: url.path)
    } catch let e as ParameterArchive.ReadError {
      throw ModelFileError(file: e.file, reason: e.reason)
    } catch let e as DecodingError {
      throw ModelFileError(file: url.path, reason: "its \(fields.synthesizer) configuration cannot be read (\(e))")
    } catch let e as ConfigurationError {
      throw ModelFileError(file: url.path, reason: "its configuration cannot be read (\(e))")
    }
    return SyntheticDataModel(kind: fields.synthesizer, encoder: fields.encoder, generator: generator,
                              configuration: configuration, summary: fields.summary, fitSeconds: nil, preparation: fields.preparation)
  }

  /// The configuration's JSON: a nested object (version 2) or a JSON string holding it (version 1).
  static func storedConfiguration(in metadata: Data) throws -> Data {
    guard let object = try JSONSerialization.jsonObject(with: metadata) as? [String: Any] else {
      throw ModelFileError(file: "", reason: "the header is not a JSON object")
    }
    switch object["configuration"] {
    case let text as String: return Data(text.utf8)
    case let nested as [String: Any]: return try JSONSerialization.data(withJSONObject: nested)
    default: throw ModelFileError(file: "", reason: "the header has no configuration")
    }
  }

  /// An untrained model of `S` with the stored configuration (parameters are loaded afterwards).
  static func untrainedModel<S: Synthesizer>(_ synthesizer: S.Type, configurationJSON: Data,
                                             layout: RecordLayout) throws -> (any RecordGenerator, any SynthesizerConfiguration) {
    let configuration = try S.Configuration.decodeStored(configurationJSON, source: "the \(S.kind) configuration")
    return (S.makeModel(configuration: configuration, layout: layout), configuration)
  }
}
