//===----------------------------------------------------------------------===//
// RLSyn as a registered synthesizer.
//===----------------------------------------------------------------------===//

import NumericCore

/// RLSyn (arXiv 2512.21395): a stochastic policy trained with PPO on rewards from a separately
/// trained discriminator. See `docs/rlsyn.md`.
public enum RLSynSynthesizer: Synthesizer {
  public static let kind = SynthesizerKind.rlsyn
  public static let summary = "RLSyn: PPO policy rewarded by a discriminator (BCE + R1)"
  public static var presets: [String] { RLSynConfiguration.Preset.allCases.map(\.rawValue) + ["paper"] }

  /// The named preset, or the one the row count selects (``RLSynConfiguration/Preset/automatic(rows:)``);
  /// `paper` is `paper-small` or `paper-large` by the row count.
  public static func configuration(rows: Int, preset: String?) throws -> RLSynConfiguration {
    guard let preset else { return RLSynConfiguration(preset: .automatic(rows: rows)) }
    if preset == "paper" { return RLSynConfiguration(preset: .paper(rows: rows)) }
    guard let p = RLSynConfiguration.Preset(rawValue: preset) else {
      throw TrainingError.invalid("rlsyn has no preset '\(preset)' (presets: \(presets.joined(separator: ", ")))")
    }
    return RLSynConfiguration(preset: p)
  }

  public static func makeModel(configuration: RLSynConfiguration, layout: RecordLayout) -> RLSynModel {
    RLSynModel(configuration: configuration, layout: layout, seed: 0)
  }

  public static func makeTrainer(configuration: RLSynConfiguration, layout: RecordLayout, data: Matrix, seed: UInt64) throws -> RLSynTrainer {
    try RLSynTrainer(configuration: configuration, layout: layout, data: data, seed: seed)
  }
}

extension RLSynConfiguration: SynthesizerConfiguration {}
