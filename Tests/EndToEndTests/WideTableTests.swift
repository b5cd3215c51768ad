import Foundation
import Testing
import TestSupport

/// A MIMIC-shaped table at CI size (2,000 rows × 1,502 columns: age, 1,500 sparse codes, death): split, a short
/// fit, sample and evaluate with the report, so that wide tables keep working end to end.
@Suite struct WideTableTests {
  /// Codes with power-law prevalence from a few latent groups; death depends on age and two common codes.
  static func writeTable(rows: Int, codes: Int, to url: URL) throws {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    func uniform() -> Double {
      state ^= state << 13; state ^= state >> 7; state ^= state << 17
      return Double(state >> 11) / Double(1 << 53)
    }
    let prevalence = (0..<codes).map { j in min(0.3, 0.002 + 0.2 / Double(j + 1)) }
    var text = "age," + (0..<codes).map { String(format: "code_%04d", $0) }.joined(separator: ",") + ",death\n"
    for _ in 0..<rows {
      let group = Double(Int(uniform() * 4))
      let age = 40 + 10 * group + 15 * uniform()
      var line = String(format: "%.1f", age)
      var set: [Bool] = []
      for j in 0..<codes {
        let on = uniform() < prevalence[j] * (1 + 0.5 * group)
        set.append(on)
        line += on ? ",1" : ",0"
      }
      let risk = 0.12 * (age - 60) + (set[0] ? 2.0 : 0) + (set[2] ? 1.5 : 0) - 1
      line += uniform() < 1 / (1 + exp(-risk)) ? ",1\n" : ",0\n"
      text += line
    }
    try text.write(to: url, atomically: true, encoding: .utf8)
  }

  @Test func fitSampleEvaluateOnFifteenHundredColumns() throws {
    let dir = try CommandRunner.temporaryDirectory("rlsyn-wide")
    let data = dir.appendingPathComponent("wide.csv")
    try Self.writeTable(rows: 2_000, codes: 1_500, to: data)
    var r = try CommandRunner.run(["split", data.path, "--outcome", "death", "--seed", "0", "--output-dir", dir.path])
    #expect(r.status == 0, "\(r.stderr)")
    let train = dir.appendingPathComponent("train.csv"), model = dir.appendingPathComponent("wide.rlsyn")
    r = try CommandRunner.run(["fit", train.path, "--model", model.path, "--iterations", "5", "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    let synthetic = dir.appendingPathComponent("syn.csv")
    r = try CommandRunner.run(["sample", model.path, "--rows", "1400", "--output", synthetic.path])
    #expect(r.status == 0, "\(r.stderr)")
    let json = dir.appendingPathComponent("e.json"), html = dir.appendingPathComponent("e.html")
    // A cap below the table's rows makes the wide-table sampling show up at CI size.
    r = try CommandRunner.run(["evaluate", "--train", train.path, "--holdout", dir.appendingPathComponent("holdout.csv").path,
                               "--synthetic", synthetic.path, "--outcome", "death", "--row-cap", "1000",
                               "--json", json.path, "--report", html.path])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("sampled (at most 1000 rows per table"))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
    let sampling = try #require(object["sampling"] as? [String: Any])
    #expect((sampling["inputRows"] as? [String: Int]) == ["train": 1400, "holdout": 600, "synthetic": 1400])
    #expect((sampling["rows"] as? [String: Int]) == ["train": 1000, "holdout": 600, "synthetic": 1000])
    let metrics = try #require(object["metrics"] as? [String: Any])
    #expect(try #require(metrics["R2R_lr"] as? Double) > 0.65 && (try #require(metrics["R2R_gb"] as? Double)) > 0.65)
    for key in ["S2R_gb", "DET", "MIA", "DCR5", "NMI", "AIR_train"] { #expect(metrics[key] is Double, "\(key)") }
    #expect(try #require(metrics["MIA"] as? Double) < 0.6)
    // The report stays small: bounded heatmaps and charts, the rest in a table.
    let size = try #require(try FileManager.default.attributesOfItem(atPath: html.path)[.size] as? Int)
    #expect(size < 3_000_000)
  }
}
