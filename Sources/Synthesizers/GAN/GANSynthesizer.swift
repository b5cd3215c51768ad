//===----------------------------------------------------------------------===//
// The WGAN-GP baseline as a registered synthesizer, and its saved model.
//===----------------------------------------------------------------------===//

import NumericCore
import Autodiff

/// The WGAN-GP baseline (EMR-WGAN family). See `docs/baselines.md`.
public enum GANSynthesizer: Synthesizer {
  public static let kind = SynthesizerKind.gan
  public static let summary = "WGAN-GP: MLP generator and critic with gradient penalty (EMR-WGAN family)"

  /// The documented defaults for `rows` training rows (``GANConfiguration/init(rows:)``); no presets.
  public static func configuration(rows: Int, preset: String?) throws -> GANConfiguration {
    try rejectPreset(preset)
    return GANConfiguration(rows: rows)
  }

  public static func makeModel(configuration: GANConfiguration, layout: RecordLayout) -> GANModel {
    GANModel(configuration: configuration, layout: layout, seed: 0)
  }

  public static func makeTrainer(configuration: GANConfiguration, layout: RecordLayout, data: Matrix, seed: UInt64) throws -> GANTrainer {
    try GANTrainer(configuration: configuration, layout: layout, data: data, seed: seed)
  }
}

extension GANConfiguration: SynthesizerConfiguration {
  /// The defaults (every field was in the first model files).
  public static func storedBase(_ stored: [String: JSONValue]) throws -> GANConfiguration? { GANConfiguration() }
}

/// A trained (or training) WGAN-GP generator: what a model file holds.
public final class GANModel: RecordGenerator {
  public let configuration: GANConfiguration
  public let layout: RecordLayout
  public let generator: GANGenerator

  public init(configuration: GANConfiguration, layout: RecordLayout, seed: UInt64) {
    self.configuration = configuration
    self.layout = layout
    var rng = RandomSource(seed: seed)
    generator = GANGenerator(layout: layout, noiseDimension: configuration.noiseDimension,
                             widths: configuration.generatorWidths, rng: &rng)
  }

  public var parameters: [Variable] { generator.parameters }

  /// `rows` encoded records: `z ~ N(0, I)` through the generator, discrete columns per
  /// ``GANConfiguration/discreteSampling``, missing Gaussian values zeroed. Generated in batches.
  public func generate(rows: Int, rng: inout RandomSource, threads: Int) -> Matrix {
    var parts: [Matrix] = []
    var done = 0
    while done < rows {
      let n = Swift.min(8192, rows - done)
      let z = rng.normalMatrix(rows: n, cols: configuration.noiseDimension)
      parts.append(generator.records(from: generator(Variable(z)), sampling: configuration.discreteSampling, rng: &rng))
      done += n
    }
    return parts.count == 1 ? parts[0] : Matrix.concatenateRows(parts)
  }
}
