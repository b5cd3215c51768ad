import Testing
import Foundation
import NumericCore
import Autodiff
import NeuralNetworks
import TestSupport

@Suite struct LayerTests {
  @Test func linearInitialisationBoundsAndShapes() {
    var rng = RandomSource(seed: 1)
    let layer = Linear(64, 10, rng: &rng)
    let bound: Float = 1 / 8
    #expect(layer.weight.rows == 64 && layer.weight.cols == 10)
    #expect(layer.bias.rows == 1 && layer.bias.cols == 10)
    #expect(layer.weight.value.storage.allSatisfy { Swift.abs($0) <= bound })
    #expect(layer.weight.value.storage.contains { Swift.abs($0) > bound / 2 })
    let y = layer(Variable(Matrix(rows: 3, cols: 64, repeating: 1)))
    #expect(y.rows == 3 && y.cols == 10)
    // y = 1·W summed over inputs + b
    let expected = layer.weight.value.sumOverRows() + layer.bias.value
    #expect(isClose(y.value.rows(0..<1), expected, absolute: 1e-5))
  }

  @Test func mlpForwardMatchesManualComposition() {
    var rng = RandomSource(seed: 2)
    let mlp = MLP(sizes: [4, 6, 3], activation: .leakyRelu(slope: 0.2), outputActivation: .sigmoid, rng: &rng)
    let x = rng.normalMatrix(rows: 5, cols: 4)
    let manual = ((x.matmul(mlp.layers[0].weight.value) + mlp.layers[0].bias.value).leakyRelu(slope: 0.2)
      .matmul(mlp.layers[1].weight.value) + mlp.layers[1].bias.value).sigmoid()
    #expect(isClose(mlp(Variable(x)).value, manual))
    #expect(mlp.parameters.count == 4)
  }

  @Test func sameSeedSameWeights() {
    var r1 = RandomSource(seed: 3), r2 = RandomSource(seed: 3)
    let a = MLP(sizes: [5, 7, 2], rng: &r1), b = MLP(sizes: [5, 7, 2], rng: &r2)
    #expect(a.parameters.map(\.value) == b.parameters.map(\.value))
  }
}

@Suite struct LossTests {
  @Test func bceWithLogitsMatchesDefinitionAndIsStable() {
    let z = Matrix([[-3, 0.5, 2, 40, -40]])
    let t = Matrix([[0, 1, 1, 0, 1]])
    let got = Loss.binaryCrossEntropy(logits: Variable(z), targets: Variable(t)).value.scalarValue
    var expected: Double = 0
    for i in 0..<5 {
      let zi = Double(z.storage[i]), ti = Double(t.storage[i])
      expected += Swift.max(zi, 0) - zi * ti + Foundation.log(1 + Foundation.exp(-Swift.abs(zi)))
    }
    expected /= 5
    #expect(isClose(Double(got), expected, absolute: 1e-5, relative: 1e-5))
    #expect(got.isFinite)
  }

  @Test func mse() {
    let v = Loss.meanSquaredError(Variable(Matrix([[1, 2], [3, 4]])), Variable(Matrix([[1, 0], [0, 4]]))).value.scalarValue
    #expect(v == Float(0 + 4 + 9 + 0) / 4)
  }
}

@Suite struct AdamTests {
  @Test func firstStepMovesByLearningRateTimesSign() {
    // After one step m̂ = g and v̂ = g², so Δθ = −lr·g/(|g|+ε) ≈ −lr·sign(g).
    let p = Variable(Matrix([[1, -2, 3]]), requiresGradient: true)
    let adam = Adam(parameters: [p], learningRate: 0.1)
    adam.update([Matrix([[0.5, -4, 1e-3]])])
    #expect(isClose(p.value, Matrix([[0.9, -1.9, 2.9]]), absolute: 1e-4))
  }

  @Test func secondStepMatchesHandComputation() {
    let p = Variable(Matrix([[0]]), requiresGradient: true)
    let adam = Adam(parameters: [p], learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
    adam.update([Matrix([[1]])])
    adam.update([Matrix([[3]])])
    // m = 0.9·0.1 + 0.1·3 = 0.39, v = 0.999·0.001 + 0.001·9 = 0.009999; m̂ = 0.39/0.19, v̂ = 0.009999/0.001999
    let m̂ = 0.39 / 0.19, v̂ = 0.009999 / (1 - 0.999 * 0.999)
    let expected = -0.01 - 0.01 * m̂ / (v̂.squareRoot() + 1e-8)
    #expect(isClose(Double(p.value.scalarValue), expected, absolute: 1e-6, relative: 1e-4))
  }

  @Test func gradientClippingAndWeightDecay() {
    let p = Variable(Matrix([[2, 2]]), requiresGradient: true)
    let adam = Adam(parameters: [p], learningRate: 0.1, weightDecay: 0.5, maxGradientNorm: 1)
    // Clipping scales both elements equally, so the first step is still −lr·sign(g) each; decay first removes lr·λ·θ = 0.1.
    adam.update([Matrix([[30, -40]])])
    #expect(isClose(p.value, Matrix([[2 - 0.1 - 0.1, 2 - 0.1 + 0.1]]), absolute: 1e-4))
    #expect(isClose(Adam.globalNorm([Matrix([[3, 4]])]), 5))
  }

  @Test func weightDecayOnlyWhereTheMaskSaysSo() {
    let weight = Variable(Matrix([[2, -2]]), requiresGradient: true), bias = Variable(Matrix([[2]]), requiresGradient: true)
    let adam = Adam(parameters: [weight, bias], learningRate: 0.1, weightDecay: 0.5, decaying: [true, false])
    // Zero gradients: Adam's own step is 0, so only the decay moves the weights, by the factor 1 − lr·λ = 0.95.
    adam.update([Matrix([[0, 0]]), Matrix([[0]])])
    #expect(isClose(weight.value, Matrix([[1.9, -1.9]]), absolute: 1e-6))
    #expect(bias.value.scalarValue == 2)
  }

  @Test func trainsAnMLPOnARegressionTask() {
    var rng = RandomSource(seed: 5)
    let x = rng.normalMatrix(rows: 256, cols: 3)
    let y = (x.columns(0..<1) * x.columns(1..<2)).tanh() + x.columns(2..<3) * 0.5
    let mlp = MLP(sizes: [3, 32, 32, 1], activation: .relu, rng: &rng)
    let adam = Adam(parameters: mlp.parameters, learningRate: 1e-2)
    let initial = Loss.meanSquaredError(mlp(Variable(x)), Variable(y)).value.scalarValue
    var last: Float = 0
    for _ in 0..<300 { last = adam.minimize(Loss.meanSquaredError(mlp(Variable(x)), Variable(y))) }
    #expect(last < initial * 0.1, "loss \(initial) → \(last)")
  }
}

@Suite struct ParameterArchiveTests {
  func sample() -> ParameterArchive {
    var rng = RandomSource(seed: 7)
    var odd = rng.normalMatrix(rows: 3, cols: 5)
    odd.storage[0] = -0.0
    odd.storage[1] = .leastNonzeroMagnitude
    odd.storage[2] = .greatestFiniteMagnitude
    return ParameterArchive(metadata: Data("{\"kind\":\"test\"}".utf8), tensors: [("a.weight", odd), ("b", Matrix(rows: 1, cols: 1, repeating: 3)), ("empty", Matrix(rows: 0, cols: 4))])
  }

  @Test func roundTripIsBitExact() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let url = dir.appendingPathComponent("p.bin")
    let archive = sample()
    try archive.write(to: url)
    let back = try ParameterArchive.read(from: url)
    #expect(back.metadata == archive.metadata)
    #expect(back.tensors.map(\.name) == archive.tensors.map(\.name))
    for (a, b) in zip(archive.tensors, back.tensors) {
      #expect(a.value.rows == b.value.rows && a.value.cols == b.value.cols)
      #expect(a.value.storage.map(\.bitPattern) == b.value.storage.map(\.bitPattern))
    }
    // No temporary files are left next to the output.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["p.bin"])
  }

  @Test func writingOverAnExistingFileReplacesIt() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let url = dir.appendingPathComponent("p.bin")
    try ParameterArchive(metadata: Data("old".utf8)).write(to: url)
    try sample().write(to: url)
    #expect(try ParameterArchive.read(from: url).metadata == sample().metadata)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["p.bin"])
  }

  @Test func everyFlippedByteIsRejected() throws {
    let bytes = [UInt8](sample().serialized())
    for i in stride(from: 0, to: bytes.count, by: 1) {
      var corrupt = bytes
      corrupt[i] ^= 0x5A
      #expect(throws: ParameterArchive.ReadError.self, "byte \(i)") { try ParameterArchive(data: Data(corrupt), source: "x.rlsyn") }
    }
  }

  @Test func truncationIsRejectedAtEveryLength() throws {
    let bytes = [UInt8](sample().serialized())
    for n in 0..<bytes.count {
      #expect(throws: ParameterArchive.ReadError.self, "length \(n)") { try ParameterArchive(data: Data(bytes[0..<n]), source: "x.rlsyn") }
    }
  }

  @Test func otherVersionIsRejectedWithAClearMessage() throws {
    var bytes = [UInt8](sample().serialized())
    bytes[8] = 2
    do {
      _ = try ParameterArchive(data: Data(bytes), source: "m.rlsyn")
      Issue.record("accepted a version-2 file")
    } catch let e as ParameterArchive.ReadError {
      #expect(e.description.contains("m.rlsyn"))
      #expect(e.description.contains("version 2"))
    }
  }

  @Test func loadIntoParametersChecksNamesAndShapes() throws {
    var rng = RandomSource(seed: 8)
    let mlp = MLP(sizes: [3, 4, 2], rng: &rng, name: "g")
    let archive = ParameterArchive(parameters: mlp.parameters)
    var rng2 = RandomSource(seed: 9)
    let other = MLP(sizes: [3, 4, 2], rng: &rng2, name: "g")
    try archive.load(into: other.parameters)
    #expect(other.parameters.map(\.value) == mlp.parameters.map(\.value))
    let wrongShape = MLP(sizes: [3, 5, 2], rng: &rng2, name: "g")
    #expect(throws: ParameterArchive.ReadError.self) { try archive.load(into: wrongShape.parameters) }
    // A stored tensor the model does not have (an autoregressive policy's feedback map read into a plain one).
    let smaller = MLP(sizes: [3, 4], rng: &rng2, name: "g")
    #expect(throws: ParameterArchive.ReadError.self) { try archive.load(into: smaller.parameters) }
  }
}

/// A step's batch split into row blocks on separate workers gives the full batch's loss and gradients.
@Suite struct DataParallelTests {
  @Test func rowBlocksCoverTheRowsInOrder() {
    #expect(DataParallel.rowBlocks(rows: 10, blocks: 3) == [0..<4, 4..<7, 7..<10])
    #expect(DataParallel.rowBlocks(rows: 2, blocks: 4) == [0..<1, 1..<2])
    #expect(DataParallel.rowBlocks(rows: 0, blocks: 2) == [0..<0])
  }

  @Test func blockedGradientsMatchTheWholeBatchAndNotTheCoreCount() {
    var rng = RandomSource(seed: 5)
    let mlp = MLP(sizes: [7, 16, 3], activation: .relu, rng: &rng)
    let x = rng.normalMatrix(rows: 33, cols: 7), y = rng.normalMatrix(rows: 33, cols: 3)
    let whole = valueAndGradients(at: mlp.parameters) { Loss.meanSquaredError(mlp(Variable(x)), Variable(y)) }
    let ranges = DataParallel.rowBlocks(rows: 33, blocks: 3)
    func blocked(threads: Int) -> (value: Float, gradients: [Matrix]) {
      DataParallel.valueAndGradients(at: mlp.parameters, blocks: 3, threads: threads) { i in
        Loss.meanSquaredError(mlp(Variable(x.rows(ranges[i]))), Variable(y.rows(ranges[i]))) * (Float(ranges[i].count) / 33)
      }
    }
    let one = blocked(threads: 1), two = blocked(threads: 2)
    #expect(Swift.abs(one.value - whole.value) < 1e-5 * Swift.max(1, whole.value))
    for (g, w) in zip(one.gradients, whole.gradients) { #expect(isClose(g, w, absolute: 1e-5)) }
    #expect(one.value == two.value && one.gradients == two.gradients, "blocks are added in order whatever ran them")
  }
}
