import ArgumentParser
import Foundation
import NumericCore
import TabularData

/// `rlsyn-bench csv`: CSV read/write throughput, schema inference and encode/decode times on a
/// generated mixed-type file and on the bundled datasets.
struct CSVBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "csv",
    abstract: "CSV read/write throughput (rows/s, MB/s), schema inference and encode/decode times.")

  @Option(help: "Rows of the generated file.") var rows = 50_000
  @Option(help: "Columns of the generated file.") var columns = 30
  @Option(help: "Timed repetitions (best is reported).") var repeats = 5
  @Option(help: "Folder holding nhefs.csv and support2.csv (default: examples/data of this package).")
  var dataDir: String?
  @Option(help: ArgumentHelp("Run only one stage on the generated file, `repeats` times, for profiling (read, write, infer, encode, decode).", visibility: .hidden))
  var only: String?

  func run() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rlsyn-bench-csv-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let generated = folder.appendingPathComponent("generated.csv")
    try Data(Self.generate(rows: rows, columns: columns, seed: 7).utf8).write(to: generated)

    if let only { return try profile(only, generated) }
    let dataFolder = dataDir.map { URL(fileURLWithPath: $0) }
      ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/data")
    var files = [("generated", generated)]
    for name in ["nhefs.csv", "support2.csv"] {
      let url = dataFolder.appendingPathComponent(name)
      if FileManager.default.fileExists(atPath: url.path) { files.append((name, url)) }
    }
    print("CSV benchmark (best of \(repeats); MB = 10^6 bytes)")
    print("file                     rows×cols      size   read rows/s  read MB/s  write rows/s  write MB/s  infer ms  encode ms  decode ms")
    for (label, url) in files {
      let size = Double((try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0)
      var table = try CSVReader.read(url)
      let read = try bestTime(repeats: repeats) { table = try CSVReader.read(url) }
      let out = folder.appendingPathComponent("out.csv")
      let write = try bestTime(repeats: repeats) { try CSVWriter.write(table, to: out) }
      let written = Double((try FileManager.default.attributesOfItem(atPath: out.path)[.size] as? NSNumber)?.intValue ?? 0)
      var schema = try Schema.infer(from: table)
      let infer = try bestTime(repeats: repeats) { schema = try Schema.infer(from: table) }
      let encoder = try TableEncoder(fitting: table, schema: schema)
      var matrix = try encoder.encode(table)
      let encode = try bestTime(repeats: repeats) { matrix = try encoder.encode(table) }
      let decode = bestTime(repeats: repeats) { _ = encoder.decode(matrix) }
      let n = Double(table.rowCount)
      let shape = "\(table.rowCount)×\(table.columnCount)"
      print(label.padding(toLength: 24, withPad: " ", startingAt: 0) + " " + shape.padding(toLength: 13, withPad: " ", startingAt: 0)
        + String(format: "%6.1f MB %12.0f %10.1f %13.0f %11.1f %9.1f %10.1f %10.1f",
                 size / 1e6, n / read, size / 1e6 / read, n / write, written / 1e6 / write,
                 infer * 1e3, encode * 1e3, decode * 1e3))
      print("  schema: \(schema.summary); matrix width \(encoder.layout.width)")
    }
  }

  /// One stage in a loop, nothing else (for `perf stat` / `perf record`).
  func profile(_ stage: String, _ url: URL) throws {
    let table = try CSVReader.read(url)
    let schema = try Schema.infer(from: table)
    let encoder = try TableEncoder(fitting: table, schema: schema)
    let matrix = try encoder.encode(table)
    let out = url.deletingLastPathComponent().appendingPathComponent("out.csv")
    let seconds = try bestTime(repeats: repeats) {
      switch stage {
      case "read": _ = try CSVReader.read(url)
      case "write": try CSVWriter.write(table, to: out)
      case "infer": _ = try Schema.infer(from: table)
      case "encode": _ = try encoder.encode(table)
      case "decode": _ = encoder.decode(matrix)
      default: throw ValidationError("unknown stage \(stage)")
      }
    }
    print(String(format: "%@: best %.1f ms", stage, seconds * 1e3))
  }

  /// A mixed clinical-looking table: a third continuous (1–4 decimals, some heavy-tailed), a quarter
  /// integer, binary 0/1 and text columns, categorical text with quoted commas; about 5 % missing.
  static func generate(rows: Int, columns: Int, seed: UInt64) -> String {
    var rng = RandomSource(seed: seed)
    let kinds = (0..<columns).map { $0 % 6 }
    var text = (0..<columns).map { "c\($0)_" + ["cont", "lab", "int", "bin", "sex", "cat"][kinds[$0]] }.joined(separator: ",") + "\n"
    text.reserveCapacity(rows * columns * 6)
    let categories = ["\"ARF/MOSF, sepsis\"", "CHF", "COPD", "Cirrhosis", "\"Cancer, colon\"", "Coma", "Lung Cancer", "MOSF w/Malig"]
    for _ in 0..<rows {
      for c in 0..<columns {
        if c > 0 { text += "," }
        if rng.uniform() < 0.05 { continue }
        switch kinds[c] {
        case 0: text += String(format: "%.2f", 60 + 15 * Double(rng.normal()))
        case 1: text += String(format: "%.4f", exp(1 + 1.2 * Double(rng.normal())))
        case 2: text += String(Int(rng.next() % 120))
        case 3: text += rng.uniform() < 0.3 ? "1" : "0"
        case 4: text += rng.uniform() < 0.5 ? "female" : "male"
        default: text += categories[Int(rng.next() % UInt64(categories.count))]
        }
      }
      text += "\n"
    }
    return text
  }
}
