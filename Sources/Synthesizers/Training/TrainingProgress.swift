//===----------------------------------------------------------------------===//
// Progress reports of any synthesizer's training, for terminals and JSON logs.
//===----------------------------------------------------------------------===//

import Foundation

/// A progress report of a training run.
public struct TrainingProgress: Sendable, Codable, Equatable {
  /// Iterations completed.
  public var iteration: Int
  /// Iterations planned.
  public var iterations: Int
  /// The synthesizer's figures, each the mean over the iterations since the previous report.
  public var figures: [TrainingFigure]
  public var elapsedSeconds: Double
  /// Elapsed time per iteration so far, times the iterations left.
  public var remainingSeconds: Double

  /// The value of the figure named `name`, if the synthesizer reports it.
  public func figure(_ name: String) -> Float? { figures.first { $0.name == name }?.value }

  /// One line for a terminal: `iteration 50/800  mean reward 0.4950  …  elapsed 1.2s  remaining 18.0s`.
  public var textLine: String {
    let m = figures.map { String(format: "%@ %.4f", $0.name.replacingOccurrences(of: "_", with: " "), $0.value) }
    return String(format: "iteration %d/%d  %@  elapsed %.1fs  remaining %.1fs", iteration, iterations,
                  m.joined(separator: "  "), elapsedSeconds, remainingSeconds)
  }

  /// One JSON object (sorted keys, no newline): iteration counts, times, and one key per figure.
  public var jsonLine: String {
    var object: [String: Any] = ["iteration": iteration, "iterations": iterations,
                                 "elapsed_seconds": elapsedSeconds, "remaining_seconds": remainingSeconds]
    for f in figures { object[f.name] = Double(f.value) }
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }
}
