import Testing
import Foundation
import NumericCore
import Autodiff
@testable import Synthesizers
import TestSupport

@Suite struct NoiseScheduleTests {
  /// β = (0.1, 0.2, 0.3): ᾱ = (1, 0.9, 0.72, 0.504).
  let schedule = NoiseSchedule(betas: [0.1, 0.2, 0.3])

  @Test func alphaBarsAreCumulativeProducts() {
    #expect(schedule.timesteps == 3)
    for (t, expected) in [1.0, 0.9, 0.72, 0.504].enumerated() { #expect(isClose(schedule.alphaBar(t), expected, absolute: 1e-12)) }
  }

  /// t = 2: c₀ = √0.9·0.2/0.28, c_t = √0.8·0.1/0.28, β̃ = 0.2·0.1/0.28; t = 1: x₀ exactly, no variance.
  @Test func posteriorMeanCoefficientsAndVariance() {
    let p2 = schedule.posterior(2)
    #expect(isClose(p2.x0, 0.6776309271789385, absolute: 1e-12))
    #expect(isClose(p2.xt, 0.3194382824999698, absolute: 1e-12))
    #expect(isClose(p2.variance, 0.07142857142857141, absolute: 1e-12))
    let p1 = schedule.posterior(1)
    #expect(isClose(p1.x0, 1, absolute: 1e-12) && Swift.abs(p1.xt) < 1e-12 && Swift.abs(p1.variance) < 1e-12)
  }

  /// T = 2 cosine schedule: β₁ = 1 − f(1)/f(0) with f(t) = cos²((t/2 + 0.008)/1.008 · π/2); β₂ capped at 0.999.
  @Test func cosineAndLinearSchedules() {
    let c = NoiseSchedule(kind: .cosine, timesteps: 2)
    #expect(isClose(c.beta(1), 0.5061564095593623, absolute: 1e-12))
    #expect(c.beta(2) == 0.999)
    #expect(isClose(c.alphaBar(2), 0.0004938435904406382, absolute: 1e-12))
    let long = NoiseSchedule(kind: .cosine, timesteps: 1000)
    #expect(long.alphaBar(1) > 0.9999 && long.alphaBar(1000) < 1e-6)
    #expect(zip(long.alphaBars, long.alphaBars.dropFirst()).allSatisfy { $0 > $1 })
    let linear = NoiseSchedule(kind: .linear, timesteps: 1000)
    #expect(isClose(linear.beta(1), 1e-4, absolute: 1e-15) && isClose(linear.beta(1000), 0.02, absolute: 1e-15))
    let short = NoiseSchedule(kind: .linear, timesteps: 100)
    #expect(isClose(short.beta(1), 1e-3, absolute: 1e-15) && isClose(short.beta(100), 0.2, absolute: 1e-15))
  }

  @Test func forwardProcess() {
    let x0 = Matrix([[1, -1], [2, 0]]), eps = Matrix([[0.5, 0.5], [-1, 1]])
    let xt = schedule.noised(x0, noise: eps, timesteps: [1, 3])
    let a1 = Float(0.9.squareRoot()), s1 = Float(0.1.squareRoot()), a3 = Float(0.504.squareRoot()), s3 = Float(0.496.squareRoot())
    #expect(isClose(xt, Matrix([[a1 + 0.5 * s1, -a1 + 0.5 * s1], [2 * a3 - s3, s3]]), absolute: 1e-6))
  }

  /// x_t = (1, −0.5), ε̂ = (0.2, 0.4), z = (0.3, −1), t = 2:
  /// x̂₀ = (x_t − √0.28 ε̂)/√0.72 = (1.05379, −0.83870); x_{t−1} = c₀x̂₀ + c_t x_t + √β̃ z = (1.11370, −0.99531).
  @Test func oneDenoisingStep() {
    let xt = Matrix([[1, -0.5]]), eps = Matrix([[0.2, 0.4]]), z = Matrix([[0.3, -1]])
    let out = schedule.step(xt, predictedNoise: eps, t: 2, noise: z)
    #expect(isClose(out, Matrix([[1.1136969358507702, -0.995309087233075]]), absolute: 1e-5))
    // The same step written as (x_t − β_t/√(1 − ᾱ_t) ε̂)/√α_t + √β̃_t z.
    let direct = (xt - eps * Float(0.2 / 0.28.squareRoot())) * Float(1 / 0.8.squareRoot()) + z * Float(0.07142857142857141.squareRoot())
    #expect(isClose(out, direct, absolute: 1e-5))
    // The last step adds no noise and returns x̂₀.
    let last = schedule.step(xt, predictedNoise: eps, t: 1, noise: z)
    #expect(isClose(last, Matrix([[0.9874258867227932, -0.6603796100280632]]), absolute: 1e-5))
    // Clipping acts on x̂₀.
    let clipped = schedule.step(xt, predictedNoise: eps, t: 1, noise: nil, clip: 0.5)
    #expect(isClose(clipped, Matrix([[0.5, -0.5]]), absolute: 1e-6))
  }

  @Test func respacingKeepsTheChosenAlphaBars() {
    let r = schedule.respaced([1, 3])
    #expect(r.timesteps == 2)
    #expect(isClose(r.alphaBar(1), 0.9, absolute: 1e-12) && isClose(r.alphaBar(2), 0.504, absolute: 1e-12))
    #expect(isClose(r.beta(2), 0.44, absolute: 1e-12))
    let long = NoiseSchedule(kind: .cosine, timesteps: 1000)
    let steps = long.evenlySpacedSteps(100)
    #expect(steps.count == 100 && steps.first == 1 && steps.last == 1000)
    #expect(long.evenlySpacedSteps(5000).count == 1000)
  }
}

@Suite struct DiffusionPiecesTests {
  @Test func sinusoidalTimeEmbedding() {
    let e = Denoiser.timeEmbedding([0, 1, 100], dimension: 4)
    // Frequencies 1 and 10000^(−1/2) = 0.01.
    #expect(isClose(e, Matrix([[1, 1, 0, 0],
                                [Float(cos(1.0)), Float(cos(0.01)), Float(sin(1.0)), Float(sin(0.01))],
                                [Float(cos(100.0)), Float(cos(1.0)), Float(sin(100.0)), Float(sin(1.0))]]), absolute: 1e-6))
  }

  static let layout = RecordLayout(gaussian: 0..<1, bernoulli: 1..<3, categoricalGroups: [3..<6], missingIndicatorForGaussian: [2])

  @Test func diffusedSpaceAndDecoding() {
    let model = DiffusionModel(configuration: DiffusionConfiguration(), layout: Self.layout, seed: 1)
    let records = Matrix([[0.7, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0]])
    let x = model.toDiffusionSpace(records)
    #expect(x == Matrix([[0.7, 1, -1, -1, 1, -1], [0, -1, 1, 1, -1, -1]]))
    #expect(model.records(fromDiffusionSpace: x) == records)
    // Threshold at 0, argmax per group, missing Gaussian value zeroed.
    let noisy = Matrix([[1.5, 0.1, -0.2, 0.3, 0.9, -2], [-0.4, -0.1, 0.05, -1, -0.5, -0.7]])
    #expect(model.records(fromDiffusionSpace: noisy) == Matrix([[1.5, 1, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0]]))
  }

  @Test func lossIsTheNoisePredictionError() {
    var rng = RandomSource(seed: 2)
    let model = DiffusionModel(configuration: DiffusionConfiguration(), layout: Self.layout, seed: 1)
    let x0 = rng.normalMatrix(rows: 4, cols: 6), eps = rng.normalMatrix(rows: 4, cols: 6)
    let t = [1, 10, 500, 1000]
    let loss = DiffusionTrainer.loss(denoiser: model.denoiser, schedule: model.schedule, x0: x0, timesteps: t, noise: eps)
    let predicted = model.denoiser(Variable(model.schedule.noised(x0, noise: eps, timesteps: t)), timesteps: t).value
    #expect(isClose(loss.value.scalarValue, (predicted - eps).squared().mean(), absolute: 1e-6))
  }

  /// On two cores each step splits its batch into two row blocks; the loss must be the whole batch's.
  @Test func rowBlockStepsMatchTheWholeBatch() throws {
    let (data, layout, cfg) = tinyDiffusionSetup(batchSize: 33, depth: 2)
    let whole = try DiffusionTrainer(configuration: cfg, layout: layout, data: data, seed: 9)
    let blocked = try DiffusionTrainer(configuration: cfg, layout: layout, data: data, seed: 9)
    for iteration in 1...3 {
      let a = whole.step(TrainingContext(iteration: iteration, threads: 1)).loss
      let b = blocked.step(TrainingContext(iteration: iteration, threads: 2)).loss
      #expect(isClose(a, b, absolute: 1e-6, relative: iteration == 1 ? 1e-5 : 1e-3), "iteration \(iteration): \(a) vs \(b)")
    }
    for (p, q) in zip(whole.trainedParameters, blocked.trainedParameters) {
      #expect(isClose(p.value, q.value, absolute: 6 * cfg.learningRate, relative: 0), "\(p.name ?? "")")
    }
  }

  @Test func sameSeedSameParametersAndSamples() throws {
    var (data, layout, cfg) = tinyDiffusionSetup(batchSize: 32, depth: 1)
    cfg.iterations = 3
    var runs: [[Matrix]] = [], samples: [Matrix] = []
    for _ in 0..<2 {
      let t = try DiffusionTrainer(configuration: cfg, layout: layout, data: data, seed: 9)
      try t.train()
      runs.append(t.model.parameters.map(\.value))
      var rng = RandomSource(seed: 4)
      samples.append(t.model.generate(rows: 10, rng: &rng))
    }
    #expect(runs[0] == runs[1])
    #expect(samples[0] == samples[1])
  }

  @Test func invalidConfigurationIsRejected() {
    var cfg = DiffusionConfiguration()
    cfg.samplingSteps = cfg.timesteps + 1
    let layout = RecordLayout(gaussian: 0..<2, bernoulli: 2..<3, categoricalGroups: [])
    #expect(throws: TrainingError.self) { try DiffusionTrainer(configuration: cfg, layout: layout, data: correlatedTable(rows: 10, seed: 1), seed: 0) }
  }
}

@Suite struct DiffusionRecoveryTests {
  /// Two correlated Gaussians and a dependent binary column (the RLSyn recovery target), same tolerances.
  @Test func recoversMeansCorrelationAndConditionalRate() throws {
    let data = correlatedTable(rows: 2000, seed: 1)
    let layout = RecordLayout(gaussian: 0..<2, bernoulli: 2..<3, categoricalGroups: [])
    var cfg = DiffusionConfiguration(rows: data.rows)
    cfg.iterations = 800
    cfg.batchSize = 128
    cfg.width = 64
    cfg.depth = 2
    cfg.timesteps = 200
    cfg.samplingSteps = 50
    let trainer = try DiffusionTrainer(configuration: cfg, layout: layout, data: data, seed: 7)
    try trainer.train()
    var rng = RandomSource(seed: 3)
    let synthetic = trainer.model.generate(rows: 4000, rng: &rng)
    let real = TableSummary(data), syn = TableSummary(synthetic)
    print("diffusion: real", real, "synthetic", syn)
    #expect(Swift.abs(syn.meanA - real.meanA) < 0.15)
    #expect(Swift.abs(syn.meanB - real.meanB) < 0.15)
    #expect(Swift.abs(syn.correlation - real.correlation) < 0.2, "correlation \(syn.correlation) vs \(real.correlation)")
    #expect(Swift.abs(syn.rateGivenPositive - real.rateGivenPositive) < 0.15, "P(y|a>0) \(syn.rateGivenPositive) vs \(real.rateGivenPositive)")
    #expect(Swift.abs(syn.rateGivenNegative - real.rateGivenNegative) < 0.15, "P(y|a≤0) \(syn.rateGivenNegative) vs \(real.rateGivenNegative)")
  }
}

/// The denoiser's per-column input skip, on by default past 256 encoded columns.
@Suite struct DiffusionColumnSkipTests {
  @Test func theSkipAddsATimeDependentMultipleOfEachColumnsInput() {
    var a = RandomSource(seed: 3), b = RandomSource(seed: 3), rng = RandomSource(seed: 4)
    let plain = Denoiser(recordWidth: 5, width: 8, depth: 1, timeEmbeddingDimension: 4, rng: &a)
    let skip = Denoiser(recordWidth: 5, width: 8, depth: 1, timeEmbeddingDimension: 4, columnSkip: true, rng: &b)
    #expect(skip.parameters.count == plain.parameters.count + 2)
    let x = rng.normalMatrix(rows: 3, cols: 5), t = [1, 40, 900]
    // Same weights up to the skip (it is drawn last), so the difference is g(t) ⊙ x: zero at x = 0, odd in x.
    let zero = Matrix(rows: 3, cols: 5)
    #expect(maxAbsDifference(skip(Variable(zero), timesteps: t).value, plain(Variable(zero), timesteps: t).value) < 1e-6)
    let difference = skip(Variable(x), timesteps: t).value - plain(Variable(x), timesteps: t).value
    let gains = skip.columnGain!(Variable(skipActivation(skip, t))).value
    #expect(maxAbsDifference(difference, gains * x) < 1e-5)
    #expect(maxAbs(difference) > 1e-3)
  }

  func skipActivation(_ d: Denoiser, _ t: [Int]) -> Matrix {
    let e = d.time1(Variable(Denoiser.timeEmbedding(t, dimension: d.timeEmbeddingDimension))).value
    return e * e.map { 1 / (1 + Foundation.exp(-$0)) }
  }

  func maxAbs(_ m: Matrix) -> Float { m.storage.map { Swift.abs($0) }.max() ?? 0 }
  func maxAbsDifference(_ a: Matrix, _ b: Matrix) -> Float { maxAbs(a - b) }

  @Test func onlyPastTheWidthLimitAndNeverForOldModelFiles() throws {
    let cfg = DiffusionConfiguration()
    #expect(!cfg.appliesColumnSkip(width: 256) && cfg.appliesColumnSkip(width: 257))
    var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(cfg)) as! [String: Any]
    #expect(json["columnSkipMinWidth"] as? Int == 256)
    json["columnSkipMinWidth"] = nil
    let old = try DiffusionConfiguration.decodeStored(JSONSerialization.data(withJSONObject: json), source: "test")
    #expect(!old.appliesColumnSkip(width: 100_000))
    #expect(try JSONDecoder().decode(DiffusionConfiguration.self, from: JSONEncoder().encode(cfg)) == cfg)
  }

  /// 300 sparse binary columns (prevalence 2–10 %) beside two Gaussians: without the skip the samples' codes come
  /// out near 50 % (checked: error 0.44); with it they keep the right order of magnitude (rare codes still come out
  /// too rare: 1.5 % against 6 %, as on the MIMIC-shaped table).
  @Test func aWideSparseTableKeepsItsPrevalences() throws {
    var rng = RandomSource(seed: 11)
    let rows = 1_500, codes = 300
    let prevalence = (0..<codes).map { 0.02 + 0.08 * Float($0) / Float(codes - 1) }
    var data = Matrix(rows: rows, cols: 2 + codes)
    for i in 0..<rows {
      data[i, 0] = rng.normal(); data[i, 1] = rng.normal()
      for j in 0..<codes where Float(rng.uniformDouble()) < prevalence[j] { data[i, 2 + j] = 1 }
    }
    let layout = RecordLayout(gaussian: 0..<2, bernoulli: 2..<(2 + codes), categoricalGroups: [])
    var cfg = DiffusionConfiguration(rows: rows)
    cfg.iterations = 600; cfg.batchSize = 128; cfg.width = 32; cfg.depth = 1; cfg.timesteps = 100; cfg.samplingSteps = 20
    let trainer = try DiffusionTrainer(configuration: cfg, layout: layout, data: data, seed: 2)
    try trainer.train()
    var sampling = RandomSource(seed: 5)
    let synthetic = trainer.model.generate(rows: 2_000, rng: &sampling)
    let real = data.meanOverRows(), fake = synthetic.meanOverRows()
    let error = (2..<(2 + codes)).map { Swift.abs(real[0, $0] - fake[0, $0]) }.reduce(0, +) / Float(codes)
    print("prevalence: real", real.storage[2...].reduce(0, +) / Float(codes), "synthetic", fake.storage[2...].reduce(0, +) / Float(codes), "error", error)
    #expect(error < 0.1, "mean absolute prevalence error \(error)")   // 0.046 with the skip, 0.44 without
  }
}

/// 200 records of the correlated table, its layout, and a small, fast diffusion configuration (width 16, 20 steps).
private func tinyDiffusionSetup(batchSize: Int, depth: Int) -> (Matrix, RecordLayout, DiffusionConfiguration) {
  var cfg = DiffusionConfiguration()
  cfg.batchSize = batchSize
  cfg.width = 16
  cfg.depth = depth
  cfg.timesteps = 20
  cfg.samplingSteps = 5
  return (correlatedTable(rows: 200, seed: 2), RecordLayout(gaussian: 0..<2, bernoulli: 2..<3, categoricalGroups: []), cfg)
}
