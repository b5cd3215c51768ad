import ArgumentParser

/// Every benchmark subcommand, one line each.
let registeredBenchmarks: [any ParsableCommand.Type] = [
  CSVBenchmark.self,
  TrainingStepBenchmark.self,
  ElementwiseBenchmark.self,
  GEMMBenchmark.self,
  EvaluateBenchmark.self,
  RecoveryBenchmark.self,
  IterationBenchmark.self,
  PrivateDiscriminatorBenchmark.self,
]
