import Foundation
import Testing
import TabularData
import Synthesizers

/// Configurations as data: presets as fields over the declared defaults, patches that name fields, one decoding rule.
@Suite struct ConfigurationValuesTests {
  @Test func presetsAreTheDeclaredDefaultsWithTheirFields() throws {
    let small = RLSynConfiguration(preset: .small)
    #expect(small.iterations == 2_000 && small.discriminatorSteps == 4 && small.reward == .logit)
    let large = RLSynConfiguration(preset: .large)
    var expected = small
    expected.preset = .large
    expected.iterations = 4_000
    #expect(large == expected, "large differs from small only in its iterations")
    let paperSmall = RLSynConfiguration(preset: .paperSmall)
    #expect(paperSmall.iterations == 30_000 && paperSmall.batchSize == 384 && paperSmall.noiseDimension == 112)
    #expect(paperSmall.policyLearningRate == 2e-4 && paperSmall.discriminatorLearningRate == 5e-5)
    #expect(!paperSmall.concurrentDiscriminator && paperSmall.logStd == .shared && paperSmall.logStdRange == -8...3)
    let paperLarge = RLSynConfiguration(preset: .paperLarge)
    #expect(paperLarge.batchSize == 3_840 && paperLarge.discriminatorWidth == 256 && paperLarge.ppoEpochs == 2)
    #expect(paperLarge.reward == .probability && paperLarge.meanPenalty == 0 && paperLarge.meanPenaltyScope == .continuous)
  }

  @Test func paperResolvesByTheRowCountInOnePlace() throws {
    #expect(try RLSynConfiguration.Preset.named("paper", rows: 5_000) == .paperSmall)
    #expect(try RLSynConfiguration.Preset.named("paper", rows: 5_001) == .paperLarge)
    #expect(try RLSynConfiguration.Preset.named(nil, rows: 9_000) == .large)
    #expect(throws: TrainingError.self) { try RLSynConfiguration.Preset.named("huge", rows: 10) }
    #expect(try RLSynSynthesizer.configuration(rows: 100, preset: "paper") == RLSynConfiguration(preset: .paperSmall))
  }

  /// Tables under 1,000 training rows: fewer iterations and one block; a configuration file still decides.
  @Test func smallTablesDrawOneBlockUnlessTold() throws {
    let small = try RLSynSynthesizer.configuration(rows: 999, preset: nil)
    #expect(small.autoregressiveBlocks == 1 && small.iterations == 1_000)
    let larger = try RLSynSynthesizer.configuration(rows: 1_000, preset: nil)
    #expect(larger.autoregressiveBlocks == 16 && larger.iterations == 2_000)
    #expect(try RLSynSynthesizer.configuration(rows: 9_000, preset: nil).autoregressiveBlocks == 16)
    var options = FitOptions()
    options.configurationFields[.rlsyn] = ["autoregressiveBlocks": 8]
    #expect(try options.configuration(for: RLSynSynthesizer.self, rows: 500).autoregressiveBlocks == 8)
  }

  @Test func applyingChangesNamedFieldsAndRejectsUnknownOnes() throws {
    let base = RLSynConfiguration(preset: .small)
    let changed = try base.applying(["policyWidth": 64, "reward": "probability", "logStdRange": [-2, 2], "clipEpsilon": 0.2],
                                    source: "test")
    #expect(changed.policyWidth == 64 && changed.reward == .probability && changed.logStdRange == -2...2 && changed.clipEpsilon == 0.2)
    #expect(throws: ConfigurationError.self) { try base.applying(["policyWidht": 64], source: "test") }
    #expect(throws: ConfigurationError.self) { try base.applying(["reward": "sometimes"], source: "test") }
    #expect(throws: ConfigurationError.self) { try base.applying(["iterations": 1.5], source: "test") }
    let encoding = try EncodingOptions().applying(["dequantizeLevels": false], source: "test")
    #expect(!encoding.dequantizeLevels && encoding.numeric == .quantile)
  }

  @Test func fitOptionsApplyPresetThenFileThenCommonThenAdjustments() throws {
    var options = FitOptions(preset: "paper")
    options.configurationFields[.rlsyn] = ["policyWidth": 24, "iterations": 7, "valueCoefficient": 0.25]
    options.iterations = 5
    options.adjust(RLSynSynthesizer.self) { $0.policyWidth = 16 }
    let c = try options.configuration(for: RLSynSynthesizer.self, rows: 100)
    #expect(c.preset == .paperSmall && c.valueCoefficient == 0.25 && c.iterations == 5 && c.policyWidth == 16)
    var gan = FitOptions()
    gan.configurationFields[.gan] = ["policyWidth": 3]
    #expect(throws: ConfigurationError.self) { try gan.configuration(for: GANSynthesizer.self, rows: 100) }
  }

  @Test func configurationFilesAreReadBySection() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: url) }
    try Data(#"{"rlsyn": {"r1Interval": 1}, "diffusion": {"width": 32}, "encoding": {"repeatedValueMultiplicity": 0}}"#.utf8).write(to: url)
    var options = FitOptions()
    try options.readConfigurationFile(url)
    #expect(options.encoding.repeatedValueMultiplicity == 0)
    #expect(try options.configuration(for: RLSynSynthesizer.self, rows: 100).r1Interval == 1)
    #expect(try options.configuration(for: DiffusionSynthesizer.self, rows: 100).width == 32)
    try Data(#"{"rlsyn": {"r1Interval": 1}, "vae": {}}"#.utf8).write(to: url)
    var other = FitOptions()
    #expect(throws: ConfigurationError.self) { try other.readConfigurationFile(url) }
  }

  /// `--config <(echo …)` in bash passes a pipe as `/dev/fd/N`, which has no size to read up to.
  @Test func configurationFilesCanBePipes() throws {
    let pipe = Pipe()
    pipe.fileHandleForWriting.write(Data(#"{"rlsyn": {"r1Interval": 2}}"#.utf8))
    try pipe.fileHandleForWriting.close()
    var options = FitOptions()
    try options.readConfigurationFile(URL(fileURLWithPath: "/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)"))
    #expect(try options.configuration(for: RLSynSynthesizer.self, rows: 100).r1Interval == 2)
  }

  @Test func storedConfigurationsFillMissingFieldsByOneRule() throws {
    // A diffusion file from before the column skip: trained without it.
    var fields = try DiffusionConfiguration().storedFields()
    fields.removeValue(forKey: "columnSkipMinWidth")
    let old = try DiffusionConfiguration.decodeStored(JSONEncoder().encode(JSONValue.object(fields)), source: "test")
    #expect(old.columnSkipMinWidth == .max)
    // An RLSyn file's missing field that is not in the table takes its preset's value.
    var rlsyn = try RLSynConfiguration(preset: .paperSmall).storedFields()
    rlsyn.removeValue(forKey: "noiseDimension")
    #expect(try RLSynConfiguration.decodeStored(JSONEncoder().encode(JSONValue.object(rlsyn)), source: "test").noiseDimension == 112)
  }
}
