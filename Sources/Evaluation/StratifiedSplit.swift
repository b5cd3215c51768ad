//===----------------------------------------------------------------------===//
// Stratified train/holdout split.
//===----------------------------------------------------------------------===//

import NumericCore

/// A seeded, stratified split of row indices into training and holdout parts.
public enum StratifiedSplit {
  /// Splits rows `0..<labels.count` so that every class (distinct label) is divided in the same proportion.
  ///
  /// - The holdout size is `⌈(1 − trainFraction) · n⌉` rows (as scikit-learn's `train_test_split` with
  ///   `test_size = 1 − trainFraction`); it is shared out over the classes in proportion to their sizes,
  ///   rounding down and giving the remaining rows to the classes with the largest remainders (ties: larger
  ///   class, then the class that sorts first).
  /// - Within each class the holdout rows are the first ones of a uniform permutation drawn from
  ///   `RandomSource(seed:)`, classes taken in sorted order; the same seed gives the same split on every platform.
  /// - Both parts keep the original row order.
  ///
  /// - Returns: `nil` when `trainFraction` is not strictly between 0 and 1 or either part would be empty.
  public static func split(labels: [String], trainFraction: Double, seed: UInt64) -> (train: [Int], holdout: [Int])? {
    let n = labels.count
    guard trainFraction > 0, trainFraction < 1, n >= 2 else { return nil }
    let nHoldout = Int((((1 - trainFraction) * Double(n)) - 1e-9).rounded(.up))
    guard nHoldout >= 1, nHoldout < n else { return nil }
    var byClass: [String: [Int]] = [:]
    for (i, l) in labels.enumerated() { byClass[l, default: []].append(i) }
    let classes = byClass.keys.sorted()
    let exact = classes.map { Double(nHoldout) * Double(byClass[$0]!.count) / Double(n) }
    var take = exact.map { Int($0.rounded(.down)) }
    var left = nHoldout - take.reduce(0, +)
    let order = classes.indices.sorted {
      let ra = exact[$0] - Double(take[$0]), rb = exact[$1] - Double(take[$1])
      if ra != rb { return ra > rb }
      let ca = byClass[classes[$0]]!.count, cb = byClass[classes[$1]]!.count
      return ca != cb ? ca > cb : $0 < $1
    }
    for k in order where left > 0 { take[k] += 1; left -= 1 }
    var rng = RandomSource(seed: seed)
    var isHoldout = [Bool](repeating: false, count: n)
    for (k, c) in classes.enumerated() {
      let rows = byClass[c]!
      let perm = rng.permutation(rows.count)
      for j in perm.prefix(take[k]) { isHoldout[rows[j]] = true }
    }
    let train = (0..<n).filter { !isHoldout[$0] }, holdout = (0..<n).filter { isHoldout[$0] }
    return train.isEmpty || holdout.isEmpty ? nil : (train, holdout)
  }
}
