import Foundation
import Testing
import TestSupport

@Suite struct EvaluateCommandTests {
  /// A NHEFS split with a column-wise shuffled copy of the training rows as the "synthetic" file.
  static func prepare() throws -> URL {
    let dir = try CommandRunner.temporaryDirectory()
    let r = try CommandRunner.run(["split", CommandRunner.dataset("nhefs.csv").path, "--outcome", "death", "--seed", "0",
                                   "--output-dir", dir.path, "--shuffled-copy"])
    #expect(r.status == 0, "\(r.stderr)")
    return dir
  }

  @Test func printsTableWritesJSONAndReport() throws {
    let dir = try Self.prepare()
    let json = dir.appendingPathComponent("m.json"), html = dir.appendingPathComponent("r.html")
    let r = try CommandRunner.run(["evaluate", "--train", dir.appendingPathComponent("train.csv").path,
                                   "--holdout", dir.appendingPathComponent("holdout.csv").path,
                                   "--synthetic", dir.appendingPathComponent("shuffled_train.csv").path,
                                   "--outcome", "death", "--json", json.path, "--report", html.path])
    #expect(r.status == 0, "\(r.stderr)")
    for word in ["UTILITY", "FIDELITY", "PRIVACY", "S2R", "MIA", "DCR5", "evaluated in"] { #expect(r.stdout.contains(word)) }
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
    let metrics = try #require(object?["metrics"] as? [String: Any])
    // A column-wise shuffle keeps every marginal and breaks every relationship.
    #expect((metrics["KS_TV"] as? Double) == 0)
    #expect(try #require(metrics["R2R_gb"] as? Double) > 0.7)
    #expect(try #require(metrics["S2R_lr"] as? Double) < 0.65)
    #expect(abs(try #require(metrics["MIA"] as? Double) - 0.5) < 0.08)
    #expect((metrics["EXACT"] as? Double) == 0)
    #expect((object?["rows"] as? [String: Int])?["synthetic"] == 1140)
    let page = try String(contentsOf: html, encoding: .utf8)
    #expect(page.hasPrefix("<!DOCTYPE html>") && !page.contains("<script"))
  }

  @Test func copyOfTrainingDataIsFlagged() throws {
    let dir = try Self.prepare()
    let train = dir.appendingPathComponent("train.csv").path
    let json = dir.appendingPathComponent("copy.json")
    let r = try CommandRunner.run(["evaluate", "--train", train, "--holdout", dir.appendingPathComponent("holdout.csv").path,
                                   "--synthetic", train, "--outcome", "death", "--json", json.path])
    #expect(r.status == 0, "\(r.stderr)")
    let metrics = try #require((try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])?["metrics"] as? [String: Any])
    #expect((metrics["MIA"] as? Double) == 1 && (metrics["EXACT"] as? Double) == 1)
  }

  @Test func badInputIsOneLineExitOneAndNothingWritten() throws {
    let dir = try Self.prepare()
    let train = dir.appendingPathComponent("train.csv").path, holdout = dir.appendingPathComponent("holdout.csv").path
    // A synthetic file without the 'age' column.
    let text = try String(contentsOfFile: train, encoding: .utf8)
    let dropped = text.split(separator: "\n").map { line -> String in
      var cells = line.split(separator: ",", omittingEmptySubsequences: false)
      cells.remove(at: 2)
      return cells.joined(separator: ",")
    }.joined(separator: "\n") + "\n"
    let noAge = dir.appendingPathComponent("no_age.csv")
    try dropped.write(to: noAge, atomically: true, encoding: .utf8)
    let json = dir.appendingPathComponent("out.json"), html = dir.appendingPathComponent("out.html")
    let cases: [([String], String)] = [
      (["--synthetic", noAge.path, "--outcome", "death"], "missing column 'age'"),
      (["--synthetic", dir.appendingPathComponent("none.csv").path, "--outcome", "death"], "none.csv"),
      (["--synthetic", train, "--outcome", "age"], "age"),
      (["--synthetic", train, "--outcome", "nope"], "nope"),
    ]
    for (extra, needle) in cases {
      let r = try CommandRunner.run(["evaluate", "--train", train, "--holdout", holdout] + extra + ["--json", json.path, "--report", html.path])
      #expect(r.status == 1, "\(extra): \(r.stderr)")
      #expect(r.stderr.hasPrefix("error: ") && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(needle), "\(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: json.path) && !FileManager.default.fileExists(atPath: html.path))
    }
    let r = try CommandRunner.run(["evaluate", "--train", train, "--holdout", holdout, "--synthetic", train, "--outcome", "death",
                                   "--report", dir.appendingPathComponent("no/such/dir/r.html").path])
    #expect(r.status == 1 && r.stderr.contains("does not exist"))
  }
}
