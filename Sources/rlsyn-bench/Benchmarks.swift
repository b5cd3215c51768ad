import ArgumentParser

/// Every benchmark subcommand, one line each.
let registeredBenchmarks: [any ParsableCommand.Type] = [
  TrainingStepBenchmark.self,
  EvaluateBenchmark.self,
]
