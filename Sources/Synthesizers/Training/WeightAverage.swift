//===----------------------------------------------------------------------===//
// The exponential moving average of trained weights that is saved and sampled.
//===----------------------------------------------------------------------===//

import Autodiff

/// `average ← d·average + (1 − d)·online` after every step, with the warm-up
/// `d = min(decay, (1 + step)/(10 + step))` (Yazıcı et al. 2019; the EMA of DDPM and EHRDiff).
/// A decay of 0 copies the online weights.
public struct WeightAverage {
  /// The parameters that are optimised.
  public let online: [Variable]
  /// Their moving average (the model's parameters), in the same order and shapes.
  public let average: [Variable]
  public let decay: Float

  public init(online: [Variable], average: [Variable], decay: Float) {
    precondition(online.count == average.count, "one averaged parameter per online parameter")
    self.online = online
    self.average = average
    self.decay = decay
  }

  /// Moves the average towards the online weights after step `step` (counted from 1).
  public func update(afterStep step: Int) {
    let s = Float(step)
    let d = Swift.min(decay, (1 + s) / (10 + s))
    for (avg, p) in zip(average, online) {
      if d == 0 { avg.value = p.value; continue }
      var v = avg.value
      v.scale(by: d)
      v.add(p.value, scaledBy: 1 - d)
      avg.value = v
    }
  }
}
