//===----------------------------------------------------------------------===//
// The diffusion baseline as a registered synthesizer, and its saved model.
//===----------------------------------------------------------------------===//

import NumericCore
import Autodiff

/// The diffusion baseline (TabDDPM / EHRDiff family). See `docs/baselines.md`.
public enum DiffusionSynthesizer: Synthesizer {
  public static let kind = SynthesizerKind.diffusion
  public static let summary = "DDPM: Gaussian diffusion on the encoded record with an MLP denoiser (TabDDPM/EHRDiff family)"

  /// The documented defaults for `rows` training rows (``DiffusionConfiguration/init(rows:)``); no presets.
  public static func configuration(rows: Int, preset: String?) throws -> DiffusionConfiguration {
    try rejectPreset(preset)
    return DiffusionConfiguration(rows: rows)
  }

  public static func makeModel(configuration: DiffusionConfiguration, layout: RecordLayout) -> DiffusionModel {
    DiffusionModel(configuration: configuration, layout: layout, seed: 0)
  }

  public static func makeTrainer(configuration: DiffusionConfiguration, layout: RecordLayout, data: Matrix, seed: UInt64) throws -> DiffusionTrainer {
    try DiffusionTrainer(configuration: configuration, layout: layout, data: data, seed: seed)
  }
}

extension DiffusionConfiguration: SynthesizerConfiguration {}

/// A trained (or training) diffusion model: the denoiser whose weights are saved (the EMA copy
/// after training) and how records map to the diffused space.
///
/// **Diffused space.** Gaussian columns stay as encoded (N(0, 1) under the default quantile encoding;
/// missing values hold 0). Bernoulli and one-hot categorical columns are mapped from {0, 1} to {−1, 1}
/// ("Gaussian on one-hot", as EHRDiff and TabDDPM's Gaussian-only variant), so every column has a
/// comparable scale.
///
/// **Decoding a sample.** Bernoulli columns: 1 when the value is > 0 (i.e. > 0.5 back on the 0/1 scale);
/// categorical groups: the level with the largest value (argmax); Gaussian values as generated; then
/// every Gaussian value whose missingness indicator came out 1 is set to 0, as the encoder writes it.
public final class DiffusionModel: RecordGenerator {
  public let configuration: DiffusionConfiguration
  public let layout: RecordLayout
  public let denoiser: Denoiser
  public let schedule: NoiseSchedule

  public init(configuration: DiffusionConfiguration, layout: RecordLayout, seed: UInt64) {
    self.configuration = configuration
    self.layout = layout
    var rng = RandomSource(seed: seed)
    denoiser = Denoiser(recordWidth: layout.width, width: configuration.width, depth: configuration.depth,
                        timeEmbeddingDimension: configuration.timeEmbeddingDimension,
                        columnSkip: configuration.appliesColumnSkip(width: layout.width), rng: &rng)
    schedule = NoiseSchedule(kind: configuration.schedule, timesteps: configuration.timesteps)
  }

  public var parameters: [Variable] { denoiser.parameters }

  /// Records (0/1 discrete columns) → diffused space (±1 discrete columns).
  public func toDiffusionSpace(_ records: Matrix) -> Matrix {
    var x = records
    let w = x.cols, n = x.rows, d0 = layout.gaussian.upperBound
    x.withUnsafeMutableBufferPointer { p in
      for i in 0..<n { for j in d0..<w { p[i * w + j] = 2 * p[i * w + j] - 1 } }
    }
    return x
  }

  /// Diffused space → hard records (threshold, argmax, missing values zeroed).
  public func records(fromDiffusionSpace x: Matrix) -> Matrix {
    var r = x
    let w = r.cols, n = r.rows
    let b = layout.bernoulli
    let groups = layout.categoricalGroups
    r.withUnsafeMutableBufferPointer { p in
      for i in 0..<n {
        let row = p.baseAddress! + i * w
        for j in b { row[j] = row[j] > 0 ? 1 : 0 }
        for g in groups {
          var best = g.lowerBound
          for j in g where row[j] > row[best] { best = j }
          for j in g { row[j] = j == best ? 1 : 0 }
        }
      }
    }
    return layout.fillMissingValues(r)
  }

  /// Ancestral sampling in the diffused space: `x_T ~ N(0, I)`, then one ``NoiseSchedule/step(_:predictedNoise:t:noise:clip:)``
  /// per timestep of the (respaced) schedule, down to x₀.
  public func sampleDiffusionSpace(rows: Int, rng: inout RandomSource) -> Matrix {
    let steps = schedule.evenlySpacedSteps(configuration.samplingSteps)
    let sampler = steps.count == schedule.timesteps ? schedule : schedule.respaced(steps)
    var x = rng.normalMatrix(rows: rows, cols: layout.width)
    let clip: Float? = configuration.clipDenoised > 0 ? configuration.clipDenoised : nil
    for k in stride(from: steps.count, through: 1, by: -1) {
      let eps = denoiser(Variable(x), timesteps: [Int](repeating: steps[k - 1], count: rows)).value
      let z = k > 1 ? rng.normalMatrix(rows: rows, cols: layout.width) : nil
      x = sampler.step(x, predictedNoise: eps, t: k, noise: z, clip: clip)
    }
    return x
  }

  /// `rows` encoded records (in batches of 8,192).
  public func generate(rows: Int, rng: inout RandomSource, threads: Int) -> Matrix {
    var parts: [Matrix] = []
    var done = 0
    while done < rows {
      let n = Swift.min(8192, rows - done)
      parts.append(records(fromDiffusionSpace: sampleDiffusionSpace(rows: n, rng: &rng)))
      done += n
    }
    return parts.count == 1 ? parts[0] : Matrix.concatenateRows(parts)
  }
}
