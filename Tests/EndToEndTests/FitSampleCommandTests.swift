import Testing
import Foundation
import TestSupport
import NeuralNetworks

/// `rlsyn fit` and `rlsyn sample` through the real executable, on the bundled NHEFS table.
@Suite struct FitSampleCommandTests {
  /// A few iterations on small batches: these tests check behaviour, not quality.
  let quick = ["--iterations", "6", "--batch-size", "64", "--discriminator-steps", "1", "--quiet"]

  @Test func fitThenSampleWritesATableShapedLikeTheInput() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let model = dir.appendingPathComponent("m.rlsyn").path, out = dir.appendingPathComponent("s.csv").path
    let fit = try CommandRunner.run(["fit", CommandRunner.dataset("nhefs.csv").path, "--model", model] + quick)
    #expect(fit.status == 0, "\(fit.stderr)")
    let sample = try CommandRunner.run(["sample", model, "--rows", "250", "--output", out, "--seed", "3"])
    #expect(sample.status == 0, "\(sample.stderr)")
    let text = try String(contentsOfFile: out, encoding: .utf8)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
    let header = try String(contentsOf: CommandRunner.dataset("nhefs.csv"), encoding: .utf8).split(separator: "\n")[0]
    #expect(lines.count == 251)
    #expect(lines[0] == header)
    // Integer columns stay integers: `age` (third column) has no decimal point.
    #expect(lines.dropFirst().allSatisfy { !$0.split(separator: ",", omittingEmptySubsequences: false)[2].contains(".") })
    // Only the model and the sample: no temporary files left behind.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["m.rlsyn", "s.csv"])
  }

  @Test func sameSeedSameModelAndSample() throws {
    let dir = try CommandRunner.temporaryDirectory()
    var bytes: [Data] = [], samples: [String] = []
    for k in 0..<2 {
      let model = dir.appendingPathComponent("m\(k).rlsyn").path, out = dir.appendingPathComponent("s\(k).csv").path
      let fit = try CommandRunner.run(["fit", CommandRunner.dataset("nhefs.csv").path, "--model", model, "--seed", "11", "--threads", "1"] + quick)
      #expect(fit.status == 0, "\(fit.stderr)")
      #expect(try CommandRunner.run(["sample", model, "--rows", "100", "--output", out, "--seed", "5"]).status == 0)
      bytes.append(try Data(contentsOf: URL(fileURLWithPath: model)))
      samples.append(try String(contentsOfFile: out, encoding: .utf8))
    }
    // Same parameters bit for bit, and the same description apart from the measured training time.
    let archives = try bytes.map { try ParameterArchive(data: $0) }
    #expect(archives[0].tensors.map(\.name) == archives[1].tensors.map(\.name))
    for (a, b) in zip(archives[0].tensors, archives[1].tensors) {
      #expect(a.value.storage.map(\.bitPattern) == b.value.storage.map(\.bitPattern), "\(a.name)")
    }
    func withoutTiming(_ data: Data) throws -> NSDictionary {
      let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
      var summary = object["summary"] as! [String: Any]
      summary["seconds"] = nil
      var copy = object
      copy["summary"] = summary
      return copy as NSDictionary
    }
    #expect(try withoutTiming(archives[0].metadata) == withoutTiming(archives[1].metadata))
    #expect(samples[0] == samples[1], "same seed, same sample")
    let other = dir.appendingPathComponent("other.csv").path
    #expect(try CommandRunner.run(["sample", dir.appendingPathComponent("m0.rlsyn").path, "--rows", "100", "--output", other, "--seed", "6"]).status == 0)
    #expect(try String(contentsOfFile: other, encoding: .utf8) != samples[0], "another seed, another sample")
  }

  @Test func jsonProgressIsOneObjectPerLine() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let r = try CommandRunner.run(["fit", CommandRunner.dataset("nhefs.csv").path, "--model", dir.appendingPathComponent("m.rlsyn").path,
                                   "--iterations", "4", "--batch-size", "32", "--discriminator-steps", "1", "--log-every", "2", "--log-format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.count == 2)
    for line in lines {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      #expect(object?["iteration"] != nil && object?["mean_reward"] != nil && object?["discriminator_loss"] != nil)
      #expect(object?["elapsed_seconds"] != nil && object?["remaining_seconds"] != nil)
    }
  }

  @Test func corruptOrForeignModelFilesAreRejected() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let model = dir.appendingPathComponent("m.rlsyn")
    #expect(try CommandRunner.run(["fit", CommandRunner.dataset("nhefs.csv").path, "--model", model.path] + quick).status == 0)
    var bytes = [UInt8](try Data(contentsOf: model))
    bytes[bytes.count / 2] ^= 0xFF
    let corrupt = dir.appendingPathComponent("corrupt.rlsyn")
    try Data(bytes).write(to: corrupt)
    let out = dir.appendingPathComponent("never.csv").path
    let r = try CommandRunner.run(["sample", corrupt.path, "--rows", "10", "--output", out])
    #expect(r.status == 1)
    #expect(r.stderr.contains("corrupt.rlsyn") && r.stderr.contains("checksum"))
    #expect(!FileManager.default.fileExists(atPath: out))
    let foreign = dir.appendingPathComponent("data.rlsyn")
    try Data("age,sex\n1,2\n".utf8).write(to: foreign)
    let f = try CommandRunner.run(["sample", foreign.path, "--rows", "10", "--output", out])
    #expect(f.status == 1)
    #expect(f.stderr.contains("not an rlsyn model"))
    let missing = try CommandRunner.run(["sample", dir.appendingPathComponent("nope.rlsyn").path, "--rows", "10", "--output", out])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("nope.rlsyn"))
  }

  @Test func divergenceStopsWithAClearErrorAndKeepsTheLastGoodModel() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let model = dir.appendingPathComponent("m.rlsyn").path
    // An absurd learning rate overflows the parameters within a few iterations.
    let r = try CommandRunner.run(["fit", CommandRunner.dataset("nhefs.csv").path, "--model", model, "--iterations", "50",
                                   "--batch-size", "32", "--discriminator-steps", "1", "--log-every", "1", "--quiet",
                                   "--policy-learning-rate", "1e30", "--discriminator-learning-rate", "1e30"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("diverged"), "\(r.stderr)")
    #expect(r.stderr.contains("last good model"))
    let out = dir.appendingPathComponent("s.csv").path
    #expect(try CommandRunner.run(["sample", model, "--rows", "20", "--output", out]).status == 0)
  }
}

/// `rlsyn sample --condition COLUMN=VALUE` through the real executable.
@Suite struct ConditionalSampleCommandTests {
  @Test func conditionsHoldInEveryRowAndBadOnesAreOneLineErrors() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let model = dir.appendingPathComponent("m.rlsyn").path
    let fit = try CommandRunner.run(["fit", CommandRunner.dataset("nhefs.csv").path, "--model", model, "--synthesizer", "gan",
                                     "--iterations", "6", "--batch-size", "64", "--quiet"])
    #expect(fit.status == 0, "\(fit.stderr)")
    let out = dir.appendingPathComponent("s.csv").path
    let r = try CommandRunner.run(["sample", model, "--rows", "120", "--output", out, "--condition", "death=1", "--condition", "sex=0"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
    let header = lines[0].split(separator: ",").map(String.init)
    let death = try #require(header.firstIndex(of: "death")), sex = try #require(header.firstIndex(of: "sex"))
    #expect(lines.count == 121)
    for line in lines.dropFirst() {
      let cells = line.split(separator: ",", omittingEmptySubsequences: false)
      #expect(cells[death] == "1" && cells[sex] == "0")
    }
    for bad in [["--condition", "death"], ["--condition", "dead=1"], ["--condition", "death=7"], ["--condition", "wt71=70.5"],
                ["--condition", "death=0", "--condition", "death=1"]] {
      let target = dir.appendingPathComponent("bad.csv")
      let b = try CommandRunner.run(["sample", model, "--rows", "10", "--output", target.path] + bad)
      #expect(b.status == 1, "\(bad): \(b.stderr)")
      #expect(b.stderr.hasPrefix("error: ") && b.stderr.split(separator: "\n").count == 1, "\(bad): \(b.stderr)")
      #expect(!FileManager.default.fileExists(atPath: target.path), "\(bad)")
    }

    // --conditions FILE.csv: num_rows records per line, in order; an empty cell sets no condition.
    let file = dir.appendingPathComponent("conditions.csv")
    try "death,sex,num_rows\n1,0,15\n0,,5\n".write(to: file, atomically: true, encoding: .utf8)
    let byFile = dir.appendingPathComponent("f.csv").path
    let f = try CommandRunner.run(["sample", model, "--conditions", file.path, "--output", byFile, "--seed", "2"])
    #expect(f.status == 0, "\(f.stderr)")
    let rows = try String(contentsOfFile: byFile, encoding: .utf8).split(separator: "\n").dropFirst()
      .map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    #expect(rows.count == 20)
    #expect(rows.prefix(15).allSatisfy { $0[death] == "1" && $0[sex] == "0" })
    #expect(rows.suffix(5).allSatisfy { $0[death] == "0" })
    let noCount = dir.appendingPathComponent("no-count.csv")
    try "death,n\n1,3\n".write(to: noCount, atomically: true, encoding: .utf8)
    let bad = try CommandRunner.run(["sample", model, "--conditions", noCount.path, "--output", dir.appendingPathComponent("bad.csv").path])
    #expect(bad.status == 1 && bad.stderr.contains("no num_rows column") && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.csv").path))
  }
}
