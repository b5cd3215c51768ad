//===----------------------------------------------------------------------===//
// Histogram gradient-boosted trees for binary classification (log-loss).
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore

/// Gradient-boosted decision trees on binned features, in the manner of scikit-learn's
/// `HistGradientBoostingClassifier` (with its defaults, and no early stopping).
///
/// - **Binning.** Each feature is cut into at most ``Options-swift.struct/maxBins`` (255) bins:
///   with at most 255 distinct training values, thresholds are the midpoints between consecutive
///   values; otherwise the midpoints of 254 evenly spaced percentiles. A value `v` falls in bin
///   `#{thresholds < v}`; a split "bin ≤ b" is the same as "v ≤ threshold[b]".
/// - **Loss.** Binary log-loss; the raw score starts at the training log-odds; gradient
///   `p − y`, Hessian `p (1 − p)`.
/// - **Trees.** Grown best-first (the leaf with the largest gain is split next) up to
///   ``Options-swift.struct/maxLeafNodes`` (31) leaves, optional ``Options-swift.struct/maxDepth``
///   (none), at least ``Options-swift.struct/minSamplesLeaf`` (20) rows and Hessian sum 1e-3 per
///   leaf. Split gain `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)` must be positive; leaf value
///   `−η · G / (H + λ)` with learning rate η = 0.1 and λ = ``Options-swift.struct/l2Regularization`` (0).
/// - **Rounds.** ``Options-swift.struct/maxIterations`` (100) trees. The fit is deterministic.
/// - **Early stopping** (scikit-learn's `"auto"`): above 10,000 rows, a stratified tenth is held out and
///   boosting stops once 10 rounds in a row fail to lower its log-loss by more than 1e-7; the bins and trees
///   then come from the other nine tenths.
///
/// Histograms are accumulated in `Double` over unsafe buffers; each split builds the smaller
/// child's histogram and gets the larger one by subtraction from the parent.
public struct GradientBoostedTrees: ProbabilisticClassifier {
  /// Training settings (defaults = scikit-learn's `HistGradientBoostingClassifier()`).
  public struct Options: Sendable {
    /// Shrinkage η applied to every leaf value (0.1).
    public var learningRate: Double = 0.1
    /// Boosting rounds, one tree each (100).
    public var maxIterations: Int = 100
    /// Leaves per tree (31).
    public var maxLeafNodes: Int = 31
    /// Depth limit (none).
    public var maxDepth: Int? = nil
    /// Minimum rows per leaf (20).
    public var minSamplesLeaf: Int = 20
    /// L2 penalty λ on leaf values (0).
    public var l2Regularization: Double = 0
    /// Bins per feature, at most 255.
    public var maxBins: Int = 255
    /// scikit-learn's `early_stopping="auto"`: on when the fit has more than this many rows (10,000);
    /// `nil` turns early stopping off.
    public var earlyStoppingAbove: Int? = 10_000
    /// Share of the rows held out (stratified) to decide when to stop (0.1).
    public var validationFraction: Double = 0.1
    /// Rounds without a validation-loss gain larger than ``tolerance`` before stopping (10).
    public var roundsWithoutImprovement: Int = 10
    /// Smallest validation-loss gain that counts (1e-7).
    public var tolerance: Double = 1e-7
    /// Seed of the validation split.
    public var validationSeed: UInt64 = 0
    /// Build the histograms of two-bin features set in at most a tenth of the rows from their set rows
    /// (wide code tables: the work follows the ones, not the rows × features). Bin 0 is then the node's
    /// total minus bin 1, so sums can differ from the row loop's in the last bits; off by default.
    public var sparseHistograms = false
    /// scikit-learn's defaults.
    public init() {}
  }

  /// One node of a tree; leaves have `feature == -1`.
  struct Node: Sendable {
    var feature: Int32 = -1
    var thresholdBin: UInt8 = 0
    var left: Int32 = -1
    var right: Int32 = -1
    var value: Double = 0
  }

  /// Per-feature bin thresholds (ascending).
  let thresholds: [[Float]]
  /// The fitted trees.
  let trees: [[Node]]
  /// The initial raw score (training log-odds).
  public let baseline: Double

  /// Number of trees.
  public var treeCount: Int { trees.count }

  /// Fits the model to the rows of `x` and labels `y` (`true` = positive).
  public static func fit(_ x: Matrix, _ y: [Bool], options: Options = Options()) -> GradientBoostedTrees {
    precondition(x.rows == y.count, "GradientBoostedTrees: \(x.rows) rows, \(y.count) labels")
    // scikit-learn's automatic early stopping: hold out a stratified tenth, stop when its loss stalls.
    if let above = options.earlyStoppingAbove, x.rows > above,
       let parts = StratifiedSplit.split(labels: y.map { $0 ? "1" : "0" }, trainFraction: 1 - options.validationFraction,
                                         seed: options.validationSeed) {
      return fit(x.gatherRows(parts.train), parts.train.map { y[$0] },
                 validation: (x.gatherRows(parts.holdout), parts.holdout.map { y[$0] }), options: options)
    }
    return fit(x, y, validation: nil, options: options)
  }

  static func fit(_ x: Matrix, _ y: [Bool], validation: (x: Matrix, y: [Bool])?, options: Options) -> GradientBoostedTrees {
    let n = x.rows, p = x.cols
    let nPos = y.reduce(0) { $0 + ($1 ? 1 : 0) }
    let thresholds = (0..<p).map { j in binThresholds(x.column(j), maxBins: options.maxBins) }
    if nPos == 0 || nPos == n {
      let b = nPos == 0 ? -30.0 : 30.0
      return GradientBoostedTrees(thresholds: thresholds, trees: [], baseline: b)
    }
    let binned = bin(x, thresholds)  // feature-major
    let nBins = thresholds.map { $0.count + 1 }
    var offsets = [Int](repeating: 0, count: p + 1)
    for j in 0..<p { offsets[j + 1] = offsets[j] + nBins[j] }
    let prior = Double(nPos) / Double(n)
    let baseline = log(prior / (1 - prior))
    var raw = [Double](repeating: baseline, count: n)
    let yd = y.map { $0 ? 1.0 : 0.0 }
    var grad = [Double](repeating: 0, count: n), hess = [Double](repeating: 0, count: n)
    var trees: [[Node]] = []
    var grower = TreeGrower(n: n, p: p, binned: binned, nBins: nBins, offsets: offsets, options: options)
    let validationBins = validation.map { bin($0.x, thresholds) }
    var validationRaw = [Double](repeating: baseline, count: validation?.y.count ?? 0)
    // Validation scores (−mean log-loss), the baseline's first, as scikit-learn's `validation_score_`.
    var scores: [Double] = []
    func score() -> Double {
      guard let v = validation else { return 0 }
      var loss = 0.0
      for (r, label) in zip(validationRaw, v.y) { loss += (r > 0 ? r + log1p(exp(-r)) : log1p(exp(r))) - (label ? r : 0) }
      return -loss / Double(max(v.y.count, 1))
    }
    if validation != nil { scores.append(score()) }
    for _ in 0..<options.maxIterations {
      for i in 0..<n {
        let pr = 1 / (1 + exp(-raw[i]))
        grad[i] = pr - yd[i]
        hess[i] = pr * (1 - pr)
      }
      let tree = grower.grow(grad: grad, hess: hess, raw: &raw)
      trees.append(tree)
      if let bins = validationBins {
        addTree(tree, binned: bins, rows: validationRaw.count, to: &validationRaw)
        scores.append(score())
        // scikit-learn's `_should_stop`: no score of the last k beats the one before them by more than tol.
        let k = options.roundsWithoutImprovement
        if scores.count > k {
          let reference = scores[scores.count - k - 1] + options.tolerance
          if !scores.suffix(k).contains(where: { $0 > reference }) { break }
        }
      }
    }
    return GradientBoostedTrees(thresholds: thresholds, trees: trees, baseline: baseline)
  }

  /// Adds one tree's leaf values to the raw scores of `rows` binned rows (feature-major bins).
  static func addTree(_ tree: [Node], binned: [UInt8], rows n: Int, to raw: inout [Double]) {
    binned.withUnsafeBufferPointer { b in
      tree.withUnsafeBufferPointer { t in
        for i in 0..<n {
          var k = 0
          while t[k].feature >= 0 {
            k = Int(b[Int(t[k].feature) * n + i] <= t[k].thresholdBin ? t[k].left : t[k].right)
          }
          raw[i] += t[k].value
        }
      }
    }
  }

  /// The raw score (log-odds) of every row of `x`.
  public func decisionFunction(_ x: Matrix) -> [Double] {
    precondition(x.cols == thresholds.count, "GradientBoostedTrees: \(x.cols) features, model has \(thresholds.count)")
    let n = x.rows
    let binned = Self.bin(x, thresholds)
    var raw = [Double](repeating: baseline, count: n)
    for tree in trees { Self.addTree(tree, binned: binned, rows: n, to: &raw) }
    return raw
  }

  /// `P(y = 1 | x)` for every row of `x`.
  public func predictProbability(_ x: Matrix) -> [Double] {
    decisionFunction(x).map { 1 / (1 + exp(-$0)) }
  }

  /// The bin thresholds of one feature (see the type's documentation).
  static func binThresholds(_ column: [Float], maxBins: Int) -> [Float] {
    let values = column.filter { !$0.isNaN }.sorted()
    if values.isEmpty { return [] }
    var distinct: [Float] = [values[0]]
    for v in values.dropFirst() where v != distinct.last! { distinct.append(v) }
    if distinct.count <= maxBins {
      return (0..<(distinct.count - 1)).map { Float((Double(distinct[$0]) + Double(distinct[$0 + 1])) / 2) }
    }
    // NumPy percentile(method="midpoint") at linspace(0, 100, maxBins + 1)[1:-1].
    let m = values.count
    return (1..<maxBins).map { k in
      let pos = Double(k) / Double(maxBins) * Double(m - 1)
      let lo = Int(pos.rounded(.down)), hi = Int(pos.rounded(.up))
      return Float((Double(values[lo]) + Double(values[hi])) / 2)
    }
  }

  /// Bins every feature: `out[j * n + i]` is the bin of row `i`, feature `j`.
  static func bin(_ x: Matrix, _ thresholds: [[Float]]) -> [UInt8] {
    let n = x.rows, p = x.cols
    var out = [UInt8](repeating: 0, count: n * p)
    x.withUnsafeBufferPointer { px in
      out.withUnsafeMutableBufferPointer { o in
        for j in 0..<p {
          let t = thresholds[j]
          t.withUnsafeBufferPointer { tb in
            for i in 0..<n {
              let v = px[i * p + j]
              // number of thresholds < v (binary search); NaN goes to bin 0
              var lo = 0, hi = tb.count
              while lo < hi {
                let mid = (lo + hi) >> 1
                if tb[mid] < v { lo = mid + 1 } else { hi = mid }
              }
              o[j * n + i] = UInt8(truncatingIfNeeded: lo)
            }
          }
        }
      }
    }
    return out
  }
}

/// The buffers of one histogram build, handed to the feature-block workers (each writes only its features' bins).
private struct HistogramPointers: @unchecked Sendable {
  let bins: UnsafePointer<UInt8>
  let rows: UnsafePointer<Int32>
  let grad: UnsafePointer<Double>, hess: UnsafePointer<Double>
  let g: UnsafeMutablePointer<Double>, h: UnsafeMutablePointer<Double>, c: UnsafeMutablePointer<Int32>
}

/// The inverted index of the sparse two-bin features, for the histogram workers.
private struct PostingPointers: @unchecked Sendable {
  let start: [Int], rows: [Int32], stamp: [Int32]
  let current: Int32
  let grad: [Double], hess: [Double]
  let totalG: Double, totalH: Double, count: Int32

  /// Bin 1 of sparse feature number `slot` from its rows in the node; bin 0 is the node's rest.
  func accumulate(feature j: Int, slot s: Int, base: Int, into out: HistogramPointers) {
    var g = 0.0, h = 0.0, c: Int32 = 0
    for p in start[s]..<start[s + 1] {
      let i = Int(rows[p])
      if stamp[i] == current { g += grad[i]; h += hess[i]; c += 1 }
    }
    out.g[base + 1] = g; out.h[base + 1] = h; out.c[base + 1] = c
    out.g[base] = totalG - g; out.h[base] = totalH - h; out.c[base] = count - c
  }
}

/// Grows one tree per call, reusing its buffers across rounds.
struct TreeGrower {
  let n: Int, p: Int
  let binned: [UInt8]
  let nBins: [Int]
  let offsets: [Int]
  let options: GradientBoostedTrees.Options
  var sampleIndices: [Int32]
  var scratch: [Int32]
  var orderedGrad: [Double], orderedHess: [Double]
  /// Two-bin features set in at most a tenth of the rows (``GradientBoostedTrees/Options-swift.struct/sparseHistograms``):
  /// their rows with bin 1, feature by feature (CSR), so a node's histogram can walk these instead of its rows.
  let sparseFeatures: [Int], denseFeatures: [Int]
  let postingStart: [Int], postingRows: [Int32]
  /// `nodeStamp[i] == stamp` marks the rows of the node whose histogram is being built.
  var nodeStamp: [Int32], stamp: Int32 = 0

  /// Histogram of one node: gradient sums, Hessian sums, counts, over all features' bins.
  struct Histogram { var g: [Double]; var h: [Double]; var c: [Int32] }

  /// A node being grown.
  struct Pending {
    var start: Int, end: Int, depth: Int
    var sumG: Double, sumH: Double
    var hist: Histogram?
    var bestGain: Double = -1, bestFeature: Int = -1, bestBin: Int = 0
    var leftG = 0.0, leftH = 0.0, leftCount = 0
    var nodeIndex: Int
  }

  init(n: Int, p: Int, binned: [UInt8], nBins: [Int], offsets: [Int], options: GradientBoostedTrees.Options) {
    self.n = n; self.p = p; self.binned = binned; self.nBins = nBins; self.offsets = offsets; self.options = options
    sampleIndices = [Int32](repeating: 0, count: n)
    scratch = [Int32](repeating: 0, count: n)
    orderedGrad = [Double](repeating: 0, count: n)
    orderedHess = [Double](repeating: 0, count: n)
    var sparse: [Int] = [], dense: [Int] = [], starts = [0], rows: [Int32] = []
    for j in 0..<p {
      let column = binned[(j * n)..<((j + 1) * n)]
      if options.sparseHistograms && nBins[j] == 2 && column.reduce(0, { $0 + Int($1) }) * 10 <= n {
        sparse.append(j)
        for (i, b) in column.enumerated() where b == 1 { rows.append(Int32(i)) }
        starts.append(rows.count)
      } else {
        dense.append(j)
      }
    }
    sparseFeatures = sparse; denseFeatures = dense; postingStart = starts; postingRows = rows
    nodeStamp = [Int32](repeating: 0, count: sparse.isEmpty ? 0 : n)
  }

  mutating func buildHistogram(_ start: Int, _ end: Int, grad: [Double], hess: [Double]) -> Histogram {
    let total = offsets[p]
    var hg = [Double](repeating: 0, count: total), hh = [Double](repeating: 0, count: total)
    var hc = [Int32](repeating: 0, count: total)
    let m = end - start
    sampleIndices.withUnsafeBufferPointer { idx in
      orderedGrad.withUnsafeMutableBufferPointer { og in
        orderedHess.withUnsafeMutableBufferPointer { oh in
          grad.withUnsafeBufferPointer { gg in
            hess.withUnsafeBufferPointer { hs in
              for k in 0..<m { let i = Int(idx[start + k]); og[k] = gg[i]; oh[k] = hs[i] }
            }
          }
          binned.withUnsafeBufferPointer { b in
            hg.withUnsafeMutableBufferPointer { g in
              hh.withUnsafeMutableBufferPointer { h in
                hc.withUnsafeMutableBufferPointer { c in
                  let shared = HistogramPointers(bins: b.baseAddress!, rows: idx.baseAddress! + start, grad: UnsafePointer(og.baseAddress!),
                                                 hess: UnsafePointer(oh.baseAddress!), g: g.baseAddress!, h: h.baseAddress!, c: c.baseAddress!)
                  let (n, offsets) = (n, offsets)
                  // Sparse features walk their rows with bin 1 when that is less work than the node's rows.
                  let viaPostings = !sparseFeatures.isEmpty && m * sparseFeatures.count > postingRows.count
                  let direct = viaPostings ? denseFeatures : Array(0..<p)
                  let sparse = viaPostings ? sparseFeatures : []
                  if viaPostings {
                    stamp &+= 1
                    for k in 0..<m { nodeStamp[Int(idx[start + k])] = stamp }
                  }
                  var totalG = 0.0, totalH = 0.0
                  if viaPostings { for k in 0..<m { totalG += og[k]; totalH += oh[k] } }
                  let postings = PostingPointers(start: postingStart, rows: postingRows, stamp: nodeStamp, current: stamp,
                                                 grad: grad, hess: hess, totalG: totalG, totalH: totalH, count: Int32(m))
                  // Each feature's bins are a disjoint slice, so feature blocks can run on any core; many small
                  // blocks let an idle core take more of them when the other is busy. Sums per bin keep their order.
                  let blocks = p * m >= 1 << 18 ? min(max(direct.count, sparse.count), 32) : 1
                  let work: @Sendable (Int) -> Void = { block in
                    for j in direct[(block * direct.count / blocks)..<((block + 1) * direct.count / blocks)] {
                      let base = offsets[j]
                      let col = shared.bins + j * n
                      for k in 0..<m {
                        let bin = base + Int(col[Int(shared.rows[k])])
                        shared.g[bin] += shared.grad[k]; shared.h[bin] += shared.hess[k]; shared.c[bin] += 1
                      }
                    }
                    let first = block * sparse.count / blocks, last = (block + 1) * sparse.count / blocks
                    for s in first..<last { postings.accumulate(feature: sparse[s], slot: s, base: offsets[sparse[s]], into: shared) }
                  }
                  if blocks == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: blocks, execute: work) }
                }
              }
            }
          }
        }
      }
    }
    return Histogram(g: hg, h: hh, c: hc)
  }

  /// Finds the best split of `node` from its histogram.
  func findSplit(_ node: inout Pending) {
    guard let hist = node.hist else { return }
    let count = node.end - node.start
    let lambda = options.l2Regularization
    let minLeaf = options.minSamplesLeaf
    let parentScore = node.sumG * node.sumG / (node.sumH + lambda)
    var best = -1.0, bestF = -1, bestB = 0, bestLG = 0.0, bestLH = 0.0, bestLC = 0
    hist.g.withUnsafeBufferPointer { g in
      hist.h.withUnsafeBufferPointer { h in
        hist.c.withUnsafeBufferPointer { c in
          for j in 0..<p {
            let base = offsets[j]
            var lg = 0.0, lh = 0.0, lc = 0
            for b in 0..<(nBins[j] - 1) {
              lg += g[base + b]; lh += h[base + b]; lc += Int(c[base + b])
              if lc < minLeaf { continue }
              let rc = count - lc
              if rc < minLeaf { break }
              let rh = node.sumH - lh
              if lh < 1e-3 || rh < 1e-3 { continue }
              let rg = node.sumG - lg
              let gain = lg * lg / (lh + lambda) + rg * rg / (rh + lambda) - parentScore
              if gain > best { best = gain; bestF = j; bestB = b; bestLG = lg; bestLH = lh; bestLC = lc }
            }
          }
        }
      }
    }
    if best > 0 {
      node.bestGain = best; node.bestFeature = bestF; node.bestBin = bestB
      node.leftG = bestLG; node.leftH = bestLH; node.leftCount = bestLC
    }
  }

  /// Grows one tree on the current gradients and adds its leaf values to `raw`.
  mutating func grow(grad: [Double], hess: [Double], raw: inout [Double]) -> [GradientBoostedTrees.Node] {
    for i in 0..<n { sampleIndices[i] = Int32(i) }
    var nodes = [GradientBoostedTrees.Node()]
    var sg = 0.0, sh = 0.0
    for i in 0..<n { sg += grad[i]; sh += hess[i] }
    var root = Pending(start: 0, end: n, depth: 0, sumG: sg, sumH: sh, nodeIndex: 0)
    var leaves: [Pending] = []
    var open: [Pending] = []
    if n >= 2 * options.minSamplesLeaf && (options.maxDepth ?? Int.max) > 0 {
      root.hist = buildHistogram(0, n, grad: grad, hess: hess)
      findSplit(&root)
    }
    if root.bestFeature >= 0 { open.append(root) } else { leaves.append(root) }
    var leafCount = 1
    while !open.isEmpty && leafCount < options.maxLeafNodes {
      // Best-first: the open node with the largest gain.
      var bi = 0
      for k in 1..<open.count where open[k].bestGain > open[bi].bestGain { bi = k }
      var node = open.remove(at: bi)
      // Partition the node's samples: bin ≤ threshold to the left (stable).
      let f = node.bestFeature, t = UInt8(node.bestBin)
      let mid = node.start + node.leftCount
      sampleIndices.withUnsafeMutableBufferPointer { idx in
        scratch.withUnsafeMutableBufferPointer { s in
          binned.withUnsafeBufferPointer { b in
            let col = b.baseAddress! + f * n
            var l = node.start, r = mid
            for k in node.start..<node.end {
              let i = idx[k]
              if col[Int(i)] <= t { s[l] = i; l += 1 } else { s[r] = i; r += 1 }
            }
            for k in node.start..<node.end { idx[k] = s[k] }
          }
        }
      }
      let li = nodes.count, ri = nodes.count + 1
      nodes[node.nodeIndex].feature = Int32(f)
      nodes[node.nodeIndex].thresholdBin = t
      nodes[node.nodeIndex].left = Int32(li)
      nodes[node.nodeIndex].right = Int32(ri)
      nodes.append(.init()); nodes.append(.init())
      var left = Pending(start: node.start, end: mid, depth: node.depth + 1, sumG: node.leftG, sumH: node.leftH, nodeIndex: li)
      var right = Pending(start: mid, end: node.end, depth: node.depth + 1, sumG: node.sumG - node.leftG,
                          sumH: node.sumH - node.leftH, nodeIndex: ri)
      leafCount += 1
      let depthOK = node.depth + 1 < (options.maxDepth ?? Int.max)
      let minSplit = 2 * options.minSamplesLeaf
      let canSplit = { (c: Pending) in depthOK && c.end - c.start >= minSplit }
      if leafCount < options.maxLeafNodes && (canSplit(left) || canSplit(right)) {
        // Smaller child by accumulation, larger by subtraction.
        let leftSmaller = mid - node.start <= node.end - mid
        let small = leftSmaller ? buildHistogram(node.start, mid, grad: grad, hess: hess)
                                : buildHistogram(mid, node.end, grad: grad, hess: hess)
        var large = node.hist!
        node.hist = nil
        for k in 0..<large.g.count { large.g[k] -= small.g[k]; large.h[k] -= small.h[k]; large.c[k] -= small.c[k] }
        if leftSmaller { left.hist = small; right.hist = large } else { left.hist = large; right.hist = small }
        if canSplit(left) { findSplit(&left) }
        if canSplit(right) { findSplit(&right) }
        left.hist = left.bestFeature >= 0 ? left.hist : nil
        right.hist = right.bestFeature >= 0 ? right.hist : nil
      }
      for c in [left, right] { if c.bestFeature >= 0 { open.append(c) } else { leaves.append(c) } }
    }
    leaves += open
    // Leaf values and training-score update.
    let eta = options.learningRate, lambda = options.l2Regularization
    for leaf in leaves {
      let v = -eta * leaf.sumG / (leaf.sumH + lambda + 1e-15)
      nodes[leaf.nodeIndex] = .init(feature: -1, thresholdBin: 0, left: -1, right: -1, value: v)
      for k in leaf.start..<leaf.end { raw[Int(sampleIndices[k])] += v }
    }
    return nodes
  }
}
