import Testing
import Foundation
import NumericCore
import Autodiff
import NeuralNetworks
@testable import Synthesizers
import TestSupport

/// DP-SGD pieces of the discriminator: per-record gradients of the real records' BCE + R1, clipping, noise.
@Suite struct DiscriminatorPrivacyTests {
  /// The tape's gradient of one real record's loss, `softplus(−D(x)) + γ/2 · ‖∇ₓD(x)‖²` (as in `Discriminator.loss`).
  func tapeGradient(_ d: Discriminator, record: Matrix, gamma: Float) -> [Matrix] {
    let x = Variable(record, requiresGradient: true)
    let logits = d(x)
    var loss = (-logits).softplus().sum()
    if gamma > 0 {
      let gx = gradients(of: logits.sum(), withRespectTo: [x], createGraph: true)[0]
      loss = loss + gx.squared().sum() * (gamma / 2)
    }
    return gradients(of: loss, withRespectTo: d.parameters).map(\.value)
  }

  func norm(_ g: [Matrix]) -> Double { g.reduce(0) { $0 + Double($1.squared().sum()) }.squareRoot() }

  @Test(arguments: [Float(0), 15])
  func perRecordGradientIsTheTapesGradientOfABatchOfOne(gamma: Float) {
    var rng = RandomSource(seed: 21)
    let d = Discriminator(inputs: 9, width: 12, rng: &rng)
    let real = rng.normalMatrix(rows: 10, cols: 9)
    let g = d.perRecordRealGradients(real: real, gamma: gamma)
    let norms = g.norms()
    for i in 0..<10 {
      let expected = tapeGradient(d, record: real.rows(i..<(i + 1)), gamma: gamma)
      for (p, (a, b)) in zip(g.gradient(ofRecord: i), expected).enumerated() {
        #expect(isClose(a, b, absolute: 1e-5, relative: 1e-4), "record \(i), parameter \(p)")
      }
      #expect(isClose(Double(norms[i]), norm(expected), absolute: 1e-6, relative: 1e-4))
    }
  }

  @Test(arguments: [1, 2])
  func eachClippedRecordHasNormAtMostC(blocks: Int) {
    var rng = RandomSource(seed: 22)
    let d = Discriminator(inputs: 30, width: 16, rng: &rng)
    let real = rng.normalMatrix(rows: 64, cols: 30, std: 1.5)
    let gamma: Float = 15
    let perRecord = d.perRecordRealGradients(real: real, gamma: gamma)
    let unclipped = perRecord.norms()
    let clip = unclipped.sorted()[24]  // most records are clipped
    let result = d.privateRealGradients(real: real, gamma: gamma, clipNorm: clip, blocks: blocks)
    #expect(result.norms.count == 64)
    for i in 0..<64 { #expect(isClose(result.norms[i], unclipped[i], absolute: 0, relative: 1e-5)) }
    // Clip each materialised per-record gradient as the sum does; its norm is at most C (equal when it was clipped).
    let scales = PerRecordGradients.clipScales(norms: result.norms, clipNorm: clip)
    var expectedSum = d.parameters.map { Matrix(rows: $0.rows, cols: $0.cols) }
    for i in 0..<64 {
      let clipped = perRecord.gradient(ofRecord: i).map { $0 * scales[i] }
      let n = norm(clipped)
      #expect(n <= Double(clip) * (1 + 1e-4), "record \(i): \(n) > \(clip)")
      if unclipped[i] > clip { #expect(isClose(n, Double(clip), absolute: 0, relative: 1e-4)) }
      for p in expectedSum.indices { expectedSum[p] += clipped[p] }
    }
    #expect(unclipped.filter { $0 > clip }.count == 39)
    for (a, b) in zip(result.clippedSum, expectedSum) { #expect(isClose(a, b, absolute: 1e-4, relative: 1e-4)) }
  }

  @Test(arguments: [(Float(0), 1), (0, 2), (15, 1), (15, 2)])
  func withAHugeClipNormTheStepIsTheOrdinaryGradient(gamma: Float, blocks: Int) {
    var rng = RandomSource(seed: 23)
    let d = Discriminator(inputs: 20, width: 24, rng: &rng)
    let real = rng.normalMatrix(rows: 48, cols: 20), fake = rng.normalMatrix(rows: 40, cols: 20, std: 1.3)
    let (total, bce, r1) = d.loss(real: real, fake: fake, gamma: gamma)
    let ordinary = gradients(of: total, withRespectTo: d.parameters).map(\.value)
    var noise = RandomSource(seed: 1)
    let dp = d.privateGradients(real: real, fake: fake, gamma: gamma, clipNorm: 1e30, noiseMultiplier: 0,
                                realDenominator: 48, rng: &noise, blocks: blocks)
    #expect(isClose(dp.bce, bce, absolute: 1e-5, relative: 1e-5))
    #expect(isClose(dp.r1, r1, absolute: 1e-5, relative: 1e-4))
    for (p, (a, b)) in zip(dp.gradients, ordinary).enumerated() {
      #expect(isClose(a, b, absolute: 1e-5, relative: 1e-4), "parameter \(p): \(worstMismatch(a, b, absolute: 1e-5, relative: 1e-4))")
    }
    // The real part alone: the clipped sum over n is the gradient of the loss's real-record terms.
    let x = Variable(real, requiresGradient: true)
    let logits = d(x)
    var realLoss = (-logits).softplus().mean()
    if gamma > 0 {
      realLoss = realLoss + gradients(of: logits.sum(), withRespectTo: [x], createGraph: true)[0].squared().sum() * (gamma / 96)
    }
    let realPart = d.privateRealGradients(real: real, gamma: gamma, clipNorm: 1e30, blocks: blocks)
    for (a, b) in zip(realPart.clippedSum, gradients(of: realLoss, withRespectTo: d.parameters)) {
      #expect(isClose(a * (1 / 48), b.value, absolute: 1e-5, relative: 1e-4))
    }
  }

  @Test(arguments: [Float(0), 15])
  func theStepIsTheNoisyClippedRealSumOverTheDenominatorPlusTheFakeGradient(gamma: Float) {
    // With clipping active: for γ = 0 the step stacks real and fake records into one batch; it must equal the parts.
    var rng = RandomSource(seed: 26)
    let d = Discriminator(inputs: 14, width: 10, rng: &rng)
    let real = rng.normalMatrix(rows: 33, cols: 14, std: 2), fake = rng.normalMatrix(rows: 30, cols: 14, std: 3)
    let clip = d.perRecordRealGradients(real: real, gamma: gamma).norms().sorted()[10]
    // The fakes' gradients are clipped too (their sum differs from the unclipped one).
    let unclipped = d.fakeGradients(fake: fake).gradients, clippedFakes = d.fakeGradients(fake: fake, clipNorm: clip).gradients
    #expect(zip(unclipped, clippedFakes).contains { !isClose($0, $1, absolute: 1e-6, relative: 1e-4) })
    var r1 = RandomSource(seed: 9), r2 = RandomSource(seed: 9)
    let step = d.privateGradients(real: real, fake: fake, gamma: gamma, clipNorm: clip, noiseMultiplier: 0.8,
                                  realDenominator: 40, rng: &r1, blocks: 2)
    var noise = d.parameters.map { Matrix(rows: $0.rows, cols: $0.cols) }
    Discriminator.addGaussianNoise(to: &noise, noiseMultiplier: 0.8, clipNorm: clip, rng: &r2)
    let realPart = d.privateRealGradients(real: real, gamma: gamma, clipNorm: clip)
    let fakePart = d.fakeGradients(fake: fake, clipNorm: clip)
    #expect(zip(step.norms, realPart.norms).allSatisfy { isClose($0, $1, absolute: 0, relative: 1e-5) })
    for k in noise.indices {
      let expected = (realPart.clippedSum[k] + noise[k]) * (1 / 40) + fakePart.gradients[k]
      #expect(isClose(step.gradients[k], expected, absolute: 1e-5, relative: 1e-4), "parameter \(k)")
    }
    #expect(isClose(step.bce, realPart.bce + fakePart.bce, absolute: 1e-6, relative: 1e-5))
    #expect(isClose(step.r1, realPart.r1, absolute: 1e-6, relative: 1e-5))
  }

  @Test(arguments: [Float(0), 10])
  func noiseOnTheDiscriminatorsGradientHasStandardDeviationSigmaTimesC(gamma: Float) {
    var rng = RandomSource(seed: 24)
    let d = Discriminator(inputs: 100, width: 128, rng: &rng)
    let real = rng.normalMatrix(rows: 16, cols: 100), fake = rng.normalMatrix(rows: 16, cols: 100)
    let sigma: Float = 0.9, clip: Float = 2
    // The noise is what σ > 0 adds to the σ = 0 gradient, times the real denominator.
    var r0 = RandomSource(seed: 5), r1 = RandomSource(seed: 5)
    let quiet = d.privateGradients(real: real, fake: fake, gamma: gamma, clipNorm: clip, noiseMultiplier: 0, realDenominator: 1, rng: &r0)
    let noisy = d.privateGradients(real: real, fake: fake, gamma: gamma, clipNorm: clip, noiseMultiplier: sigma, realDenominator: 1, rng: &r1)
    let values = zip(noisy.gradients, quiet.gradients).flatMap { ($0 - $1).storage }.map(Double.init)
    let mean = values.reduce(0, +) / Double(values.count)
    let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
    #expect(values.count == 100 * 128 + 128 + 128 * 128 + 128 + 128 + 1)
    #expect(Swift.abs(sd / Double(sigma * clip) - 1) < 0.03, "sd \(sd), σC \(sigma * clip)")
    #expect(Swift.abs(mean) < 0.03 * Double(sigma * clip))
  }

  @Test func anEmptyRealBatchContributesOnlyNoise() {
    var rng = RandomSource(seed: 25)
    let d = Discriminator(inputs: 5, width: 6, rng: &rng)
    let result = d.privateRealGradients(real: Matrix(rows: 0, cols: 5), gamma: 10, clipNorm: 1, blocks: 2)
    #expect(result.norms.isEmpty && result.bce == 0 && result.r1 == 0)
    #expect(zip(result.clippedSum, d.parameters).allSatisfy { $0.hasShape(of: $1.value) && $0.storage.allSatisfy { $0 == 0 } })
  }
}
