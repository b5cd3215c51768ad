//===----------------------------------------------------------------------===//
// Autodiff: reverse-mode differentiation over Matrix values, with double backprop.
//===----------------------------------------------------------------------===//

import NumericCore

/// A node of a computation graph: a matrix value plus how to send gradients to its inputs.
///
/// Graphs are built by running ordinary code on variables (define-by-run); nothing is
/// global. A variable created with `requiresGradient: true` is a leaf that gradients can be
/// taken with respect to (a model parameter, or an input for a gradient penalty); every
/// result of an operation on such a variable records its inputs and a backward rule.
/// Results computed only from constants record nothing, so inference builds no graph.
///
/// Backward rules are themselves written with differentiable operations. When
/// ``gradients(of:withRespectTo:seed:createGraph:)`` is called with `createGraph: true`
/// the gradients are variables connected to the original graph and can be
/// differentiated again (second derivatives, e.g. the R1 penalty's parameter gradient).
public final class Variable {
  /// The current value. Optimisers update parameters in place through this property.
  public var value: Matrix
  /// Whether gradients flow to or through this variable.
  public let requiresGradient: Bool
  /// Inputs of the operation that produced this variable (empty for leaves and constants).
  @usableFromInline let inputs: [Variable]
  /// Maps the gradient of this variable to gradients of `inputs` (nil = no gradient to that input).
  /// Receives the upstream gradient, the inputs and this variable itself (so rules can reuse the output).
  @usableFromInline let backward: BackwardRule?
  /// An optional name (parameters), used in saved files and error messages.
  public var name: String?

  /// `(upstream, inputs, output) -> gradient per input`.
  public typealias BackwardRule = (_ upstream: Variable, _ inputs: [Variable], _ output: Variable) -> [Variable?]

  /// A leaf: a constant (`requiresGradient: false`) or a differentiable input/parameter.
  public init(_ value: Matrix, requiresGradient: Bool = false, name: String? = nil) {
    self.value = value
    self.requiresGradient = requiresGradient
    self.inputs = []
    self.backward = nil
    self.name = name
  }

  /// The result of an operation. Records `inputs` and `backward` only when some input requires gradients.
  @inlinable
  public init(operationResult value: Matrix, inputs: [Variable], backward: @escaping BackwardRule) {
    self.value = value
    self.name = nil
    if inputs.contains(where: { $0.requiresGradient }) {
      self.requiresGradient = true
      self.inputs = inputs
      self.backward = backward
    } else {
      self.requiresGradient = false
      self.inputs = []
      self.backward = nil
    }
  }

  /// A constant holding `value` (no gradient).
  @inlinable public static func constant(_ value: Matrix) -> Variable { Variable(value) }

  /// A `1 × 1` constant.
  @inlinable public static func scalar(_ value: Float) -> Variable { Variable(.scalar(value)) }

  /// The same value, cut off from the graph (`stop_gradient`).
  @inlinable public func detached() -> Variable { Variable(value) }

  /// Number of rows of the value.
  @inlinable public var rows: Int { value.rows }
  /// Number of columns of the value.
  @inlinable public var cols: Int { value.cols }
  /// Whether this is a leaf (no recorded operation).
  public var isLeaf: Bool { backward == nil }
}

/// Gradients of a scalar (or seeded) variable with respect to `targets`.
///
/// - Parameters:
///   - output: the variable to differentiate; must be `1 × 1` unless `seed` is given.
///   - targets: variables to differentiate with respect to (leaves or intermediate results).
///   - seed: the upstream gradient of `output` (defaults to a `1 × 1` one).
///   - createGraph: when `true`, the returned gradients are connected to the graph and can be
///     differentiated again; when `false` they are constants and no extra graph is built.
/// - Returns: one gradient per target, a zero matrix of the target's shape where `output` does not depend on it.
public func gradients(of output: Variable, withRespectTo targets: [Variable], seed: Variable? = nil, createGraph: Bool = false) -> [Variable] {
  if seed == nil {
    precondition(output.value.count == 1, "gradients(of:): output is \(output.rows)×\(output.cols); give a seed for non-scalar outputs")
  }
  let zerosForTargets = { targets.map { Variable(Matrix(rows: $0.rows, cols: $0.cols)) } }
  guard output.requiresGradient else { return zerosForTargets() }

  // Topological order (inputs before outputs) of everything reachable through differentiable nodes.
  var order: [Variable] = []
  var visited = Set<ObjectIdentifier>()
  var stack: [(Variable, Bool)] = [(output, false)]
  while let (node, expanded) = stack.popLast() {
    if expanded { order.append(node); continue }
    let id = ObjectIdentifier(node)
    if visited.contains(id) { continue }
    visited.insert(id)
    stack.append((node, true))
    for input in node.inputs where input.requiresGradient && !visited.contains(ObjectIdentifier(input)) {
      stack.append((input, false))
    }
  }

  var accumulated: [ObjectIdentifier: Variable] = [:]
  accumulated[ObjectIdentifier(output)] = seed ?? Variable(.scalar(1))
  let targetIDs = Set(targets.map(ObjectIdentifier.init))

  for node in order.reversed() {
    let id = ObjectIdentifier(node)
    guard let upstream = accumulated[id], let rule = node.backward else { continue }
    // Targets that are not leaves keep their gradient; interior nodes free theirs as soon as used.
    if !targetIDs.contains(id) { accumulated[id] = nil }
    let g = createGraph ? upstream : upstream.detached()
    let ins = createGraph ? node.inputs : node.inputs.map { $0.detached() }
    let out = createGraph ? node : node.detached()
    let grads = rule(g, ins, out)
    for (input, grad) in zip(node.inputs, grads) {
      guard let grad, input.requiresGradient else { continue }
      precondition(grad.value.hasShape(of: input.value),
                   "Backward rule produced a \(grad.rows)×\(grad.cols) gradient for a \(input.rows)×\(input.cols) input")
      let key = ObjectIdentifier(input)
      if let existing = accumulated[key] {
        accumulated[key] = createGraph ? existing + grad : Variable(existing.value + grad.value)
      } else {
        accumulated[key] = grad
      }
    }
  }
  return targets.map { t in
    guard let g = accumulated[ObjectIdentifier(t)] else { return Variable(Matrix(rows: t.rows, cols: t.cols)) }
    return createGraph ? g : g.detached()
  }
}

/// Evaluates `body` and the gradients of its scalar result with respect to `parameters`
/// (the `valueAndGrad` of mlx-swift and JAX).
public func valueAndGradients(at parameters: [Variable], of body: () throws -> Variable) rethrows -> (value: Float, gradients: [Matrix]) {
  let y = try body()
  let g = gradients(of: y, withRespectTo: parameters)
  return (y.value.scalarValue, g.map(\.value))
}
