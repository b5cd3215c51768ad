import Foundation
import TabularData
import Testing
import TestSupport

/// Issue 33's acceptance on the bundled hospital-extract-shaped table, with zero flags: `schema`, `fit`,
/// `sample` and `evaluate` succeed, dates come back in their formats, the proposed inequalities hold, and
/// nothing identifying (a personal value, an identifier, a rare level or a rare number) reaches the output.
@Suite struct ClinicalExtractTests {
  static let data = CommandRunner.dataset("clinical.csv")
  static let rareCount = 5
  static let personalColumns = ["first_name", "last_name", "email", "phone", "address"]
  static let dateFormats: [String: String] = [
    "admission_date": #"^\d{4}-\d{2}-\d{2}$"#,
    "admit_time": #"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"#,
    "discharge_date": #"^\d{2}/\d{2}/\d{4}$"#,
    "death_date": #"^\d{2}\.\d{2}\.\d{4}$"#,
  ]

  /// The values of one column (nil for an empty cell).
  static func column(_ table: DataTable, _ name: String) throws -> [String?] {
    let c = try #require(table.columnIndex(name), "no column \(name)")
    return (0..<table.rowCount).map { table.cell(row: $0, column: c) }
  }

  /// A date or date-time in one of the example's four spellings as a sortable (y, m, d, H, M, S) key, written
  /// independently of the library's parser.
  static func sortKey(_ text: String) -> [Int]? {
    let parts = text.split(whereSeparator: { "-/. :".contains($0) }).compactMap { Int($0) }
    guard parts.count == 3 || parts.count == 6 else { return nil }
    var ymd: [Int]
    if text.contains("/") { ymd = [parts[2], parts[0], parts[1]] }          // %m/%d/%Y
    else if text.contains(".") { ymd = [parts[2], parts[1], parts[0]] }     // %d.%m.%Y
    else { ymd = Array(parts[0..<3]) }                                        // %Y-%m-%d
    return ymd + (parts.count == 6 ? Array(parts[3...]) : [0, 0, 0])
  }

  static func fitAndSample(_ synthesizer: String, iterations: Int, in dir: URL) throws -> (meta: URL, synthetic: URL) {
    let meta = dir.appendingPathComponent("meta.json")
    if !FileManager.default.fileExists(atPath: meta.path) {
      let schema = try CommandRunner.run(["schema", data.path, "--output", meta.path])
      #expect(schema.status == 0, "\(schema.stderr)")
    }
    let model = dir.appendingPathComponent("\(synthesizer).rlsyn"), synthetic = dir.appendingPathComponent("\(synthesizer).csv")
    let fit = try CommandRunner.run(["fit", data.path, "--model", model.path, "--synthesizer", synthesizer,
                                     "--iterations", "\(iterations)", "--threads", "1"])
    #expect(fit.status == 0, "\(fit.stderr)")
    let sample = try CommandRunner.run(["sample", model.path, "--rows", "2000", "--output", synthetic.path, "--seed", "3"])
    #expect(sample.status == 0, "\(sample.stderr)")
    return (meta, synthetic)
  }

  @Test func schemaClassifiesEveryColumnAndProposesTheDateOrder() throws {
    let r = try CommandRunner.run(["schema", Self.data.path])
    #expect(r.status == 0, "\(r.stderr)")
    let root = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let columns = try #require(root["columns"] as? [String: [String: Any]])
    #expect(columns["patient_id"]?["sdtype"] as? String == "id")
    for name in Self.personalColumns { #expect(columns[name]?["pii"] as? Bool == true, "\(name)") }
    #expect(columns["admission_date"]?["datetime_format"] as? String == "%Y-%m-%d")
    #expect(columns["admit_time"]?["datetime_format"] as? String == "%Y-%m-%d %H:%M:%S")
    #expect(columns["discharge_date"]?["datetime_format"] as? String == "%m/%d/%Y")
    #expect(columns["death_date"]?["datetime_format"] as? String == "%d.%m.%Y")
    #expect(columns["diagnosis_code"]?["sdtype"] as? String == "categorical")
    let constraints = try #require(root["constraints"] as? [[String: Any]])
    let pairs = constraints.compactMap { c -> String? in
      guard let p = c["constraint_parameters"] as? [String: Any] else { return nil }
      return "\(p["low_column_name"] ?? "")≤\(p["high_column_name"] ?? "")"
    }
    #expect(pairs.contains("admission_date≤discharge_date"), "\(pairs)")
    #expect(pairs.contains("discharge_date≤death_date"), "\(pairs)")
  }

  @Test(arguments: [("rlsyn", 40), ("gan", 150), ("diffusion", 300)])
  func nothingIdentifyingIsReleased(synthesizer: String, iterations: Int) throws {
    let dir = try CommandRunner.temporaryDirectory("clinical-\(synthesizer)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let (metaURL, syntheticURL) = try Self.fitAndSample(synthesizer, iterations: iterations, in: dir)
    let real = try CSVReader.read(Self.data), synthetic = try CSVReader.read(syntheticURL)
    #expect(synthetic.rowCount == 2000)
    #expect(synthetic.columnNames == real.columnNames)

    // Identifiers: the input's format, unique, never a training value.
    let ids = try Self.column(synthetic, "patient_id").compactMap { $0 }
    let realIDs = Set(try Self.column(real, "patient_id").compactMap { $0 })
    #expect(ids.count == 2000)
    #expect(ids.allSatisfy { $0.wholeMatch(of: /CHOP-\d{6}/) != nil }, "\(ids.prefix(5))")
    #expect(Set(ids).count == ids.count)
    #expect(Set(ids).isDisjoint(with: realIDs))

    // Personal information: no training value, ever.
    for name in Self.personalColumns {
      let released = Set(try Self.column(synthetic, name).compactMap { $0 })
      let seen = Set(try Self.column(real, name).compactMap { $0 })
      #expect(released.isDisjoint(with: seen), "\(name): \(released.intersection(seen).prefix(5))")
    }

    // Dates: written in their input format (empty allowed where the input has empty cells).
    for (name, pattern) in Self.dateFormats {
      let regex = try Regex(pattern)
      let values = try Self.column(synthetic, name)
      let bad = values.compactMap { $0 }.filter { $0.wholeMatch(of: regex) == nil }
      #expect(bad.isEmpty, "\(name): \(bad.prefix(5))")
      if name != "death_date" { #expect(values.allSatisfy { $0 != nil }, "\(name) has no missing values in the input") }
    }

    // Every inequality the schema proposed holds in every synthetic row where both cells are present.
    let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: metaURL)) as? [String: Any])
    let constraints = try #require(root["constraints"] as? [[String: Any]])
    #expect(constraints.count >= 2)
    for c in constraints where c["constraint_class"] as? String == "Inequality" {
      let p = try #require(c["constraint_parameters"] as? [String: Any])
      let low = try #require(p["low_column_name"] as? String), high = try #require(p["high_column_name"] as? String)
      let lows = try Self.column(synthetic, low), highs = try Self.column(synthetic, high)
      var violations = 0, checked = 0
      for (a, b) in zip(lows, highs) {
        guard let a, let b else { continue }
        let ka = try #require(Self.sortKey(a), "\(low): \(a)"), kb = try #require(Self.sortKey(b), "\(high): \(b)")
        checked += 1
        if ka.lexicographicallyPrecedes(kb) || ka == kb { continue }
        violations += 1
      }
      #expect(checked > 0)
      #expect(violations == 0, "\(low) ≤ \(high) fails in \(violations) of \(checked) rows")
    }

    // Rare values: no level, no date and no number seen 1 ..< k times in training reaches the output.
    let levels = ["diagnosis_code", "ward", "dzgroup", "sex"] + Self.dateFormats.keys.sorted()
    for name in levels {
      var counts: [String: Int] = [:]
      for v in try Self.column(real, name) { if let v { counts[v, default: 0] += 1 } }
      let rare = Set(try Self.column(synthetic, name).compactMap { $0 }.filter { (1..<Self.rareCount).contains(counts[$0] ?? 0) })
      #expect(rare.isEmpty, "\(name): rare training levels released: \(rare.prefix(5))")
    }
    #expect(try Self.column(synthetic, "diagnosis_code").contains("(other)"), "pooled rare codes are written as (other)")
    for name in ["age", "num_co", "meanbp", "hrt", "temp", "crea", "sod", "wblc"] {
      var counts: [Double: Int] = [:]
      for v in try Self.column(real, name) { if let x = v.flatMap(Double.init) { counts[x, default: 0] += 1 } }
      let rare = Set(try Self.column(synthetic, name).compactMap { $0.flatMap(Double.init) }
        .filter { (1..<Self.rareCount).contains(counts[$0] ?? 0) })
      #expect(rare.isEmpty, "\(name): numbers seen fewer than \(Self.rareCount) times in training released: \(rare.sorted().prefix(5))")
    }
  }

  /// `evaluate` reads the dates as numbers and leaves the made-up columns out.
  @Test func evaluateScoresTheExtract() throws {
    let dir = try CommandRunner.temporaryDirectory("clinical-evaluate")
    defer { try? FileManager.default.removeItem(at: dir) }
    let split = try CommandRunner.run(["split", Self.data.path, "--outcome", "death_180d", "--output-dir", dir.path])
    #expect(split.status == 0, "\(split.stderr)")
    let train = dir.appendingPathComponent("train.csv"), model = dir.appendingPathComponent("m.rlsyn")
    let synthetic = dir.appendingPathComponent("syn.csv"), json = dir.appendingPathComponent("e.json")
    let meta = dir.appendingPathComponent("meta.json")
    #expect(try CommandRunner.run(["schema", train.path, "--output", meta.path]).status == 0)
    #expect(try CommandRunner.run(["fit", train.path, "--model", model.path, "--metadata", meta.path, "--iterations", "20", "--threads", "1"]).status == 0)
    #expect(try CommandRunner.run(["sample", model.path, "--rows", "1400", "--output", synthetic.path]).status == 0)
    // With the training split's metadata, whose category lists miss codes that only the holdout has.
    let r = try CommandRunner.run(["evaluate", "--train", train.path, "--holdout", dir.appendingPathComponent("holdout.csv").path,
                                   "--synthetic", synthetic.path, "--outcome", "death_180d", "--json", json.path, "--metadata", meta.path,
                                   "--report", dir.appendingPathComponent("r.html").path])
    #expect(r.status == 0, "\(r.stderr)")
    let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
    let columns = try #require(root["columns"] as? [[String: Any]], "\(root.keys)")
    let kinds = Dictionary(uniqueKeysWithValues: columns.compactMap { c in (c["name"] as? String).map { ($0, c["kind"] as? String) } })
    #expect(kinds["patient_id"] == nil && kinds["first_name"] == nil, "made-up columns are not scored: \(kinds.keys.sorted())")
    #expect(kinds["admission_date"] == "numeric" && kinds["death_date"] == "numeric", "\(kinds)")
    // The report's date columns are charted on a date axis, in each column's format.
    let html = try String(contentsOf: dir.appendingPathComponent("r.html"), encoding: .utf8)
    #expect(html.contains(/\d{4}-\d{2}-\d{2}–\d{4}-\d{2}-\d{2}/), "admission_date bins as dates")
    #expect(html.contains(/\d{2}\.\d{2}\.\d{4}–\d{2}\.\d{2}\.\d{4}/), "death_date bins as dates")
  }
}
