//===----------------------------------------------------------------------===//
// Privacy: membership inference, distance to closest record, exact copies, attribute inference.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore

/// Privacy metrics built on nearest-record distances (score.py and the paper's definitions).
public enum PrivacyMetrics {
  /// **MIA**: AUC of the distance-to-closest-synthetic-record attack. Members (training rows)
  /// should be closer to the synthetic data than non-members (holdout rows); the attack score is
  /// `−d`. 0.5 = the attacker learns nothing; 1 = every member is closer than every non-member.
  public static func membershipAUC(memberDistances: [Double], nonMemberDistances: [Double]) -> Double? {
    ROC.auc(scores: (memberDistances + nonMemberDistances).map { -$0 },
            labels: [Bool](repeating: true, count: memberDistances.count) + [Bool](repeating: false, count: nonMemberDistances.count))
  }

  /// The paper's θ-grid variant of the membership AUC (paper.md §6, step 3): for every θ of `grid`,
  /// `TPR = #{members with d ≤ θ} / #members` and `FPR` likewise for non-members; the area is the
  /// trapezoid over these points sorted by FPR, **not** anchored at (0,0) and (1,1), so it loses the
  /// part of the curve outside the grid (a grid artefact the paper shares).
  public static func membershipGridAUC(memberDistances: [Double], nonMemberDistances: [Double],
                                       grid: [Double] = PrivacyMetrics.paperGrid) -> Double {
    let m = memberDistances.sorted(), h = nonMemberDistances.sorted()
    let points = grid.map { t in
      ROCPoint(fpr: Double(countAtMost(h, t)) / Double(max(h.count, 1)), tpr: Double(countAtMost(m, t)) / Double(max(m.count, 1)))
    }
    return ROC.trapezoidArea(points)
  }

  /// The paper's AI-READI grid: θ = linspace(0.05, 4.7, 94) (Euclidean distance, normalised space).
  public static let paperGrid: [Double] = (0..<94).map { 0.05 + Double($0) * (4.7 - 0.05) / 93 }

  /// The paper's MIMIC-IV grid: θ = linspace(0.05, 10.5, 210).
  public static let paperLargeGrid: [Double] = (0..<210).map { 0.05 + Double($0) * (10.5 - 0.05) / 209 }

  /// The paper's grid for a table of `columns` columns: ``paperLargeGrid`` past
  /// ``EvaluationSampling/defaultWideColumnThreshold`` columns (a MIMIC-like table), else ``paperGrid``.
  public static func paperGrid(columns: Int) -> [Double] {
    columns > EvaluationSampling.defaultWideColumnThreshold ? paperLargeGrid : paperGrid
  }

  /// The membership risk of Yan et al.: an attacker claims "member" for every record whose
  /// **squared** Euclidean distance to the closest synthetic record is ≤ θ; the risk is the F1
  /// score of these claims, `tp / (tp + (fp + fn) / 2)`. On 0/1 data the squared distance counts
  /// differing attributes (a Hamming distance), which is the space in which θ = 5, 10, 20 was chosen.
  public static func membershipF1(memberDistances: [Double], nonMemberDistances: [Double], theta: Double) -> Double {
    let tp = memberDistances.filter { $0 * $0 <= theta }.count
    let fp = nonMemberDistances.filter { $0 * $0 <= theta }.count
    let fn = memberDistances.count - tp
    let denom = Double(tp) + Double(fp + fn) / 2
    return denom == 0 ? 0 : Double(tp) / denom
  }

  /// **DCR5**: share of synthetic rows closer to their nearest training row than the 5th
  /// percentile (linear interpolation) of the holdout rows' distances to their nearest training row.
  /// A generator that samples fresh records from the population scores about 0.05.
  public static func closeRecordShare(syntheticToTrain: [Double], holdoutToTrain: [Double], quantile: Double = 0.05) -> Double {
    let threshold = Statistics.quantile(holdoutToTrain, quantile)
    if syntheticToTrain.isEmpty { return 0 }
    return Double(syntheticToTrain.filter { $0 < threshold }.count) / Double(syntheticToTrain.count)
  }

  /// **EXACT**: share of synthetic rows identical to some training row (encoded distance < 1e-6).
  public static func exactCopyRate(syntheticToTrain: [Double]) -> Double {
    if syntheticToTrain.isEmpty { return 0 }
    return Double(syntheticToTrain.filter { $0 < 1e-6 }.count) / Double(syntheticToTrain.count)
  }

  static func countAtMost(_ sorted: [Double], _ t: Double) -> Int {
    var lo = 0, hi = sorted.count
    while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] <= t { lo = mid + 1 } else { hi = mid } }
    return lo
  }
}

/// The result of the attribute-inference attack on one group of target records.
public struct AttributeInferenceScore: Sendable, Codable {
  /// Entropy-weighted mean of the per-column scores (0 … 1).
  public var risk: Double
  /// Score per hidden column (F1 for binary, accuracy for other categorical, share within ±10 %
  /// for numeric columns), keyed by column name.
  public var perColumn: [String: Double]
}

/// The attribute-inference attack of Yan et al. (paper.md §6), generalised to any table.
///
/// The attacker knows some columns (``knownColumns``) of a target record, finds its `k` nearest
/// synthetic records on those columns (L1 distance, numeric columns divided by max(training range, 1),
/// categorical columns 0/1, a missing value differs from any present value; ties at the `k`-th
/// distance are all kept), and predicts each hidden column from them: the most frequent level
/// for categorical columns, the median for numeric ones. Scores per hidden column: F1 of the
/// rarer training level for two-level columns, accuracy for other categorical columns, and for
/// numeric columns the share of targets (with a value) predicted within ±10 % of the true value.
/// The risk is the mean of the column scores weighted by each column's training entropy
/// (numeric columns binned at the training quintiles).
public struct AttributeInference: Sendable {
  /// Names of the columns the attacker knows.
  public var knownColumns: [String]
  /// Number of nearest synthetic records used.
  public var k: Int

  /// Common quasi-identifier names used to choose the default known columns.
  public static let quasiIdentifierNames: Set<String> = [
    "age", "sex", "gender", "race", "ethnicity", "marital", "education", "edu", "income", "zip", "zipcode",
  ]

  /// The default attacker knowledge: the outcome plus every column whose (lower-cased) name is a
  /// common quasi-identifier (age, sex, gender, race, ethnicity, marital, education/edu, income,
  /// zip); if fewer than two such columns exist, the first three columns instead.
  public static func defaultKnownColumns(_ prepared: PreparedTables) -> [String] {
    let names = prepared.columns.map(\.name)
    let outcome = names[prepared.outcomeIndex]
    var known = names.filter { quasiIdentifierNames.contains($0.lowercased()) && $0 != outcome }
    if known.count < 2 { known = Array(names.filter { $0 != outcome }.prefix(3)) }
    return known + [outcome]
  }

  /// An attack with the given knowledge and number of neighbours (at least 1).
  public init(knownColumns: [String], k: Int = 1) {
    self.knownColumns = knownColumns
    self.k = max(1, k)
  }

  /// Runs the attack on every row of `targets` using the rows of `pool` as the attacker's data.
  public func run(_ prepared: PreparedTables, targets: ParsedTable, pool: ParsedTable) throws -> AttributeInferenceScore {
    let cols = prepared.columns
    var known: [Int] = []
    for name in knownColumns {
      guard let c = cols.firstIndex(where: { $0.name == name }) else {
        throw EvaluationInputError("attribute inference: unknown column '\(name)'")
      }
      known.append(c)
    }
    let hidden = (0..<cols.count).filter { !known.contains($0) }
    let nt = targets.rowCount, np = pool.rowCount
    if hidden.isEmpty || nt == 0 || np == 0 { return AttributeInferenceScore(risk: 0, perColumn: [:]) }

    // Known columns as a dense pool matrix: numeric scaled by max(range, 1); NaN = missing.
    let kq = known.count
    func knownRow(_ t: ParsedTable, _ r: Int, into out: UnsafeMutablePointer<Double>) {
      for (q, c) in known.enumerated() {
        if cols[c].kind == .numeric {
          out[q] = t.numbers[c][r] / max(cols[c].maximum - cols[c].minimum, 1)
        } else {
          out[q] = Double(t.codes[c][r])
        }
      }
    }
    let isNumeric = known.map { cols[$0].kind == .numeric }
    // Categorical columns first (most levels first): a mismatch adds 1, so rows are rejected early.
    let order = (0..<kq).sorted {
      let a = isNumeric[$0] ? 0 : cols[known[$0]].levels.count, b = isNumeric[$1] ? 0 : cols[known[$1]].levels.count
      return a != b ? a > b : $0 < $1
    }
    var poolKnown = [Double](repeating: 0, count: np * kq)
    poolKnown.withUnsafeMutableBufferPointer { p in for r in 0..<np { knownRow(pool, r, into: p.baseAddress! + r * kq) } }
    let buckets = KnownValueBuckets(poolKnown, columns: kq, order: order, isNumeric: isNumeric)

    var dist = [Double](repeating: 0, count: np)
    var target = [Double](repeating: 0, count: kq)
    var neighbours: [Int] = []
    // Every target's neighbours, flat: target r's are neighbourRows[neighbourEnds[r]..<neighbourEnds[r + 1]].
    var neighbourRows: [Int] = [], neighbourEnds = [0]
    for r in 0..<nt {
      target.withUnsafeMutableBufferPointer { t in knownRow(targets, r, into: t.baseAddress!) }
      neighbours.removeAll(keepingCapacity: true)
      if k == 1 {
        nearestKnown(target, buckets: buckets, into: &neighbours)
      } else {
        poolKnown.withUnsafeBufferPointer { p in
          dist.withUnsafeMutableBufferPointer { d in
            for j in 0..<np {
              var s = 0.0
              let row = p.baseAddress! + j * kq
              for q in 0..<kq {
                let a = target[q], b = row[q]
                if isNumeric[q] {
                  if a.isNaN || b.isNaN { s += (a.isNaN && b.isNaN) ? 0 : 1 } else { s += abs(a - b) }
                } else if a != b { s += 1 }
              }
              d[j] = s
            }
          }
        }
        // k-th smallest distance, then every pool row within it (ties kept).
        let kth = dist.sorted()[min(k, np) - 1]
        for j in 0..<np where dist[j] <= kth + 1e-12 { neighbours.append(j) }
      }
      neighbourRows.append(contentsOf: neighbours)
      neighbourEnds.append(neighbourRows.count)
    }
    // Column by column over the stored neighbour lists: one column's codes stay in cache for every target.
    // Columns are independent, so the workers share them out (a wide table has 1,456 hidden columns).
    let ends = neighbourEnds
    let flat = UnsafeSendableValue(neighbourRows)
    var results = [(score: Double, weight: Double)](repeating: (0, 0), count: hidden.count)
    results.withUnsafeMutableBufferPointer { slots in
      let out = ColumnScoreSlots(base: slots.baseAddress!)
      DispatchQueue.concurrentPerform(iterations: hidden.count) { h in
        out.base[h] = flat.value.withUnsafeBufferPointer { rows in
          Self.scoreHiddenColumn(hidden[h], prepared: prepared, targets: targets, pool: pool, neighbours: rows, ends: ends)
        }
      }
    }
    // Scores and entropy weights, summed in column order.
    var perColumn: [String: Double] = [:]
    var weighted = 0.0, totalWeight = 0.0
    for (h, c) in hidden.enumerated() {
      perColumn[cols[c].name] = results[h].score
      weighted += results[h].weight * results[h].score
      totalWeight += results[h].weight
    }
    return AttributeInferenceScore(risk: totalWeight > 0 ? weighted / totalWeight : 0, perColumn: perColumn)
  }
}

/// The synthetic pool grouped by its known categorical values, for the k = 1 attack: a target's distance to
/// a row is (categorical mismatches) + (numeric distances), so a whole group is skipped when its mismatches
/// alone exceed the best distance so far, and with one numeric known column a group is searched in sorted order.
/// The neighbours found, ties included, are those of a scan over every row.
struct KnownValueBuckets {
  struct Bucket {
    /// The group's categorical known values, in `categorical` order.
    var key: [Double]
    /// Pool rows of the group, in pool order (or sorted by the numeric value, see ``values``).
    var rows: [Int]
    /// With one numeric known column: the rows' values in ascending order (NaN rows are in ``missing``).
    var values: [Double] = []
    var missing: [Int] = []
  }
  let pool: [Double]
  let columns: Int
  /// Categorical known columns in the scan's order, then the numeric ones.
  let categorical: [Int], numeric: [Int]
  var buckets: [Bucket] = []

  init(_ pool: [Double], columns kq: Int, order: [Int], isNumeric: [Bool]) {
    self.pool = pool; self.columns = kq
    categorical = order.filter { !isNumeric[$0] }
    numeric = order.filter { isNumeric[$0] }
    let np = kq == 0 ? 0 : pool.count / kq
    var index: [[Double]: Int] = [:]
    for r in 0..<np {
      let key = categorical.map { pool[r * kq + $0] }
      if let b = index[key] { buckets[b].rows.append(r) } else { index[key] = buckets.count; buckets.append(Bucket(key: key, rows: [r])) }
    }
    if numeric.count == 1 {
      let q = numeric[0]
      for b in buckets.indices {
        let present = buckets[b].rows.filter { !pool[$0 * kq + q].isNaN }.sorted { pool[$0 * kq + q] < pool[$1 * kq + q] }
        buckets[b].missing = buckets[b].rows.filter { pool[$0 * kq + q].isNaN }
        buckets[b].values = present.map { pool[$0 * kq + q] }
        buckets[b].rows = present
      }
    }
  }
}

extension AttributeInference {
  /// Every pool row at the smallest distance from `target` (within 1e-12), into `neighbours` (cleared first).
  func nearestKnown(_ target: [Double], buckets: KnownValueBuckets, into neighbours: inout [Int]) {
    neighbours.removeAll(keepingCapacity: true)
    let kq = buckets.columns
    var best = Double.infinity
    // Mismatches per group; groups in increasing order of them so that the best distance falls early.
    var groups: [(mismatches: Double, bucket: Int)] = []
    for (b, bucket) in buckets.buckets.enumerated() {
      var mm = 0.0
      for (i, q) in buckets.categorical.enumerated() where target[q] != bucket.key[i] { mm += 1 }
      groups.append((mm, b))
    }
    groups.sort { $0.mismatches != $1.mismatches ? $0.mismatches < $1.mismatches : $0.bucket < $1.bucket }
    func consider(_ s: Double, _ row: Int) {
      if s < best - 1e-12 { best = s; neighbours.removeAll(keepingCapacity: true); neighbours.append(row) }
      else if s <= best + 1e-12 { neighbours.append(row) }
    }
    buckets.pool.withUnsafeBufferPointer { p in
      for (mm, b) in groups {
        if mm > best + 1e-12 { break }
        let bucket = buckets.buckets[b]
        if buckets.numeric.count == 1 {
          let t = target[buckets.numeric[0]]
          let missingDistance = t.isNaN ? mm : mm + 1
          if t.isNaN {
            for r in bucket.rows { consider(mm + 1, r) }
          } else {
            // Closest values first: lower bound of t, then outwards while a row can still tie.
            let v = bucket.values
            var lo = 0, hi = v.count
            while lo < hi { let mid = (lo + hi) >> 1; if v[mid] < t { lo = mid + 1 } else { hi = mid } }
            var left = lo - 1, right = lo
            while left >= 0 || right < v.count {
              let dl = left >= 0 ? abs(t - v[left]) : .infinity, dr = right < v.count ? abs(v[right] - t) : .infinity
              let useLeft = dl < dr || (dl == dr && left >= 0 && bucket.rows[left] < bucket.rows[right])
              let s = mm + (useLeft ? dl : dr)
              if s > best + 1e-12 { break }
              if useLeft { consider(s, bucket.rows[left]); left -= 1 } else { consider(s, bucket.rows[right]); right += 1 }
            }
          }
          for r in bucket.missing { consider(missingDistance, r) }
        } else {
          for r in bucket.rows {
            let row = p.baseAddress! + r * kq
            var s = mm
            for q in buckets.numeric {
              let a = target[q], c = row[q]
              if a.isNaN || c.isNaN { s += (a.isNaN && c.isNaN) ? 0 : 1 } else { s += abs(a - c) }
              if s > best + 1e-12 { break }
            }
            consider(s, r)
          }
        }
      }
    }
  }
}

/// A value the workers only read.
private struct UnsafeSendableValue<T>: @unchecked Sendable { let value: T; init(_ value: T) { self.value = value } }

extension AttributeInference {
  /// One hidden column's score and entropy weight: each target's prediction from its neighbours (the most
  /// frequent level, or the median), then F1, accuracy or the share within ±10 %, as ``run(_:targets:pool:)`` documents.
  static func scoreHiddenColumn(_ c: Int, prepared: PreparedTables, targets: ParsedTable, pool: ParsedTable,
                                neighbours rows: UnsafeBufferPointer<Int>, ends: [Int]) -> (score: Double, weight: Double) {
    let info = prepared.columns[c], nt = targets.rowCount
    if info.kind == .numeric {
      var values: [Double] = []
      var ok = 0, n = 0
      pool.numbers[c].withUnsafeBufferPointer { column in
        for r in 0..<nt {
          let truth = targets.numbers[c][r]
          if truth.isNaN { continue }
          n += 1
          values.removeAll(keepingCapacity: true)
          for j in rows[ends[r]..<ends[r + 1]] { let v = column[j]; if !v.isNaN { values.append(v) } }
          let p = values.isEmpty ? Double.nan : Statistics.median(values)
          if !p.isNaN && abs(p - truth) <= 0.1 * abs(truth) { ok += 1 }
        }
      }
      let disc = FidelityMetrics.discretize(prepared, prepared.train, column: c)
      var cnt = [Int](repeating: 0, count: disc.levels)
      for v in disc.codes { cnt[v] += 1 }
      return (n == 0 ? 0 : Double(ok) / Double(n), Statistics.entropy(counts: cnt))
    }
    let levels = info.levels.count
    var counts = [Int](repeating: 0, count: levels)
    var predicted = [Int](repeating: 0, count: nt)
    pool.codes[c].withUnsafeBufferPointer { codes in
      predicted.withUnsafeMutableBufferPointer { predicted in
        if levels == 2 {
          // Most binary columns of a wide table: level 1 wins only with more votes than level 0 (ties go to 0, as below).
          for r in 0..<nt {
            var ones = 0
            for j in rows[ends[r]..<ends[r + 1]] { ones &+= codes[j] }
            predicted[r] = 2 * ones > ends[r + 1] - ends[r] ? 1 : 0
          }
          return
        }
        counts.withUnsafeMutableBufferPointer { counts in
          for r in 0..<nt {
            for l in 0..<levels { counts[l] = 0 }
            for j in rows[ends[r]..<ends[r + 1]] { counts[codes[j]] += 1 }
            var best = 0
            for l in 1..<levels where counts[l] > counts[best] { best = l }
            predicted[r] = best
          }
        }
      }
    }
    var cnt = [Int](repeating: 0, count: levels)
    for v in prepared.train.codes[c] { cnt[v] += 1 }
    let weight = Statistics.entropy(counts: cnt)
    let truth = targets.codes[c]
    let trainLevels = (0..<info.trainingLevelCount).filter { cnt[$0] > 0 }
    if trainLevels.count == 2 {
      let positive = cnt[trainLevels[0]] <= cnt[trainLevels[1]] ? trainLevels[0] : trainLevels[1]
      var tp = 0, fp = 0, fn = 0
      for r in 0..<nt {
        let t = truth[r] == positive, p = predicted[r] == positive
        if t && p { tp += 1 } else if p { fp += 1 } else if t { fn += 1 }
      }
      return (tp == 0 ? 0 : Double(tp) / (Double(tp) + Double(fp + fn) / 2), weight)
    }
    var ok = 0
    for r in 0..<nt where truth[r] == predicted[r] { ok += 1 }
    return (Double(ok) / Double(nt), weight)
  }
}

/// Per-column score slots of the attribute-inference attack; each worker writes only its columns' slots.
private struct ColumnScoreSlots: @unchecked Sendable { let base: UnsafeMutablePointer<(score: Double, weight: Double)> }
