import Foundation
import Testing
import TestSupport
import NumericCore
import NeuralNetworks
import TabularData
@testable import Synthesizers

/// A fitted model writes a monotone function's column from its source, and marks its file as version 3.
@Suite struct MonotoneFunctionModelTests {
  @Test func sampledColumnsKeepTheRelationAndTheFileIsVersion3() throws {
    var lines = ["x,lx,y"]
    var rng = RandomSource(seed: 9)
    for r in 0..<300 {
      let x = (0.5 + 49.5 * rng.uniformDouble() * 100).rounded() / 100
      lines.append(String(format: "%.2f,%.6f,%d", x, log(x), (r % 3 == 0) != (x > 20) ? 1 : 0))
    }
    let table = try CSVReader.parse(lines.joined(separator: "\n"), name: "logs.csv")
    let schema = try Schema.infer(from: table)
    #expect(schema.constraints == [.monotoneFunction(column: "lx", source: "x")])
    let model = try SyntheticDataModel.fit(table, schema: schema, synthesizer: .gan, options: smallOptions(seed: 4))
    let out = model.sample(rows: 400, seed: 2, threads: 1)
    let x = try out.numbers("x"), lx = try out.numbers("lx")
    // Exact at training values, linear between neighbouring ones (within 0.05 of log x for knots 0.01–0.5 apart).
    #expect(zip(x, lx).allSatisfy { abs(log($0) - $1) < 0.05 })
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString).rlsyn")
    defer { try? FileManager.default.removeItem(at: url) }
    try model.save(to: url)
    let header = try #require(try JSONSerialization.jsonObject(with: ParameterArchive.read(from: url).metadata) as? [String: Any])
    #expect(header["modelFormatVersion"] as? Int == SyntheticDataModel.monotoneFunctionFormatVersion)
    #expect(try SyntheticDataModel.load(from: url).sample(rows: 400, seed: 2, threads: 1) == out)
  }

  /// A rare source value is released as a common one, so its computed column never writes the rare row's text.
  @Test func aRareSourceValueNeverWritesItsComputedText() throws {
    // x = 1…20, each in 15 rows, but 13 in two rows and 47 in one (both under k = 5); lx = log x as written.
    var lines = ["x,lx"]
    var xs = (1...20).filter { $0 != 13 }.flatMap { Array(repeating: $0, count: 15) } + [13, 13, 47]
    var rng = RandomSource(seed: 3)
    for i in stride(from: xs.count - 1, to: 0, by: -1) { xs.swapAt(i, Int(rng.uniformDouble() * Double(i + 1))) }
    for x in xs { lines.append(String(format: "%d,%.6f", x, log(Double(x)))) }
    let table = try CSVReader.parse(lines.joined(separator: "\n"), name: "rare.csv")
    let schema = try Schema.infer(from: table)
    #expect(schema.constraints == [.monotoneFunction(column: "lx", source: "x")])
    let rareTexts: Set<String> = [String(format: "%.6f", log(13.0)), String(format: "%.6f", log(47.0))]
    for kind in [SynthesizerKind.gan, .diffusion] {
      let model = try SyntheticDataModel.fit(table, schema: schema, synthesizer: kind, options: smallOptions(seed: 6))
      let out = model.sample(rows: 5_000, seed: 1, threads: 1)
      #expect(!out.column("x").contains { $0 == "13" || $0 == "47" })
      #expect(!out.column("lx").contains { $0.map(rareTexts.contains) ?? false })
      // Every written pair keeps the relation (the released x values are training values).
      #expect(zip(try out.numbers("x"), try out.numbers("lx")).allSatisfy { abs(log($0) - $1) < 1e-5 })
    }
  }
}
