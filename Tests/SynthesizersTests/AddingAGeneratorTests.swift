import Foundation
import Testing
import NumericCore
import Autodiff
import TabularData
import Synthesizers

// A generator written by following docs/architecture.md ("How to add a generator"), registered only here:
// it samples every column independently from the training marginals (means and spreads, prevalences,
// level frequencies). Its "training" moves the parameters towards the batch marginals by a running mean.

/// Step 2: the configuration.
struct MarginalConfiguration: SynthesizerConfiguration {
  var iterations = 20
  var batchSize = 64
  var logEvery = 5
  func validationError() -> String? { iterations < 1 || batchSize < 2 ? "iterations ≥ 1 and batch size ≥ 2" : nil }
}

/// Step 3: the model.
final class MarginalModel: RecordGenerator {
  let layout: RecordLayout
  /// `1 × width`: column means (Gaussian: of present values, Bernoulli: prevalence, categorical: level share).
  let means: Variable
  /// `1 × width`: column standard deviations (used for Gaussian columns).
  let spreads: Variable

  init(layout: RecordLayout) {
    self.layout = layout
    means = Variable(Matrix(rows: 1, cols: layout.width), name: "marginal.means")
    spreads = Variable(Matrix(rows: 1, cols: layout.width), name: "marginal.spreads")
  }

  var parameters: [Variable] { [means, spreads] }

  func generate(rows: Int, rng: inout RandomSource, threads: Int) -> Matrix {
    let m = means.value, s = spreads.value
    var out = Matrix(rows: rows, cols: layout.width)
    for i in 0..<rows {
      for j in layout.gaussian { out[i, j] = m[0, j] + s[0, j] * rng.normal() }
      for j in layout.bernoulli { out[i, j] = rng.uniform() < m[0, j] ? 1 : 0 }
      for g in layout.categoricalGroups { out[i, g.lowerBound + rng.categorical(weights: g.map { m[0, $0] })] = 1 }
    }
    return layout.fillMissingValues(out)
  }
}

/// Step 4: the trainer and its figures.
struct MarginalStepMetrics: TrainingMetrics {
  var change: Float
  var figures: [TrainingFigure] { [TrainingFigure("mean_change", change)] }
}

final class MarginalTrainer: SynthesizerTrainer {
  let configuration: MarginalConfiguration
  let model: MarginalModel
  var batches: BatchCycler
  var rng: RandomSource
  var seen = 0

  init(configuration: MarginalConfiguration, layout: RecordLayout, data: Matrix, seed: UInt64) throws {
    try TrainingError.check(configuration: configuration, layout: layout, data: data)
    self.configuration = configuration
    model = MarginalModel(layout: layout)
    batches = BatchCycler(data: data)
    rng = RandomSource(seed: seed)
  }

  var trainedParameters: [Variable] { model.parameters }

  /// Running means of the batch means and spreads (missing Gaussian values count as 0 here; fine for a test).
  func step(_ context: TrainingContext) -> MarginalStepMetrics {
    let batch = batches.next(configuration.batchSize, rng: &rng)
    seen += 1
    let w = 1 / Float(seen)
    let before = model.means.value
    var means = model.means.value, spreads = model.spreads.value
    means.scale(by: 1 - w)
    means.add(batch.meanOverRows(), scaledBy: w)
    spreads.scale(by: 1 - w)
    spreads.add(batch.varianceOverRows().map { $0.squareRoot() }, scaledBy: w)
    model.means.value = means
    model.spreads.value = spreads
    return MarginalStepMetrics(change: (means - before).map { Swift.abs($0) }.mean())
  }
}

/// Step 5: the synthesizer.
enum MarginalSynthesizer: Synthesizer {
  static let kind: SynthesizerKind = "marginal"
  static let summary = "independent column marginals (test only)"
  static func configuration(rows: Int, preset: String?) throws -> MarginalConfiguration {
    try rejectPreset(preset)
    return MarginalConfiguration()
  }
  static func makeModel(configuration: MarginalConfiguration, layout: RecordLayout) -> MarginalModel { MarginalModel(layout: layout) }
  static func makeTrainer(configuration: MarginalConfiguration, layout: RecordLayout, data: Matrix, seed: UInt64) throws -> MarginalTrainer {
    try MarginalTrainer(configuration: configuration, layout: layout, data: data, seed: seed)
  }
}

/// Step 6: register it (here, in a registry of the tests' own) — and step 7: test it.
@Suite struct AddingAGeneratorTests {
  static let registry = SynthesizerRegistry.standard.adding(MarginalSynthesizer.self)

  static func table() throws -> DataTable {
    try CSVReader.read(legacyFixtures.appendingPathComponent("table.csv"))
  }

  @Test func registeredGeneratorFitsSamplesSavesAndLoads() throws {
    #expect(Self.registry.kinds == [.rlsyn, .gan, .diffusion, "marginal"])
    let table = try Self.table()
    var reports: [TrainingProgress] = []
    let model = try SyntheticDataModel.fit(table, synthesizer: "marginal", options: FitOptions(seed: 4), registry: Self.registry) {
      reports.append($0)
    }
    #expect(reports.map(\.iteration) == [5, 10, 15, 20])
    #expect(reports.allSatisfy { $0.figures.map(\.name) == ["mean_change"] })
    #expect(model.kind == "marginal" && model.summary.iterations == 20)

    // The sample has the training table's columns, and binary prevalences near the training ones.
    let synthetic = model.sample(rows: 2_000, seed: 1)
    #expect(synthetic.columnNames == table.columnNames)
    func share(_ t: DataTable, _ column: String, _ level: String) -> Double {
      let v = t.column(column)
      return Double(v.filter { $0 == level }.count) / Double(v.count)
    }
    #expect(Swift.abs(share(synthetic, "sex", "1") - share(table, "sex", "1")) < 0.06)
    #expect(Swift.abs(share(synthetic, "death", "1") - share(table, "death", "1")) < 0.06)

    // Saved and loaded through the same registry, it samples the same records.
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("marginal-\(UUID().uuidString).rlsyn")
    defer { try? FileManager.default.removeItem(at: url) }
    try model.save(to: url)
    let loaded = try SyntheticDataModel.load(from: url, registry: Self.registry)
    #expect(loaded.sample(rows: 50, seed: 9) == model.sample(rows: 50, seed: 9))
    #expect(loaded.configuration as? MarginalConfiguration == MarginalConfiguration())

    // The standard registry does not know it, and says so.
    do {
      _ = try SyntheticDataModel.load(from: url)
      Issue.record("loading an unregistered synthesizer should fail")
    } catch let e as ModelFileError {
      #expect(e.reason.contains("unknown synthesizer 'marginal'"))
    }
  }

  @Test func unknownKindAndUnknownPresetAreClearErrors() throws {
    let table = try Self.table()
    #expect(throws: FitInterrupted.self) { try SyntheticDataModel.fit(table, synthesizer: "marginal") }
    var options = FitOptions()
    options.preset = "huge"
    do {
      _ = try SyntheticDataModel.fit(table, synthesizer: "marginal", options: options, registry: Self.registry)
      Issue.record("an unknown preset should fail")
    } catch let e as FitInterrupted {
      #expect(e.reason == "marginal has no preset 'huge' (it has no presets)")
    }
  }
}
