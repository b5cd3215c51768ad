import Testing
import Foundation
import NumericCore
import Autodiff
import NeuralNetworks
import TestSupport

/// Per-record gradients in closed form (``PerRecordGradients``) against the tape.
@Suite struct PerRecordGradientsTests {
  /// `ℓ_i = softplus(−f_i) + λ‖∇ₓf_i‖²` on the tape, summed over the rows of `x` (double backprop for the penalty).
  func tapeGradients(_ mlp: MLP, _ x: Matrix, penalty: Float) -> [Matrix] {
    let input = Variable(x, requiresGradient: true)
    let f = mlp(input)
    var loss = (-f).softplus().sum()
    if penalty > 0 {
      let gx = gradients(of: f.sum(), withRespectTo: [input], createGraph: true)[0]
      loss = loss + gx.squared().sum() * penalty
    }
    return gradients(of: loss, withRespectTo: mlp.parameters).map(\.value)
  }

  func perRecord(_ mlp: MLP, _ x: Matrix, penalty: Float) -> PerRecordGradients {
    PerRecordGradients(network: mlp, inputs: x, penaltyWeight: penalty) { -(-$0).sigmoid() }
  }

  static let cases: [(sizes: [Int], activation: Activation, penalty: Float)] = [
    ([5, 7, 6, 1], .leakyRelu(slope: 0.2), 0.7),
    ([5, 7, 6, 1], .relu, 1.3),
    ([5, 8, 1], .identity, 0.5),
    ([4, 1], .leakyRelu(slope: 0.2), 2),
    ([5, 7, 6, 1], .leakyRelu(slope: 0.2), 0),
    ([5, 7, 6, 1], .tanh, 0),
    ([5, 6, 1], .sigmoid, 0),
    ([5, 6, 1], .softplus, 0),
  ]

  @Test(arguments: cases.indices)
  func eachRecordsGradientIsTheTapesGradientOfABatchOfOne(index: Int) {
    let (sizes, activation, penalty) = Self.cases[index]
    var rng = RandomSource(seed: UInt64(10 + index))
    let mlp = MLP(sizes: sizes, activation: activation, rng: &rng)
    let x = rng.normalMatrix(rows: 6, cols: sizes[0])
    let g = perRecord(mlp, x, penalty: penalty)
    #expect(g.count == 6 && g.factors.count == mlp.parameters.count)
    #expect(isClose(g.outputs, mlp(Variable(x)).value, absolute: 1e-6, relative: 1e-5))
    for i in 0..<6 {
      let expected = tapeGradients(mlp, x.rows(i..<(i + 1)), penalty: penalty)
      let got = g.gradient(ofRecord: i)
      for (p, (a, b)) in zip(got, expected).enumerated() {
        #expect(isClose(a, b, absolute: 1e-5, relative: 1e-4), "record \(i), parameter \(p): \(worstMismatch(a, b, absolute: 1e-5, relative: 1e-4))")
      }
      let expectedNorm = expected.reduce(0) { $0 + Double($1.squared().sum()) }.squareRoot()
      #expect(isClose(Double(g.norms()[i]), expectedNorm, absolute: 1e-6, relative: 1e-4), "record \(i)")
    }
  }

  @Test func inputGradientNormsAreTheTapes() {
    var rng = RandomSource(seed: 3)
    let mlp = MLP(sizes: [6, 9, 9, 1], activation: .leakyRelu(slope: 0.2), rng: &rng)
    let x = rng.normalMatrix(rows: 8, cols: 6)
    let input = Variable(x, requiresGradient: true)
    let gx = gradients(of: mlp(input).sum(), withRespectTo: [input])[0].value
    let norms = try! #require(perRecord(mlp, x, penalty: 1).inputGradientSquaredNorms)
    for i in 0..<8 { #expect(isClose(norms[i], gx.rows(i..<(i + 1)).squared().sum(), absolute: 1e-6, relative: 1e-4)) }
    #expect(perRecord(mlp, x, penalty: 0).inputGradientSquaredNorms == nil)
  }

  @Test func weightedSumIsTheSumOfWeightedRecords() {
    var rng = RandomSource(seed: 4)
    let mlp = MLP(sizes: [7, 5, 5, 1], activation: .leakyRelu(slope: 0.2), rng: &rng)
    let x = rng.normalMatrix(rows: 9, cols: 7)
    let g = perRecord(mlp, x, penalty: 0.8)
    let w = (0..<9).map { Float($0) * 0.3 - 1 }
    var expected = mlp.parameters.map { Matrix(rows: $0.rows, cols: $0.cols) }
    for i in 0..<9 { for (p, gi) in g.gradient(ofRecord: i).enumerated() { expected[p].add(gi, scaledBy: w[i]) } }
    for (a, b) in zip(g.sum(weights: w), expected) { #expect(isClose(a, b, absolute: 1e-5, relative: 1e-4)) }
  }

  @Test func clippedRecordsHaveNormAtMostC() {
    var rng = RandomSource(seed: 5)
    let mlp = MLP(sizes: [12, 16, 16, 1], activation: .leakyRelu(slope: 0.2), rng: &rng)
    let x = rng.normalMatrix(rows: 40, cols: 12, std: 2)
    let g = perRecord(mlp, x, penalty: 2.5)
    let norms = g.norms()
    let clip = norms.sorted()[20]  // about half the records are clipped
    let scales = PerRecordGradients.clipScales(norms: norms, clipNorm: clip)
    var clipped = 0
    for i in 0..<40 {
      let n = g.gradient(ofRecord: i).reduce(0) { $0 + Double(($1 * scales[i]).squared().sum()) }.squareRoot()
      #expect(n <= Double(clip) * (1 + 1e-4), "record \(i): \(n) > \(clip)")
      if scales[i] < 1 { clipped += 1; #expect(isClose(n, Double(clip), absolute: 0, relative: 1e-4)) }
    }
    #expect(clipped >= 15)
    let (sum, sumNorms) = g.clippedSum(clipNorm: clip)
    #expect(sumNorms == norms)
    for (a, b) in zip(sum, g.sum(weights: scales)) { #expect(a == b) }
  }

  @Test(arguments: [Float(0), 1.5])
  func withAHugeClipNormTheSumIsTheFullBatchGradient(penalty: Float) {
    var rng = RandomSource(seed: 6)
    let mlp = MLP(sizes: [10, 16, 16, 1], activation: .leakyRelu(slope: 0.2), rng: &rng)
    let x = rng.normalMatrix(rows: 32, cols: 10)
    let (sum, _) = perRecord(mlp, x, penalty: penalty).clippedSum(clipNorm: 1e30)
    for (a, b) in zip(sum, tapeGradients(mlp, x, penalty: penalty)) { #expect(isClose(a, b, absolute: 1e-4, relative: 1e-4)) }
  }

  @Test func anEmptyBatchHasZeroSum() {
    var rng = RandomSource(seed: 7)
    let mlp = MLP(sizes: [3, 4, 1], activation: .leakyRelu(slope: 0.2), rng: &rng)
    let g = perRecord(mlp, Matrix(rows: 0, cols: 3), penalty: 1)
    let (sum, norms) = g.clippedSum(clipNorm: 1)
    #expect(norms.isEmpty)
    #expect(zip(sum, mlp.parameters).allSatisfy { $0.hasShape(of: $1.value) && $0.storage.allSatisfy { $0 == 0 } })
  }

  @Test func noiseHasStandardDeviationSigmaTimesC() {
    var rng = RandomSource(seed: 8)
    let shapes = [(100, 128), (1, 128), (128, 128), (1, 128), (128, 1), (1, 1)]
    var noise = shapes.map { Matrix(rows: $0.0, cols: $0.1) }
    let sigma: Float = 1.1, clip: Float = 0.7
    PerRecordGradients.addGaussianNoise(to: &noise, noiseMultiplier: sigma, clipNorm: clip, rng: &rng)
    let values = noise.flatMap(\.storage).map(Double.init)
    let mean = values.reduce(0, +) / Double(values.count)
    let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
    #expect(values.count > 29_000)
    #expect(Swift.abs(sd / Double(sigma * clip) - 1) < 0.03, "sd \(sd), σC \(sigma * clip)")
    #expect(Swift.abs(mean) < 0.03 * Double(sigma * clip))
    // Added to what is there, and reproducible from the seed.
    var again = shapes.map { Matrix(rows: $0.0, cols: $0.1, repeating: 1) }
    var rng2 = RandomSource(seed: 8)
    PerRecordGradients.addGaussianNoise(to: &again, noiseMultiplier: sigma, clipNorm: clip, rng: &rng2)
    for (a, b) in zip(again, noise) { #expect(isClose(a, b + 1, absolute: 1e-6, relative: 0)) }
  }
}
