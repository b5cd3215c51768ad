import Testing
import Foundation
import TestSupport
import NeuralNetworks

/// `rlsyn fit --synthesizer gan|diffusion`, `rlsyn sample` and `rlsyn benchmark` through the real executable.
@Suite struct BaselineCommandTests {
  /// Small networks for both baselines, as a `--config` file: these tests check behaviour, not quality.
  static func quickConfig(in dir: URL) throws -> String {
    let url = dir.appendingPathComponent("quick.json")
    try Data("""
      {"gan": {"criticSteps": 1, "generatorWidths": [16, 16], "criticWidths": [16, 16]},
       "diffusion": {"timesteps": 20, "samplingSteps": 4, "width": 16}}
      """.utf8).write(to: url)
    return url.path
  }

  @Test(arguments: ["gan", "diffusion"])
  func fitSaveLoadSampleRoundTrip(kind: String) throws {
    let dir = try CommandRunner.temporaryDirectory()
    let data = CommandRunner.dataset("nhefs.csv")
    var models: [Data] = [], samples: [String] = []
    for k in 0..<2 {
      let model = dir.appendingPathComponent("m\(k).rlsyn").path, out = dir.appendingPathComponent("s\(k).csv").path
      let fit = try CommandRunner.run(["fit", data.path, "--model", model, "--synthesizer", kind, "--seed", "11", "--threads", "1", "--log-every", "2",
                                       "--iterations", "4", "--batch-size", "32", "--config", try Self.quickConfig(in: dir)])
      #expect(fit.status == 0, "\(fit.stderr)")
      #expect(fit.stderr.contains("fitting \(kind)") && fit.stderr.contains("iteration 4/4"), "\(fit.stderr)")
      let sample = try CommandRunner.run(["sample", model, "--rows", "120", "--output", out, "--seed", "5"])
      #expect(sample.status == 0, "\(sample.stderr)")
      models.append(try Data(contentsOf: URL(fileURLWithPath: model)))
      samples.append(try String(contentsOfFile: out, encoding: .utf8))
    }
    // The file names the synthesizer and stores its configuration.
    let archives = try models.map { try ParameterArchive(data: $0) }
    let header = try #require(try JSONSerialization.jsonObject(with: archives[0].metadata) as? [String: Any])
    #expect(header["synthesizer"] as? String == kind)
    let config = try #require(header["configuration"] as? [String: Any])
    #expect(config["iterations"] as? Int == 4 && config["batchSize"] as? Int == 32)
    // Same seed, same model file byte for byte (no training time is stored).
    #expect(models[0] == models[1])
    // Same seed, same parameters bit for bit and the same sample.
    #expect(archives[0].tensors.map(\.name) == archives[1].tensors.map(\.name))
    for (a, b) in zip(archives[0].tensors, archives[1].tensors) {
      #expect(a.value.storage.map(\.bitPattern) == b.value.storage.map(\.bitPattern), "\(a.name)")
    }
    #expect(samples[0] == samples[1])
    // The sample is shaped like the training table.
    let lines = samples[0].split(separator: "\n").filter { !$0.isEmpty }
    let dataHeader = try String(contentsOf: data, encoding: .utf8).split(separator: "\n")[0]
    #expect(lines.count == 121 && lines[0] == dataHeader)
  }

  @Test func badBaselineSettingsFailWithOneLine() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let config = dir.appendingPathComponent("bad.json")
    try Data(#"{"diffusion": {"timesteps": 10, "samplingSteps": 20}}"#.utf8).write(to: config)
    let r = try CommandRunner.run(["fit", CommandRunner.dataset("nhefs.csv").path, "--model", dir.appendingPathComponent("m.rlsyn").path,
                                   "--synthesizer", "diffusion", "--config", config.path, "--quiet"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains("sampling steps"), "\(r.stderr)")
    #expect(r.stderr.split(separator: "\n").count == 1)
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("m.rlsyn").path))
  }

  /// A private fit's bad numbers and a metadata file whose bounds the data break: one line each, no model file.
  @Test(arguments: [
    (["--epsilon", "0"], "--epsilon must be a positive number"),
    (["--epsilon=-2"], "--epsilon must be a positive number"),
    (["--epsilon", "1", "--delta", "1"], "--delta must be strictly between 0 and 1"),
    (["--epsilon", "0.0001", "--noise-multiplier", "0.3"], "cannot pay for a single discriminator step"),
    (["--epsilon", "1", "--tight-bounds"], "outside the declared bounds"),
  ])
  func badPrivateFitsFailWithOneLine(arguments: [String], message: String) throws {
    let dir = try CommandRunner.temporaryDirectory("private-errors")
    defer { try? FileManager.default.removeItem(at: dir) }
    let data = CommandRunner.dataset("nhefs.csv").path, meta = dir.appendingPathComponent("meta.json")
    #expect(try CommandRunner.run(["schema", data, "--output", meta.path]).status == 0)
    if arguments.contains("--tight-bounds") {
      // Declare an upper bound on age below the data's largest age.
      let text = try String(contentsOf: meta, encoding: .utf8)
      var json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
      var columns = try #require(json["columns"] as? [String: Any]), age = try #require(columns["age"] as? [String: Any])
      age["max"] = 40; columns["age"] = age; json["columns"] = columns
      try JSONSerialization.data(withJSONObject: json).write(to: meta)
    }
    let model = dir.appendingPathComponent("m.rlsyn")
    let r = try CommandRunner.run(["fit", data, "--model", model.path, "--metadata", meta.path, "--quiet"]
                                  + arguments.filter { $0 != "--tight-bounds" })
    #expect(r.status != 0)
    #expect(r.stderr.lowercased().hasPrefix("error: ") && r.stderr.contains(message), "\(r.stderr)")
    #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: model.path))
  }

  /// A configuration file's mistakes are one line naming the file and the field: nothing is dropped silently.
  @Test(arguments: [
    (#"{"rlsyn": {"policyWidht": 16}}"#, "unknown field 'policyWidht'"),
    (#"{"rlsyn": {"policyWidth": "wide"}}"#, "field 'policyWidth' must be an integer"),
    (#"{"vae": {}}"#, "unknown section 'vae'"),
    (#"{"encoding": {"numeric": "log"}}"#, "section encoding"),
    (#"[1, 2]"#, "must be a JSON object"),
    (#"{"rlsyn": "#, "not valid JSON"),
  ])
  func badConfigurationFilesFailWithOneLine(json: String, message: String) throws {
    let dir = try CommandRunner.temporaryDirectory()
    let config = dir.appendingPathComponent("config.json")
    try Data(json.utf8).write(to: config)
    let model = dir.appendingPathComponent("m.rlsyn")
    let r = try CommandRunner.run(["fit", CommandRunner.dataset("nhefs.csv").path, "--model", model.path, "--config", config.path,
                                   "--iterations", "2", "--quiet"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains(config.path) && r.stderr.contains(message), "\(r.stderr)")
    #expect(r.stderr.split(separator: "\n").count == 1)
    #expect(!FileManager.default.fileExists(atPath: model.path))
  }

  /// Order: preset, then the configuration file, then the command line's options; each lands in the model file.
  @Test func configurationFileSetsExpertFieldsAndOptionsOverrideIt() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let config = dir.appendingPathComponent("config.json")
    try Data(#"{"rlsyn": {"concurrentDiscriminator": false, "policyWidth": 24, "valueCoefficient": 0.25}, "encoding": {"dequantizeLevels": false}}"#.utf8)
      .write(to: config)
    let model = dir.appendingPathComponent("m.rlsyn")
    let r = try CommandRunner.run(["fit", CommandRunner.dataset("nhefs.csv").path, "--model", model.path, "--config", config.path,
                                   "--preset", "paper", "--policy-width", "16", "--discriminator-width", "16", "--noise-dimension", "8",
                                   "--iterations", "2", "--batch-size", "32", "--threads", "1", "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    let header = try #require(try JSONSerialization.jsonObject(with: ParameterArchive.read(from: model).metadata) as? [String: Any])
    let configuration = try #require(header["configuration"] as? [String: Any])
    #expect(configuration["preset"] as? String == "paper-small")
    #expect(configuration["concurrentDiscriminator"] as? Bool == false)
    #expect(configuration["valueCoefficient"] as? Double == 0.25)
    #expect(configuration["policyWidth"] as? Int == 16, "the command line overrides the file")
    #expect(configuration["discriminatorLearningRate"] as? Double == 5e-5, "the preset's value where neither sets it")
    let encoder = try #require(header["encoder"] as? [String: Any])
    let options = try #require(encoder["options"] as? [String: Any])
    #expect(options["dequantizeLevels"] as? Bool == false)
  }

  @Test func benchmarkWritesTablesAndPage() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let out = dir.appendingPathComponent("bench")
    let r = try CommandRunner.run(["benchmark", CommandRunner.dataset("nhefs.csv").path, "--outcome", "death",
                                   "--synthesizers", "gan,diffusion", "--seeds", "1", "--output", out.path, "--threads", "1",
                                   "--gan-iterations", "3", "--diffusion-iterations", "3", "--config", try Self.quickConfig(in: dir)])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("[seed 1/1] gan: fitting") && r.stderr.contains("[seed 1/1] diffusion: fit"), "\(r.stderr)")
    #expect(r.stdout.contains("| metric | gan | diffusion | best |"))
    let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
    #expect(files == ["benchmark.html", "benchmark.json", "benchmark.md", "runs"])
    let runs = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path).sorted()
    #expect(runs == ["seed0-diffusion.csv", "seed0-diffusion.json", "seed0-gan.csv", "seed0-gan.json", "seed0-holdout.csv", "seed0-train.csv"])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("benchmark.json"))) as? [String: Any])
    let list = try #require(object["runs"] as? [[String: Any]])
    #expect(list.count == 2)
    #expect(list.allSatisfy { ($0["trainRows"] as? Int) == 1140 && ($0["metrics"] as? [String: Any])?["S2R_gb"] is Double })
    let summary = try #require(object["summary"] as? [String: [String: [String: Any]]])
    #expect(summary["gan"]?["fit_seconds"]?["mean"] is Double)
    // The synthetic tables have as many rows as the training split.
    let synthetic = try String(contentsOf: out.appendingPathComponent("runs/seed0-gan.csv"), encoding: .utf8)
    #expect(synthetic.split(separator: "\n").count == 1141)
    let page = try String(contentsOf: out.appendingPathComponent("benchmark.html"), encoding: .utf8)
    #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("<svg") && !page.contains("<script"))
  }

  @Test func benchmarkPassesRLSynOptionsToTheRLSynFitsOnly() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let out = dir.appendingPathComponent("bench")
    let r = try CommandRunner.run(["benchmark", CommandRunner.dataset("nhefs.csv").path, "--outcome", "death",
                                   "--synthesizers", "rlsyn,gan", "--seeds", "1", "--output", out.path, "--threads", "1",
                                   "--rlsyn-iterations", "2", "--ppo-epochs", "1", "--noise-dimension", "8",
                                   "--policy-width", "16", "--discriminator-width", "16",
                                   "--gan-iterations", "2", "--config", try Self.quickConfig(in: dir)])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("benchmark.json"))) as? [String: Any])
    let notes = try #require(object["notes"] as? [String])
    let rlsyn = try #require(notes.first { $0.hasPrefix("rlsyn configuration: ") })
    let gan = try #require(notes.first { $0.hasPrefix("gan configuration: ") })
    #expect(rlsyn.contains("\"ppoEpochs\":1") && rlsyn.contains("\"iterations\":2") && rlsyn.contains("\"noiseDimension\":8"), "\(rlsyn)")
    #expect(!gan.contains("\"noiseDimension\":8"), "the RLSyn options leave the GAN alone: \(gan)")
  }

  /// `--config <(echo …)` is a pipe, readable once; the benchmark fits several times from it.
  @Test func benchmarkReadsAConfigurationPipeOnce() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let out = dir.appendingPathComponent("bench")
    let config = #"{"rlsyn": {"iterations": 2, "ppoEpochs": 1, "policyWidth": 16, "discriminatorWidth": 16}, "gan": {"criticSteps": 1, "generatorWidths": [16, 16], "criticWidths": [16, 16]}}"#
    let r = try CommandRunner.run(["benchmark", CommandRunner.dataset("nhefs.csv").path, "--outcome", "death",
                                   "--synthesizers", "rlsyn,gan", "--seeds", "2", "--output", out.path, "--threads", "1",
                                   "--gan-iterations", "2", "--quiet", "--config", "/dev/stdin"], standardInput: Data(config.utf8))
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("benchmark.json"))) as? [String: Any])
    let notes = try #require(object["notes"] as? [String])
    let rlsyn = try #require(notes.first { $0.hasPrefix("rlsyn configuration: ") })
    #expect(rlsyn.contains("\"policyWidth\":16") && rlsyn.contains("\"iterations\":2"), "\(rlsyn)")
  }

  @Test func benchmarkRejectsAnUnknownSynthesizer() throws {
    let r = try CommandRunner.run(["benchmark", CommandRunner.dataset("nhefs.csv").path, "--outcome", "death", "--synthesizers", "gan,vae"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("unknown synthesizer 'vae'"))
  }
}
