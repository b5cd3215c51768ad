import ArgumentParser
import Benchmarking
import Foundation
import NumericCore
import Reporting
import Synthesizers
import TabularData

/// `rlsyn benchmark`: split, fit every synthesizer, sample, evaluate, for several seeds; one comparison table.
struct BenchmarkCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "benchmark",
    abstract: "Compare synthesizers (RLSyn, GAN, diffusion) on one CSV over several seeds.",
    discussion: """
      For each seed: a stratified train/holdout split (as `rlsyn split --seed`), then for each synthesizer a fit \
      on the training rows with that seed and its default settings, a sample as large as the training split, and \
      the evaluation of `rlsyn evaluate`. Writes benchmark.md and benchmark.json (mean ± sd per metric and \
      synthesizer, fit and sample times), benchmark.html (comparison plots) and, under runs/, every split, \
      synthetic table and evaluation. Progress goes to standard error. See docs/benchmarks.md. \
      The RLSyn options (and --rlsyn-iterations) change only the RLSyn fits, --noise-dimension included.
      """)

  @OptionGroup var input: DataInputOptions
  @Option(help: ArgumentHelp("The binary outcome column.", valueName: "COL"))
  var outcome: String
  @Option(help: ArgumentHelp("Comma-separated synthesizers, in column order.", valueName: "rlsyn,gan,diffusion"))
  var synthesizers: String = "rlsyn,gan,diffusion"
  @Option(help: "Number of seeds (0, 1, …, N−1): each gives its own split, fits and samples.")
  var seeds: Int = 3
  @Option(help: "Share of rows used for training in each split.")
  var trainFraction: Double = 0.7
  @Option(help: ArgumentHelp("Folder for the results (created if missing; existing files are replaced).", valueName: "DIR"))
  var output: String = "benchmark"
  @Option(help: "The most threads fits, samples and BLAS use (default: every core). 1 is usually fastest on a busy 2-core machine.")
  var threads: Int?
  @Flag(help: "Only the final summary on standard error (no per-run lines).")
  var quiet = false
  @Option(help: "GAN generator updates (default: the GAN default).") var ganIterations: Int?
  @Option(help: "Diffusion training steps (default: the diffusion default).") var diffusionIterations: Int?
  @Option(help: "RLSyn policy updates (default: the preset's).") var rlsynIterations: Int?
  @OptionGroup(title: "RLSyn options (as for rlsyn fit; RLSyn fits only)") var rlsyn: RLSynOptions
  @OptionGroup var configFile: ConfigurationFileOption

  func validate() throws {
    guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
    guard trainFraction > 0 && trainFraction < 1 else { throw ValidationError("--train-fraction must be strictly between 0 and 1") }
    _ = try kinds()
  }

  func kinds() throws -> [SynthesizerKind] {
    let names = synthesizers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !names.isEmpty else { throw ValidationError("--synthesizers needs at least one of rlsyn, gan, diffusion") }
    var out: [SynthesizerKind] = []
    for n in names {
      guard let k = SynthesizerKind(argument: n) else {
        throw ValidationError("unknown synthesizer '\(n)' (choose from \(SynthesizerKind.allValueStrings.joined(separator: ", ")))")
      }
      if !out.contains(k) { out.append(k) }
    }
    return out
  }

  func run() throws {
    try reportingErrors { try benchmark() }
  }

  func say(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }

  func benchmark() throws {
    let plan = BenchmarkPlan(dataName: input.data, outcome: outcome, synthesizers: try kinds(), seeds: seeds, trainFraction: trainFraction,
                             threads: threads, outputFolder: output, command: commandLine(), notes: ["rlsyn \(RLSynCommand.version)"])
    let publicMetadata = try input.metadata.map { try Metadata.load(from: URL(fileURLWithPath: $0), displayName: $0) }
    // Read once: every fit applies it, and a pipe can be read only once.
    let configuration = try configFile.contents()
    func fitOptions(_ kind: SynthesizerKind, _ seed: UInt64) throws -> FitOptions {
      var options = FitOptions(seed: seed, sourceFile: input.data, threads: threads)
      options.iterations = kind == .gan ? ganIterations : kind == .diffusion ? diffusionIterations : kind == .rlsyn ? rlsynIterations : nil
      if let configuration, let name = configFile.config { try options.applyConfigurationFile(configuration, name: name) }
      rlsyn.adjust(&options, metadata: publicMetadata, metadataFile: input.metadata)
      return options
    }
    let progress: ((String) -> Void)? = quiet ? nil : { say($0) }
    let done = try BenchmarkPipeline.run(plan, load: { try input.load(outcome: outcome) }, fitOptions: fitOptions,
                                         log: { say($0) }, progress: progress)
    let result = done.result, dir = URL(fileURLWithPath: output)
    let markdown = result.markdown(), json = try result.jsonData()
    let html = BenchmarkReport.render(result, rocCurves: done.rocCurves)
    try writeAllOrNothing([
      (dir.appendingPathComponent("benchmark.md"), { try AtomicFile.write(Data(markdown.utf8), to: $0) }),
      (dir.appendingPathComponent("benchmark.json"), { try AtomicFile.write(json, to: $0) }),
      (dir.appendingPathComponent("benchmark.html"), { try AtomicFile.write(Data(html.utf8), to: $0) }),
    ])
    print(markdown)
    say(String(format: "benchmark finished in %.1f s; wrote %@", result.totalSeconds,
               ["benchmark.md", "benchmark.json", "benchmark.html"].map { dir.appendingPathComponent($0).path }.joined(separator: ", ")))
  }

  /// The command line as typed (arguments with spaces quoted).
  func commandLine() -> String {
    (["rlsyn"] + CommandLine.arguments.dropFirst()).map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
  }
}
