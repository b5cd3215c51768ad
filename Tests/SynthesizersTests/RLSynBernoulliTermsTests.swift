import Testing
import Foundation
import NumericCore
import Autodiff
@testable import Synthesizers
import TestSupport

/// The Bernoulli terms that share one σ and one softplus against the composed operations they replace.
@Suite struct RLSynBernoulliTermsTests {
  @Test func valuesAndGradientsMatchTheComposedForms() {
    var rng = RandomSource(seed: 17)
    let logits = Variable(rng.normalMatrix(rows: 6, cols: 5, std: 3), requiresGradient: true)
    let values = Matrix(rows: 6, cols: 5, storage: (0..<30).map { _ in rng.uniform() < 0.4 ? 1 : 0 })
    let weights = Variable(rng.normalMatrix(rows: 6, cols: 5))
    let cache = BernoulliCache(logits: logits)
    let pairs: [(shared: Variable, composed: Variable)] = [
      (RLSynPolicy.bernoulliLogProbability(cache, values: values), Variable(values) * logits - logits.softplus()),
      (RLSynPolicy.bernoulliEntropy(cache), logits.softplus() - logits * logits.sigmoid()),
      (RLSynPolicy.bernoulliProbability(cache), logits.sigmoid()),
    ]
    for (shared, composed) in pairs {
      #expect(isClose(shared.value, composed.value, absolute: 1e-5, relative: 1e-5))
      let g = gradients(of: (shared * weights).sum(), withRespectTo: [logits])[0].value
      let reference = gradients(of: (composed * weights).sum(), withRespectTo: [logits])[0].value
      #expect(isClose(g, reference, absolute: 1e-5, relative: 1e-4))
    }
    // σ and softplus are computed once and shared.
    #expect(cache.probabilities == logits.value.sigmoid())
  }
}
