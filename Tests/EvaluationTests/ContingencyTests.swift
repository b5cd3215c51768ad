import Testing
import NumericCore
@testable import Evaluation

/// Co-occurrence counts from one product must equal counting the rows pair by pair.
@Suite struct ContingencyTests {
  @Test func jointCountsMatchDirectCountingAcrossBlocks() {
    var rng = RandomSource(seed: 11)
    let levels = [2, 1, 3, 5, 2, 4]
    let n = 53
    let codes = levels.map { k in (0..<n).map { _ in rng.integer(below: k) } }
    for blockRows in [7, 8_192] {
      let counts = PairwiseContingency(codes: codes, levels: levels, blockRows: blockRows)
      for i in 0..<levels.count {
        for j in 0..<levels.count where i != j {
          var direct = [Int](repeating: 0, count: levels[i] * levels[j])
          for r in 0..<n { direct[codes[i][r] * levels[j] + codes[j][r]] += 1 }
          #expect(counts.joint(i, j) == direct, "columns \(i), \(j), blocks of \(blockRows)")
        }
      }
    }
  }

  @Test func nmiAndCramersVFromCountsEqualTheRowVersions() {
    var rng = RandomSource(seed: 5)
    let n = 200
    let a = (0..<n).map { _ in rng.integer(below: 3) }
    let b = a.map { v in rng.uniform() < 0.7 ? v : rng.integer(below: 4) }
    let counts = PairwiseContingency(codes: [a, b], levels: [3, 4])
    #expect(Statistics.normalizedMutualInformation(joint: counts.joint(0, 1), ka: 3, kb: 4)
            == Statistics.normalizedMutualInformation(a, b, ka: 3, kb: 4))
    #expect(FidelityMetrics.cramersV(joint: counts.joint(0, 1), 3, 4) == FidelityMetrics.cramersV(a, 3, b, 4))
  }
}
