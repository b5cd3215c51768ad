import Testing
import Foundation
import NumericCore
import Autodiff
@testable import Synthesizers
import TestSupport

/// The block-autoregressive policy: its mask, its draws and its one-pass log-probabilities.
@Suite struct RLSynAutoregressiveTests {
  /// 2 Gaussian columns (the second with its indicator at 3), Bernoulli 2 and 3, one 3-level group 4..<7:
  /// factors [0], [1, 3], [2], [4, 5, 6].
  let layout = RecordLayout(gaussian: 0..<2, bernoulli: 2..<4, categoricalGroups: [4..<7], missingIndicatorForGaussian: [nil, 3])

  func policy(blocks: Int) -> RLSynPolicy {
    var rng = RandomSource(seed: 3)
    return RLSynPolicy(layout: layout, noiseDimension: 3, width: 8, logStdRange: -4...1, autoregressiveBlocks: blocks, rng: &rng)
  }

  @Test func blocksSplitTheFactorsInOrder() {
    #expect(RLSynPolicy.blocks(of: layout, count: 0) == [Array(0..<7)])
    #expect(RLSynPolicy.blocks(of: layout, count: 2) == [[0, 1, 3], [2, 4, 5, 6]])
    #expect(RLSynPolicy.blocks(of: layout, count: 9) == [[0], [1, 3], [2], [4, 5, 6]])
    #expect(policy(blocks: 1).feedback == nil)
  }

  @Test func maskLetsAHeadSeeOnlyEarlierBlocks() throws {
    let p = policy(blocks: 4)
    let mask = try #require(p.feedbackMask)
    // Heads: mean 0, 1 | log-std 2, 3 | Bernoulli 4, 5 | levels 6, 7, 8 | value 9.
    #expect(mask.rows == 7 && mask.cols == 10)
    for i in 0..<7 { #expect(mask[i, 0] == 0 && mask[i, 2] == 0 && mask[i, 9] == 0) }   // block 0 and the value
    #expect(mask[0, 1] == 1 && mask[3, 1] == 0 && mask[1, 3] == 0)                    // column 1 sees 0, not itself
    #expect(mask[3, 5] == 0)                                                          // the indicator is in column 1's block
    #expect((0..<7).map { mask[$0, 4] } == [1, 1, 0, 1, 0, 0, 0])                     // Bernoulli 2 sees blocks 0 and 1
    #expect((0..<7).map { mask[$0, 7] } == [1, 1, 1, 1, 0, 0, 0])                     // levels see every earlier block
  }

  /// With a large weight from column 0 to Bernoulli 2's logit, column 2 follows column 0's sign in every draw:
  /// the later block is drawn from the earlier block's values, and the returned output is the one it was drawn from.
  @Test func laterBlocksAreDrawnGivenEarlierValues() throws {
    let p = policy(blocks: 4)
    let feedback = try #require(p.feedback)
    var w = Matrix(rows: 7, cols: 10)
    w[0, 4] = 200
    feedback.value = w
    // Zero heads: column 0 ~ N(0, σ), every other logit 0 but for the feedback.
    p.heads.weight.value = Matrix(rows: 8, cols: 10)
    p.heads.bias.value = Matrix(rows: 1, cols: 10)
    var rng = RandomSource(seed: 5)
    let z = Variable(rng.normalMatrix(rows: 400, cols: 3))
    let (out, records) = p.draw(z, rng: &rng)
    var agree = 0, clear = 0, positive = 0
    for i in 0..<400 where abs(records[i, 0]) > 0.05 {
      clear += 1
      if records[i, 0] > 0 { positive += 1 }
      if (records[i, 0] > 0) == (records[i, 2] == 1) { agree += 1 }
    }
    #expect(clear > 200 && positive > clear / 10 && positive < clear * 9 / 10)
    #expect(agree == clear)
    // Teacher-forced output on the drawn records reproduces the draw's log-probabilities.
    let again = p(z, records: records)
    let a = p.logProbability(of: records, under: out).value, b = p.logProbability(of: records, under: again).value
    for i in 0..<400 { #expect(isClose(a[i, 0], b[i, 0], absolute: 1e-4, relative: 1e-5)) }
  }

  /// Changing a record's later blocks leaves the earlier blocks' parameters (and V) as they were.
  @Test func earlierHeadsIgnoreLaterValues() throws {
    let p = policy(blocks: 4)
    var rng = RandomSource(seed: 7)
    try #require(p.feedback).value = rng.normalMatrix(rows: 7, cols: 10)
    let z = Variable(rng.normalMatrix(rows: 5, cols: 3))
    let x = p.draw(z, rng: &rng).records
    var y = x
    for i in 0..<5 { y[i, 2] = 1 - y[i, 2]; y[i, 4] = 0; y[i, 5] = 1; y[i, 6] = 0 }
    let a = p(z, records: x), b = p(z, records: y)
    #expect(a.mean.value == b.mean.value && a.logStd.value == b.logStd.value && a.value.value == b.value.value)
    #expect(a.bernoulliLogits.value.columns(0..<1) == b.bernoulliLogits.value.columns(0..<1))
    #expect(a.categoricalLogProbabilities.value != b.categoricalLogProbabilities.value)
  }

  @Test func blocksFollowTheWidthAndTheEstimator() {
    var c = RLSynConfiguration(preset: .small)
    #expect(c.autoregressiveBlocks == 16 && c.autoregressiveBlocks(width: 256) == 16 && c.autoregressiveBlocks(width: 257) == 1)
    #expect(RLSynConfiguration(preset: .large).autoregressiveBlocks(width: 100) == 16)
    c.autoregressiveBlocks = 0
    #expect(c.autoregressiveBlocks(width: 256) == Int.max && c.autoregressiveBlocks(width: 257) == 1)
    #expect(RLSynConfiguration(preset: .paperSmall).autoregressiveBlocks(width: 10) == 1)
    #expect(RLSynConfiguration(preset: .paperLarge).autoregressiveBlocks(width: 10) == 1)
    #expect(RLSynConfiguration(preset: .private).autoregressiveBlocks(width: 10) == 1)
    #expect(RLSynConfiguration.fieldsAddedLater["autoregressiveBlocks"] == .int(1))
    // The counterfactual estimator redraws columns given z alone: one block, whatever the field says.
    c.advantageEstimator = .counterfactual
    #expect(c.autoregressiveBlocks(width: 10) == 1 && c.validationError() == nil)
    c.autoregressiveBlocks = 16
    #expect(c.autoregressiveBlocks(width: 10) == 1 && c.validationError() == nil)
    var rng = RandomSource(seed: 1)
    var automatic = RLSynConfiguration(preset: .small)
    automatic.autoregressiveBlocks = 0
    #expect(RLSynPolicy(configuration: automatic, layout: layout, rng: &rng).blockColumns.count == 4)
    #expect(RLSynPolicy(configuration: RLSynConfiguration(preset: .small), layout: layout, rng: &rng).blockColumns.count == 4)
  }

  @Test func configurationRefusesNegativeBlocks() {
    var c = RLSynConfiguration(preset: .small)
    c.autoregressiveBlocks = -1
    #expect(c.validationError() != nil)
  }
}
