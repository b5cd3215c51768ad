import Foundation
import Testing
import NumericCore
import Autodiff
import Synthesizers

/// A trainer whose step adds 1 to one parameter and reports scripted figures (NaN at a chosen iteration).
final class ScriptedTrainer: SynthesizerTrainer {
  struct Configuration: SynthesizerConfiguration {
    var iterations = 10
    var batchSize = 2
    var logEvery = 4
    func validationError() -> String? { nil }
  }
  final class Model: RecordGenerator {
    let weight = Variable(Matrix(rows: 1, cols: 1), name: "w")
    var parameters: [Variable] { [weight] }
    func generate(rows: Int, rng: inout RandomSource, threads: Int) -> Matrix { Matrix(rows: rows, cols: 1) }
  }
  struct Metrics: TrainingMetrics {
    var value: Float
    var figures: [TrainingFigure] { [TrainingFigure("scripted_value", value)] }
  }

  let configuration = Configuration()
  let model = Model()
  let online = Variable(Matrix(rows: 1, cols: 1), name: "online")
  let divergeAt: Int?
  let average: Bool
  /// Seconds the first step takes (set-up work, like RLSyn's likelihood warm-up).
  let firstStepSeconds: Double
  var seenThreads: [Int] = []

  init(divergeAt: Int? = nil, average: Bool = false, firstStepSeconds: Double = 0) {
    self.divergeAt = divergeAt
    self.average = average
    self.firstStepSeconds = firstStepSeconds
  }

  var trainedParameters: [Variable] { average ? [online] : [model.weight] }
  var weightAverage: WeightAverage? { average ? WeightAverage(online: [online], average: [model.weight], decay: 0.5) : nil }

  func step(_ context: TrainingContext) -> Metrics {
    if context.iteration == 1 && firstStepSeconds > 0 { Thread.sleep(forTimeInterval: firstStepSeconds) }
    seenThreads.append(context.threads)
    let target = average ? online : model.weight
    target.value = target.value + 1
    return Metrics(value: context.iteration == divergeAt ? .nan : Float(context.iteration))
  }
}

@Suite struct TrainingLoopTests {
  @Test func reportsMeansOfTheFiguresSinceThePreviousReport() throws {
    let trainer = ScriptedTrainer()
    var reports: [TrainingProgress] = []
    let loop = try trainer.train(threads: 3) { reports.append($0) }
    #expect(loop.completedIterations == 10)
    #expect(reports.map(\.iteration) == [4, 8, 10])
    // Iterations 1–4, 5–8 and 9–10 report 1…10: means 2.5, 6.5, 9.5.
    #expect(reports.map { $0.figure("scripted_value") } == [2.5, 6.5, 9.5])
    #expect(reports.last?.remainingSeconds == 0)
    #expect(trainer.seenThreads == [Int](repeating: 3, count: 10))
    #expect(reports[0].textLine.hasPrefix("iteration 4/10  scripted value 2.5000  elapsed "))
    let json = try #require(try JSONSerialization.jsonObject(with: Data(reports[0].jsonLine.utf8)) as? [String: Any])
    #expect(json["scripted_value"] as? Double == 2.5 && json["iteration"] as? Int == 4)
  }

  /// A slow first step (set-up work) is not extrapolated to the remaining iterations.
  @Test func remainingTimeComesFromTheStepsAfterTheFirst() throws {
    var reports: [TrainingProgress] = []
    try ScriptedTrainer(firstStepSeconds: 0.4).train(threads: 1) { reports.append($0) }
    // At iteration 4 the old estimate, elapsed / 4 × 6, would be 0.6 s; the steps after the first take microseconds.
    #expect(reports[0].elapsedSeconds >= 0.4 && reports[0].remainingSeconds < 0.1, "\(reports[0].remainingSeconds)")
  }

  @Test func divergenceRestoresTheLastReportedParameters() {
    let trainer = ScriptedTrainer(divergeAt: 7)
    do {
      try trainer.train()
      Issue.record("training should have diverged")
    } catch let e as TrainingError {
      #expect(e == .diverged(iteration: 7, lastGoodIteration: 4, quantity: "the scripted value"))
      // The weight was 4 at the report of iteration 4; iterations 5–7 were undone.
      #expect(trainer.model.weight.value.scalarValue == 4)
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test func weightAverageFollowsTheOnlineWeightsWithWarmUp() throws {
    let trainer = ScriptedTrainer(average: true)
    let loop = TrainingLoop(trainer: trainer, iterations: 3, reportEvery: 10)
    try loop.run()
    // d_s = min(0.5, (1 + s)/(10 + s)) is still in its warm-up: 2/11, 3/12, 4/13.
    var average: Float = 0
    for (s, online) in [(1, Float(1)), (2, 2), (3, 3)] {
      let d = Swift.min(0.5, Float(1 + s) / Float(10 + s))
      average = d * average + (1 - d) * online
    }
    #expect(Swift.abs(trainer.model.weight.value.scalarValue - average) < 1e-6)
    #expect(trainer.online.value.scalarValue == 3)
  }

  @Test func threadLimitIsScopedToTheCallingThread() {
    let before = BLAS.threadCount
    BLAS.withThreadLimit(1) {
      #expect(BLAS.currentThreadLimit == 1)
      #expect(BLAS.threadCount == before)
    }
    #expect(BLAS.currentThreadLimit == nil)
    #expect(BLAS.threadCount == before)
  }
}
