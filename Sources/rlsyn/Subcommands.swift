import ArgumentParser

/// Every subcommand of `rlsyn`, one line each (kept in its own file so features add a line, not a merge conflict).
let registeredSubcommands: [any ParsableCommand.Type] = [
  FitCommand.self,
  SampleCommand.self,
  SelfCheckCommand.self,
  SchemaCommand.self,
  EvaluateCommand.self,
  SplitCommand.self,
  BenchmarkCommand.self,
]
