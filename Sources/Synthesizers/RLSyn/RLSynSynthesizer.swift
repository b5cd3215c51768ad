//===----------------------------------------------------------------------===//
// RLSyn as a registered synthesizer.
//===----------------------------------------------------------------------===//

import NumericCore

/// RLSyn (arXiv 2512.21395): a stochastic policy trained with PPO on rewards from a separately
/// trained discriminator. See `docs/rlsyn.md`.
public enum RLSynSynthesizer: Synthesizer {
  public static let kind = SynthesizerKind.rlsyn
  public static let summary = "RLSyn: PPO policy rewarded by a discriminator (BCE + R1)"
  public static var presets: [String] { RLSynConfiguration.Preset.names }

  /// The named preset, or the one the row count selects (``RLSynConfiguration/Preset/named(_:rows:)``).
  /// The `private` preset's iterations follow the row count (``RLSynConfiguration/privateIterations(rows:)``), and
  /// `small` and `large` stop earlier on tables of fewer than 1,000 rows (``RLSynConfiguration/smallTableIterations(rows:)``)
  /// and draw them in one block (``RLSynConfiguration/smallTableRowLimit``).
  public static func configuration(rows: Int, preset: String?) throws -> RLSynConfiguration {
    let named = try RLSynConfiguration.Preset.named(preset, rows: rows)
    var configuration = RLSynConfiguration(preset: named)
    if named == .private { configuration.iterations = RLSynConfiguration.privateIterations(rows: rows) }
    if named == .small || named == .large {
      configuration.iterations = Swift.min(configuration.iterations, RLSynConfiguration.smallTableIterations(rows: rows))
      if rows < RLSynConfiguration.smallTableRowLimit { configuration.autoregressiveBlocks = 1 }
    }
    return configuration
  }

  /// ``configuration(rows:preset:)``, and on a table whose policy draws in blocks (`layout`'s width at most
  /// ``RLSynConfiguration/autoregressiveWidthLimit`` encoded columns, and 1,000 training rows or more) the `small` and
  /// `large` presets' block-drawn fields (``RLSynConfiguration/blockDrawnFields``), their iterations scaled by the
  /// source columns (``RLSynConfiguration/blockDrawnIterations(_:columns:)``). A nil `layout` (not yet known) keeps
  /// the one-block values.
  public static func configuration(rows: Int, layout: RecordLayout?, preset: String?) throws -> RLSynConfiguration {
    var configuration = try self.configuration(rows: rows, preset: preset)
    guard let layout, Swift.min(configuration.autoregressiveBlocks(width: layout.width), layout.factors.count) > 1,
          let patch = RLSynConfiguration.blockDrawnFields[configuration.preset] else { return configuration }
    configuration = try configuration.applying(patch, source: "preset \(configuration.preset.rawValue), drawn in blocks")
    configuration.iterations = RLSynConfiguration.blockDrawnIterations(configuration.iterations, columns: layout.factors.count)
    return configuration
  }

  public static func makeModel(configuration: RLSynConfiguration, layout: RecordLayout) -> RLSynModel {
    RLSynModel(configuration: configuration, layout: layout, seed: 0)
  }

  public static func makeTrainer(configuration: RLSynConfiguration, layout: RecordLayout, data: Matrix, seed: UInt64) throws -> RLSynTrainer {
    try RLSynTrainer(configuration: configuration, layout: layout, data: data, seed: seed)
  }
}

extension RLSynConfiguration: SynthesizerConfiguration {}
