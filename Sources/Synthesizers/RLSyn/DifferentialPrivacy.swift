//===----------------------------------------------------------------------===//
// (ε, δ)-differential privacy of an RLSyn fit: what the user asks for, what the fit plans and
// spends, and the public schema a private fit is allowed to use (docs/privacy.md).
//===----------------------------------------------------------------------===//

import Foundation
import Privacy
import TabularData

/// The differential privacy of a fitted RLSyn model, as stored in its configuration (`"privacy"`).
///
/// Only the discriminator reads training records, through DP-SGD: each step Poisson-samples real records at rate
/// ``samplingRate``, clips each record's gradient (BCE and R1) to norm ``clipNorm`` and adds Gaussian noise of
/// standard deviation ``noiseMultiplier`` × ``clipNorm`` to their sum. The policy sees only the discriminator's
/// scores of its own records, so the model is (``epsilon``, ``delta``)-DP by post-processing, the record being the
/// privacy unit, over ``steps`` noisy steps (``accountant``).
public struct DifferentialPrivacy: Codable, Sendable, Equatable {
  /// ε spent by the whole fit.
  public var epsilon: Double
  public var delta: Double
  /// σ: the noise's standard deviation in units of ``clipNorm``.
  public var noiseMultiplier: Double
  /// C: each record's gradient is clipped to this L2 norm.
  public var clipNorm: Double
  /// q: each training record joins each step's real batch with this probability.
  public var samplingRate: Double
  /// Noisy discriminator steps (iterations × K).
  public var steps: Int
  /// How ε was computed.
  public var accountant: String
  /// z of the one Gaussian release of the encoded columns' means (the policy heads' start and the mean penalty's
  /// targets): noise of standard deviation z·B on their sums, each record clipped to L2 norm B
  /// (``RLSynTrainer/meanReleaseBound(_:)``). Nil: not released.
  public var meanNoiseMultiplier: Double? = nil
  /// z of the one Gaussian release of the numeric columns' histograms (the encoder's quantiles): noise of standard
  /// deviation z·√m on each count, m the number of numeric columns. Nil: not released.
  public var histogramNoiseMultiplier: Double? = nil

  /// The accountant every fit uses.
  public static let accountantName = "Renyi DP of the Poisson-sampled Gaussian (Mironov, Talwar, Zhang 2019), dp-accounting's orders and conversion"

  /// ε after the first `steps` noisy steps (0 before any).
  public func epsilonSpent(afterSteps steps: Int) -> Double {
    Self.epsilon(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier, steps: steps,
                 oneShots: [meanNoiseMultiplier, histogramNoiseMultiplier].compactMap { $0 }, delta: delta)
  }

  /// ε of the means' release (if any) composed with `steps` sampled Gaussian steps, in Rényi DP.
  static func epsilon(samplingRate: Double, noiseMultiplier: Double, steps: Int, oneShots: [Double], delta: Double) -> Double {
    var accountant = RDPAccountant()
    do {
      for z in oneShots { try accountant.composeSampledGaussian(samplingRate: 1, noiseMultiplier: z, steps: 1) }
      if steps > 0 { try accountant.composeSampledGaussian(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier, steps: steps) }
      if accountant.steps == 0 { return 0 }
      return try accountant.epsilon(delta: delta)
    } catch { return .infinity }
  }

  /// The share of ε a private fit spends on the encoded means (the policy heads' start and the mean penalty).
  public static let meanShare = 0.15
  /// The share of ε a private fit spends on the numeric columns' histograms (the encoder's quantiles); the rest
  /// goes to the discriminator's steps.
  public static let histogramShare = 0.25
}

/// A request for a differentially private fit (`rlsyn fit --epsilon E [--delta D] [--noise-multiplier S]`).
// A class: a struct of optional Doubles inside FitOptions was miscopied across module boundaries by the Swift 6.x
// compiler in test builds (a null retain in FitOptions' outlined copy), which a reference avoids.
public final class PrivacyRequest: Sendable, Equatable {
  /// The budget; nil with a noise multiplier given: spend whatever the planned steps cost.
  public let epsilon: Double?
  /// nil: ``defaultDelta(rows:)``.
  public let delta: Double?
  /// nil: the smallest σ that keeps the planned steps within ``epsilon``. Given with ``epsilon``: the fit stops
  /// when the budget is spent.
  public let noiseMultiplier: Double?
  /// C, the per-record clipping norm.
  public let clipNorm: Double

  public init(epsilon: Double? = nil, delta: Double? = nil, noiseMultiplier: Double? = nil, clipNorm: Double = 1) {
    self.epsilon = epsilon; self.delta = delta; self.noiseMultiplier = noiseMultiplier; self.clipNorm = clipNorm
  }

  public static func == (a: PrivacyRequest, b: PrivacyRequest) -> Bool {
    a.epsilon == b.epsilon && a.delta == b.delta && a.noiseMultiplier == b.noiseMultiplier && a.clipNorm == b.clipNorm
  }

  /// δ when none is given: 10⁻⁵, or 1/n when the table has more than 100,000 rows (δ must stay well below 1/n).
  public static func defaultDelta(rows: Int) -> Double { Swift.min(1e-5, 1 / Double(Swift.max(rows, 1))) }

  /// Checks the numbers on their own (one-line errors).
  public func validate() throws {
    if let e = epsilon, !(e > 0 && e.isFinite) { throw TrainingError.invalid("--epsilon must be a positive number (got \(e))") }
    if let d = delta, !(d > 0 && d < 1) { throw TrainingError.invalid("--delta must be strictly between 0 and 1 (got \(d))") }
    if let s = noiseMultiplier, !(s > 0 && s.isFinite) { throw TrainingError.invalid("--noise-multiplier must be a positive number (got \(s))") }
    if epsilon == nil && noiseMultiplier == nil { throw TrainingError.invalid("a private fit needs --epsilon or --noise-multiplier") }
    guard clipNorm > 0 && clipNorm.isFinite else { throw TrainingError.invalid("the clipping norm must be positive (got \(clipNorm))") }
  }

  /// The privacy of a fit of `plannedSteps` noisy steps on `rows` records with batches of `batchSize` expected real
  /// records: σ calibrated to the budget, or the steps cut to it when σ is given.
  /// - Throws: ``TrainingError`` when the budget cannot pay for a single step.
  public func plan(rows: Int, batchSize: Int, plannedSteps: Int, releasesMeans: Bool = false, releasesHistograms: Bool = false) throws -> DifferentialPrivacy {
    try validate()
    let q = Swift.min(1, Double(batchSize) / Double(Swift.max(rows, 1)))
    let delta = self.delta ?? Self.defaultDelta(rows: rows)
    var sigma: Double, steps = plannedSteps
    if releasesMeans || releasesHistograms {
      // Each one-shot release takes a fixed share of ε; σ is the smallest that keeps the composition within ε.
      func oneShot(_ share: Double) throws -> Double {
        do {
          return try epsilon.map { try RDPAccountant.noiseMultiplier(forEpsilon: share * $0, delta: delta, samplingRate: 1, steps: 1) } ?? 10
        } catch let e as PrivacyAccountingError { throw TrainingError.invalid(e.description) }
      }
      let zMeans = try oneShot(DifferentialPrivacy.meanShare), zHistograms = try oneShot(DifferentialPrivacy.histogramShare)
      let oneShots = (releasesMeans ? [zMeans] : []) + (releasesHistograms ? [zHistograms] : [])
      func total(_ s: Double, _ t: Int) -> Double {
        DifferentialPrivacy.epsilon(samplingRate: q, noiseMultiplier: s, steps: t, oneShots: oneShots, delta: delta)
      }
      switch (epsilon, noiseMultiplier) {
      case let (e?, s?):
        sigma = s
        var lo = 0, hi = plannedSteps
        while lo < hi { let mid = (lo + hi + 1) / 2; if total(s, mid) <= e { lo = mid } else { hi = mid - 1 } }
        steps = lo
        guard steps >= 1 else {
          throw TrainingError.invalid("ε = \(e) cannot pay for a single discriminator step at noise multiplier \(s) "
                                      + "(sampling rate \(String(format: "%.4g", q)), δ = \(delta)); raise --epsilon or --noise-multiplier")
        }
      case let (e?, nil):
        var lo = 0.05, hi = 1.0
        while total(hi, plannedSteps) > e { hi *= 2; if hi > RDPAccountant.maxNoiseMultiplier { throw TrainingError.invalid("ε = \(e) is out of reach for \(plannedSteps) steps") } }
        for _ in 0..<60 where hi / lo > 1 + 1e-4 { let mid = (lo * hi).squareRoot(); if total(mid, plannedSteps) <= e { hi = mid } else { lo = mid } }
        sigma = hi
      case let (nil, s?):
        sigma = s
      case (nil, nil):
        throw TrainingError.invalid("a private fit needs --epsilon or --noise-multiplier")
      }
      var privacy = DifferentialPrivacy(epsilon: 0, delta: delta, noiseMultiplier: sigma, clipNorm: clipNorm, samplingRate: q,
                                        steps: steps, accountant: DifferentialPrivacy.accountantName,
                                        meanNoiseMultiplier: releasesMeans ? zMeans : nil, histogramNoiseMultiplier: releasesHistograms ? zHistograms : nil)
      privacy.epsilon = privacy.epsilonSpent(afterSteps: steps)
      return privacy
    }
    do {
      switch (epsilon, noiseMultiplier) {
      case let (e?, s?):
        sigma = s
        steps = Swift.min(plannedSteps, try RDPAccountant.steps(forEpsilon: e, delta: delta, samplingRate: q, noiseMultiplier: s))
        guard steps >= 1 else {
          throw TrainingError.invalid("ε = \(e) cannot pay for a single discriminator step at noise multiplier \(s) "
                              + "(sampling rate \(String(format: "%.4g", q)), δ = \(delta)); raise --epsilon or --noise-multiplier")
        }
      case let (e?, nil):
        sigma = try RDPAccountant.noiseMultiplier(forEpsilon: e, delta: delta, samplingRate: q, steps: plannedSteps)
      case let (nil, s?):
        sigma = s
      case (nil, nil):
        throw TrainingError.invalid("a private fit needs --epsilon or --noise-multiplier")
      }
    } catch let e as PrivacyAccountingError {
      throw TrainingError.invalid(e.description)
    }
    var privacy = DifferentialPrivacy(epsilon: 0, delta: delta, noiseMultiplier: sigma, clipNorm: clipNorm, samplingRate: q,
                                      steps: steps, accountant: DifferentialPrivacy.accountantName)
    privacy.epsilon = privacy.epsilonSpent(afterSteps: steps)
    return privacy
  }
}

extension Schema {
  /// The schema a private fit may use: every column's kind, levels, bounds and precision as `metadata` declares
  /// them (declared public: no ε is spent on them), nothing taken from the data.
  ///
  /// - Throws: ``TabularError`` naming the metadata file and column when a column is not declared, lacks `min`/`max`
  ///   (numbers) or `categories` (binary, categorical), is of a kind a private fit cannot model yet (dates,
  ///   identifiers, personal information), when the metadata declares constraints other than `ScalarRange`, and
  ///   naming the data file, row and column when a value lies outside its declared bounds or levels.
  public func publicForPrivateFit(_ table: DataTable, metadata: Metadata?, metadataFile: String?) throws -> Schema {
    guard let metadata else {
      throw TabularError(.metadataConflict, file: table.source,
                         "a private fit (--epsilon) needs --metadata: the column kinds, levels and bounds it may use must be declared public (rlsyn schema writes a file to review)")
    }
    // Only declared constraints: a proposed one (inferred from the rows) would read the data outside the accountant.
    let unsupported = metadata.constraints.filter { if case .scalarRange = $0 { return false } else { return true } }
    if let c = unsupported.first {
      throw TabularError(.metadataConflict, file: metadataFile, "a private fit keeps only ScalarRange constraints; \(c.summary) would read the data outside the privacy accountant (remove it from the metadata's \"constraints\")")
    }
    var out = self
    out.constraints = metadata.constraints
    for (i, column) in columns.enumerated() {
      guard let declared = metadata.columns[column.name] else {
        throw TabularError(.metadataConflict, file: metadataFile, column: column.name, "a private fit needs every column declared in the metadata")
      }
      var c = column
      switch column.kind {
      case .datetime, .identifier, .personal:
        throw TabularError(.metadataConflict, file: metadataFile, column: column.name,
                           "a private fit cannot model a \(column.kind.rawValue) column yet; leave it out of the data")
      case .continuous, .integer:
        guard let low = declared.minimum, let high = declared.maximum, low <= high else {
          throw TabularError(.metadataConflict, file: metadataFile, column: column.name,
                             "a private fit needs the column's public bounds: declare \"min\" and \"max\"")
        }
        if let row = try Self.firstValueOutside(low...high, in: table, column: column.name) {
          throw table.error(.metadataConflict, row: row, column: table.columnIndex(column.name)!,
                            "\(table.cell(row: row, column: table.columnIndex(column.name)!) ?? "") lies outside the declared bounds \(low)…\(high)")
        }
        c.minimum = low; c.maximum = high
        c.decimals = column.kind == .integer ? 0 : (declared.decimals ?? 6)
        c.minimumDecimals = 0
      case .binary, .categorical:
        guard declared.categories != nil else {
          throw TabularError(.metadataConflict, file: metadataFile, column: column.name,
                             "a private fit needs the column's public levels: declare \"categories\"")
        }
      case .constant:
        break
      }
      // A missing-value indicator exists unless the metadata declares the column complete.
      c.hasMissing = declared.missing ?? true
      if !c.hasMissing && column.hasMissing {
        throw TabularError(.metadataConflict, file: metadataFile, column: column.name, "the metadata declares no missing values, but the data has some")
      }
      c.avoidsTrainingValues = nil; c.releaseRange = nil; c.rareValues = nil; c.rareValuesReleasedAs = nil; c.commonValues = nil
      out.columns[i] = c
    }
    return out
  }

  /// The first row whose value of numeric column `name` lies outside `bounds` (nil when none does).
  static func firstValueOutside(_ bounds: ClosedRange<Double>, in table: DataTable, column name: String) throws -> Int? {
    guard let index = table.columnIndex(name) else { return nil }
    for r in 0..<table.rowCount {
      guard let text = table.cell(row: r, column: index), let value = Double(text) else { continue }
      if !bounds.contains(value) { return r }
    }
    return nil
  }
}
