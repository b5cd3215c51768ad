import Foundation
import Testing
import NumericCore
import NeuralNetworks
import TabularData
import Synthesizers

/// Model files written by rlsyn 0.1.0 (format 1), with the samples that build drew from them.
let legacyFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/legacy-v1")

/// Small settings for every shipped synthesizer, so that a fit takes a fraction of a second.
func smallOptions(seed: UInt64) -> FitOptions {
  var options = FitOptions(seed: seed, threads: 2)
  options.iterations = 4
  options.batchSize = 32
  options.adjust(RLSynSynthesizer.self) { $0.policyWidth = 16; $0.discriminatorWidth = 16; $0.noiseDimension = 8 }
  options.adjust(GANSynthesizer.self) { $0.generatorWidths = [16]; $0.criticWidths = [16]; $0.noiseDimension = 8 }
  options.adjust(DiffusionSynthesizer.self) { $0.width = 16; $0.depth = 1; $0.timesteps = 20; $0.samplingSteps = 5 }
  return options
}

func temporaryURL(_ name: String) -> URL {
  FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString)-\(name)")
}

@Suite struct ModelFileTests {
  @Test(arguments: ["rlsyn", "gan", "diffusion"])
  func formatOneFilesStillLoadAndSampleAsTheyDid(kind: String) throws {
    let model = try SyntheticDataModel.load(from: legacyFixtures.appendingPathComponent("\(kind).rlsyn"))
    #expect(model.kind.rawValue == kind)
    #expect(model.summary.iterations == 3 && model.summary.seed == 2)
    #expect(model.configuration.batchSize == 16)
    let out = temporaryURL("\(kind)-sample.csv")
    defer { try? FileManager.default.removeItem(at: out) }
    try CSVWriter.write(model.sample(rows: 20, seed: 1), to: out)
    #expect(try Data(contentsOf: out) == Data(contentsOf: legacyFixtures.appendingPathComponent("\(kind)-sample.csv")))
  }

  /// Files written by the build before issue 32 (format 2): they load, sample the same rows, and save to the same bytes;
  /// an RLSyn file's configuration gains `autoregressiveBlocks` (issue 35, 1 for a file without it), so its re-saved
  /// file loads to the same model and samples the same rows.
  @Test(arguments: ["rlsyn", "rlsyn-paper", "gan", "diffusion"])
  func formatTwoFilesFromBeforeTheRefactorLoadSampleAndSaveAsTheyDid(name: String) throws {
    let fixtures = legacyFixtures.deletingLastPathComponent().appendingPathComponent("legacy-v2")
    let file = fixtures.appendingPathComponent("\(name).rlsyn")
    let model = try SyntheticDataModel.load(from: file)
    #expect(model.summary.iterations == 3 && model.summary.seed == 2)
    let out = temporaryURL("\(name)-sample.csv")
    defer { try? FileManager.default.removeItem(at: out) }
    try CSVWriter.write(model.sample(rows: 20, seed: 1), to: out)
    #expect(try Data(contentsOf: out) == Data(contentsOf: fixtures.appendingPathComponent("\(name)-sample.csv")))
    let resaved = temporaryURL("\(name).rlsyn")
    defer { try? FileManager.default.removeItem(at: resaved) }
    try model.save(to: resaved, createdBy: "rlsyn 0.1.0")
    guard name.hasPrefix("rlsyn") else {
      #expect(try Data(contentsOf: resaved) == Data(contentsOf: file))
      return
    }
    let again = try SyntheticDataModel.load(from: resaved)
    #expect((again.configuration as? RLSynConfiguration) == (model.configuration as? RLSynConfiguration))
    #expect((again.configuration as? RLSynConfiguration)?.autoregressiveBlocks == 1)
    try CSVWriter.write(again.sample(rows: 20, seed: 1), to: out)
    #expect(try Data(contentsOf: out) == Data(contentsOf: fixtures.appendingPathComponent("\(name)-sample.csv")))
  }

  @Test(arguments: SynthesizerRegistry.standard.kinds)
  func twoFitsWithTheSameSeedWriteByteIdenticalFiles(kind: SynthesizerKind) throws {
    let table = try CSVReader.read(legacyFixtures.appendingPathComponent("table.csv"))
    var files: [Data] = []
    for _ in 0..<2 {
      let url = temporaryURL("\(kind).rlsyn")
      defer { try? FileManager.default.removeItem(at: url) }
      try SyntheticDataModel.fit(table, synthesizer: kind, options: smallOptions(seed: 11)).save(to: url)
      files.append(try Data(contentsOf: url))
    }
    #expect(files[0] == files[1])
    // A different seed gives a different file (so the comparison above can fail).
    let other = temporaryURL("\(kind)-other.rlsyn")
    defer { try? FileManager.default.removeItem(at: other) }
    try SyntheticDataModel.fit(table, synthesizer: kind, options: smallOptions(seed: 12)).save(to: other)
    #expect(try Data(contentsOf: other) != files[0])
  }

  @Test func configurationIsANestedObjectAndTimeIsNotStored() throws {
    let table = try CSVReader.read(legacyFixtures.appendingPathComponent("table.csv"))
    let model = try SyntheticDataModel.fit(table, synthesizer: .rlsyn, options: smallOptions(seed: 1))
    #expect(model.fitSeconds != nil)
    let url = temporaryURL("nested.rlsyn")
    defer { try? FileManager.default.removeItem(at: url) }
    try model.save(to: url)
    let header = try #require(try JSONSerialization.jsonObject(with: ParameterArchive.read(from: url).metadata) as? [String: Any])
    #expect(header["modelFormatVersion"] as? Int == SyntheticDataModel.modelFormatVersion)
    let configuration = try #require(header["configuration"] as? [String: Any])
    #expect(configuration["policyWidth"] as? Int == 16)
    let summary = try #require(header["summary"] as? [String: Any])
    #expect(summary["seconds"] == nil)
    let loaded = try SyntheticDataModel.load(from: url)
    #expect(loaded.configuration as? RLSynConfiguration == model.configuration as? RLSynConfiguration)
    #expect(loaded.fitSeconds == nil)
  }
}
