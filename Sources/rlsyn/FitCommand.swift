import ArgumentParser
import Foundation
import NumericCore
import TabularData
import Synthesizers

/// `rlsyn fit`: learn a generator from a CSV and save it as a model file.
struct FitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fit",
    abstract: "Fit a synthesizer (RLSyn by default) to a CSV table and save the model.",
    discussion: """
      The preset (small or large) is chosen from the row count (≤ \(RLSynConfiguration.Preset.smallRowLimit) rows: small) \
      unless --preset is given (a private fit, --epsilon: private); --preset paper runs the reference code's \
      configuration (paper-small or paper-large by the row count; 30,000 iterations, see docs/rlsyn.md). --config FILE sets any other hyperparameter of any \
      synthesizer (GAN and diffusion included) and of the encoding; the options below override it. Everything is \
      recorded in the model file.
      """)

  @OptionGroup var input: DataInputOptions
  @Option(name: .long, help: "Where to write the model file.") var model: String
  @Option(help: "Random seed: the same seed gives the same model on the same machine and thread count.") var seed: UInt64 = 0
  @Option(help: "Which synthesizer to fit: rlsyn, gan or diffusion.") var synthesizer: SynthesizerKind = .rlsyn
  @Option(help: "RLSyn hyperparameter preset: \(RLSynSynthesizer.presets.joined(separator: " or ")) (default: by row count).") var preset: String?
  @Option(help: "Training iterations (RLSyn policy updates; GAN generator updates; diffusion training steps).") var iterations: Int?
  @Option(help: "Records per rollout and per discriminator batch (GAN, diffusion: per training step).") var batchSize: Int?
  @OptionGroup var configFile: ConfigurationFileOption
  @Option(help: "Numeric column encoding: quantile, standard or minmax (default: quantile).") var encoding: NumericEncoding?
  @Option(help: "k: categorical levels and numeric values seen fewer than k times in training are never written (docs/tabular.md).")
  var rareCount: Int = 5
  @Option(help: "Iterations between progress reports.") var logEvery: Int?
  @Option(help: "Progress format: text (stderr) or json (one object per line on stdout).") var logFormat: LogFormat = .text
  @Option(help: "The most threads training uses (default: every core).") var threads: Int?
  @Flag(help: "No progress output.") var quiet = false
  @OptionGroup(title: "RLSyn options") var rlsyn: RLSynOptions

  enum LogFormat: String, ExpressibleByArgument { case text, json }

  func run() throws {
    try reportingErrors { try fit() }
  }

  func fit() throws {
    let modelURL = URL(fileURLWithPath: model)
    let loaded = try input.load()
    let table = loaded.table, schema = loaded.schema, data = input.data
    guard rareCount >= 1 else { throw CommandFailure("--rare-count must be at least 1 (1 releases every value)") }
    var options = FitOptions(seed: seed, preset: preset, sourceFile: data, threads: threads)
    options.rareCount = rareCount
    try configFile.read(into: &options)
    if let encoding { options.encoding.numeric = encoding }
    options.iterations = iterations
    options.batchSize = batchSize
    options.logEvery = logEvery
    rlsyn.adjust(&options, metadata: loaded.metadata, metadataFile: input.metadata)
    if options.privacy != nil && synthesizer != .rlsyn {
      throw CommandFailure("--epsilon and --noise-multiplier apply to rlsyn only (differential privacy is not implemented for \(synthesizer.rawValue))")
    }
    if let dimension = rlsyn.noiseDimension { options.adjust(GANSynthesizer.self) { $0.noiseDimension = dimension } }
    if !quiet && logFormat == .text {
      let rows = table.rowCount
      let presetNote = synthesizer == .rlsyn ? "preset \(try RLSynConfiguration.Preset.named(options.presetName(for: .rlsyn), rows: rows).rawValue), " : ""
      FileHandle.standardError.write(Data("fitting \(synthesizer.rawValue) on \(data): \(rows) rows, \(schema.columns.count) columns (\(presetNote)seed \(seed))\n".utf8))
    }
    let reporter = ProgressReporter(format: logFormat, quiet: quiet)
    do {
      let fitted = try SyntheticDataModel.fit(table, schema: schema, synthesizer: synthesizer, options: options, progress: reporter.report)
      try fitted.save(to: modelURL, createdBy: "rlsyn \(RLSynCommand.version)")
      if !quiet && logFormat == .text {
        FileHandle.standardError.write(Data(String(format: "done in %.1f s; model written to %@\n", fitted.fitSeconds ?? 0, model).utf8))
      }
    } catch let interrupted as FitInterrupted {
      if let partial = interrupted.partialModel {
        try? partial.save(to: modelURL, createdBy: "rlsyn \(RLSynCommand.version)")
        throw CommandFailure("\(interrupted.reason); the last good model was written to \(model)")
      }
      throw CommandFailure(interrupted.reason)
    }
  }
}

extension SynthesizerKind: ExpressibleByArgument {
  public init?(argument: String) {
    guard SynthesizerRegistry.standard.kinds.contains(SynthesizerKind(rawValue: argument)) else { return nil }
    self.init(rawValue: argument)
  }
  public static var allValueStrings: [String] { SynthesizerRegistry.standard.kinds.map(\.rawValue) }
}
extension NumericEncoding: ExpressibleByArgument {}

/// Prints training progress as text lines on stderr or JSON lines on stdout.
struct ProgressReporter {
  let format: FitCommand.LogFormat
  let quiet: Bool

  func report(_ p: TrainingProgress) {
    if quiet { return }
    switch format {
    case .text: FileHandle.standardError.write(Data((p.textLine + "\n").utf8))
    case .json: FileHandle.standardOutput.write(Data((p.jsonLine + "\n").utf8))
    }
  }
}
