import ArgumentParser
import Foundation
import NumericCore
import TabularData
@_spi(Benchmark) import Synthesizers

/// `rlsyn-bench iteration`: where an RLSyn iteration's time goes, phase by phase, on a real table.
///
/// Fits the encoder to the CSV, builds the trainer of the preset (plus `--set` overrides), runs warm-up
/// iterations, then times each phase one after the other on one thread (medians over repeats), and whole
/// iterations with the configured thread budget.
struct IterationBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "iteration",
                                                  abstract: "Per-phase time of one RLSyn iteration on a CSV.")

  @Argument(help: "Training CSV.") var csv: String
  @Option(help: "RLSyn preset (default: by row count).") var preset: String?
  @Option(name: .customLong("set"), help: "Override a configuration field, e.g. --set discriminatorSteps=5 (JSON value).") var settings: [String] = []
  @Option(help: "Warm-up iterations before timing.") var warmup: Int = 20
  @Option(help: "Timed repeats of each phase and of whole iterations.") var repeats: Int = 30
  @Option(help: "Threads for the whole-iteration timing.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  func run() throws {
    AllocatorTuning.keepFreedMemory()
    // Subnormals flushed for every measurement, as a fit's training loop does.
    try FloatingPointMode.withSubnormalsFlushed { try measure() }
  }

  func measure() throws {
    let table = try CSVReader.read(URL(fileURLWithPath: csv))
    let encoder = try TableEncoder(fitting: table, schema: Schema.infer(from: table))
    let data = try encoder.encode(table)
    let layout = RecordLayout(encoder)
    var config = try RLSynSynthesizer.configuration(rows: table.rowCount, layout: layout, preset: preset)
    config = try RecoveryBenchmark.override(config, with: settings)
    let trainer = try RLSynTrainer(configuration: config, layout: layout, data: data, seed: 0)
    print("\(csv): \(data.rows) rows, \(data.cols) encoded columns; preset \(config.preset.rawValue), batch \(config.batchSize), "
          + "K = \(config.discriminatorSteps), PPO epochs \(config.ppoEpochs), R1 every \(config.r1Interval), "
          + "\(config.concurrentDiscriminator ? "concurrent" : "sequential") discriminator; \(BLAS.summary)")
    for i in 0..<warmup { _ = trainer.step(TrainingContext(iteration: i + 1, threads: 1)) }
    func median(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }
    print("phase (one thread, median of \(repeats))".padding(toLength: 52, withPad: " ", startingAt: 0) + "ms")
    var medians: [String: Double] = [:]
    for (phase, seconds) in BLAS.withThreadLimit(1, { trainer.timePhases(repeats: repeats) }) {
      medians[phase] = median(seconds)
      print("  " + phase.padding(toLength: 50, withPad: " ", startingAt: 0) + String(format: "%7.2f", median(seconds) * 1e3))
    }
    // An iteration: rollout, PPO, fakes, K steps of which K / r1Interval carry R1.
    let k = Double(config.discriminatorSteps)
    let bce = medians.first { $0.key.hasSuffix("BCE only") }?.value ?? 0
    let r1 = medians.first { $0.key.hasSuffix("BCE + R1") }?.value ?? 0
    let fixed = medians.filter { !$0.key.hasPrefix("one discriminator step") }.values.reduce(0, +)
    let estimate = fixed + k * bce + k / Double(config.r1Interval) * (r1 - bce)
    print(String(format: "  sum: one iteration on one thread ≈ %.2f ms (R1 on 1 step in %d)", estimate * 1e3, config.r1Interval))
    for t in Set([1, threads]).sorted() {
      var times: [Double] = []
      trainer.stepTimings = []
      for i in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = BLAS.withThreadLimit(t) { trainer.step(TrainingContext(iteration: warmup + i + 1, threads: t)) }
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
      }
      if t > 1, let parts = trainer.stepTimings, !parts.isEmpty {
        func ms(_ key: KeyPath<RLSynTrainer.StepTimings, Double>) -> String { String(format: "%.2f", median(parts.map { $0[keyPath: key] }) * 1e3) }
        let order = config.concurrentDiscriminator && config.discriminatorSteps > 0 ? "side by side" : "one after the other"
        print("  \(t) threads, medians of the parts as they ran: rollout \(ms(\.rollout)) ms, then \(order) PPO "
              + "\(ms(\.policy)) ms and discriminator \(ms(\.discriminator)) ms; whole step \(ms(\.total)) ms")
      }
      // The mean is what a fit's wall time follows; a long tail (thread wake-ups, page faults) shows as mean > median.
      print(String(format: "whole iteration, %d thread%@: median %.2f ms, mean %.2f ms", t, t == 1 ? "" : "s", median(times) * 1e3,
                   times.reduce(0, +) / Double(times.count) * 1e3))
    }
  }
}
