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
}
