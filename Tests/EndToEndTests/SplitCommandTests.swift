import Foundation
import Testing
import TestSupport

@Suite struct SplitCommandTests {
  func lines(_ url: URL) throws -> [Substring] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
  }

  @Test func stratifiedSeventyThirtyAndReproducible() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let data = CommandRunner.dataset("nhefs.csv")
    let r = try CommandRunner.run(["split", data.path, "--outcome", "death", "--train-fraction", "0.7", "--seed", "3",
                                   "--output-dir", dir.path, "--shuffled-copy"])
    #expect(r.status == 0, "\(r.stderr)")
    let original = try lines(data)
    let train = try lines(dir.appendingPathComponent("train.csv")), holdout = try lines(dir.appendingPathComponent("holdout.csv"))
    #expect(train.first == original.first && holdout.first == original.first)
    #expect(train.count - 1 == 1140 && holdout.count - 1 == 489)
    // Every data line appears exactly once across the two files, unchanged.
    #expect((train.dropFirst() + holdout.dropFirst()).sorted() == original.dropFirst().sorted())
    // Stratified: the outcome (last column) has the same prevalence within one row.
    func positives(_ l: [Substring]) -> Int { l.dropFirst().filter { $0.hasSuffix(",1") }.count }
    let total = positives(original)
    #expect(abs(Double(positives(holdout)) - Double(total) * 489 / 1629) <= 1)
    // The shuffled copy has the training rows' values column by column.
    let shuffled = try lines(dir.appendingPathComponent("shuffled_train.csv"))
    #expect(shuffled.count == train.count && positives(shuffled) == positives(train))

    let again = try CommandRunner.temporaryDirectory()
    _ = try CommandRunner.run(["split", data.path, "--outcome", "death", "--seed", "3", "--output-dir", again.path])
    #expect(try lines(again.appendingPathComponent("holdout.csv")) == holdout)
  }

  @Test func badInputIsOneLineExitOneAndNoFiles() throws {
    let dir = try CommandRunner.temporaryDirectory()
    let data = CommandRunner.dataset("nhefs.csv").path
    for args in [["split", data, "--outcome", "nope", "--output-dir", dir.path],
                 ["split", data, "--outcome", "age", "--output-dir", dir.path],
                 ["split", data, "--outcome", "death", "--train-fraction", "1.2", "--output-dir", dir.path],
                 ["split", dir.appendingPathComponent("missing.csv").path, "--outcome", "death", "--output-dir", dir.path]] {
      let r = try CommandRunner.run(args)
      #expect(r.status == 1, "\(args): \(r.stderr)")
      #expect(r.stderr.hasPrefix("error: ") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
  }
}
