import Foundation

/// Wall-clock seconds of the best of `repeats` runs of `body` (after one warm-up run).
func bestTime(repeats: Int = 5, _ body: () throws -> Void) rethrows -> Double {
  try body()
  var best = Double.infinity
  for _ in 0..<repeats {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
  }
  return best
}
