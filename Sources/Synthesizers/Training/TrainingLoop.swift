//===----------------------------------------------------------------------===//
// The one training loop every synthesizer runs in.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff

/// Runs a ``SynthesizerTrainer`` for a number of iterations and owns what every generator needs
/// around its mathematics: the iteration count, the weight average, finite checks with snapshot
/// and restore, progress with remaining time, and the thread budget.
///
/// - Every step's figures must be finite; the parameters are checked at every report. A report whose
///   parameters are all finite becomes the snapshot that a later divergence restores.
/// - BLAS products run under ``NumericCore/BLAS/withThreadLimit(_:_:)`` with the trainer's share of
///   ``threads``; no process-wide setting is changed.
/// - Subnormal floats are flushed to zero on the training threads (``NumericCore/FloatingPointMode``).
public final class TrainingLoop<Trainer: SynthesizerTrainer> {
  public let trainer: Trainer
  /// Iterations to run in total.
  public let iterations: Int
  /// Iterations between progress reports (the last iteration always reports).
  public let reportEvery: Int
  /// The most threads training may use.
  public let threads: Int
  /// Iterations completed so far.
  public private(set) var completedIterations = 0

  /// - Parameter threads: the most threads to use (default: every active core).
  public init(trainer: Trainer, iterations: Int, reportEvery: Int, threads: Int = TrainingContext.defaultThreads) {
    self.trainer = trainer
    self.iterations = iterations
    self.reportEvery = Swift.max(reportEvery, 1)
    self.threads = Swift.max(threads, 1)
  }

  var snapshotted: [Variable] { trainer.trainedParameters + (trainer.weightAverage?.average ?? []) }

  /// Runs the remaining iterations, calling `progress` at every report.
  ///
  /// - Throws: ``TrainingError/diverged(iteration:lastGoodIteration:quantity:)`` after restoring the
  ///   parameters of the last report whose values were all finite.
  public func run(progress: (TrainingProgress) -> Void = { _ in }) throws {
    let start = DispatchTime.now().uptimeNanoseconds
    let blasThreads = trainer.blasThreads(available: threads)
    // Subnormals flushed to zero: late in a fit they appear, and each one costs a microcode assist (RLSyn's PPO
    // epochs on NHEFS: 9.1 ms at iteration 20, 12.4 ms at 1,500 without, 9.2 ms with).
    try FloatingPointMode.withSubnormalsFlushed { try BLAS.withThreadLimit(blasThreads) {
      var snapshot = snapshotted.map(\.value)
      var snapshotIteration = completedIterations
      var sums: [Double] = [], names: [String] = [], count = 0
      // The first step may carry set-up work (RLSyn's likelihood warm-up): the remaining time is estimated from the
      // steps after it.
      var firstStepEnd: (time: UInt64, iteration: Int)?
      while completedIterations < iterations {
        let figures = trainer.step(TrainingContext(iteration: completedIterations + 1, threads: threads)).figures
        completedIterations += 1
        if firstStepEnd == nil { firstStepEnd = (DispatchTime.now().uptimeNanoseconds, completedIterations) }
        trainer.weightAverage?.update(afterStep: completedIterations)
        if let bad = figures.first(where: { !$0.value.isFinite }) {
          restore(snapshot)
          throw TrainingError.diverged(iteration: completedIterations, lastGoodIteration: snapshotIteration,
                                       quantity: "the " + bad.name.replacingOccurrences(of: "_", with: " "))
        }
        if names.isEmpty { names = figures.map(\.name); sums = [Double](repeating: 0, count: names.count) }
        count += 1
        for (k, f) in figures.enumerated() where k < sums.count {
          if f.reportsLatest { sums[k] = Double(f.value) * Double(count) } else { sums[k] += Double(f.value) }
        }
        guard completedIterations % reportEvery == 0 || completedIterations == iterations else { continue }
        let values = snapshotted.map(\.value)
        guard values.allSatisfy(\.isFinite) else {
          restore(snapshot)
          throw TrainingError.diverged(iteration: completedIterations, lastGoodIteration: snapshotIteration, quantity: "a parameter")
        }
        snapshot = values
        snapshotIteration = completedIterations
        let now = DispatchTime.now().uptimeNanoseconds
        let elapsed = Double(now - start) / 1e9
        var perIteration = elapsed / Double(completedIterations)
        if let first = firstStepEnd, completedIterations > first.iteration {
          perIteration = Double(now - first.time) / 1e9 / Double(completedIterations - first.iteration)
        }
        progress(TrainingProgress(
          iteration: completedIterations, iterations: iterations,
          figures: zip(names, sums).map { TrainingFigure($0, Float($1 / Double(count))) },
          elapsedSeconds: elapsed,
          remainingSeconds: perIteration * Double(iterations - completedIterations)))
        sums = sums.map { _ in 0 }
        count = 0
      }
    } }
  }

  func restore(_ values: [Matrix]) {
    for (p, v) in zip(snapshotted, values) { p.value = v }
  }
}

extension SynthesizerTrainer {
  /// Trains for the configuration's iterations in a ``TrainingLoop``, reporting every `logEvery` iterations.
  @discardableResult
  public func train(threads: Int = TrainingContext.defaultThreads, progress: (TrainingProgress) -> Void = { _ in }) throws -> TrainingLoop<Self> {
    let loop = TrainingLoop(trainer: self, iterations: configuration.iterations, reportEvery: configuration.logEvery, threads: threads)
    try loop.run(progress: progress)
    return loop
  }
}
