import Testing
import Foundation
import NumericCore
import Autodiff
@testable import Synthesizers
import TestSupport

/// The likelihood warm-up: maximum-likelihood steps that teach a block-drawn policy the records' conditionals.
@Suite struct RLSynWarmupTests {
  /// x ~ N(0, 1), y = x + 0.1·noise, b = [x > 0]: each column its own block.
  let layout = RecordLayout(gaussian: 0..<2, bernoulli: 2..<3, categoricalGroups: [])

  func records(_ n: Int, seed: UInt64) -> Matrix {
    var rng = RandomSource(seed: seed)
    return Matrix(rows: n, cols: 3) { out in
      for i in 0..<n {
        let x = rng.normal()
        out[i * 3] = x; out[i * 3 + 1] = x + 0.1 * rng.normal(); out[i * 3 + 2] = x > 0 ? 1 : 0
      }
    }
  }

  func configuration(warmup: Int, blocks: Int = 3) -> RLSynConfiguration {
    var c = RLSynConfiguration(preset: .small)
    (c.batchSize, c.noiseDimension, c.policyWidth, c.discriminatorWidth) = (128, 4, 16, 16)
    c.autoregressiveBlocks = blocks
    c.likelihoodWarmupSteps = warmup
    c.policyLearningRate = 1e-2
    return c
  }

  /// Correlation of x and y, and how often b agrees with x's sign, in records drawn from the trainer's policy.
  func dependence(_ trainer: RLSynTrainer) -> (correlation: Float, agreement: Float) {
    var rng = RandomSource(seed: 99)
    let drawn = trainer.online.draw(Variable(rng.normalMatrix(rows: 2_000, cols: 4)), rng: &rng).records
    var sx: Float = 0, sy: Float = 0, sxx: Float = 0, syy: Float = 0, sxy: Float = 0, agree: Float = 0
    for i in 0..<drawn.rows {
      let x = drawn[i, 0], y = drawn[i, 1]
      sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y
      if (x > 0) == (drawn[i, 2] == 1) { agree += 1 }
    }
    let n = Float(drawn.rows)
    let cov = sxy / n - sx * sy / (n * n)
    let correlation = cov / ((sxx / n - sx * sx / (n * n)) * (syy / n - sy * sy / (n * n))).squareRoot()
    return (correlation, agree / n)
  }

  /// The marginal start draws the columns independently; after the warm-up y follows x and b follows x's sign.
  @Test func warmupLearnsTheConditionals() throws {
    let data = records(1_000, seed: 1)
    let trainer = try RLSynTrainer(configuration: configuration(warmup: 400), layout: layout, data: data, seed: 2)
    #expect(trainer.warmsUp)
    let before = dependence(trainer)
    #expect(abs(before.correlation) < 0.2 && before.agreement < 0.65, "\(before)")
    let result = trainer.likelihoodWarmup()
    let after = dependence(trainer)
    #expect(after.correlation > 0.9 && after.agreement > 0.8, "\(after)")
    #expect(result.heldOutLoss.isFinite && result.steps > 0 && result.steps <= 400)
  }

  /// The first step warms up; the numbers do not depend on the thread count.
  @Test func warmupRunsOnceAndIgnoresTheThreadCount() throws {
    let data = records(600, seed: 3)
    var parameters: [[Matrix]] = []
    for threads in [1, 2] {
      var c = configuration(warmup: 20)
      c.iterations = 2
      let trainer = try RLSynTrainer(configuration: c, layout: layout, data: data, seed: 4)
      _ = trainer.step(TrainingContext(iteration: 1, threads: threads))
      _ = trainer.step(TrainingContext(iteration: 2, threads: threads))
      parameters.append(trainer.online.parameters.map(\.value))
    }
    #expect(parameters[0] == parameters[1])
    // Without the warm-up the same two iterations give other weights.
    let trainer = try RLSynTrainer(configuration: { var c = configuration(warmup: 0); c.iterations = 2; return c }(),
                                   layout: layout, data: data, seed: 4)
    _ = trainer.step(TrainingContext(iteration: 1, threads: 1))
    _ = trainer.step(TrainingContext(iteration: 2, threads: 1))
    #expect(trainer.online.parameters.map(\.value) != parameters[0])
  }

  /// One block starts at the marginals already, and a private fit must not read records outside its accounting.
  @Test func oneBlockAndPrivateFitsDoNotWarmUp() throws {
    let data = records(300, seed: 5)
    #expect(try !RLSynTrainer(configuration: configuration(warmup: 10, blocks: 1), layout: layout, data: data, seed: 0).warmsUp)
    var c = configuration(warmup: 10)
    c.privacy = try PrivacyRequest(epsilon: 3).plan(rows: 300, batchSize: 128, plannedSteps: 100)
    #expect(try !RLSynTrainer(configuration: c, layout: layout, data: data, seed: 0).warmsUp)
    #expect(RLSynConfiguration(preset: .private).likelihoodWarmupSteps == 0)
    #expect(RLSynConfiguration(preset: .paperSmall).likelihoodWarmupSteps == 0)
    #expect(RLSynConfiguration.fieldsAddedLater["likelihoodWarmupSteps"] == .int(0))
    c.likelihoodWarmupSteps = -1
    #expect(c.validationError() != nil)
  }

  /// A layout of `columns` source columns: `gaussian` of them with a Gaussian slot, the rest binary.
  func layout(columns: Int, gaussian: Int = 10, levels: Int = 0) -> RecordLayout {
    RecordLayout(gaussian: 0..<gaussian, bernoulli: gaussian..<columns, categoricalGroups: levels > 0 ? [columns..<(columns + levels)] : [])
  }

  /// The small and large presets warm up and train fewer, cheaper iterations only where the policy draws in blocks.
  @Test func blockDrawnTablesGetTheWarmupDefaults() throws {
    let nhefsLike = layout(columns: 48, levels: 53)   // 49 source columns, 101 encoded
    let narrow = try RLSynSynthesizer.configuration(rows: 1_140, layout: nhefsLike, preset: nil)
    #expect(narrow.likelihoodWarmupSteps > 0 && narrow.iterations == 800 && narrow.autoregressiveBlocks == 0)
    #expect(RLSynConfiguration.blockDrawnFields[.small]?["ppoEpochs"] == .int(narrow.ppoEpochs))
    let large = try RLSynSynthesizer.configuration(rows: 6_370, layout: layout(columns: 32, levels: 43), preset: nil)
    #expect(large.preset == .large && large.likelihoodWarmupSteps > 0 && large.iterations == 1_600)
    // One block: as before.
    #expect(try RLSynSynthesizer.configuration(rows: 126_522, layout: layout(columns: 469), preset: nil) == RLSynConfiguration(preset: .large))
    #expect(try RLSynSynthesizer.configuration(rows: 999, layout: nhefsLike, preset: nil) == RLSynSynthesizer.configuration(rows: 999, preset: nil))
    #expect(try RLSynSynthesizer.configuration(rows: 1_140, layout: nil, preset: nil) == RLSynConfiguration(preset: .small))
    #expect(try RLSynSynthesizer.configuration(rows: 1_140, layout: nhefsLike, preset: "paper") == RLSynConfiguration(preset: .paperSmall))
    // A configuration file's fields still decide.
    var options = FitOptions()
    options.configurationFields[.rlsyn] = ["iterations": 3_000, "likelihoodWarmupSteps": 0]
    let told = try options.configuration(for: RLSynSynthesizer.self, rows: 1_140, layout: nhefsLike)
    #expect(told.iterations == 3_000 && told.likelihoodWarmupSteps == 0 && told.ppoEpochs == narrow.ppoEpochs)
  }

  /// Past 64 source columns the iterations grow with the columns, up to twice the base at 128.
  @Test func blockDrawnIterationsGrowWithTheColumns() throws {
    #expect(RLSynConfiguration.blockDrawnIterations(800, columns: 25) == 800)
    #expect(RLSynConfiguration.blockDrawnIterations(800, columns: 64) == 800)
    #expect(RLSynConfiguration.blockDrawnIterations(800, columns: 96) == 1_200)
    #expect(RLSynConfiguration.blockDrawnIterations(800, columns: 205) == 1_600)
    #expect(RLSynConfiguration.blockDrawnIterations(1_600, columns: 100) == 2_500)
    let wide = try RLSynSynthesizer.configuration(rows: 3_500, layout: layout(columns: 205), preset: nil)
    #expect(wide.iterations == 1_600 && wide.likelihoodWarmupSteps > 0)
    // One source column cannot be drawn in turn: the one-block values.
    let single = RecordLayout(gaussian: 0..<0, bernoulli: 0..<0, categoricalGroups: [0..<5])
    #expect(try RLSynSynthesizer.configuration(rows: 3_500, layout: single, preset: nil) == RLSynConfiguration(preset: .small))
  }
}
