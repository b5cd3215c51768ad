import Foundation

/// A fitted, invertible map between one numeric column and its Gaussian matrix column.
///
/// Decoding always lands in the training range `[lower, upper]`, so synthetic values never leave
/// what was observed.
public struct NumericTransform: Codable, Sendable, Equatable {
  public var method: NumericEncoding
  /// Observed training range (decoded values are clipped to it).
  public var lower: Double
  public var upper: Double
  /// Standard: training mean and standard deviation (1 if the column is constant).
  public var mean: Double
  public var standardDeviation: Double
  /// Quantile: strictly increasing data values and their standard-normal scores (stored as `Float`
  /// so that a training value encodes to exactly its knot's score and decodes back exactly).
  public var knotValues: [Double]
  public var knotScores: [Float]

  /// The encoded value of a missing cell: the centre of the transformed scale.
  public var centre: Float { method == .minmax ? 0.5 : 0 }

  /// Fits the transform to `values` (non-missing, finite; may be empty, then `fallback` gives the range).
  public init(method: NumericEncoding, values: [Double], knots maxKnots: Int, fallback: ClosedRange<Double>) {
    self.method = method
    var sorted = values.sorted()
    if sorted.isEmpty { sorted = [fallback.lowerBound, fallback.upperBound] }
    lower = sorted.first!
    upper = sorted.last!
    let n = Double(sorted.count)
    let average = sorted.reduce(0, +) / n
    mean = average
    let variance = sorted.reduce(0) { $0 + ($1 - average) * ($1 - average) } / n
    standardDeviation = variance > 0 ? variance.squareRoot() : 1
    knotValues = []
    knotScores = []
    if method == .quantile { fitQuantiles(sorted, maxKnots: Swift.max(2, maxKnots)) }
  }

  /// Knots at the distinct values with mid-rank probabilities `(before + count/2) / n`, thinned to
  /// `maxKnots` at evenly spaced probabilities when there are more distinct values.
  private mutating func fitQuantiles(_ sorted: [Double], maxKnots: Int) {
    let n = Double(sorted.count)
    var values: [Double] = [], probabilities: [Double] = []
    var i = 0
    while i < sorted.count {
      var j = i
      while j < sorted.count && sorted[j] == sorted[i] { j += 1 }
      values.append(sorted[i])
      probabilities.append((Double(i) + Double(j - i) / 2) / n)
      i = j
    }
    var chosen = Array(values.indices)
    if values.count > maxKnots {
      chosen = [0]
      var k = 0
      for step in 1..<(maxKnots - 1) {
        let target = Double(step) / Double(maxKnots - 1)
        while k < values.count - 1 && probabilities[k] < target { k += 1 }
        if k > chosen.last! && k < values.count - 1 { chosen.append(k) }
      }
      chosen.append(values.count - 1)
    }
    for k in chosen {
      let score = Float(inverseNormalCDF(probabilities[k]))
      if let last = knotScores.last, score <= last { continue }   // keep scores strictly increasing in Float
      knotValues.append(values[k])
      knotScores.append(score)
    }
  }

  /// The matrix value of `x` (values outside the training range map to its ends for quantile).
  public func forward(_ x: Double) -> Float { withKernel { $0.forward(x) } }

  /// The data value of matrix value `z`, inside `[lower, upper]` (NaN decodes as the centre).
  public func inverse(_ z: Float) -> Double { withKernel { $0.inverse(z) } }

  /// Calls `body` with a view of the transform over unsafe buffers, for hot loops (no array
  /// retain/release or bounds check per cell).
  func withKernel<R>(_ body: (TransformKernel) throws -> R) rethrows -> R {
    try knotValues.withUnsafeBufferPointer { values in
      try knotScores.withUnsafeBufferPointer { scores in
        try body(TransformKernel(method: method, lower: lower, upper: upper, mean: mean,
                                 standardDeviation: standardDeviation, values: values, scores: scores))
      }
    }
  }
}

/// ``NumericTransform`` over borrowed buffers; valid only inside ``NumericTransform/withKernel(_:)``.
struct TransformKernel {
  let method: NumericEncoding
  let lower: Double, upper: Double, mean: Double, standardDeviation: Double
  let values: UnsafeBufferPointer<Double>
  let scores: UnsafeBufferPointer<Float>

  var centre: Float { method == .minmax ? 0.5 : 0 }

  @inline(__always)
  func forward(_ x: Double) -> Float {
    switch method {
    case .standard: return Float((x - mean) / standardDeviation)
    case .minmax: return upper > lower ? Float((x - lower) / (upper - lower)) : 0.5
    case .quantile:
      let count = values.count
      if count == 0 { return 0 }
      if count < 2 || x <= values[0] { return scores[0] }
      if x >= values[count - 1] { return scores[count - 1] }
      var lo = 0, hi = count - 1          // values[lo] ≤ x < values[hi]
      while hi - lo > 1 {
        let mid = (lo + hi) >> 1
        if values[mid] <= x { lo = mid } else { hi = mid }
      }
      if x == values[lo] { return scores[lo] }   // training values hit their knot exactly
      let t = (x - values[lo]) / (values[hi] - values[lo])
      let z0 = Double(scores[lo]), z1 = Double(scores[hi])
      return Float(z0 + t * (z1 - z0))
    }
  }

  @inline(__always)
  func inverse(_ z: Float) -> Double {
    let z = z.isNaN ? centre : z
    let x: Double
    switch method {
    case .standard: x = mean + Double(z) * standardDeviation
    case .minmax: x = lower + Double(z) * (upper - lower)
    case .quantile:
      let count = scores.count
      if count == 0 { return lower }
      if count < 2 || z <= scores[0] { return values[0] }
      if z >= scores[count - 1] { return values[count - 1] }
      var lo = 0, hi = count - 1          // scores[lo] ≤ z < scores[hi]
      while hi - lo > 1 {
        let mid = (lo + hi) >> 1
        if scores[mid] <= z { lo = mid } else { hi = mid }
      }
      if z == scores[lo] { return values[lo] }
      let t = (Double(z) - Double(scores[lo])) / (Double(scores[hi]) - Double(scores[lo]))
      x = values[lo] + t * (values[hi] - values[lo])
    }
    return Swift.min(Swift.max(x, lower), upper)
  }
}

/// The standard-normal CDF, Φ(z) = erfc(−z/√2)/2.
func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

/// Φ⁻¹(p) for p in (0, 1): a rational first guess (Acklam's form) polished by Newton steps on
/// Φ(z) − p, which gives full double precision. Only used at fit time, on the knots.
func inverseNormalCDF(_ p: Double) -> Double {
  if p <= 0 { return -.infinity }
  if p >= 1 { return .infinity }
  let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
  let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
  let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
  let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
  let low = 0.02425
  var z: Double
  if p < low {
    let q = (-2 * log(p)).squareRoot()
    z = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
  } else if p <= 1 - low {
    let q = p - 0.5, r = q * q
    z = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  } else {
    let q = (-2 * log(1 - p)).squareRoot()
    z = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
  }
  for _ in 0..<3 {
    let density = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
    guard density > 0 else { break }
    z -= (normalCDF(z) - p) / density
  }
  return z
}
