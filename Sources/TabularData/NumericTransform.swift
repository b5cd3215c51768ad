import Foundation

/// A fitted, invertible map between one numeric column and its Gaussian matrix column.
///
/// Decoding always lands in the training range `[lower, upper]`, so synthetic values never leave
/// what was observed.
public struct NumericTransform: Codable, Sendable, Equatable {
  /// Which map this is.
  public var method: NumericEncoding
  /// Smallest training value (decoded values are clipped to `lower...upper`).
  public var lower: Double
  /// Largest training value.
  public var upper: Double
  /// Standard: training mean.
  public var mean: Double
  /// Population standard deviation (1 for a constant column).
  public var standardDeviation: Double
  /// Quantile: strictly increasing data values and their standard-normal scores (stored as `Float`
  /// so that a training value encodes to exactly its knot's score and decodes back exactly).
  public var knotValues: [Double] { didSet { valueIndex = BucketIndex(knotValues) } }
  /// Quantile: the standard-normal score of each knot.
  public var knotScores: [Float] { didSet { scoreIndex = BucketIndex(knotScores.map(Double.init)) } }
  /// Quantile transforms of integer columns: the scores `Φ⁻¹(F(v_k))` that separate knot k from knot k+1,
  /// where F is the empirical CDF. Decoding then returns the training value whose CDF step holds Φ(z)
  /// (the empirical quantile) instead of interpolating between knots, so an integer column takes only
  /// values it had — a coma score of 0, 9, 26, … never decodes to 4 — and a generator whose scores are
  /// N(0, 1) reproduces every level's frequency exactly. `nil` for continuous columns, thinned knots and
  /// model files written before this field existed (they decode as they did).
  public var levelBoundaries: [Float]?
  /// Search accelerators over the knots; derived, so not stored in JSON (rebuilt on decoding).
  var valueIndex = BucketIndex([])
  var scoreIndex = BucketIndex([])

  enum CodingKeys: String, CodingKey { case method, lower, upper, mean, standardDeviation, knotValues, knotScores, levelBoundaries }

  /// Decodes the stored fields and rebuilds the search index.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    method = try c.decode(NumericEncoding.self, forKey: .method)
    lower = try c.decode(Double.self, forKey: .lower)
    upper = try c.decode(Double.self, forKey: .upper)
    mean = try c.decode(Double.self, forKey: .mean)
    standardDeviation = try c.decode(Double.self, forKey: .standardDeviation)
    knotValues = try c.decode([Double].self, forKey: .knotValues)
    knotScores = try c.decode([Float].self, forKey: .knotScores)
    levelBoundaries = try c.decodeIfPresent([Float].self, forKey: .levelBoundaries)
    guard knotValues.count == knotScores.count else {
      throw DecodingError.dataCorruptedError(forKey: .knotScores, in: c, debugDescription: "knot arrays differ in length")
    }
    if let b = levelBoundaries, b.count != Swift.max(knotScores.count - 1, 0) || zip(b, b.dropFirst()).contains(where: { $0.0 > $0.1 }) {
      throw DecodingError.dataCorruptedError(forKey: .levelBoundaries, in: c, debugDescription: "level boundaries do not fit the knots")
    }
    valueIndex = BucketIndex(knotValues)
    scoreIndex = BucketIndex(knotScores.map(Double.init))
  }

  /// Equal when the fitted parameters are equal (the derived index is ignored).
  public static func == (a: NumericTransform, b: NumericTransform) -> Bool {
    a.method == b.method && a.lower == b.lower && a.upper == b.upper && a.mean == b.mean
      && a.standardDeviation == b.standardDeviation && a.knotValues == b.knotValues && a.knotScores == b.knotScores
      && a.levelBoundaries == b.levelBoundaries
  }

  /// The encoded value of a missing cell: the centre of the transformed scale.
  public var centre: Float { method == .minmax ? 0.5 : 0 }

  /// Fits the transform to `values` (non-missing, finite; may be empty, then `fallback` gives the range).
  /// `discrete` (integer columns) makes a quantile transform decode to training values only (``levelBoundaries``);
  /// so does a `repeatedValueMultiplicity` above 0 when the values repeat that often on average (count / distinct
  /// values), as lab values recorded at a fixed resolution do.
  public init(method: NumericEncoding, values: [Double], knots maxKnots: Int, fallback: ClosedRange<Double>, discrete: Bool = false,
              repeatedValueMultiplicity: Double = 0) {
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
    if method == .quantile {
      fitQuantiles(sorted, maxKnots: Swift.max(2, maxKnots), discrete: discrete && !values.isEmpty,
                   repeatedValueMultiplicity: values.isEmpty ? 0 : repeatedValueMultiplicity)
    }
    valueIndex = BucketIndex(knotValues)
    scoreIndex = BucketIndex(knotScores.map(Double.init))
  }

  /// A quantile transform from a histogram alone, reading no record: knots at the bin `edges` (ascending, one more
  /// than `counts`) with the cumulative probabilities of the counts (negative counts, from a private fit's noise,
  /// count as 0; every bin gets half a record, so the CDF rises strictly), i.e. a piecewise-linear CDF; mean and
  /// spread from the bins' centres.
  public init(histogramEdges edges: [Double], counts: [Double]) {
    precondition(edges.count == counts.count + 1 && counts.count >= 1, "a histogram needs one more edge than bins")
    let weights = counts.map { Swift.max($0, 0) + 0.5 }
    let total = weights.reduce(0, +)
    method = .quantile
    lower = edges.first!
    upper = edges.last!
    let centres = (0..<counts.count).map { (edges[$0] + edges[$0 + 1]) / 2 }
    let average = zip(centres, weights).reduce(0) { $0 + $1.0 * $1.1 } / total
    mean = average
    let variance = zip(centres, weights).reduce(0) { $0 + ($1.0 - average) * ($1.0 - average) * $1.1 } / total
    standardDeviation = variance > 0 ? variance.squareRoot() : 1
    var values: [Double] = [], scores: [Float] = []
    var below = 0.0
    for (k, edge) in edges.enumerated() {
      let p = Swift.min(Swift.max(below / total, 1e-4), 1 - 1e-4)
      let score = Float(inverseNormalCDF(p))
      if scores.last.map({ score > $0 }) ?? true { values.append(edge); scores.append(score) }
      if k < weights.count { below += weights[k] }
    }
    knotValues = values
    knotScores = scores
    valueIndex = BucketIndex(knotValues)
    scoreIndex = BucketIndex(knotScores.map(Double.init))
  }

  /// Knots at the distinct values with mid-rank probabilities `(before + count/2) / n`, thinned to
  /// `maxKnots` at evenly spaced probabilities when there are more distinct values.
  private mutating func fitQuantiles(_ sorted: [Double], maxKnots: Int, discrete: Bool, repeatedValueMultiplicity: Double) {
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
    var keptValues: [Double] = [], keptScores: [Float] = []
    for k in chosen {
      let score = Float(inverseNormalCDF(probabilities[k]))
      if let last = keptScores.last, score <= last { continue }   // keep scores strictly increasing in Float
      keptValues.append(values[k])
      keptScores.append(score)
    }
    knotValues = keptValues
    knotScores = keptScores
    // Every distinct value kept as a knot: the CDF steps are known exactly.
    let repeated = repeatedValueMultiplicity > 0 && n >= repeatedValueMultiplicity * Double(values.count)
    guard discrete || repeated, keptValues.count == values.count, keptValues.count >= 2 else { return }
    var boundaries: [Float] = []
    var below = 0.0
    for (k, p) in probabilities.enumerated().dropLast() {
      let step = 2 * (p - below)                      // level k's probability, from its mid-rank
      below += step
      var b = Float(inverseNormalCDF(Swift.min(below, 1 - 1e-12)))
      // Keep knot k's own score inside its step (b_{k-1} ≤ z_k < b_k) despite Float rounding.
      b = Swift.min(Swift.max(b, keptScores[k].nextUp), keptScores[k + 1])
      boundaries.append(b)
    }
    levelBoundaries = boundaries
  }

  /// Whether the column decodes to its training values only (``levelBoundaries`` are set).
  public var decodesToObservedValues: Bool { levelBoundaries != nil }

  /// A continuous stand-in for the score `z` of a training value of a column that decodes to observed
  /// values: a draw from N(0, 1) restricted to the CDF step of `z`'s level, `Φ⁻¹(F_{k−1} + u·(F_k − F_{k−1}))`
  /// for `u` in [0, 1). It decodes back to the same value, and over the training rows the column's scores become
  /// N(0, 1) instead of a few spikes a discriminator can tell from any continuous draw. Returns `z` unchanged
  /// for columns without ``levelBoundaries``.
  public func dequantized(_ z: Float, uniform u: Double) -> Float {
    guard let boundaries = levelBoundaries, !boundaries.isEmpty else { return z }
    let k = boundaries.withUnsafeBufferPointer { levelIndex(of: z, boundaries: $0) }
    let below = k == 0 ? 0 : normalCDF(Double(boundaries[k - 1]))
    let above = k == boundaries.count ? 1 : normalCDF(Double(boundaries[k]))
    let p = Swift.min(Swift.max(below + u * (above - below), 1e-7), 1 - 1e-7)
    var score = Float(inverseNormalCDF(p))
    // Float rounding may put the draw on a neighbouring level's side of a boundary: keep it inside its own step.
    if k > 0 { score = Swift.max(score, boundaries[k - 1]) }
    if k < boundaries.count { score = Swift.min(score, boundaries[k].nextDown) }
    return score
  }

  /// `z` moved to a uniform draw (`u` in [0, 1)) of the normal probability between the two knot scores around it:
  /// a histogram transform's within-bin spread, so that values repeated at one point of a bin (a bin's left edge,
  /// a whole number) do not make a spike of scores. Unchanged outside the knots.
  public func spreadBetweenKnots(_ z: Float, uniform u: Double) -> Float {
    guard knotScores.count >= 2, z >= knotScores[0], z <= knotScores[knotScores.count - 1] else { return z }
    var lo = 0, hi = knotScores.count - 2
    while lo < hi { let mid = (lo + hi + 1) / 2; if knotScores[mid] <= z { lo = mid } else { hi = mid - 1 } }
    let below = normalCDF(Double(knotScores[lo])), above = normalCDF(Double(knotScores[lo + 1]))
    let p = Swift.min(Swift.max(below + u * (above - below), 1e-7), 1 - 1e-7)
    return Swift.min(Swift.max(Float(inverseNormalCDF(p)), knotScores[lo]), knotScores[lo + 1])
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
        try valueIndex.counts.withUnsafeBufferPointer { valueCounts in
          try scoreIndex.counts.withUnsafeBufferPointer { scoreCounts in
            try (levelBoundaries ?? []).withUnsafeBufferPointer { boundaries in
              try body(TransformKernel(method: method, lower: lower, upper: upper, mean: mean,
                                       standardDeviation: standardDeviation, values: values, scores: scores,
                                       valueBuckets: BucketView(valueIndex, valueCounts),
                                       scoreBuckets: BucketView(scoreIndex, scoreCounts),
                                       boundaries: levelBoundaries == nil ? nil : boundaries))
            }
          }
        }
      }
    }
  }
}

/// Equal-width buckets over sorted knots, so a lookup searches only the few knots of one bucket.
///
/// `counts[b]` is the number of knots whose bucket is ≤ `b`, with the bucket of `x` computed by the
/// same `bucket(_:)` used at lookup time; because that function is monotone, the last knot ≤ `x` lies
/// between the last knot of an earlier bucket and the last knot of `x`'s bucket.
struct BucketIndex: Sendable {
  var origin = 0.0
  var scale = 0.0
  var counts: [Int32] = []

  init(_ keys: [Double]) {
    guard keys.count >= 2, let first = keys.first, let last = keys.last, last > first else { return }
    let buckets = Swift.min(Swift.max(16, 2 * keys.count), 1 << 16)
    origin = first
    scale = Double(buckets) / (last - first)
    counts = [Int32](repeating: 0, count: buckets)
    for key in keys { counts[bucket(key, buckets)] += 1 }
    for b in 1..<buckets { counts[b] += counts[b - 1] }
  }

  @inline(__always)
  func bucket(_ x: Double, _ buckets: Int) -> Int {
    let b = ((x - origin) * scale).rounded(.down)
    return b < 0 ? 0 : (b >= Double(buckets) ? buckets - 1 : Int(b))
  }
}

/// ``BucketIndex`` over a borrowed buffer.
struct BucketView {
  let origin: Double, scale: Double
  let counts: UnsafeBufferPointer<Int32>

  init(_ index: BucketIndex, _ counts: UnsafeBufferPointer<Int32>) {
    origin = index.origin; scale = index.scale; self.counts = counts
  }

  /// The knot range `lo...hi` that holds the last knot ≤ `x` (for keys[0] ≤ x < keys[last]).
  @inline(__always)
  func range(_ x: Double, knots: Int) -> (lo: Int, hi: Int) {
    let buckets = counts.count
    if buckets == 0 { return (0, knots - 1) }
    let raw = ((x - origin) * scale).rounded(.down)
    let b = raw < 0 ? 0 : (raw >= Double(buckets) ? buckets - 1 : Int(raw))
    let lo = b == 0 ? 0 : Int(counts[b - 1]) - 1
    return (Swift.max(lo, 0), Int(counts[b]) - 1)
  }
}

/// ``NumericTransform`` over borrowed buffers; valid only inside ``NumericTransform/withKernel(_:)``.
struct TransformKernel {
  let method: NumericEncoding
  let lower: Double, upper: Double, mean: Double, standardDeviation: Double
  let values: UnsafeBufferPointer<Double>
  let scores: UnsafeBufferPointer<Float>
  let valueBuckets: BucketView
  let scoreBuckets: BucketView
  /// ``NumericTransform/levelBoundaries`` when the column decodes to its training values only.
  let boundaries: UnsafeBufferPointer<Float>?

  var centre: Float { method == .minmax ? 0.5 : 0 }

  /// The last index `i` in `lo...hi` with `sorted[i] <= key` (given `sorted[lo] <= key`).
  ///
  /// The bucket index narrows the range to a handful of knots first: with thousands of knots a plain
  /// binary search mispredicts a branch at almost every step, which dominated the encoder's profile.
  @inline(__always)
  func lastIndex<T: Comparable>(in sorted: UnsafeBufferPointer<T>, notAbove key: T, _ lo: Int, _ hi: Int) -> Int {
    var base = lo
    var n = hi - lo + 1
    while n > 1 {
      let half = n &>> 1
      base = sorted[base &+ half] <= key ? base &+ half : base
      n &-= half
    }
    return base
  }

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
      let r = valueBuckets.range(x, knots: count)
      let lo = lastIndex(in: values, notAbove: x, r.lo, r.hi), hi = lo + 1   // values[lo] ≤ x < values[hi]
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
      if let boundaries {
        // The empirical quantile: the knot whose CDF step holds z.
        return values[levelIndex(of: z, boundaries: boundaries)]
      }
      if count < 2 || z <= scores[0] { return values[0] }
      if z >= scores[count - 1] { return values[count - 1] }
      let r = scoreBuckets.range(Double(z), knots: count)
      let lo = lastIndex(in: scores, notAbove: z, r.lo, r.hi), hi = lo + 1   // scores[lo] ≤ z < scores[hi]
      if z == scores[lo] { return values[lo] }
      let t = (Double(z) - Double(scores[lo])) / (Double(scores[hi]) - Double(scores[lo]))
      x = values[lo] + t * (values[hi] - values[lo])
    }
    return Swift.min(Swift.max(x, lower), upper)
  }
}

/// The level whose CDF step holds score `z`: the number of level boundaries ≤ `z` (binary search).
@inline(__always)
func levelIndex(of z: Float, boundaries: UnsafeBufferPointer<Float>) -> Int {
  var lo = 0, n = boundaries.count
  while n > 0 {
    let half = n / 2
    if boundaries[lo + half] <= z { lo += half + 1; n -= half + 1 } else { n = half }
  }
  return lo
}

/// The standard-normal CDF, Φ(z) = erfc(−z/√2)/2.
func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

/// Acklam's coefficients for ``inverseNormalCDF(_:)``, built once (not per call: the function runs per training
/// cell when scores are dequantized).
private let acklamA = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
private let acklamB = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
private let acklamC = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
private let acklamD = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]

/// Φ⁻¹(p) for p in (0, 1): a rational first guess (Acklam's form) polished by Newton steps on
/// Φ(z) − p, which gives full double precision. Used at fit time, on the knots and on dequantized scores.
func inverseNormalCDF(_ p: Double) -> Double {
  if p <= 0 { return -.infinity }
  if p >= 1 { return .infinity }
  let a = acklamA, b = acklamB, c = acklamC, d = acklamD
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

extension TransformKernel {
  /// `x` rounded to `decimals` fraction digits, moved by whole units of the last digit (up to ±4) off any knot, so
  /// that no training value is written exactly (``ColumnSchema/avoidsTrainingValues``); stays in `[lower, upper]`.
  func avoidingKnots(_ x: Double, decimals: Int) -> Double {
    avoidingValues(x, decimals: decimals, sorted: values, lower: lower, upper: upper)
  }
}

/// `x` rounded to `decimals` fraction digits, moved by whole units of the last digit (up to ±`maxSteps`, nearest
/// first) off any of the ascending `sorted` values, staying in `[lower, upper]`; `x` rounded when every candidate is
/// taken (never, with unbounded limits and `maxSteps` at least `sorted.count`).
func avoidingValues(_ x: Double, decimals: Int, sorted values: UnsafeBufferPointer<Double>, lower: Double, upper: Double,
                    maxSteps: Int = 4) -> Double {
  let unit = decimals > 15 ? 0 : pow(10, -Double(decimals))
  guard unit > 0, !values.isEmpty else { return x }
  let y = (x / unit).rounded() * unit
  func isTaken(_ v: Double) -> Bool {
    var lo = 0, hi = values.count
    while lo < hi { let mid = (lo + hi) / 2; if values[mid] < v - unit * 1e-6 { lo = mid + 1 } else { hi = mid } }
    return lo < values.count && abs(values[lo] - v) <= unit * 1e-6
  }
  for k in 0...(2 * maxSteps) {
    let step = Double(k.isMultiple(of: 2) ? -(k / 2) : (k + 1) / 2)  // 0, 1, −1, 2, −2, …
    let candidate = y + step * unit
    if candidate >= lower - unit * 1e-6 && candidate <= upper + unit * 1e-6 && !isTaken(candidate) { return candidate }
  }
  return y
}

/// Counts of a numeric column's values in the bins between consecutive `edges` (`edges.count == counts.count + 1`),
/// such as a private fit's noisy histograms.
public struct BinnedCounts: Sendable, Equatable {
  public var edges: [Double]
  public var counts: [Double]
  public init(edges: [Double], counts: [Double]) { self.edges = edges; self.counts = counts }

  /// Bin edges over `low…high` that depend on nothing but their arguments (public): for whole numbers with at most
  /// `bins` values, one bin per value; otherwise `bins / 2` equal-width edges merged with `bins / 2` edges evenly
  /// spaced in `log(x − low + w/1000)` (w = high − low), which resolve a point mass at the low end and a heavy
  /// right tail that equal widths would put in one bin.
  public static func edges(low: Double, high: Double, bins: Int, wholeNumbers: Bool) -> [Double] {
    guard high > low, bins >= 2 else { return [low, Swift.max(high, low)] }
    let width = high - low
    if wholeNumbers && width + 1 <= Double(bins) {
      return [low] + stride(from: low + 0.5, to: high, by: 1).map { $0 } + [high]
    }
    let half = Swift.max(bins / 2, 1)
    let offset = width / 1000
    var edges = (0...half).map { low + width * Double($0) / Double(half) }
    let a = Foundation.log(offset), b = Foundation.log(width + offset)
    for k in 1..<half { edges.append(low + Foundation.exp(a + (b - a) * Double(k) / Double(half)) - offset) }
    edges.sort()
    var distinct: [Double] = []
    for e in edges where distinct.last.map({ e - $0 > width * 1e-9 }) ?? true { distinct.append(e) }
    distinct[distinct.count - 1] = high
    return distinct
  }
}
