//===----------------------------------------------------------------------===//
// Why training could not start or stopped early (every synthesizer).
//===----------------------------------------------------------------------===//

import NumericCore

/// Why training could not start, or stopped early.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
  /// A figure or parameter became NaN or infinite; the parameters were restored to `lastGoodIteration`.
  case diverged(iteration: Int, lastGoodIteration: Int, quantity: String)
  /// The configuration or the data cannot be trained on.
  case invalid(String)

  public var description: String {
    switch self {
    case let .diverged(iteration, lastGood, quantity):
      "training diverged at iteration \(iteration) (\(quantity) is not finite); the model was restored to iteration \(lastGood)"
    case let .invalid(reason): reason
    }
  }

  /// Checks what every trainer needs: a valid configuration, and at least two finite records
  /// whose width matches a well-formed, non-empty `layout`.
  public static func check(configuration: some SynthesizerConfiguration, layout: RecordLayout, data: Matrix) throws {
    if let problem = configuration.validationError() { throw TrainingError.invalid("invalid configuration: \(problem)") }
    guard layout.isWellFormed, data.cols == layout.width, layout.width > 0 else {
      throw TrainingError.invalid("the record layout does not match the encoded data")
    }
    guard data.rows >= 2 else { throw TrainingError.invalid("need at least 2 training records") }
    guard data.isFinite else { throw TrainingError.invalid("the encoded training data contains NaN or infinite values") }
  }
}
