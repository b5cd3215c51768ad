import NumericCore

/// Whether `a` and `b` agree within `absolute + relative · max(|a|, |b|)`.
public func isClose(_ a: Float, _ b: Float, absolute: Float = 1e-5, relative: Float = 1e-4) -> Bool {
  if a.isNaN || b.isNaN { return false }
  return Swift.abs(a - b) <= absolute + relative * Swift.max(Swift.abs(a), Swift.abs(b))
}

/// Whether `a` and `b` agree within `absolute + relative · max(|a|, |b|)`.
public func isClose(_ a: Double, _ b: Double, absolute: Double = 1e-9, relative: Double = 1e-7) -> Bool {
  if a.isNaN || b.isNaN { return false }
  return Swift.abs(a - b) <= absolute + relative * Swift.max(Swift.abs(a), Swift.abs(b))
}

/// The largest element-wise `|a − b| / (absolute + relative · max(|a|,|b|))`; ≤ 1 means close.
public func worstMismatch(_ a: Matrix, _ b: Matrix, absolute: Float = 1e-5, relative: Float = 1e-4) -> Float {
  precondition(a.hasShape(of: b), "worstMismatch: shapes \(a.rows)×\(a.cols) and \(b.rows)×\(b.cols) differ")
  var worst: Float = 0
  for i in 0..<a.count {
    let x = a.storage[i], y = b.storage[i]
    if x.isNaN || y.isNaN { return .infinity }
    let tol = absolute + relative * Swift.max(Swift.abs(x), Swift.abs(y))
    worst = Swift.max(worst, Swift.abs(x - y) / tol)
  }
  return worst
}

/// Whether two matrices have the same shape and agree element-wise within tolerances.
public func isClose(_ a: Matrix, _ b: Matrix, absolute: Float = 1e-5, relative: Float = 1e-4) -> Bool {
  a.hasShape(of: b) && worstMismatch(a, b, absolute: absolute, relative: relative) <= 1
}
