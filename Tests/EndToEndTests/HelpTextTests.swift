import Testing
import Foundation
import TestSupport

/// Every command's `--help`: it exits 0, says what the command does, and lists exactly the options below, so that
/// an option is added to or removed from a command's surface on purpose (issue 32: `fit` lists at most 30).
@Suite struct HelpTextTests {
  static let rlsynOptions = ["--noise-dimension", "--policy-width", "--discriminator-width", "--policy-learning-rate",
                             "--discriminator-learning-rate", "--discriminator-steps", "--ppo-epochs", "--clip-epsilon",
                             "--entropy-coefficient", "--r1-gamma", "--mean-penalty", "--epsilon", "--delta", "--noise-multiplier"]
  static let common = ["--version", "--help"]

  static let expected: [(command: String, abstract: String, options: [String])] = [
    ("fit", "Fit a synthesizer", rlsynOptions + ["--metadata", "--model", "--seed", "--synthesizer", "--preset", "--iterations",
                                                  "--batch-size", "--config", "--encoding", "--rare-count", "--log-every", "--log-format",
                                                  "--threads", "--quiet"] + common),
    ("sample", "Write synthetic records", ["--rows", "--output", "--seed", "--condition", "--conditions"] + common),
    ("self-check", "Print the BLAS in use", ["--bench", "--repeats"] + common),
    ("schema", "Infer the column kinds", ["--metadata", "--output", "--outcome"] + common),
    ("evaluate", "Score a synthetic table", ["--train", "--holdout", "--synthetic", "--outcome", "--json", "--report", "--metadata",
                                             "--known-columns", "--seed", "--row-cap"] + common),
    ("split", "stratified", ["--metadata", "--outcome", "--train-fraction", "--seed", "--output-dir", "--shuffled-copy"] + common),
    ("benchmark", "Compare synthesizers", rlsynOptions + ["--metadata", "--outcome", "--synthesizers", "--seeds", "--train-fraction",
                                                          "--output", "--threads", "--quiet", "--gan-iterations",
                                                          "--diffusion-iterations", "--rlsyn-iterations", "--config"] + common),
  ]

  /// The long option names a help text lists, in order.
  static func listedOptions(_ help: String) -> [String] {
    help.split(separator: "\n").compactMap { line -> String? in
      guard line.hasPrefix("  -") else { return nil }
      let words = line.split(separator: " ").map(String.init)
      return words.first { $0.hasPrefix("--") }?.trimmingCharacters(in: CharacterSet(charactersIn: ","))
    }
  }

  @Test(arguments: expected.map(\.command))
  func helpListsTheCommandsOptions(command: String) throws {
    let entry = try #require(Self.expected.first { $0.command == command })
    let r = try CommandRunner.run([command, "--help"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains(entry.abstract), "\(r.stdout)")
    #expect(Set(Self.listedOptions(r.stdout)) == Set(entry.options), "\(Self.listedOptions(r.stdout))")
  }

  @Test func fitListsAtMostThirtyOptions() throws {
    let r = try CommandRunner.run(["fit", "--help"])
    #expect(r.status == 0)
    let options = Self.listedOptions(r.stdout)
    #expect(options.count <= 30, "\(options.count): \(options)")
    #expect(r.stdout.contains("--config"))
  }

  @Test func everyCommandHasAnEntry() throws {
    let r = try CommandRunner.run(["--help"])
    let listed = r.stdout.split(separator: "\n").drop { !$0.hasPrefix("SUBCOMMANDS") }.dropFirst()
      .compactMap { line -> String? in
        guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first,
              name.allSatisfy({ $0.isLowercase || $0 == "-" }) else { return nil }
        return String(name)
      }
    #expect(Set(listed).subtracting(["help"]) == Set(Self.expected.map(\.command)), "\(listed)")
  }
}
