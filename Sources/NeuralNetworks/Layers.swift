//===----------------------------------------------------------------------===//
// Layers: Linear and a multilayer perceptron builder.
//===----------------------------------------------------------------------===//

import NumericCore
import Autodiff

/// Anything with trainable parameters.
public protocol ParameterContainer: AnyObject {
  /// Trainable parameters in a stable order (the order used by optimisers and saved files).
  var parameters: [Variable] { get }
}

/// A layer maps one batch (rows = records) to another.
public protocol Layer: ParameterContainer {
  func callAsFunction(_ input: Variable) -> Variable
}

/// A fully connected layer `y = x · W + b`.
///
/// Shapes: `x` is `batch × inputs`, `W` is `inputs × outputs`, `b` is `1 × outputs`.
/// Initialisation follows PyTorch's `nn.Linear` default: `W` and `b` are drawn from
/// `U(−1/√inputs, 1/√inputs)` (Kaiming-uniform with `a = √5`), so scales match the
/// reference implementation's hyperparameters.
public final class Linear: Layer {
  /// `inputs × outputs` weight.
  public let weight: Variable
  /// `1 × outputs` bias.
  public let bias: Variable

  /// Creates a layer with PyTorch-default initialisation from `rng`.
  public init(_ inputs: Int, _ outputs: Int, rng: inout RandomSource, name: String = "linear") {
    let bound = 1 / Float(inputs).squareRoot()
    weight = Variable(rng.uniformMatrix(rows: inputs, cols: outputs, lower: -bound, upper: bound), requiresGradient: true, name: "\(name).weight")
    bias = Variable(rng.uniformMatrix(rows: 1, cols: outputs, lower: -bound, upper: bound), requiresGradient: true, name: "\(name).bias")
  }

  /// Number of input features.
  public var inputCount: Int { weight.rows }
  /// Number of output features.
  public var outputCount: Int { weight.cols }

  public var parameters: [Variable] { [weight, bias] }

  public func callAsFunction(_ input: Variable) -> Variable { Variable.affine(input, weight, bias) }

  /// `activation(x · W + b)`, fused into one pass over the output for ReLU and leaky ReLU with a slope ≥ 0
  /// (``Autodiff/Variable/affine(_:_:_:leakyReluSlope:)``), else the layer followed by the activation.
  public func callAsFunction(_ input: Variable, activation: Activation) -> Variable {
    switch activation {
    case .relu: Variable.affine(input, weight, bias, leakyReluSlope: 0)
    case .leakyRelu(let slope) where slope >= 0: Variable.affine(input, weight, bias, leakyReluSlope: slope)
    default: activation(self(input))
    }
  }
}

/// Element-wise non-linearities for ``MLP``.
public enum Activation: Sendable, Equatable, Codable {
  case identity, relu, tanh, sigmoid, softplus
  case leakyRelu(slope: Float)

  /// Applies the activation.
  public func callAsFunction(_ x: Variable) -> Variable {
    switch self {
    case .identity: x
    case .relu: x.relu()
    case .tanh: x.tanh()
    case .sigmoid: x.sigmoid()
    case .softplus: x.softplus()
    case .leakyRelu(let slope): x.leakyRelu(slope: slope)
    }
  }
}

/// A multilayer perceptron: `Linear → activation → … → Linear → outputActivation`.
public final class MLP: Layer {
  /// The linear layers, input to output.
  public let layers: [Linear]
  /// Activation after every hidden layer.
  public let activation: Activation
  /// Activation after the last layer (identity by default).
  public let outputActivation: Activation

  /// - Parameter sizes: widths from input to output, e.g. `[100, 256, 256, 100]` (at least two).
  public init(sizes: [Int], activation: Activation = .relu, outputActivation: Activation = .identity, rng: inout RandomSource, name: String = "mlp") {
    precondition(sizes.count >= 2, "MLP needs at least input and output sizes")
    var layers: [Linear] = []
    for i in 0..<(sizes.count - 1) {
      layers.append(Linear(sizes[i], sizes[i + 1], rng: &rng, name: "\(name).\(i)"))
    }
    self.layers = layers
    self.activation = activation
    self.outputActivation = outputActivation
  }

  public var parameters: [Variable] { layers.flatMap(\.parameters) }

  public func callAsFunction(_ input: Variable) -> Variable {
    var h = input
    for (i, layer) in layers.enumerated() {
      h = layer(h, activation: i == layers.count - 1 ? outputActivation : activation)
    }
    return h
  }
}
