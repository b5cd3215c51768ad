//===----------------------------------------------------------------------===//
// Fitting: encode the table, train the chosen synthesizer in the training loop.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import TabularData

/// Training stopped early; `partialModel` holds the last good state (for saving).
public struct FitInterrupted: Error, CustomStringConvertible {
  public let reason: String
  public let partialModel: SyntheticDataModel?
  public var description: String { reason }
}

extension SyntheticDataModel {
  /// Fits the synthesizer registered as `synthesizer` to `table`.
  ///
  /// - Parameters:
  ///   - schema: the table's schema (inferred when nil).
  ///   - registry: where `synthesizer` is looked up.
  ///   - progress: called with periodic reports.
  /// - Throws: ``TabularError`` for unusable data, ``FitInterrupted`` when the configuration is invalid or
  ///   training diverges (then its `partialModel` holds the last good parameters).
  public static func fit(_ table: DataTable, schema: Schema? = nil, synthesizer: SynthesizerKind = .rlsyn,
                         options: FitOptions = FitOptions(), registry: SynthesizerRegistry = .standard,
                         progress: (TrainingProgress) -> Void = { _ in }) throws -> SyntheticDataModel {
    let type: any Synthesizer.Type
    do { type = try registry.synthesizer(synthesizer) } catch let e as TrainingError {
      throw FitInterrupted(reason: e.description, partialModel: nil)
    }
    return try fit(table, schema: schema, using: type, options: options, progress: progress)
  }

  /// Fits synthesizer `S` to `table` (see ``fit(_:schema:synthesizer:options:registry:progress:)``).
  public static func fit<S: Synthesizer>(_ table: DataTable, schema: Schema? = nil, using synthesizer: S.Type,
                                         options: FitOptions = FitOptions(),
                                         progress: (TrainingProgress) -> Void = { _ in }) throws -> SyntheticDataModel {
    var userSchema = try schema ?? Schema.infer(from: table)
    var encoding = options.encoding, rareCount = options.rareCount
    if let request = options.privacy {
      // Only the discriminator's DP-SGD reads records; everything else comes from the public metadata.
      guard S.kind == .rlsyn else { throw FitInterrupted(reason: "differential privacy (--epsilon) is implemented for rlsyn only", partialModel: nil) }
      do { try request.validate() } catch let e as TrainingError { throw FitInterrupted(reason: e.description, partialModel: nil) }
      userSchema = try userSchema.publicForPrivateFit(table, metadata: options.publicMetadata, metadataFile: options.publicMetadataFile)
      encoding.numeric = .quantile   // from noisy histograms (privateHistograms), not from the records
      encoding.perColumn = [:]
      encoding.integersTakeObservedValues = false
      encoding.dequantizeLevels = false
      rareCount = 1   // the noise protects rare values; the release rules would read the data
    }
    let prepared = try TablePreparation.fit(table, schema: userSchema, rareCount: rareCount, seed: options.seed)
    let preparation = prepared.preparation.isIdentity ? nil : prepared.preparation
    let table = prepared.table, schema = prepared.schema
    // A private fit plans its noise first: the numeric columns' histograms are released with it.
    var planned: S.Configuration?
    var histograms: [String: BinnedCounts] = [:]
    if options.privacy != nil {
      do {
        planned = try privateConfiguration(try options.configuration(for: S.self, rows: table.rowCount), options.privacy, rows: table.rowCount)
      } catch let e as TrainingError { throw FitInterrupted(reason: e.description, partialModel: nil) }
      if let z = (planned as? RLSynConfiguration)?.privacy?.histogramNoiseMultiplier {
        histograms = try privateHistograms(table, schema: schema, noiseMultiplier: z, seed: options.seed)
      }
    }
    let encoder = try TableEncoder(fitting: table, schema: schema, options: encoding, publicBounds: options.privacy != nil,
                                   histograms: histograms)
    var data = try encoder.encode(table)
    encoder.dequantize(&data, seed: options.seed ^ 0xD0_7E_5A_11)   // its own stream: the trainer's draws stay as they were
    if !histograms.isEmpty { encoder.spreadWithinHistogramBins(&data, columns: Set(histograms.keys), seed: options.seed ^ 0xB1_25_11) }
    let layout = RecordLayout(encoder)
    let start = DispatchTime.now().uptimeNanoseconds
    let configuration: S.Configuration
    let loop: TrainingLoop<S.Trainer>
    do {
      configuration = try planned ?? options.configuration(for: S.self, rows: table.rowCount, layout: layout)
      let trainer = try S.makeTrainer(configuration: configuration, layout: layout, data: data, seed: options.seed)
      loop = TrainingLoop(trainer: trainer, iterations: configuration.iterations, reportEvery: configuration.logEvery,
                          threads: options.threads ?? TrainingContext.defaultThreads)
    } catch let e as TrainingError {
      throw FitInterrupted(reason: e.description, partialModel: nil)
    }
    func model() -> SyntheticDataModel {
      SyntheticDataModel(kind: S.kind, encoder: encoder, generator: loop.trainer.model, configuration: configuration,
                         summary: TrainingSummary(trainingRows: table.rowCount, seed: options.seed,
                                                  iterations: loop.completedIterations, sourceFile: options.sourceFile),
                         fitSeconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, preparation: preparation)
    }
    do { try loop.run(progress: progress) } catch let e as TrainingError {
      throw FitInterrupted(reason: e.description, partialModel: model())
    }
    return model()
  }
}

extension SyntheticDataModel {
  /// `configuration` for a private fit: RLSyn's parts that would read the data (the policy heads' marginal
  /// initialisation, the mean and correlation penalties' targets) off, and the privacy planned.
  static func privateConfiguration<C: SynthesizerConfiguration>(_ configuration: C, _ request: PrivacyRequest?, rows: Int) throws -> C {
    guard let request else { return configuration }
    guard var c = configuration as? RLSynConfiguration else { throw TrainingError.invalid("differential privacy is implemented for rlsyn only") }
    c.correlationPenalty = 0
    c.anchoredCorrelationPenalty = 0
    // The numeric columns' histograms (the encoder's quantiles) and the mean penalty's targets are released once each
    // with Gaussian noise (DifferentialPrivacy.histogramShare and .meanShare of ε).
    let privacy = try request.plan(rows: rows, batchSize: c.batchSize, plannedSteps: c.iterations * c.discriminatorSteps,
                                   releasesMeans: c.meanPenalty > 0 || c.marginalInitialization, releasesHistograms: true)
    // With --noise-multiplier and --epsilon the fit stops when the budget is spent.
    c.iterations = Swift.max(1, privacy.steps / Swift.max(c.discriminatorSteps, 1))
    c.privacy = privacy
    guard let typed = c as? C else { throw TrainingError.invalid("differential privacy is implemented for rlsyn only") }
    return typed
  }
}

extension SyntheticDataModel {
  /// The fewest and the most bins of a private fit's histogram per numeric column.
  public static let privateHistogramBins = 8...256

  /// Each numeric column's counts in bins over its declared `minimum…maximum` (``BinnedCounts/edges(low:high:bins:wholeNumbers:)``),
  /// with Gaussian noise of standard deviation s = z·√m (m numeric columns: a record adds 1 to one bin of each, so
  /// the counts' L2 sensitivity is √m), from a stream of its own. The number of bins keeps about 4s expected
  /// records per bin (n / 4s, within ``privateHistogramBins``; the row count is public), and a noisy count below s
  /// is read as empty, so that the empty bins' noise does not pile up as mass.
  static func privateHistograms(_ table: DataTable, schema: Schema, noiseMultiplier z: Double, seed: UInt64) throws -> [String: BinnedCounts] {
    let numeric = schema.columns.filter(\.isNumeric)
    var rng = RandomSource(seed: seed ^ 0x4849_5354_4F47_5241)
    let std = z * Double(numeric.count).squareRoot()
    let bins = Swift.min(Swift.max(Int(Double(table.rowCount) / (4 * std)), privateHistogramBins.lowerBound), privateHistogramBins.upperBound)
    var out: [String: BinnedCounts] = [:]
    for column in numeric {
      guard let low = column.minimum, let high = column.maximum, high > low, let index = table.columnIndex(column.name) else { continue }
      let edges = BinnedCounts.edges(low: low, high: high, bins: bins, wholeNumbers: column.kind == .integer)
      var counts = [Double](repeating: 0, count: edges.count - 1)
      for r in 0..<table.rowCount {
        guard let text = table.cell(row: r, column: index), let v = Double(text) else { continue }
        // The bin whose half-open range [edge, next edge) holds v; the last bin also holds `high`.
        var lo = 0, hi = counts.count - 1
        while lo < hi { let mid = (lo + hi + 1) / 2; if edges[mid] <= v { lo = mid } else { hi = mid - 1 } }
        counts[lo] += 1
      }
      let noise = rng.normalMatrix(rows: 1, cols: counts.count, std: Float(std))
      out[column.name] = BinnedCounts(edges: edges, counts: counts.indices.map { k in
        let noisy = counts[k] + Double(noise[0, k])
        return noisy < std ? 0 : noisy
      })
    }
    return out
  }
}
