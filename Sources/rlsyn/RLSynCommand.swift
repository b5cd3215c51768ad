import ArgumentParser

/// The `rlsyn` command: fit, sample, evaluate and benchmark synthetic-data generators.
struct RLSynCommand: ParsableCommand {
  static let version = "0.1.0"
  static let configuration = CommandConfiguration(
    commandName: "rlsyn",
    abstract: "Privacy-preserving synthetic tabular data with reinforcement learning (RLSyn, arXiv 2512.21395).",
    version: version,
    subcommands: registeredSubcommands
  )
}
