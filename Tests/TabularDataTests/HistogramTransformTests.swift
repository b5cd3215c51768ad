import Foundation
import Testing
import NumericCore
@testable import TabularData

/// A private fit's numeric encoding: public bin edges, a quantile transform from counts, and the within-bin spread.
@Suite struct HistogramTransformTests {
  @Test func wholeNumbersGetOneBinPerValue() {
    let edges = BinnedCounts.edges(low: 0, high: 7, bins: 16, wholeNumbers: true)
    #expect(edges == [0, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7])
  }

  @Test func otherEdgesMergeEqualWidthsWithALogarithmicLowEnd() {
    let edges = BinnedCounts.edges(low: 0.1, high: 63, bins: 32, wholeNumbers: false)
    #expect(edges.first == 0.1 && edges.last == 63)
    #expect(zip(edges, edges.dropFirst()).allSatisfy { $0 < $1 }, "strictly increasing")
    #expect(edges.count > 17 && edges.count <= 33)
    // The low end is resolved far below an equal-width bin (about 4): a point mass near the minimum gets its own bins.
    #expect(edges[1] - edges[0] < 0.05)
    // The same arguments give the same edges (they read no data).
    #expect(edges == BinnedCounts.edges(low: 0.1, high: 63, bins: 32, wholeNumbers: false))
  }

  @Test func spreadStaysInsideTheBinAndIsUniformInProbability() {
    let edges = BinnedCounts.edges(low: 0, high: 10, bins: 16, wholeNumbers: true)
    let counts: [Double] = [500, 100, 100, 100, 50, 50, 50, 20, 20, 5, 5]
    let transform = NumericTransform(histogramEdges: edges, counts: counts)
    var rng = RandomSource(seed: 3)
    // Every record at value 0 (a point mass at the low edge) spreads over the first bin's scores, not one spike.
    let z0 = transform.forward(0)
    let spread = (0..<4_000).map { _ in transform.spreadBetweenKnots(z0, uniform: rng.uniformDouble()) }
    #expect(spread.allSatisfy { $0 >= transform.knotScores[0] && $0 <= transform.knotScores[1] })
    #expect(Set(spread).count > 3_000)
    // Uniform in probability: the median draw sits at the bin's middle probability.
    let sorted = spread.sorted()
    let middle = (normalCDFForTest(Double(transform.knotScores[0])) + normalCDFForTest(Double(transform.knotScores[1]))) / 2
    #expect(abs(normalCDFForTest(Double(sorted[2_000])) - middle) < 0.01)
    // Decoded and rounded, the spread values are still 0.
    #expect(spread.allSatisfy { transform.inverse($0).rounded() == 0 })
  }

  func normalCDFForTest(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
}
