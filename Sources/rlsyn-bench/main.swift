import ArgumentParser
import NumericCore

/// `rlsyn-bench`: throughput benchmarks, one subcommand per area. Run with `swift run -c release rlsyn-bench …`.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rlsyn-bench",
    abstract: "Benchmarks of the numeric core, the data layer and the synthesizers (release builds only).",
    subcommands: registeredBenchmarks)
}

BenchCommand.main()
