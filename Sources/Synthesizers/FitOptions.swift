//===----------------------------------------------------------------------===//
// The settings of one fit: seed, encoding, preset, and hyperparameter overrides,
// applied in one order: preset → configuration file → common fields → typed adjustments.
//===----------------------------------------------------------------------===//

import Foundation
import TabularData

/// Settings of one fit that are not hyperparameters, and overrides of the hyperparameters.
public struct FitOptions {
  public var seed: UInt64
  public var encoding: EncodingOptions
  /// A named preset of the synthesizer (nil: its defaults for the table's row count).
  public var preset: String?
  public var sourceFile: String?
  /// The most threads training may use (nil: every active core). The fitted model depends on the
  /// thread count only through BLAS's summation order, not on the synthesizer's own parallel work.
  public var threads: Int?
  /// k of the release rule: categorical levels and numeric values seen fewer than k times in training are never
  /// written (``TablePreparation``). Default 5.
  public var rareCount = 5
  /// A differentially private fit (RLSyn only; docs/privacy.md), nil for an ordinary one.
  public var privacy: PrivacyRequest?
  /// The metadata whose kinds, levels and bounds a private fit may use (declared public), and its file's name.
  public var publicMetadata: Metadata?
  public var publicMetadataFile: String?
  /// Overrides of the fields every configuration has (nil: keep the default).
  public var iterations: Int?
  public var batchSize: Int?
  public var logEvery: Int?
  /// Fields to change in each synthesizer's configuration, by their model-file names (a `--config` file's
  /// sections); applied right after the preset.
  public var configurationFields: [SynthesizerKind: ConfigurationPatch] = [:]
  /// Where ``configurationFields`` came from, for error messages.
  public var configurationSource = "the configuration"
  private var adjustments: [SynthesizerKind: (inout any SynthesizerConfiguration) throws -> Void] = [:]

  public init(seed: UInt64 = 0, encoding: EncodingOptions = .init(), preset: String? = nil, sourceFile: String? = nil, threads: Int? = nil) {
    self.seed = seed
    self.encoding = encoding
    self.preset = preset
    self.sourceFile = sourceFile
    self.threads = threads
  }

  /// Adds an adjustment of `synthesizer`'s configuration, applied last (after the preset, the configuration
  /// file and the common overrides). Fits of other synthesizers ignore it.
  public mutating func adjust<S: Synthesizer>(_ synthesizer: S.Type, _ body: @escaping (inout S.Configuration) -> Void) {
    let previous = adjustments[S.kind]
    adjustments[S.kind] = { configuration in
      try previous?(&configuration)
      guard var typed = configuration as? S.Configuration else {
        throw ConfigurationError("an adjustment for \(S.kind) met a \(type(of: configuration)) (two synthesizers registered as '\(S.kind)'?)")
      }
      body(&typed)
      configuration = typed
    }
  }

  /// The preset `kind`'s fit starts from: the named one, or for a private RLSyn fit without one, `private`
  /// (nil: the synthesizer's choice by row count).
  public func presetName(for kind: SynthesizerKind) -> String? {
    preset ?? (privacy != nil && kind == .rlsyn ? RLSynConfiguration.Preset.private.rawValue : nil)
  }

  /// `S`'s configuration for a table of `rows` rows encoded as `layout` describes (nil: not yet known): preset, then
  /// the configuration file's fields, the common overrides and the adjustments.
  /// - Throws: ``TrainingError`` for an unknown preset, ``ConfigurationError`` for a field `S` does not have.
  public func configuration<S: Synthesizer>(for synthesizer: S.Type, rows: Int, layout: RecordLayout? = nil) throws -> S.Configuration {
    var c = try S.configuration(rows: rows, layout: layout, preset: presetName(for: S.kind))
    if let fields = configurationFields[S.kind] { c = try c.applying(fields, source: "\(configurationSource), section \(S.kind)") }
    if let v = iterations { c.iterations = v }
    if let v = batchSize { c.batchSize = v }
    if let v = logEvery { c.logEvery = v }
    guard let adjust = adjustments[S.kind] else { return c }
    var erased: any SynthesizerConfiguration = c
    try adjust(&erased)
    guard let typed = erased as? S.Configuration else {
      throw ConfigurationError("an adjustment replaced the \(S.kind) configuration with a \(type(of: erased))")
    }
    return typed
  }

  /// Reads a configuration file (`rlsyn fit --config FILE`): a JSON object whose keys are synthesizer kinds
  /// (each a partial configuration in the shape of a model file's `configuration`) and `encoding` (fields of
  /// ``EncodingOptions``). Every field is checked when the fit starts; the encoding's now.
  /// - Throws: ``ConfigurationError`` naming the file and the section or field that is wrong.
  public mutating func readConfigurationFile(_ url: URL, name: String? = nil, registry: SynthesizerRegistry = .standard) throws {
    let name = name ?? url.path
    try applyConfigurationFile(Self.configurationFileContents(url, name: name), name: name, registry: registry)
  }

  /// The bytes of a configuration file (a pipe too), or a ``ConfigurationError`` naming it.
  public static func configurationFileContents(_ url: URL, name: String) throws -> Data {
    do { return try FileContents.read(url) } catch {
      throw ConfigurationError("\(name): cannot be read (\(error.localizedDescription))")
    }
  }

  /// ``readConfigurationFile(_:name:registry:)`` on bytes already read (a command that fits several times reads a
  /// pipe once).
  public mutating func applyConfigurationFile(_ data: Data, name: String, registry: SynthesizerRegistry = .standard) throws {
    let value: JSONValue
    do { value = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
      throw ConfigurationError("\(name): not valid JSON")
    }
    guard let sections = value.objectValue else {
      throw ConfigurationError("\(name): must be a JSON object with sections \(Self.sectionNames(registry).joined(separator: ", "))")
    }
    for (section, content) in sections.sorted(by: { $0.key < $1.key }) {
      guard let fields = content.objectValue else { throw ConfigurationError("\(name): section '\(section)' must be a JSON object") }
      if section == "encoding" {
        encoding = try encoding.applying(fields, source: "\(name), section encoding")
      } else if registry.kinds.contains(SynthesizerKind(rawValue: section)) {
        configurationFields[SynthesizerKind(rawValue: section), default: [:]].merge(fields) { _, new in new }
      } else {
        throw ConfigurationError("\(name): unknown section '\(section)' (sections: \(Self.sectionNames(registry).joined(separator: ", ")))")
      }
    }
    configurationSource = name
  }

  private static func sectionNames(_ registry: SynthesizerRegistry) -> [String] { registry.kinds.map(\.rawValue) + ["encoding"] }
}

extension EncodingOptions: FieldPatchable {}
