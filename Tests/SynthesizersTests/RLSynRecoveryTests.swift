import Foundation
import Testing
import NumericCore
import Autodiff
@testable import Synthesizers
import TestSupport

/// Two correlated standard normals and a binary column whose rate depends on them.
func correlatedTable(rows: Int, seed: UInt64) -> Matrix {
  var rng = RandomSource(seed: seed)
  var m = Matrix(rows: rows, cols: 3)
  for i in 0..<rows {
    let a = rng.normal(), b = 0.8 * a + 0.6 * rng.normal()
    m[i, 0] = a
    m[i, 1] = b
    m[i, 2] = rng.uniform() < Matrix.sigmoid(2.5 * a) ? 1 : 0
  }
  return m
}

struct TableSummary {
  var meanA: Float, meanB: Float, correlation: Float, rateGivenPositive: Float, rateGivenNegative: Float, sdA: Float, sdB: Float
  init(_ m: Matrix) {
    let n = Float(m.rows)
    let a = m.column(0), b = m.column(1), y = m.column(2)
    let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
    meanA = ma
    meanB = mb
    let sa = (a.map { ($0 - ma) * ($0 - ma) }.reduce(0, +) / n).squareRoot()
    let sb = (b.map { ($0 - mb) * ($0 - mb) }.reduce(0, +) / n).squareRoot()
    correlation = zip(a, b).map { ($0 - ma) * ($1 - mb) }.reduce(0, +) / n / (sa * sb)
    sdA = sa
    sdB = sb
    let pos = zip(a, y).filter { $0.0 > 0 }.map(\.1), neg = zip(a, y).filter { $0.0 <= 0 }.map(\.1)
    rateGivenPositive = pos.reduce(0, +) / Float(max(pos.count, 1))
    rateGivenNegative = neg.reduce(0, +) / Float(max(neg.count, 1))
  }
}

/// RLSyn recovers a known structure: two correlated Gaussians and a binary column that depends on one.
///
/// The tolerances come from the measured spread: `rlsyn-bench recovery --seeds 20 --iterations 600` (the
/// same table and settings) gave, over seeds 0–19, at most 0.10 error in the means, 0.06 in the correlation,
/// 0.07 in the conditional rates and 0.22 in the standard deviations; with today's defaults (3 PPO epochs, the
/// rollout's records reused as a fake batch) at most 0.09, 0.08, 0.08 and 0.17. With two rollout batches (2026-12-03)
/// one mean came out further: 0.21 (seed 13) before their batches were drawn on separate streams and 0.16 (seed 12)
/// after, every other error ≤ 0.08 in the means and correlation, ≤ 0.07 in the rates, ≤ 0.13 in the standard
/// deviations; hence 0.25 for the means. `RLSYN_RECOVERY_SEED=N` runs the test
/// with another seed (the default is 7); `for s in $(seq 0 9); do RLSYN_RECOVERY_SEED=$s swift test --filter
/// RLSynRecoveryTests; done` checks ten in a row.
@Suite struct RLSynRecoveryTests {
  @Test func recoversMeansCorrelationAndConditionalRate() throws {
    let seed = ProcessInfo.processInfo.environment["RLSYN_RECOVERY_SEED"].flatMap(UInt64.init) ?? 7
    let data = correlatedTable(rows: 2000, seed: 1)
    let layout = RecordLayout(gaussian: 0..<2, bernoulli: 2..<3, categoricalGroups: [])
    var config = RLSynConfiguration(preset: .small)
    config.iterations = 600
    config.batchSize = 256
    config.noiseDimension = 16
    config.policyWidth = 64
    config.discriminatorWidth = 64
    config.discriminatorSteps = 2
    let trainer = try RLSynTrainer(configuration: config, layout: layout, data: data, seed: seed)
    try trainer.train()
    var rng = RandomSource(seed: 3)
    let synthetic = trainer.model.sample(rows: 4000, rng: &rng)
    let real = TableSummary(data), syn = TableSummary(synthetic)
    print("seed \(seed): real", real, "synthetic", syn)
    #expect(Swift.abs(syn.meanA - real.meanA) < 0.25, "mean \(syn.meanA) vs \(real.meanA)")
    #expect(Swift.abs(syn.meanB - real.meanB) < 0.25, "mean \(syn.meanB) vs \(real.meanB)")
    #expect(Swift.abs(syn.correlation - real.correlation) < 0.15, "correlation \(syn.correlation) vs \(real.correlation)")
    #expect(Swift.abs(syn.rateGivenPositive - real.rateGivenPositive) < 0.15, "P(y|a>0) \(syn.rateGivenPositive) vs \(real.rateGivenPositive)")
    #expect(Swift.abs(syn.rateGivenNegative - real.rateGivenNegative) < 0.15, "P(y|a≤0) \(syn.rateGivenNegative) vs \(real.rateGivenNegative)")
    #expect(Swift.abs(syn.sdA - real.sdA) < 0.3 && Swift.abs(syn.sdB - real.sdB) < 0.3, "sd \(syn.sdA), \(syn.sdB) vs \(real.sdA), \(real.sdB)")
  }
}
