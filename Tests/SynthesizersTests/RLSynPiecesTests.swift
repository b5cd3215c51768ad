import Testing
import Foundation
import NumericCore
import Autodiff
import NeuralNetworks
@testable import Synthesizers
import TestSupport

/// Hand-computed checks of each piece of RLSyn's objective.
@Suite struct RLSynPiecesTests {
  /// A layout with 2 Gaussian columns (the second has a missingness indicator at column 3),
  /// 2 Bernoulli columns (2, 3) and one 3-level categorical group (4..<7).
  let layout = RecordLayout(gaussian: 0..<2, bernoulli: 2..<4, categoricalGroups: [4..<7], missingIndicatorForGaussian: [nil, 3])

  func output(mean: [[Float]], logStd: [[Float]], logits: [[Float]], categoricalLogits: [[Float]]) -> RLSynPolicy.Output {
    let cat = Matrix(categoricalLogits).logSoftmax(groups: [0..<3])
    return RLSynPolicy.Output(mean: Variable(Matrix(mean)), logStd: Variable(Matrix(logStd)), bernoulliLogits: Variable(Matrix(logits)),
                              categoricalLogProbabilities: Variable(cat), value: Variable(Matrix(rows: mean.count, cols: 1)))
  }

  func policy() -> RLSynPolicy {
    var rng = RandomSource(seed: 1)
    return RLSynPolicy(layout: layout, noiseDimension: 3, width: 4, logStdRange: -4...1, rng: &rng)
  }

  @Test func logProbabilityMatchesHandComputation() {
    let out = output(mean: [[0.5, -1], [0, 0]], logStd: [[0, log(2)], [log(0.5), 0]], logits: [[0, 2], [-1, 0]], categoricalLogits: [[0, 0, 0], [1, 2, 3]])
    // Row 0: x = (1, 7 [missing: indicator 1 → not counted]), bernoulli (0, 1), level 2.
    // Row 1: x = (0.25, −0.5), bernoulli (1, 0), level 0.
    let records = Matrix([[1, 7, 0, 1, 0, 0, 1], [0.25, -0.5, 1, 0, 1, 0, 0]])
    let lp = policy().logProbability(of: records, under: out).value
    func normal(_ x: Double, _ mu: Double, _ sigma: Double) -> Double { -0.5 * pow((x - mu) / sigma, 2) - log(sigma) - 0.5 * log(2 * .pi) }
    func bern(_ x: Double, _ l: Double) -> Double { x * l - log(1 + exp(l)) }
    let row0 = normal(1, 0.5, 1) + bern(0, 0) + bern(1, 2) + log(1.0 / 3)
    let logZ = log(exp(1.0) + exp(2.0) + exp(3.0))
    let row1 = normal(0.25, 0, 0.5) + normal(-0.5, 0, 1) + bern(1, -1) + bern(0, 0) + (1 - logZ)
    #expect(isClose(Double(lp[0, 0]), row0, absolute: 1e-5, relative: 1e-5))
    #expect(isClose(Double(lp[1, 0]), row1, absolute: 1e-5, relative: 1e-5))
  }

  @Test func closedFormEntropyMatchesHandComputation() {
    let out = output(mean: [[0, 0]], logStd: [[0.3, -0.2]], logits: [[0.5, -3]], categoricalLogits: [[0, 1, -1]])
    let presence = Matrix([[1, 0]])
    let h = policy().entropy(out, presence: presence).value.scalarValue
    let gaussian = 0.3 + 0.5 * log(2 * Double.pi * M_E)
    func bern(_ l: Double) -> Double { let p = 1 / (1 + exp(-l)); return -(p * log(p) + (1 - p) * log(1 - p)) }
    let z = exp(0.0) + exp(1.0) + exp(-1.0)
    let cat = -[0.0, 1, -1].map { exp($0) / z }.map { $0 * log($0) }.reduce(0, +)
    #expect(isClose(Double(h), gaussian + bern(0.5) + bern(-3) + cat, absolute: 1e-5, relative: 1e-5))
  }

  @Test func samplesRespectTheLayout() {
    let p = policy()
    var rng = RandomSource(seed: 2)
    let out = p(Variable(rng.normalMatrix(rows: 500, cols: 3)))
    let records = p.sample(out, rng: &rng)
    for i in 0..<records.rows {
      #expect(records[i, 2] == 0 || records[i, 2] == 1)
      #expect(records.columns(4..<7).row(i).reduce(0, +) == 1, "exactly one level per categorical group")
      if records[i, 3] == 1 { #expect(records[i, 1] == 0, "a missing Gaussian value is written as 0") }
    }
    // Every sampled record has a finite log-probability.
    #expect(p.logProbability(of: records, under: out).value.isFinite)
  }

  @Test func advantageNormalisation() {
    let rewards = Matrix.column([0.9, 0.5, 0.2, 0.6]), values = Matrix.column([0.5, 0.5, 0.5, 0.5])
    let a = PPO.normalizedAdvantages(rewards: rewards, values: values)
    // A = (0.4, 0, −0.3, 0.1): mean 0.05, unbiased std √((0.1225+0.0025+0.1225+0.0025)/3) = √(0.25/3).
    let std = (0.25 / 3.0).squareRoot()
    let expected = [0.35, -0.05, -0.35, 0.05].map { Float($0 / std) }
    #expect(isClose(a, Matrix.column(expected), absolute: 1e-4))
  }

  @Test func clippedSurrogateValueAndGradient() {
    // Ratios e^{Δ}: inside the clip range, above it with A > 0 (clipped: no gradient),
    // above it with A < 0 (unclipped is the minimum: gradient flows), below it with A < 0 (clipped).
    let eps: Float = 0.2
    let delta: [Float] = [0.1, 0.5, 0.5, -0.5]
    let adv: [Float] = [1.0, 2.0, -1.0, -3.0]
    let old = Matrix.column([-1, -2, -3, -4])
    let logp = Variable(old + Matrix.column(delta), requiresGradient: true)
    let loss = PPO.clippedSurrogateLoss(logProbability: logp, oldLogProbability: old, advantages: Matrix.column(adv), epsilon: eps)
    let r = delta.map { Foundation.exp(Double($0)) }
    let terms = [r[0] * 1, 1.2 * 2, r[2] * -1, 0.8 * -3]
    #expect(isClose(Double(loss.value.scalarValue), -terms.reduce(0, +) / 4, absolute: 1e-5, relative: 1e-5))
    let g = gradients(of: loss, withRespectTo: [logp])[0].value
    // d/dΔ of −ρA/4 = −ρA/4 where unclipped, 0 where clipped.
    let expected: [Double] = [-r[0] * 1 / 4, 0, -r[2] * -1 / 4, 0]
    for i in 0..<4 { #expect(isClose(Double(g[i, 0]), expected[i], absolute: 1e-5, relative: 1e-4), "element \(i)") }
  }

  @Test func r1TermMatchesHandComputation() throws {
    var rng = RandomSource(seed: 3)
    let d = Discriminator(inputs: 3, width: 4, rng: &rng)
    let real = rng.normalMatrix(rows: 5, cols: 3), fake = rng.normalMatrix(rows: 5, cols: 3)
    let (_, _, r1) = d.loss(real: real, fake: fake, gamma: 4)
    // Reference: R1 from per-row input gradients of D computed one row at a time.
    var sum: Float = 0
    for i in 0..<5 {
      let x = Variable(real.rows(i..<(i + 1)), requiresGradient: true)
      let g = gradients(of: d(x).sum(), withRespectTo: [x])[0].value
      sum += g.squared().sum()
    }
    #expect(isClose(r1, 4 / 2 * sum / 5, absolute: 1e-5, relative: 1e-4))
    // The R1 term is the loss's only part that depends on γ: the totals differ by exactly it.
    let (withR1, _, _) = d.loss(real: real, fake: fake, gamma: 4), (withoutR1, _, _) = d.loss(real: real, fake: fake, gamma: 0)
    #expect(isClose(withR1.value.scalarValue - withoutR1.value.scalarValue, r1, absolute: 1e-5, relative: 1e-4))
  }

  @Test func r1LossGradientsMatchTheStackedFormulation() {
    // The R1 step runs real and fake rows through D separately; its parameter gradients must equal those of
    // the stacked batch with the input gradient taken over all rows (the fake rows' part is zero).
    var rng = RandomSource(seed: 5)
    let d = Discriminator(inputs: 4, width: 6, rng: &rng)
    let real = rng.normalMatrix(rows: 7, cols: 4), fake = rng.normalMatrix(rows: 5, cols: 4)
    let gamma: Float = 3
    let (total, bce, r1) = d.loss(real: real, fake: fake, gamma: gamma)
    let x = Variable(Matrix.concatenateRows([real, fake]), requiresGradient: true)
    let logits = d(x)
    let isReal = Matrix.column([Float](repeating: 1, count: 7) + [Float](repeating: 0, count: 5))
    let weights = Matrix.column([Float](repeating: 1 / 7, count: 7) + [Float](repeating: 1 / 5, count: 5))
    let stackedBCE = ((logits.softplus() - logits * Variable(isReal)) * Variable(weights)).sum()
    let gx = gradients(of: (logits * Variable(isReal)).sum(), withRespectTo: [x], createGraph: true)[0]
    let stackedR1 = gx.squared().sum() * (gamma / 14)
    #expect(isClose(bce, stackedBCE.value.scalarValue, absolute: 1e-5, relative: 1e-5))
    #expect(isClose(r1, stackedR1.value.scalarValue, absolute: 1e-5, relative: 1e-4))
    let split = gradients(of: total, withRespectTo: d.parameters)
    let stacked = gradients(of: stackedBCE + stackedR1, withRespectTo: d.parameters)
    #expect(split.count == stacked.count)
    for (a, b) in zip(split, stacked) { #expect(isClose(a.value, b.value, absolute: 1e-5, relative: 1e-4)) }
  }

  @Test func discriminatorBCEMatchesSeparateMeans() {
    var rng = RandomSource(seed: 4)
    let d = Discriminator(inputs: 3, width: 4, rng: &rng)
    let real = rng.normalMatrix(rows: 6, cols: 3), fake = rng.normalMatrix(rows: 4, cols: 3)
    let (_, bce, _) = d.loss(real: real, fake: fake, gamma: 0)
    let separate = Loss.binaryCrossEntropy(logits: d(Variable(real)), label: 1).value.scalarValue
      + Loss.binaryCrossEntropy(logits: d(Variable(fake)), label: 0).value.scalarValue
    #expect(isClose(bce, separate, absolute: 1e-5))
  }

  @Test(arguments: [RLSynConfiguration.RewardForm.probability, .logProbability, .logit])
  func variantRewardsEqualScoringTheStackedVariants(form: RLSynConfiguration.RewardForm) {
    var rng = RandomSource(seed: 5)
    let d = Discriminator(inputs: 7, width: 5, rng: &rng)
    let records = rng.normalMatrix(rows: 4, cols: 7), replacement = rng.normalMatrix(rows: 4, cols: 7)
    // One- and two-column changes, a record changed twice, and a change to the value it already has.
    var unchanged = replacement
    unchanged[2, 6] = records[2, 6]
    let variants: [(row: Int, columns: [Int])] = [(0, [0]), (0, [3, 4]), (3, [6]), (1, [2]), (2, [6]), (2, [5, 6])]
    let fast = d.rewards(ofVariants: variants, of: records, replacement: unchanged, form: form)
    var stacked = Matrix(rows: variants.count, cols: 7)
    for (v, variant) in variants.enumerated() {
      for c in 0..<7 { stacked[v, c] = variant.columns.contains(c) ? unchanged[variant.row, c] : records[variant.row, c] }
    }
    #expect(fast.rows == variants.count && fast.cols == 1)
    #expect(isClose(fast, d.rewards(stacked, form: form), absolute: 1e-5, relative: 1e-5))
  }
}

/// Stored configurations keep meaning what they meant when they were written.
@Suite struct RLSynConfigurationDecodingTests {
  @Test func fieldsAddedLaterDecodeAsTheBehaviourOfOlderFiles() throws {
    let current = RLSynConfiguration(preset: .small)
    #expect(current.reuseRolloutFakes && current.reward == .logit && current.ppoEpochs == 3)
    var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(current)) as? [String: Any])
    for key in ["reuseRolloutFakes", "reward", "entropyEstimate", "finalLearningRateFraction", "policyWeightDecay", "rolloutBatches"] { object.removeValue(forKey: key) }
    let older = try RLSynConfiguration.decodeStored(JSONSerialization.data(withJSONObject: object), source: "test")
    #expect(!older.reuseRolloutFakes)
    #expect(older.reward == .probability)
    #expect(older.entropyEstimate == .closedForm)
    #expect(older.finalLearningRateFraction == 1, "files from before the schedule trained at constant rates")
    #expect(older.policyWeightDecay == 0, "files from before the option trained without weight decay")
    #expect(older.rolloutBatches == 1, "files from before the option rolled out one batch")
    #expect(older.ppoEpochs == 3, "fields that are present keep their stored value")
    let roundTrip = try JSONDecoder().decode(RLSynConfiguration.self, from: JSONEncoder().encode(current))
    #expect(roundTrip == current)
  }

  @Test func paperPresetsDrawEveryFakeBatch() {
    #expect(!RLSynConfiguration(preset: .paperSmall).reuseRolloutFakes)
    #expect(!RLSynConfiguration(preset: .paperLarge).reuseRolloutFakes)
    #expect(RLSynConfiguration(preset: .paperSmall).finalLearningRateFraction == 1)
    #expect(RLSynConfiguration(preset: .small).finalLearningRateFraction == 0.3)
    #expect(RLSynConfiguration(preset: .paperSmall).rolloutBatches == 1 && RLSynConfiguration(preset: .paperLarge).rolloutBatches == 1)
    let small = RLSynConfiguration(preset: .small), large = RLSynConfiguration(preset: .large)
    #expect(small.rolloutBatches == 0 && large.rolloutBatches == 0, "chosen by the width")
    #expect(small.rolloutBatches(width: 100) == 2 && large.rolloutBatches(width: 256) == 2 && large.rolloutBatches(width: 1_460) == 1)
    var fixed = small
    fixed.rolloutBatches = 3
    #expect(fixed.rolloutBatches(width: 1_460) == 3)
  }
}

/// The learning-rate schedule: constant for the first half, then linear down to the final fraction.
@Suite struct RLSynLearningRateScheduleTests {
  func trainer(iterations: Int, fraction: Float) throws -> RLSynTrainer {
    var configuration = RLSynConfiguration(preset: .small)
    configuration.iterations = iterations
    configuration.finalLearningRateFraction = fraction
    configuration.batchSize = 4; configuration.policyWidth = 4; configuration.discriminatorWidth = 4
    let layout = RecordLayout(gaussian: 0..<1, bernoulli: 1..<2, categoricalGroups: [])
    let data = Matrix([[0.1, 1], [0.4, 0], [-0.3, 1], [0.2, 0]])
    return try RLSynTrainer(configuration: configuration, layout: layout, data: data, seed: 1)
  }

  @Test func scaleIsFlatThenLinearToTheFraction() throws {
    let t = try trainer(iterations: 100, fraction: 0.3)
    #expect(t.learningRateScale(iteration: 1) == 1)
    #expect(t.learningRateScale(iteration: 50) == 1)
    #expect(isClose(t.learningRateScale(iteration: 75), 0.65, absolute: 1e-6))
    #expect(isClose(t.learningRateScale(iteration: 100), 0.3, absolute: 1e-6))
    let constant = try trainer(iterations: 100, fraction: 1)
    #expect(constant.learningRateScale(iteration: 100) == 1)
  }

  @Test func stepsSetBothOptimizersLearningRates() throws {
    let t = try trainer(iterations: 10, fraction: 0.5)
    for iteration in 1...10 { _ = t.step(TrainingContext(iteration: iteration, threads: 1)) }
    #expect(isClose(t.policyOptimizer.learningRate, t.configuration.policyLearningRate * 0.5, relative: 1e-6))
    #expect(isClose(t.discriminatorOptimizer.learningRate, t.configuration.discriminatorLearningRate * 0.5, relative: 1e-6))
  }

  @Test func policyWeightDecayReachesTheWeightMatricesOnly() throws {
    var configuration = RLSynConfiguration(preset: .small)
    configuration.policyWeightDecay = 0.5
    configuration.batchSize = 4; configuration.policyWidth = 4; configuration.discriminatorWidth = 4
    let layout = RecordLayout(gaussian: 0..<1, bernoulli: 1..<2, categoricalGroups: [])
    let t = try RLSynTrainer(configuration: configuration, layout: layout, data: Matrix([[0.1, 1], [0.4, 0]]), seed: 1)
    let optimizer = t.policyOptimizer
    #expect(optimizer.weightDecay == 0.5)
    let names = optimizer.parameters.map { $0.name ?? "" }
    #expect(names.contains("policy.heads.weight") && names.contains("policy.heads.bias"))
    for (name, decays) in zip(names, optimizer.decaying) { #expect(decays == name.hasSuffix(".weight"), "\(name)") }
    configuration.policyWeightDecay = -1
    #expect(configuration.validationError() != nil)
    configuration.policyWeightDecay = .infinity
    #expect(configuration.validationError() != nil)
  }

  @Test func outOfRangeFractionIsRejected() {
    var configuration = RLSynConfiguration(preset: .small)
    configuration.finalLearningRateFraction = 0
    #expect(configuration.validationError() != nil)
    configuration.finalLearningRateFraction = 1.5
    #expect(configuration.validationError() != nil)
  }
}

/// The mean-matching penalty's scaling past its reference width, so that its weight does not grow with the column count.
@Suite struct RLSynMeanPenaltyWidthTests {
  func penalty(reference: Int) throws -> Float {
    var configuration = RLSynConfiguration(preset: .small)
    configuration.meanPenaltyReferenceWidth = reference
    configuration.batchSize = 4; configuration.policyWidth = 4; configuration.discriminatorWidth = 4
    let layout = RecordLayout(gaussian: 0..<1, bernoulli: 1..<6, categoricalGroups: [])
    let data = Matrix([[0.1, 1, 0, 0, 1, 0], [0.4, 0, 1, 0, 0, 0], [-0.3, 1, 1, 0, 0, 1], [0.2, 0, 0, 1, 0, 0]])
    let t = try RLSynTrainer(configuration: configuration, layout: layout, data: data, seed: 1)
    // Same seed, same initial policy: only the scaling differs between calls.
    let z = Matrix((0..<4).map { r in (0..<configuration.noiseDimension).map { c in Float((r * 7 + c) % 5) / 5 - 0.4 } })
    let out = t.model.policy(Variable(z), records: Matrix(rows: 4, cols: 6))
    let expected = try #require(t.expectedValues(out, presence: Matrix(rows: 4, cols: 1, repeating: 1)))
    return t.meanMatchingPenalty(expected: expected).value.scalarValue
  }

  @Test func sumIsScaledToTheReferenceWidthPastIt() throws {
    let plain = try penalty(reference: 0)
    #expect(plain > 0)
    #expect(try penalty(reference: 6) == plain)          // 6 columns in scope: not past the reference
    #expect(try penalty(reference: 128) == plain)
    #expect(isClose(try penalty(reference: 3), plain * 0.5, relative: 1e-6))
  }

  @Test func defaultsAndOldModelFiles() throws {
    #expect(RLSynConfiguration(preset: .small).meanPenaltyReferenceWidth == 128)
    #expect(RLSynConfiguration(preset: .large).meanPenaltyReferenceWidth == 128)
    var negative = RLSynConfiguration(preset: .small)
    negative.meanPenaltyReferenceWidth = -1
    #expect(negative.validationError() != nil)
    // A configuration stored before the field existed decodes to the plain sum it was trained with.
    var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(RLSynConfiguration(preset: .large))) as? [String: Any])
    #expect(object["meanPenaltyReferenceWidth"] as? Int == 128)
    object["meanPenaltyReferenceWidth"] = nil
    let old = try RLSynConfiguration.decodeStored(JSONSerialization.data(withJSONObject: object), source: "test")
    #expect(old.meanPenaltyReferenceWidth == 0)
  }
}

/// The correlation-matching penalty: second moments of standardised expected values against the training records'.
@Suite struct RLSynCorrelationPenaltyTests {
  let layout = RecordLayout(gaussian: 0..<2, bernoulli: 2..<3, categoricalGroups: [3..<5],
                            missingIndicatorForGaussian: [nil, 2])
  let data = Matrix([[0.5, 0, 0, 1, 0], [-1, 0.3, 0, 0, 1], [1.5, 0, 1, 1, 0], [0.2, -0.4, 0, 0, 1], [-0.7, 0, 1, 1, 0]])

  func trainer() throws -> RLSynTrainer {
    var configuration = RLSynConfiguration(preset: .small)
    configuration.correlationPenalty = 1
    configuration.rolloutBatches = 1
    configuration.batchSize = 4; configuration.policyWidth = 4; configuration.discriminatorWidth = 4
    return try RLSynTrainer(configuration: configuration, layout: layout, data: data, seed: 3)
  }

  @Test func targetHoldsStandardisedMomentsOfPairsFromDifferentSourceColumns() throws {
    let target = try #require(try trainer().correlationPenaltyTarget)
    // Factors: {0}, {1, 2} (a value and its missingness indicator), {3, 4} (one categorical column).
    let expectedMask: [[Float]] = [[0, 1, 1, 1, 1], [1, 0, 0, 1, 1], [1, 0, 0, 1, 1], [1, 1, 1, 0, 0], [1, 1, 1, 0, 0]]
    #expect(target.mask == Matrix(expectedMask))
    #expect(isClose(target.scale, 1 / 5, relative: 1e-6))
    // Columns 0 and 3, by hand: standardise with the population mean and variance, average the products.
    func standardizedColumn(_ c: Int) -> [Float] {
      let x = (0..<data.rows).map { data[$0, c] }
      let mean = x.reduce(0, +) / Float(x.count)
      let sd = (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(x.count)).squareRoot()
      return x.map { ($0 - mean) / sd }
    }
    let moment = zip(standardizedColumn(0), standardizedColumn(3)).map { $0 * $1 }.reduce(0, +) / Float(data.rows)
    #expect(isClose(target.moments[0, 3], moment, absolute: 1e-5))
    #expect(target.moments[3, 4] == 0 && target.moments[1, 2] == 0)
  }

  @Test func penaltyIsZeroAtTheTargetAndPositiveAway() throws {
    let t = try trainer()
    let target = try #require(t.correlationPenaltyTarget)
    func penalty(_ x: Matrix) -> Float {
      correlationPenalty(standardized: t.standardized(Variable(x)), target: target).value.scalarValue
    }
    // The training records in both halves of the batch reproduce the target's moments in each half.
    #expect(Swift.abs(penalty(Matrix.concatenateRows([data, data]))) < 1e-10)
    var shuffled = data
    shuffled[0, 0] = data[1, 0]; shuffled[1, 0] = data[0, 0]   // breaks the pairing of column 0 with the others
    let same = penalty(Matrix.concatenateRows([shuffled, shuffled]))
    #expect(same > 1e-3)
    // The product of the two halves' deviations from the target, by hand; zero when one half is at the target.
    let shuffledMoments = { () -> Matrix in
      let x = t.standardized(Variable(shuffled)).value
      return x.matmul(x, transposeSelf: true) * (1 / Float(x.rows))
    }()
    let deviation = shuffledMoments - target.moments
    let byHand = (deviation * target.mask * deviation).sum() * target.scale
    #expect(isClose(same, byHand, relative: 1e-4))
    #expect(Swift.abs(penalty(Matrix.concatenateRows([data, shuffled]))) < 1e-10, "one half at the target")
  }

  @Test func rolloutGradientIsThePenaltysGradientThroughTheExpectedValues() throws {
    let t = try trainer()
    let (b, presence, penalty, byAutodiff) = try correlationPenaltyByAutodiff(t)
    #expect(penalty != 0)
    #expect(isClose(t.correlationGradients([b], presence: [presence])[0], byAutodiff, absolute: 1e-6, relative: 1e-4))
    // Two minibatches: each gets its rows of the whole rollout's gradient, twice over (one step per minibatch).
    let halves = [0..<2, 2..<4].map { r in
      RLSynTrainer.RolloutBatch(z: Variable(b.z.value.rows(r)), rollout: nil, records: b.records.rows(r), rewards: b.rewards.rows(r),
                                oldLogProbability: b.oldLogProbability.rows(r), advantages: b.advantages.rows(r), perFactor: false)
    }
    let split = t.correlationGradients(halves, presence: [presence.rows(0..<2), presence.rows(2..<4)])
    #expect(isClose(Matrix.concatenateRows(split), byAutodiff * 2, absolute: 1e-6, relative: 1e-4))
  }

  @Test func offByDefaultWidthLimitAndOldModelFiles() throws {
    for preset in [RLSynConfiguration.Preset.small, .large, .paperSmall, .paperLarge] {
      #expect(RLSynConfiguration(preset: preset).correlationPenalty == 0, "an option, off by default")
    }
    var c = RLSynConfiguration(preset: .small)
    c.correlationPenalty = 2
    #expect(c.appliesCorrelationPenalty(width: 256) && !c.appliesCorrelationPenalty(width: 257))
    c.correlationPenaltyMaxWidth = 0
    #expect(c.appliesCorrelationPenalty(width: 1_460))
    c.correlationPenaltyMaxWidth = 4
    c.batchSize = 4; c.policyWidth = 4; c.discriminatorWidth = 4
    // 5 columns > 4: the anchored form by default, none without it.
    #expect(try RLSynTrainer(configuration: c, layout: layout, data: data, seed: 3).correlationPenaltyTarget?.selection != nil)
    c.anchoredCorrelationPenalty = 0
    #expect(try RLSynTrainer(configuration: c, layout: layout, data: data, seed: 3).correlationPenaltyTarget == nil, "5 columns > 4")
    c.correlationPenaltyMaxWidth = -1
    #expect(c.validationError() != nil)
    var negative = RLSynConfiguration(preset: .small)
    negative.correlationPenalty = -1
    #expect(negative.validationError() != nil)
    var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(RLSynConfiguration(preset: .small))) as? [String: Any])
    object["correlationPenalty"] = nil
    let old = try RLSynConfiguration.decodeStored(JSONSerialization.data(withJSONObject: object), source: "test")
    #expect(old.correlationPenalty == 0)
  }
}

/// The correlation penalty's anchored form (wide tables): anchor columns against every column.
@Suite struct RLSynAnchoredCorrelationPenaltyTests {
  // Columns: a Gaussian value (0), three binary codes (1–3; code 3 is constant) and a two-level categorical (4–5).
  let layout = RecordLayout(gaussian: 0..<1, bernoulli: 1..<4, categoricalGroups: [4..<6], missingIndicatorForGaussian: [nil])
  let data = Matrix([[0.5, 1, 0, 0, 1, 0], [-1, 1, 0, 0, 0, 1], [1.5, 0, 1, 0, 1, 0], [0.2, 1, 0, 0, 0, 1],
                     [-0.7, 0, 0, 0, 1, 0], [0.9, 1, 1, 0, 0, 1]])

  func trainer(anchors: Int) throws -> RLSynTrainer {
    var configuration = RLSynConfiguration(preset: .small)
    configuration.anchoredCorrelationPenalty = 1.5
    configuration.correlationPenaltyAnchors = anchors
    configuration.correlationPenaltyMaxWidth = 4   // 6 columns: the anchored form
    configuration.rolloutBatches = 1
    configuration.batchSize = 4; configuration.policyWidth = 4; configuration.discriminatorWidth = 4
    return try RLSynTrainer(configuration: configuration, layout: layout, data: data, seed: 5)
  }

  @Test func anchorsAreTheGaussianColumnsThenTheMostVariableAndNeverAConstant() throws {
    // Variances: code 1 4/6·2/6 = 0.222, code 2 0.222, categorical levels 3/6 · 3/6 = 0.25 each; code 3 constant.
    let two = try #require(try trainer(anchors: 2).correlationPenaltyTarget)
    #expect(two.selection == Matrix([[1, 0], [0, 0], [0, 0], [0, 0], [0, 1], [0, 0]]), "Gaussian, then the first 0.25 level")
    let all = try #require(try trainer(anchors: 10).correlationPenaltyTarget)
    #expect(all.selection!.cols == 5, "the constant code never anchors")
    #expect(all.selection![3, 0] == 0 && all.selection![3, 1] == 0 && all.selection![3, 2] == 0 && all.selection![3, 3] == 0 && all.selection![3, 4] == 0)
    #expect(isClose(all.scale, 1 / 5, relative: 1e-6))
    #expect(all.weight == 1.5)
  }

  @Test func aTableOfConstantsHasNoAnchorsAndNoPenalty() throws {
    var configuration = RLSynConfiguration(preset: .small)
    configuration.correlationPenaltyMaxWidth = 4
    configuration.batchSize = 4; configuration.policyWidth = 4; configuration.discriminatorWidth = 4
    let constant = Matrix([[0.5, 1, 0, 0, 1, 0], [0.5, 1, 0, 0, 1, 0], [0.5, 1, 0, 0, 1, 0]])
    #expect(try RLSynTrainer(configuration: configuration, layout: layout, data: constant, seed: 5).correlationPenaltyTarget == nil)
  }

  @Test func anchoredTargetIsTheFullTargetsAnchorRows() throws {
    let anchored = try #require(try trainer(anchors: 2).correlationPenaltyTarget)
    var configuration = RLSynConfiguration(preset: .small)
    configuration.correlationPenalty = 1; configuration.correlationPenaltyMaxWidth = 0
    configuration.batchSize = 4; configuration.policyWidth = 4; configuration.discriminatorWidth = 4
    let full = try #require(try RLSynTrainer(configuration: configuration, layout: layout, data: data, seed: 5).correlationPenaltyTarget)
    #expect(full.selection == nil)
    for (row, anchor) in [0, 4].enumerated() {
      for k in 0..<6 {
        #expect(isClose(anchored.moments[row, k], full.moments[anchor, k], absolute: 1e-5))
        #expect(anchored.mask[row, k] == full.mask[anchor, k])
      }
    }
    #expect(anchored.mask[1, 5] == 0 && anchored.mask[1, 4] == 0, "a level and its own group")
  }

  @Test func rolloutGradientIsTheAnchoredPenaltysGradient() throws {
    let t = try trainer(anchors: 2)
    let (b, presence, penalty, byAutodiff) = try correlationPenaltyByAutodiff(t)
    #expect(penalty != 0)
    #expect(isClose(t.correlationGradients([b], presence: [presence])[0], byAutodiff, absolute: 1e-6, relative: 1e-4))
  }

  @Test func narrowTablesAndOldFilesAreUnchanged() throws {
    for preset in [RLSynConfiguration.Preset.small, .large, .paperSmall, .paperLarge] {
      let c = RLSynConfiguration(preset: preset)
      #expect(!c.appliesAnchoredCorrelationPenalty(width: 256), "never at or below the full form's width limit")
      let paper = preset == .paperSmall || preset == .paperLarge
      #expect(c.appliesAnchoredCorrelationPenalty(width: 1_460) == !paper, "our presets on wide tables, never the paper's")
    }
    var c = RLSynConfiguration(preset: .small)
    c.anchoredCorrelationPenalty = 1
    #expect(!c.appliesAnchoredCorrelationPenalty(width: 256) && c.appliesAnchoredCorrelationPenalty(width: 257))
    c.correlationPenaltyAnchors = 0
    #expect(!c.appliesAnchoredCorrelationPenalty(width: 1_460))
    c.correlationPenaltyAnchors = -1
    #expect(c.validationError() != nil)
    var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(c)) as? [String: Any])
    object["anchoredCorrelationPenalty"] = nil
    object["correlationPenaltyAnchors"] = nil
    let old = try RLSynConfiguration.decodeStored(JSONSerialization.data(withJSONObject: object), source: "test")
    #expect(old.anchoredCorrelationPenalty == 0 && old.correlationPenaltyAnchors == 32)
  }
}

/// Rollouts of several batches: PPO minibatches over them, and their records reused as discriminator fakes.
@Suite struct RLSynRolloutBatchesTests {
  func trainer(rolloutBatches: Int, steps: Int = 3, seed: UInt64 = 1) throws -> RLSynTrainer {
    var configuration = RLSynConfiguration(preset: .small)
    configuration.iterations = 10
    configuration.rolloutBatches = rolloutBatches
    configuration.discriminatorSteps = steps
    configuration.batchSize = 4; configuration.policyWidth = 4; configuration.discriminatorWidth = 4
    let layout = RecordLayout(gaussian: 0..<1, bernoulli: 1..<2, categoricalGroups: [])
    let data = Matrix([[0.1, 1], [0.4, 0], [-0.3, 1], [0.2, 0], [0.0, 1], [-0.1, 0]])
    return try RLSynTrainer(configuration: configuration, layout: layout, data: data, seed: seed)
  }

  @Test func rolloutHoldsEveryBatchWithAdvantagesNormalisedOverAll() throws {
    let t = try trainer(rolloutBatches: 3)
    let b = t.rollout()
    #expect(b.records.rows == 12 && b.z.value.rows == 12 && b.advantages.rows == 12)
    #expect(abs(b.advantages.mean()) < 1e-4, "normalised over the whole rollout, not per batch")
  }

  @Test func fakesReuseAsManyRolloutBatchesAsThereAreSteps() throws {
    let t = try trainer(rolloutBatches: 2, steps: 3)
    let b = t.rollout()
    let inputs = t.discriminatorInputs(policy: t.online, reusing: b.records)
    #expect(inputs.real.count == 3 && inputs.fake.rows == 12)
    #expect(inputs.fake.rows(0..<8) == b.records, "both rollout batches come first")
    let fewerSteps = try trainer(rolloutBatches: 3, steps: 2)
    let c = fewerSteps.rollout()
    let capped = fewerSteps.discriminatorInputs(policy: fewerSteps.online, reusing: c.records)
    #expect(capped.fake.rows == 8 && capped.fake == c.records.rows(0..<8))
  }

  @Test func eachEpochStepsOncePerBatchAndFitsAreReproducible() throws {
    let t = try trainer(rolloutBatches: 3)
    let before = t.online.parameters.map(\.value)
    _ = t.ppoEpochs(t.rollout())
    #expect(t.policyOptimizer.step == 3 * t.configuration.ppoEpochs)
    #expect(zip(before, t.online.parameters.map(\.value)).contains { $0 != $1 })
    func fitted() throws -> [Matrix] {
      let u = try trainer(rolloutBatches: 3, seed: 9)
      for i in 1...5 { _ = u.step(TrainingContext(iteration: i, threads: 2)) }
      return u.online.parameters.map(\.value) + u.discriminator.parameters.map(\.value)
    }
    #expect(try fitted() == fitted())
  }

  @Test func batchesDrawnOnTwoCoresMatchOneCoreAndKeepTheirOutputs() throws {
    let one = try trainer(rolloutBatches: 3).rollout(threads: 1)
    let two = try trainer(rolloutBatches: 3).rollout(threads: 2)
    #expect(one.records == two.records && one.rewards == two.rewards && one.advantages == two.advantages)
    #expect(one.minibatches.count == 3)
    for (m, part) in one.minibatches.enumerated() {
      let rows = (m * 4)..<((m + 1) * 4)
      #expect(part.records == one.records.rows(rows) && part.advantages == one.advantages.rows(rows))
      let recorded = try #require(part.rollout, "each batch keeps its forward pass (the first PPO step uses the first one)")
      #expect(recorded.value.value.rows == 4)
    }
  }

  @Test func fakesFromTheWeightCopyMatchFakesFromThePolicy() throws {
    let t = try trainer(rolloutBatches: 1, steps: 3)
    t.copyWeights(from: t.online, to: t.fakeSource)
    let pending = t.pendingDiscriminatorInputs(reusing: nil)
    let fromCopy = t.drawFakes(pending, from: t.fakeSource)
    let fromPolicy = t.drawFakes(pending, from: t.online)
    #expect(fromCopy.fake == fromPolicy.fake && fromCopy.fake.rows == 12 && fromCopy.real.count == 3)
  }

  @Test func fitsDoNotDependOnTheThreadCount() throws {
    func fitted(threads: Int) throws -> [Matrix] {
      let u = try trainer(rolloutBatches: 2, seed: 4)
      for i in 1...4 { _ = u.step(TrainingContext(iteration: i, threads: threads)) }
      return u.online.parameters.map(\.value) + u.discriminator.parameters.map(\.value)
    }
    #expect(try fitted(threads: 1) == fitted(threads: 2))
  }
}

/// The paper's (sequential) order on several cores: each step's batch split into row blocks, one per core.
@Suite struct RLSynRowBlockTests {
  func trainer(seed: UInt64 = 2, correlationPenalty: Float = 0) throws -> RLSynTrainer {
    var configuration = RLSynConfiguration(preset: .small)
    configuration.iterations = 10
    configuration.correlationPenalty = correlationPenalty
    configuration.concurrentDiscriminator = false
    configuration.batchSize = 10; configuration.policyWidth = 6; configuration.discriminatorWidth = 5
    configuration.discriminatorSteps = 2; configuration.rolloutBatches = 1
    let layout = RecordLayout(gaussian: 0..<1, bernoulli: 1..<2, categoricalGroups: [2..<4])
    var rng = RandomSource(seed: 11)
    let data = Matrix((0..<30).map { _ -> [Float] in
      let level: Float = rng.uniform() < 0.3 ? 1 : 0
      return [rng.normal() + level, rng.uniform() < 0.6 ? 1 : 0, 1 - level, level]
    })
    return try RLSynTrainer(configuration: configuration, layout: layout, data: data, seed: seed)
  }

  @Test func blockedPPOGradientsMatchTheWholeBatchWithTheMeanPenalty() throws {
    let t = try trainer()
    #expect(t.configuration.meanPenalty > 0)
    let b = t.rollout()
    let presence = t.model.layout.presenceMask(b.records)
    let (surrogate, entropy, whole) = t.ppoGradients(b, presence: presence, blocks: 1)
    for blocks in [2, 3] {
      let blocked = t.ppoGradients(b, presence: presence, blocks: blocks)
      #expect(Swift.abs(blocked.loss - surrogate) < 1e-5 && Swift.abs(blocked.entropy - entropy) < 1e-4)
      for (g, w) in zip(blocked.gradients, whole) { #expect(isClose(g, w, absolute: 1e-5, relative: 1e-4)) }
    }
  }

  @Test func blockedPPOGradientsMatchTheWholeBatchWithTheCorrelationPenalty() throws {
    let t = try trainer(correlationPenalty: 3)
    var b = t.rollout()
    let presence = t.model.layout.presenceMask(b.records)
    b.correlationGradient = t.correlationGradients([b], presence: [presence])[0]
    let whole = t.ppoGradients(b, presence: presence, blocks: 1).gradients
    let without = try trainer(correlationPenalty: 0)
    var plainBatch = b
    plainBatch.correlationGradient = nil
    let plain = without.ppoGradients(plainBatch, presence: presence, blocks: 1).gradients
    #expect(zip(whole, plain).contains { !isClose($0, $1, absolute: 1e-4, relative: 1e-3) }, "the penalty moves the gradient")
    let blocked = t.ppoGradients(b, presence: presence, blocks: 3)
    for (g, w) in zip(blocked.gradients, whole) { #expect(isClose(g, w, absolute: 1e-5, relative: 1e-4)) }
  }

  @Test func blockedDiscriminatorGradientsMatchTheWholeBatch() throws {
    let t = try trainer()
    var rng = RandomSource(seed: 3)
    let real = rng.normalMatrix(rows: 10, cols: 4), fake = rng.normalMatrix(rows: 10, cols: 4)
    for gamma: Float in [0, 5] {
      let (bce, r1, whole) = t.discriminatorGradients(real: real, fake: fake, gamma: gamma, blocks: 1)
      let blocked = t.discriminatorGradients(real: real, fake: fake, gamma: gamma, blocks: 3)
      #expect(Swift.abs(blocked.bce - bce) < 1e-5 && Swift.abs(blocked.r1 - r1) < 1e-5)
      for (g, w) in zip(blocked.gradients, whole) { #expect(isClose(g, w, absolute: 1e-5, relative: 1e-4)) }
    }
  }

  @Test func blocksOnlyOnSeveralCoresAndForBatchesThatGainFromThem() {
    #expect(DataParallel.defaultBlocks(batch: 384, threads: 2) == 2)
    #expect(DataParallel.defaultBlocks(batch: 384, threads: 1) == 1)
    #expect(DataParallel.defaultBlocks(batch: 256, threads: 64) == 8)
    // OpenBLAS's AVX2 kernels' split products beat row blocks above 512 records; with its AVX-512 kernels, BLIS or
    // the Swift GEMM blocks win at any batch.
    #expect(DataParallel.defaultBlocks(batch: 3_840, threads: 2) == (BLAS.isOpenBLAS && !BLAS.usesAVX512Kernels ? 1 : 2))
    #expect(DataParallel.defaultBlocks(batch: 512, threads: 2) == 2)
  }

  @Test func sequentialFitsOnTwoCoresAreReproducible() throws {
    func fitted() throws -> [Matrix] {
      let u = try trainer(seed: 6)
      for i in 1...4 { _ = u.step(TrainingContext(iteration: i, threads: 2)) }
      return u.online.parameters.map(\.value) + u.discriminator.parameters.map(\.value)
    }
    #expect(try fitted() == fitted())
  }
}

/// A rollout of `t` carrying its policy output, its presence mask, and the correlation penalty (times its weight) with
/// its gradient with respect to the expected values, by autodiff.
func correlationPenaltyByAutodiff(_ t: RLSynTrainer) throws -> (batch: RLSynTrainer.RolloutBatch, presence: Matrix, penalty: Float, gradient: Matrix) {
  let target = try #require(t.correlationPenaltyTarget)
  let b = t.rollout()
  let presence = t.model.layout.presenceMask(b.records)
  let out = t.online(b.z, records: b.records)
  let batch = RLSynTrainer.RolloutBatch(z: b.z, rollout: out, records: b.records, rewards: b.rewards, oldLogProbability: b.oldLogProbability,
                                        advantages: b.advantages, perFactor: false)
  let expected = Variable(try #require(t.expectedValues(out, presence: presence)).value, requiresGradient: true)
  let penalty = correlationPenalty(standardized: t.standardized(expected), target: target) * target.weight
  return (batch, presence, penalty.value.scalarValue, gradients(of: penalty, withRespectTo: [expected])[0].value)
}

/// The correlation penalty `s/m · Σ_jk M_jk (S_A − T)_jk (S_B − T)_jk` for standardised expected values `Ẽ`, with `S_A`,
/// `S_B` the second moments of the batch's halves (``RLSynTrainer/correlationGradients(_:presence:)``), as a graph:
/// the trainer only uses its gradient, written by hand, which the tests check against this.
func correlationPenalty(standardized e: Variable, target: RLSynTrainer.CorrelationTarget) -> Variable {
  let halves = RLSynTrainer.correlationHalves(rows: e.rows)
  let a = e.rows(halves.a), b = e.rows(halves.b)
  let selection = target.selection.map { Variable($0) }
  func left(_ x: Variable) -> Variable { selection.map { x.matmul($0) } ?? x }
  let momentsA = left(a).matmul(a, transposeSelf: true) * (1 / Float(halves.a.count))
  let momentsB = left(b).matmul(b, transposeSelf: true) * (1 / Float(halves.b.count))
  let mask = Variable(target.mask), t = Variable(target.moments)
  return ((momentsA - t) * mask * (momentsB - t)).sum() * target.scale
}
