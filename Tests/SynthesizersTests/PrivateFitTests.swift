import Foundation
import NumericCore
import Privacy
@testable import TabularData
import Testing
import Synthesizers

/// Differentially private fits (issue 34): planning the noise, the public schema, and what a private model holds.
@Suite struct PrivateFitTests {
  /// 300 rows: a bounded measurement, a three-level category and a binary outcome.
  static func table() throws -> DataTable {
    var rng = RandomSource(seed: 11)
    var lines = ["bp,ward,death"]
    for _ in 0..<300 {
      let ward = ["A", "B", "C"][rng.integer(below: 3)]
      let bp = 90 + 40 * Double(rng.uniform())
      lines.append("\(String(format: "%.1f", bp)),\(ward),\(bp > 115 ? 1 : 0)")
    }
    return try CSVReader.parse(lines.joined(separator: "\n"), name: "private.csv")
  }

  static func metadata(_ columns: String) throws -> Metadata {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("private-\(UUID().uuidString).json")
    try Data("{\"columns\": {\(columns)}}".utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    return try Metadata.load(from: url, displayName: "meta.json")
  }

  static let declared = """
    "bp": {"sdtype": "numerical", "computer_representation": "Float", "min": 80, "max": 140, "decimals": 1, "missing": false},
    "ward": {"sdtype": "categorical", "categories": ["A", "B", "C", "D"], "missing": false},
    "death": {"sdtype": "categorical", "kind": "binary", "categories": ["0", "1"], "missing": false}
    """

  static func options(_ request: PrivacyRequest, metadata: Metadata?) -> FitOptions {
    var options = FitOptions(seed: 2, threads: 1)
    options.iterations = 12
    options.batchSize = 64
    options.privacy = request
    options.publicMetadata = metadata
    options.publicMetadataFile = "meta.json"
    return options
  }

  @Test func theNoiseIsCalibratedToTheBudget() throws {
    let plan = try PrivacyRequest(epsilon: 3).plan(rows: 1_000, batchSize: 100, plannedSteps: 400)
    #expect(plan.epsilon <= 3 && plan.epsilon > 2.97, "\(plan.epsilon)")
    #expect(plan.delta == 1e-5 && plan.samplingRate == 0.1 && plan.steps == 400 && plan.clipNorm == 1)
    let reference = try RDPAccountant.epsilon(samplingRate: 0.1, noiseMultiplier: plan.noiseMultiplier, steps: 400, delta: 1e-5)
    #expect(abs(reference - plan.epsilon) < 1e-9)
    // More noise for a smaller budget, and half the steps spend less.
    let tighter = try PrivacyRequest(epsilon: 1).plan(rows: 1_000, batchSize: 100, plannedSteps: 400)
    #expect(tighter.noiseMultiplier > plan.noiseMultiplier)
    #expect(plan.epsilonSpent(afterSteps: 200) < plan.epsilon && plan.epsilonSpent(afterSteps: 0) == 0)
    // δ defaults to 1/n above 100,000 rows.
    #expect(PrivacyRequest.defaultDelta(rows: 200_000) == 5e-6)
  }

  @Test func aGivenNoiseMultiplierStopsTheFitAtTheBudget() throws {
    let plan = try PrivacyRequest(epsilon: 2, noiseMultiplier: 3).plan(rows: 1_000, batchSize: 100, plannedSteps: 100_000)
    #expect(plan.steps < 100_000 && plan.steps > 0 && plan.epsilon <= 2)
    #expect(plan.epsilonSpent(afterSteps: plan.steps + 1) > 2)
  }

  @Test func badRequestsAreOneLineErrors() {
    for request in [PrivacyRequest(epsilon: 0), PrivacyRequest(epsilon: -1), PrivacyRequest(epsilon: 1, delta: 1),
                    PrivacyRequest(epsilon: 1, delta: 0), PrivacyRequest(delta: 1e-5)] {
      #expect(throws: TrainingError.self) { try request.validate() }
    }
    // A budget that cannot pay for one step at the given noise.
    #expect {
      _ = try PrivacyRequest(epsilon: 0.001, noiseMultiplier: 0.5).plan(rows: 100, batchSize: 50, plannedSteps: 10)
    } throws: { error in String(describing: error).contains("cannot pay for a single discriminator step") }
  }

  @Test func aPrivateFitUsesOnlyTheDeclaredSchemaAndRecordsItsPrivacy() throws {
    let table = try Self.table()
    let metadata = try Self.metadata(Self.declared)
    let schema = try Schema.infer(from: table, overrides: metadata)
    let model = try SyntheticDataModel.fit(table, schema: schema, synthesizer: .rlsyn,
                                           options: Self.options(PrivacyRequest(epsilon: 1), metadata: metadata))
    let configuration = try #require(model.configuration as? RLSynConfiguration)
    let privacy = try #require(configuration.privacy)
    #expect(privacy.epsilon <= 1 && privacy.epsilon > 0.99 && privacy.steps == 12 * configuration.discriminatorSteps)
    // Without --preset a private fit starts from the `private` preset (one discriminator step per iteration).
    #expect(configuration.preset == .private && configuration.discriminatorSteps == 1)
    // The means (the heads' start and the mean penalty's targets) and the histograms are released once each with
    // Gaussian noise, inside the same budget, at their shares of ε.
    let z = try #require(privacy.meanNoiseMultiplier), zh = try #require(privacy.histogramNoiseMultiplier)
    let meansAlone = try RDPAccountant.epsilon(samplingRate: 1, noiseMultiplier: z, steps: 1, delta: privacy.delta)
    #expect(abs(meansAlone - DifferentialPrivacy.meanShare * 1) < 0.01, "\(meansAlone)")
    let histogramsAlone = try RDPAccountant.epsilon(samplingRate: 1, noiseMultiplier: zh, steps: 1, delta: privacy.delta)
    #expect(abs(histogramsAlone - DifferentialPrivacy.histogramShare * 1) < 0.01, "\(histogramsAlone)")
    // The encoder holds no training value: bp's quantile knots are public bin edges over the declared bounds.
    let knots = try #require(model.encoder.coders[0].transform?.knotValues)
    #expect((8...256).contains { bins in Set(knots).isSubset(of: BinnedCounts.edges(low: 80, high: 140, bins: bins, wholeNumbers: false)) },
            "\(knots)")
    // The declared level D (absent from the data) is a level; numbers decode inside the declared bounds.
    #expect(model.encoder.schema.column(named: "ward")?.categories == ["A", "B", "C", "D"])
    let sample = model.sample(rows: 400, seed: 1)
    let bp = sample.column("bp").compactMap { $0.flatMap(Double.init) }
    #expect(bp.count == 400 && bp.allSatisfy { (80...140).contains($0) })
    // The stored privacy survives a round trip through the model file.
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("private-\(UUID().uuidString).rlsyn")
    defer { try? FileManager.default.removeItem(at: url) }
    try model.save(to: url)
    let loaded = try SyntheticDataModel.load(from: url)
    #expect((loaded.configuration as? RLSynConfiguration)?.privacy == privacy)
  }

  /// A named preset wins over the private one; the private one changes only what it lists.
  @Test func thePrivatePresetAppliesOnlyWithoutANamedOne() throws {
    var options = FitOptions(seed: 0)
    options.privacy = PrivacyRequest(epsilon: 1)
    let privateDefault = try options.configuration(for: RLSynSynthesizer.self, rows: 1_000)
    #expect(privateDefault.preset == .private && privateDefault.iterations == 1_000 && privateDefault.discriminatorSteps == 1)
    var small = RLSynConfiguration(preset: .small)
    small.iterations = 1_000; small.discriminatorSteps = 1; small.autoregressiveBlocks = 1; small.preset = .private
    #expect(privateDefault == small)
    // Larger tables get more iterations, within 1,000…2,000.
    #expect(try options.configuration(for: RLSynSynthesizer.self, rows: 4_500).iterations == 1_500)
    #expect(try options.configuration(for: RLSynSynthesizer.self, rows: 60_000).iterations == 2_000)
    options.preset = "large"
    #expect(try options.configuration(for: RLSynSynthesizer.self, rows: 1_000).preset == .large)
    #expect(try FitOptions(seed: 0).configuration(for: RLSynSynthesizer.self, rows: 1_000).preset == .small)
    // Ordinary fits: at most 1,000 iterations below 1,000 rows; an explicit count still wins.
    #expect(try FitOptions(seed: 0).configuration(for: RLSynSynthesizer.self, rows: 300).iterations == 1_000)
    #expect(try FitOptions(seed: 0).configuration(for: RLSynSynthesizer.self, rows: 800).iterations == 1_000)
    #expect(try FitOptions(seed: 0).configuration(for: RLSynSynthesizer.self, rows: 1_140).iterations == 2_000)
    #expect(try FitOptions(seed: 0).configuration(for: RLSynSynthesizer.self, rows: 6_370).iterations == 4_000)
    var explicit = FitOptions(seed: 0)
    explicit.iterations = 3_000
    #expect(try explicit.configuration(for: RLSynSynthesizer.self, rows: 300).iterations == 3_000)
  }

  /// At a budget large enough to make the noise negligible, the heads start at the data's marginals: a sample before
  /// any training already has the level shares and the outcome rate of the data.
  @Test func theHeadsStartAtTheReleasedMarginals() throws {
    let table = try Self.table()
    let metadata = try Self.metadata(Self.declared)
    let schema = try Schema.infer(from: table, overrides: metadata)
    var options = Self.options(PrivacyRequest(epsilon: 100_000), metadata: metadata)
    options.iterations = 1
    let model = try SyntheticDataModel.fit(table, schema: schema, synthesizer: .rlsyn, options: options)
    let sample = model.sample(rows: 3_000, seed: 4)
    func share(_ t: DataTable, _ column: String, _ value: String) -> Double {
      let values = t.column(column)
      return Double(values.filter { $0 == value }.count) / Double(values.count)
    }
    for (column, value) in [("ward", "A"), ("ward", "B"), ("death", "1")] {
      #expect(abs(share(sample, column, value) - share(table, column, value)) < 0.05, "\(column) = \(value)")
    }
    #expect(share(sample, "ward", "D") < 0.02, "a declared level the data lacks starts near zero")
  }

  @Test func undeclaredBoundsAndValuesOutsideThemAreRefused() throws {
    let table = try Self.table()
    let noBounds = try Self.metadata("""
      "bp": {"sdtype": "numerical", "computer_representation": "Float"},
      "ward": {"sdtype": "categorical", "categories": ["A", "B", "C"]},
      "death": {"sdtype": "categorical", "categories": ["0", "1"]}
      """)
    #expect {
      _ = try SyntheticDataModel.fit(table, schema: try Schema.infer(from: table, overrides: noBounds), synthesizer: .rlsyn,
                                     options: Self.options(PrivacyRequest(epsilon: 1), metadata: noBounds))
    } throws: { error in
      let text = String(describing: error)
      return text.contains("meta.json") && text.contains("'bp'") && text.contains("\"min\" and \"max\"")
    }
    let narrow = try Self.metadata(Self.declared.replacingOccurrences(of: "\"max\": 140", with: "\"max\": 100"))
    #expect {
      _ = try SyntheticDataModel.fit(table, schema: try Schema.infer(from: table, overrides: narrow), synthesizer: .rlsyn,
                                     options: Self.options(PrivacyRequest(epsilon: 1), metadata: narrow))
    } throws: { error in
      let text = String(describing: error)
      return text.contains("private.csv") && text.contains("row ") && text.contains("'bp'") && text.contains("outside the declared bounds")
    }
    #expect {
      _ = try SyntheticDataModel.fit(table, synthesizer: .rlsyn, options: Self.options(PrivacyRequest(epsilon: 1), metadata: nil))
    } throws: { error in String(describing: error).contains("needs --metadata") }
    #expect {
      _ = try SyntheticDataModel.fit(table, synthesizer: .gan, options: Self.options(PrivacyRequest(epsilon: 1), metadata: try Self.metadata(Self.declared)))
    } throws: { error in String(describing: error).contains("rlsyn only") }
  }

  /// A constraint inference proposes from the rows (here `ward` determines `wing`) is data: a private fit drops it,
  /// and one the metadata declares is refused by name.
  @Test func proposedConstraintsNeverReachAPrivateFit() throws {
    let base = try Self.table()
    var lines = ["bp,ward,death,wing"]
    for r in 0..<base.rowCount {
      let ward = base.cell(row: r, column: 1) ?? ""
      lines.append("\(base.cell(row: r, column: 0) ?? ""),\(ward),\(base.cell(row: r, column: 2) ?? ""),\(ward == "C" ? "west" : "east")")
    }
    let table = try CSVReader.parse(lines.joined(separator: "\n"), name: "private.csv")
    let inferred = try Schema.infer(from: table)
    #expect(inferred.constraints == [.fixedCombinations(["ward", "wing"])])
    let declared = try Self.metadata(Self.declared + #", "wing": {"sdtype": "categorical", "categories": ["east", "west"], "missing": false}"#)
    let schema = try inferred.publicForPrivateFit(table, metadata: declared, metadataFile: "meta.json")
    #expect(schema.constraints.isEmpty)
    var withCombination = declared
    withCombination.constraints = [.fixedCombinations(["ward", "wing"])]
    #expect {
      _ = try inferred.publicForPrivateFit(table, metadata: withCombination, metadataFile: "meta.json")
    } throws: { error in String(describing: error).contains("fixed combinations of ward, wing") }
  }

  /// Without a privacy request nothing changes: the configuration has no privacy field and is written as before.
  @Test func anOrdinaryConfigurationHasNoPrivacyField() throws {
    let json = String(decoding: try JSONEncoder().encode(RLSynConfiguration(preset: .small)), as: UTF8.self)
    #expect(!json.contains("privacy"))
  }
}
