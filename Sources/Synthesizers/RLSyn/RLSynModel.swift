//===----------------------------------------------------------------------===//
// A trained (or training) RLSyn generator and its sampling.
//===----------------------------------------------------------------------===//

import NumericCore
import Autodiff

/// The parts of RLSyn that generate: configuration, layout and policy.
public final class RLSynModel {
  public let configuration: RLSynConfiguration
  public let layout: RecordLayout
  public let policy: RLSynPolicy

  public init(configuration: RLSynConfiguration, layout: RecordLayout, seed: UInt64) {
    self.configuration = configuration
    self.layout = layout
    var rng = RandomSource(seed: seed)
    policy = RLSynPolicy(layout: layout, noiseDimension: configuration.noiseDimension, width: configuration.policyWidth,
                         logStdRange: configuration.logStdRange, rng: &rng)
  }

  /// `rows` encoded records drawn from the policy (stochastic draws, not the means), in batches.
  public func sample(rows: Int, rng: inout RandomSource, batchSize: Int = 8192) -> Matrix {
    var parts: [Matrix] = []
    var done = 0
    while done < rows {
      let n = Swift.min(batchSize, rows - done)
      let z = rng.normalMatrix(rows: n, cols: policy.noiseDimension)
      parts.append(policy.sample(policy(Variable(z)), rng: &rng))
      done += n
    }
    return parts.count == 1 ? parts[0] : Matrix.concatenateRows(parts)
  }
}
