//===----------------------------------------------------------------------===//
// The ε-predicting MLP denoiser with a sinusoidal time embedding.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff
import NeuralNetworks

/// `ε_θ(x_t, t)`, TabDDPM's `MLPDiffusion`:
/// `h = Linear(x_t) + Linear(SiLU(Linear(sinusoidal(t))))`, then `depth` × (Linear → ReLU), then a
/// Linear back to the record width. With `columnSkip`, each column's prediction also gets a time-dependent
/// multiple of its own input, `g(t) ⊙ x_t` with `g = Linear(SiLU(time))`: on a wide table most columns are
/// nearly constant, their noise is a per-column linear function of `x_t`, and without this path all of it
/// would have to pass through the `width`-dimensional hidden layers.
public final class Denoiser: ParameterContainer {
  public let width: Int
  public let timeEmbeddingDimension: Int
  let inputProjection: Linear
  let time1: Linear
  let time2: Linear
  let hidden: [Linear]
  let output: Linear
  /// The per-column gains of the input skip (nil without it).
  let columnGain: Linear?

  public init(recordWidth: Int, width: Int, depth: Int, timeEmbeddingDimension: Int, columnSkip: Bool = false,
              rng: inout RandomSource) {
    self.width = width
    self.timeEmbeddingDimension = timeEmbeddingDimension
    inputProjection = Linear(recordWidth, width, rng: &rng, name: "denoiser.input")
    time1 = Linear(timeEmbeddingDimension, width, rng: &rng, name: "denoiser.time1")
    time2 = Linear(width, width, rng: &rng, name: "denoiser.time2")
    hidden = (0..<depth).map { Linear(width, width, rng: &rng, name: "denoiser.hidden\($0)") }
    output = Linear(width, recordWidth, rng: &rng, name: "denoiser.output")
    columnGain = columnSkip ? Linear(width, recordWidth, rng: &rng, name: "denoiser.columnGain") : nil
  }

  public var parameters: [Variable] {
    inputProjection.parameters + time1.parameters + time2.parameters + hidden.flatMap(\.parameters) + output.parameters
      + (columnGain?.parameters ?? [])
  }

  /// The sinusoidal embedding of integer timesteps (`rows = t.count`, `cols = dimension`):
  /// `[cos(t·f_0), …, cos(t·f_{h−1}), sin(t·f_0), …, sin(t·f_{h−1})]` with `f_i = 10000^(−i/h)`, `h = dimension/2`
  /// (the TabDDPM / guided-diffusion `timestep_embedding`).
  public static func timeEmbedding(_ t: [Int], dimension: Int) -> Matrix {
    let half = dimension / 2
    let frequencies = (0..<half).map { Foundation.exp(-Foundation.log(10_000.0) * Double($0) / Double(half)) }
    var m = Matrix(rows: t.count, cols: dimension)
    for (i, ti) in t.enumerated() {
      for (k, f) in frequencies.enumerated() {
        let a = Double(ti) * f
        m[i, k] = Float(Foundation.cos(a))
        m[i, half + k] = Float(Foundation.sin(a))
      }
    }
    return m
  }

  /// Predicted noise for records `x` (`n × recordWidth`) at timesteps `t` (one per row).
  public func callAsFunction(_ x: Variable, timesteps t: [Int]) -> Variable {
    let e = time1(Variable(Denoiser.timeEmbedding(t, dimension: timeEmbeddingDimension)))
    let activated = e * e.sigmoid()
    var h = inputProjection(x) + time2(activated)
    for layer in hidden { h = layer(h, activation: .relu) }
    guard let columnGain else { return output(h) }
    return output(h) + columnGain(activated) * x
  }
}
