import Foundation
import Testing
import NumericCore
import TabularData
@testable import Evaluation

/// Row caps on large tables (EvaluationSampling): what is sampled, that it is recorded, and what stays exact.
@Suite struct SamplingTests {
  @Test func sampleRowsDrawsDistinctRowsInOrder() {
    let kept = EvaluationSampling.sampleRows(count: 1_000, cap: 300, seed: 4)
    #expect(kept.count == 300 && Set(kept).count == 300)
    #expect(kept == kept.sorted() && kept.first! >= 0 && kept.last! < 1_000)
    #expect(kept == EvaluationSampling.sampleRows(count: 1_000, cap: 300, seed: 4))
    #expect(kept != EvaluationSampling.sampleRows(count: 1_000, cap: 300, seed: 5))
    #expect(EvaluationSampling.sampleRows(count: 200, cap: 300, seed: 4) == Array(0..<200))
    #expect(EvaluationSampling.sampleRows(count: 200, cap: nil, seed: 4) == Array(0..<200))
  }

  @Test func capAppliesToDistanceMetricsOnlyAndIsRecorded() throws {
    let train = toyTable(rows: 600, seed: 70), holdout = toyTable(rows: 300, seed: 71)
    let synthetic = train.columnwiseShuffled(seed: 3)
    var capped = EvaluationOptions()
    capped.rowCap = 200
    capped.includeAttributeInference = false
    var whole = capped
    whole.rowCap = nil
    let a = try Evaluator.evaluate(train: train, holdout: holdout, synthetic: synthetic, outcome: "y", options: capped).summary
    let b = try Evaluator.evaluate(train: train, holdout: holdout, synthetic: synthetic, outcome: "y", options: whole).summary
    let sampling = try #require(a.sampling)
    #expect(sampling.isSampled && sampling.rowCap == 200)
    #expect(sampling.distanceRows == [.train: 200, .holdout: 200, .synthetic: 200])
    #expect(sampling.rows == [.train: 600, .holdout: 300, .synthetic: 600] && sampling.inputRows == sampling.rows)
    #expect(sampling.description.hasSuffix("; inputs train 600, holdout 300, synthetic 600"))
    #expect(a.notes.contains(sampling.description) && a.formattedTable().contains("sampled (at most 200 rows per table"))
    #expect(b.sampling?.isSampled == false && !b.formattedTable().contains("sampled"))
    // Utility and fidelity see every row either way; the distance metrics move by sampling noise only.
    #expect(a.utility.lr.s2r == b.utility.lr.s2r && a.utility.gb.ratio == b.utility.gb.ratio)
    #expect(a.fidelity.dwd == b.fidelity.dwd && a.fidelity.nmi == b.fidelity.nmi)
    #expect(abs(try #require(a.privacy.mia) - (try #require(b.privacy.mia))) < 0.1)
    #expect(abs(try #require(a.fidelity.det) - (try #require(b.fidelity.det))) < 0.15)
    // The sampling survives the JSON round trip.
    #expect(try EvaluationSummary(jsonData: a.jsonData()).sampling == sampling)
  }

  /// A synthetic table that copies the training rows: every sampled synthetic row is a copy, although the
  /// sample of training rows the membership attack uses holds only a third of them.
  @Test func exactCopiesAreCountedAgainstTheWholeTrainingTable() throws {
    let train = toyTable(rows: 600, seed: 72), holdout = toyTable(rows: 300, seed: 73)
    var options = EvaluationOptions()
    options.rowCap = 200
    options.includeDetection = false
    options.includeAttributeInference = false
    let s = try Evaluator.evaluate(train: train, holdout: holdout, synthetic: train, outcome: "y", options: options).summary
    #expect(s.privacy.exact == 1 && s.privacy.dcr5 == 1)
    // The attack itself runs on the samples, as the paper's: a third of the sampled members have their copy
    // in the sampled synthetic rows (distance 0), the rest look like non-members, so AUC ≈ 0.5 + 1/3 · 0.5.
    let mia = try #require(s.privacy.mia)
    #expect(mia > 0.6 && mia < 0.75)
  }

  /// score.py's wide-table rule: more than 200 columns → at most `rowCap` rows; narrower tables stay whole.
  @Test func wideTablesAreSampledBeforeConversion() throws {
    func table(columns: Int, rows: Int) throws -> DataTable {
      try DataTable(columnNames: (0..<columns).map { "c\($0)" },
                    columns: (0..<columns).map { c in (0..<rows).map { String(($0 * 7 + c) % 2) as String? } })
    }
    let wide = EvaluationSampling.evaluationTable(try table(columns: 201, rows: 90), role: .train, label: "w", rowCap: 40, seed: 1)
    #expect(wide.rowCount == 40 && wide.columnNames.count == 201)
    let narrow = EvaluationSampling.evaluationTable(try table(columns: 200, rows: 90), role: .train, label: "n", rowCap: 40, seed: 1)
    #expect(narrow.rowCount == 90)
    let uncapped = EvaluationSampling.evaluationTable(try table(columns: 201, rows: 90), role: .train, label: "u", rowCap: nil, seed: 1)
    #expect(uncapped.rowCount == 90)
  }
}

/// The compact two-level encoding (wide tables) gives the one-hot encoding's distances and tree partitions.
@Suite struct CompactEncodingTests {
  @Test func distancesAndTreeScoresMatchTheOneHotEncoding() throws {
    let train = toyTable(rows: 400, seed: 80), holdout = toyTable(rows: 200, seed: 81)
    let synthetic = train.columnwiseShuffled(seed: 5)
    var onehot = EvaluationOptions()
    onehot.compactBinaryEncoding = false
    onehot.includeAttributeInference = false
    var compact = onehot
    compact.compactBinaryEncoding = true
    let a = try Evaluator.evaluate(train: train, holdout: holdout, synthetic: synthetic, outcome: "y", options: onehot).summary
    let b = try Evaluator.evaluate(train: train, holdout: holdout, synthetic: synthetic, outcome: "y", options: compact).summary
    #expect(abs(try #require(a.privacy.mia) - (try #require(b.privacy.mia))) < 1e-9)
    #expect(a.privacy.dcr5 == b.privacy.dcr5 && a.privacy.exact == b.privacy.exact && a.privacy.f1 == b.privacy.f1)
    #expect(abs(try #require(a.fidelity.det) - (try #require(b.fidelity.det))) < 1e-9)
    // The same partitions, but a split's children come in the other order, so later near-ties between
    // nodes can break the other way: a fit to noise (S2R on a shuffled table) moves in the fourth decimal.
    #expect(abs(try #require(a.utility.gb.s2r) - (try #require(b.utility.gb.s2r))) < 0.01)
    #expect(abs(try #require(a.utility.gb.r2r) - (try #require(b.utility.gb.r2r))) < 0.01)
    #expect(a.utility.lr.s2r == b.utility.lr.s2r && a.fidelity.dwd == b.fidelity.dwd)
  }

  @Test func weightedDistancesEqualTheOneHotPairs() throws {
    let prepared = try PreparedTables(train: toyTable(rows: 50, seed: 82), holdout: toyTable(rows: 30, seed: 83),
                                      synthetic: toyTable(rows: 40, seed: 84), outcome: "y")
    let full = TableEncoding(prepared), small = TableEncoding(prepared, compactBinary: true)
    // sex, code and y have two levels each: three features fewer.
    #expect(small.width == full.width - 3 && small.featureWeights.filter { $0 == 2 }.count == 3)
    let q = full.encode(prepared.holdout, prepared), r = full.encode(prepared.synthetic, prepared)
    let qs = small.encode(prepared.holdout, prepared), rs = small.encode(prepared.synthetic, prepared)
    let x = NearestNeighbors.nearest(queries: q, reference: r)
    let y = NearestNeighbors.nearest(queries: qs, reference: rs, weights: small.featureWeights)
    for (u, v) in zip(x.distances, y.distances) { #expect(abs(u - v) < 1e-6) }
  }
}

/// The grouped search of the attribute-inference attack finds exactly the rows a full scan finds, ties included.
@Suite struct KnownValueBucketTests {
  @Test(arguments: [1, 2]) func groupedSearchMatchesAFullScan(numericColumns: Int) {
    var rng = RandomSource(seed: UInt64(90 + numericColumns))
    let kq = 2 + numericColumns
    let isNumeric = (0..<kq).map { $0 >= 2 }
    func row() -> [Double] {
      (0..<kq).map { q in
        if !isNumeric[q] { return Double(rng.integer(below: 3)) }
        return rng.uniform() < 0.1 ? .nan : Double(rng.integer(below: 20)) / 19  // coarse values: many ties
      }
    }
    let np = 500
    let pool = (0..<np).flatMap { _ in row() }
    let buckets = KnownValueBuckets(pool, columns: kq, order: Array(0..<kq), isNumeric: isNumeric)
    let attack = AttributeInference(knownColumns: [])
    var found: [Int] = []
    for _ in 0..<200 {
      let t = row()
      var best = Double.infinity, scan: [Int] = []
      for r in 0..<np {
        var s = 0.0
        for q in 0..<kq {
          let a = t[q], b = pool[r * kq + q]
          if isNumeric[q] { s += (a.isNaN || b.isNaN) ? ((a.isNaN && b.isNaN) ? 0 : 1) : abs(a - b) } else if a != b { s += 1 }
        }
        if s < best - 1e-12 { best = s; scan = [r] } else if s <= best + 1e-12 { scan.append(r) }
      }
      attack.nearestKnown(t, buckets: buckets, into: &found)
      #expect(found.sorted() == scan)
    }
  }
}
