import Foundation
import Testing
import NumericCore
@testable import TabularData

/// Dates, identifiers, personal information, many-level codes, constraints and the release rules.
@Suite struct DateTimeFormatTests {
  @Test func parsesAndWritesEveryInferableFormat() throws {
    let cases: [(String, String, Int)] = [
      ("%Y-%m-%d", "2014-03-19", 16_148),
      ("%m/%d/%Y", "03/19/2014", 16_148),
      ("%d.%m.%Y", "19.03.2014", 16_148),
      ("%Y-%m-%d %H:%M", "2014-03-19 08:15", 16_148 * 1_440 + 8 * 60 + 15),
      ("%Y-%m-%dT%H:%M:%S", "2014-03-19T08:15:42", (16_148 * 1_440 + 8 * 60 + 15) * 60 + 42),
      ("%d.%m.%Y %H:%M:%S", "19.03.2014 23:59:59", (16_148 * 1_440 + 23 * 60 + 59) * 60 + 59),
      ("%Y-%m-%d", "1969-12-31", -1),
      ("%Y-%m-%d", "2000-02-29", 11_016),
    ]
    for (pattern, text, units) in cases {
      let format = try #require(DateTimeFormat(pattern))
      #expect(format.parse(text) == units, "\(pattern) \(text)")
      #expect(format.string(units) == text, "\(pattern) \(units)")
    }
    #expect(DateTimeFormat("%Y-%m-%d")!.parse("2014-02-30") == nil)
    #expect(DateTimeFormat("%Y-%m-%d")!.parse("2014-3-19") == 16_148, "one-digit fields are read")
    #expect(DateTimeFormat("%m/%d/%Y")!.unpadded.string(16_148) == "3/19/2014")
    #expect(DateTimeFormat("%m/%d/%Y %H:%M")!.parse("03/19/2014 24:00") == nil)
    #expect(DateTimeFormat("%Y/%j") == nil && DateTimeFormat("%H:%M") == nil)
  }

  @Test func civilDaysRoundTripOverFourCenturies() {
    for days in stride(from: -150_000, through: 150_000, by: 37) {
      let (y, m, d) = DateTimeFormat.civilFromDays(days)
      #expect(DateTimeFormat.daysFromCivil(year: y, month: m, day: d) == days)
    }
  }
}

@Suite struct ExtractInferenceTests {
  static func table(_ text: String) throws -> DataTable { try CSVReader.parse(text, name: "t.csv") }

  @Test func datesIdentifiersNamesAndCodesAreClassifiedWithoutError() throws {
    var lines = ["patient_id,first_name,contact,admitted,discharged,note_date,code,age,death"]
    var rng = RandomSource(seed: 3)
    for r in 0..<300 {
      let day = 1 + r % 28, month = 1 + r % 12
      let admitted = String(format: "2015-%02d-%02d", month, day)
      let discharged = String(format: "%02d/%02d/2015 %02d:%02d", month, Swift.min(day + Int(rng.next() % 3), 28), r % 24, r % 60)
      let code = r < 250 ? "I\(10 + r % 40)" : "Z\(r)"
      lines.append("CHOP-\(String(format: "%06d", 100_000 + r * 7)),Name\(r % 37),user\(r)@mail.org,\(admitted),\(discharged),"
                   + "\(String(format: "%d.%d.2016", day, month)),\(code),\(30 + r % 50),\(r % 3 == 0 ? 1 : 0)")
    }
    let schema = try Schema.infer(from: try Self.table(lines.joined(separator: "\n")))
    #expect(schema.column(named: "patient_id")?.kind == .identifier)
    #expect(schema.column(named: "first_name")?.kind == .personal && schema.column(named: "first_name")?.personal == .name)
    #expect(schema.column(named: "contact")?.personal == .email, "by content")
    #expect(schema.column(named: "admitted")?.datetimeFormat?.pattern == "%Y-%m-%d")
    #expect(schema.column(named: "discharged")?.datetimeFormat?.pattern == "%m/%d/%Y %H:%M")
    #expect(schema.column(named: "note_date")?.datetimeFormat?.pattern == "%-d.%-m.%Y", "one-digit days and months stay unpadded")
    #expect(schema.column(named: "code")?.kind == .categorical && schema.column(named: "code")?.categories.count == 90)
    #expect(schema.decisions.count >= 9 && schema.decisions[0].hasPrefix("patient_id: identifier"))
    #expect(schema.constraints.contains(.inequality(low: "admitted", high: "discharged", strict: false)))
    // The metadata keeps it all, and reading it back gives the same schema.
    let metadata = Metadata(schema: schema)
    let reread = try Metadata.parse(metadata.jsonData(), name: "meta.json")
    #expect(reread.columns["admitted"]?.datetimeFormat == "%Y-%m-%d" && reread.columns["first_name"]?.pii == true)
    #expect(reread.constraints == schema.constraints)
  }

  @Test func personalInformationByNameAndContent() {
    #expect(PersonalInformation.fromColumnName("lastName") == .name)
    #expect(PersonalInformation.fromColumnName("drug_name") == nil)
    #expect(PersonalInformation.fromColumnName("Home_Phone") == .phone)
    #expect(PersonalInformation.fromColumnName("street_address") == .address)
    #expect(PersonalInformation.fromColumnName("clinical_notes") == .text)
    #expect(PersonalInformation.fromContent(["(555) 123-4567", "+1 555 765 4321"], manyDistinct: false) == .phone)
    #expect(PersonalInformation.fromContent(["12 Oak Street", "7 Long Lane West"], manyDistinct: false) == .address)
    #expect(PersonalInformation.fromContent(["Mary Smith", "John O'Neil"], manyDistinct: true) == .name)
    #expect(PersonalInformation.fromContent(["Mary Smith", "John O'Neil"], manyDistinct: false) == nil, "a few capitalised words are categories")
    #expect(PersonalInformation.fromContent(["Cardiology", "ICU"], manyDistinct: false) == nil)
  }

  /// A whole-number identifier that repeats (one subject, several admissions) is an identifier by its name;
  /// the same numbers under another name are an integer column.
  @Test func repeatingNumericIdentifiersAreIdentifiers() throws {
    for (name, yes) in [("subject_id", true), ("hadm_id", true), ("patientID", true), ("MRN", true), ("patient_no", true),
                        ("visits", false), ("idle_days", false), ("stay_length", false), ("video", false)] {
      #expect(PersonalInformation.isIdentifierName(name) == yes, "\(name)")
    }
    var lines = ["subject_id,visit_count,age"]
    for r in 0..<600 { lines.append("\(10_000_000 + (r * 7919) % 400),\(10_000_000 + (r * 7919) % 400),\(20 + r % 60)") }
    let schema = try Schema.infer(from: try Self.table(lines.joined(separator: "\n")))
    #expect(schema.column(named: "subject_id")?.kind == .identifier)
    #expect(schema.column(named: "visit_count")?.kind == .integer)
    #expect(schema.column(named: "age")?.kind == .integer)
  }
}

@Suite struct TextShapeTests {
  @Test func madeUpValuesKeepTheFormatAndAreNeverTrainingValues() {
    let training = (0..<500).map { "CHOP-" + String(format: "%06d", $0 * 13) }
    let shape = TextShape(values: training, rareCount: 5, salt: 9)
    #expect(shape.prefix == "CHOP-00" && shape.unique, "shared leading digits stay while four free positions remain")
    let made = shape.generate(rows: 2_000, seed: 1)
    #expect(made.count == 2_000 && Set(made).count == 2_000)
    #expect(made.allSatisfy { $0.range(of: #"^CHOP-\d{6}$"#, options: .regularExpression) != nil })
    #expect(Set(made).isDisjoint(with: training))
    #expect(shape.generate(rows: 10, seed: 1) == Array(made.prefix(10)), "deterministic for a seed")
  }

  @Test func aTinyShapeSpaceStillEnds() {
    let training = (0..<10).map(String.init)   // every one-digit value is taken
    let made = TextShape(values: training, rareCount: 1, salt: 1).generate(rows: 30, seed: 2)
    #expect(Set(made).count == 30 && Set(made).isDisjoint(with: training))
  }
}

@Suite struct TablePreparationTests {
  /// A table with dates in three formats, an inequality chain, a rare code, a rare age and personal columns.
  static func extract(rows: Int = 400) throws -> DataTable {
    var lines = ["id,name,admitted,discharged,died,code,age,weight,death"]
    var rng = RandomSource(seed: 5)
    for r in 0..<rows {
      let admitted = 16_000 + Int(rng.next() % 900)
      let discharged = admitted + Int(rng.next() % 20)
      let died = r % 4 == 0 ? DateTimeFormat("%d.%m.%Y")!.string(discharged + Int(rng.next() % 50)) : ""
      let code = r == 7 ? "RARE1" : r == 9 ? "RARE2" : ["A01", "B02", "C03", "D04"][Int(rng.next() % 4)]
      let age = r == 11 ? 65_526 : 20 + Int(rng.next() % 60)
      let weight = String(format: "%.2f", 50 + Double(rng.next() % 10_000) / 200)
      lines.append("P\(r + 1000),Person\(r),\(DateTimeFormat("%Y-%m-%d")!.string(admitted)),\(DateTimeFormat("%m/%d/%Y")!.string(discharged)),"
                   + "\(died),\(code),\(age),\(weight),\(r % 3 == 0 ? 1 : 0)")
    }
    return try CSVReader.parse(lines.joined(separator: "\n"), name: "extract.csv")
  }

  @Test func modelTableHasNumbersGapsAndNoRareOrIdentifyingValues() throws {
    let table = try Self.extract()
    let schema = try Schema.infer(from: table)
    #expect(schema.constraints.contains(.inequality(low: "admitted", high: "discharged", strict: false)))
    let (preparation, model, modelSchema) = try TablePreparation.fit(table, schema: schema, rareCount: 5, seed: 1)
    #expect(!model.columnNames.contains("id") && !model.columnNames.contains("name"))
    #expect(preparation.gaps.contains { $0.low == "admitted" && $0.high == "discharged" })
    let codes = Set(model.column("code").compactMap { $0 })
    #expect(codes == ["A01", "B02", "C03", "D04", TablePreparation.pooledLevel])
    // Numbers keep their training values in the model table; the release rule acts on decoded values.
    let ageRule = try #require(modelSchema.column(named: "age")?.releaseRule)
    #expect(ageRule.apply(65_526) != 65_526, "a value seen once is never written")
    #expect(ageRule.apply(65_526) < 100, "…and the outlier is hidden in its run's median")
    #expect(ageRule.apply(45) == 45, "common values are written as they are")
    #expect(modelSchema.column(named: "weight")?.avoidsTrainingValues == true)
    #expect(modelSchema.column(named: "admitted")?.kind == .continuous)
    // Backward: formats, the inequality chain, made-up identifiers and names.
    let back = preparation.userTable(model, seed: 3)
    #expect(back.columnNames == table.columnNames)
    let isoDate = #"^\d{4}-\d{2}-\d{2}$"#, usDate = #"^\d{2}/\d{2}/\d{4}$"#, euDate = #"^\d{2}\.\d{2}\.\d{4}$"#
    #expect(back.column("admitted").allSatisfy { $0?.range(of: isoDate, options: .regularExpression) != nil })
    #expect(back.column("discharged").allSatisfy { $0?.range(of: usDate, options: .regularExpression) != nil })
    #expect(back.column("died").compactMap { $0 }.allSatisfy { $0.range(of: euDate, options: .regularExpression) != nil })
    #expect(back.column("died").filter { $0 == nil }.count == table.column("died").filter { $0 == nil }.count)
    let ids = back.column("id").compactMap { $0 }
    #expect(ids.count == table.rowCount && Set(ids).count == ids.count && Set(ids).isDisjoint(with: table.column("id").compactMap { $0 }))
    #expect(ids.allSatisfy { $0.range(of: #"^P\d{4}$"#, options: .regularExpression) != nil })
    #expect(Set(back.column("name").compactMap { $0 }).isDisjoint(with: table.column("name").compactMap { $0 }))
  }

  /// Rare values inside the common range snap to the nearest common value; each tail is cut into runs of at least k
  /// records released as the run's median moved off rare training values.
  @Test func rareValuesSnapInsideAndRunMediansInTheTails() {
    var tally: [Double: Int] = [:]
    for v in 10...20 { tally[Double(v)] = 9 }             // common 10…20
    tally[15.5] = 1                                        // rare, inside: snaps to 15 (ties: the lower)
    for v in [30.0, 31, 33, 40, 41, 42, 50, 65_526] { tally[v] = 1 }   // upper tail: runs of 5 and 3 → one run of 8
    tally[2] = 2; tally[1] = 2                             // lower tail of 4 records: to the boundary
    let common = tally.filter { $0.value >= 5 }.keys.sorted()
    let released = TablePreparation.releasedRareValues(tally: tally, common: common, k: 5, unit: 1)
    #expect(released[15.5] == 15)
    #expect(released[1] == 10 && released[2] == 10)
    let tail = Set([30.0, 31, 33, 40, 41, 42, 50, 65_526].map { released[$0]! })
    #expect(tail.count == 1)
    let value = tail.first!
    #expect(value > 30 && value < 60, "the median of the run, not the outlier: \(value)")
    #expect(tally[value] == nil || tally[value]! >= 5, "never a rare training value")
  }

  /// Relations are applied so that a column serves as a low only once it is final (a chain listed backwards).
  @Test func relationsAreAppliedInDependencyOrder() {
    let listed = [("discharge", "death"), ("admission", "discharge"), ("birth", "admission")]
    let ordered = TablePreparation.dependencyOrder(listed, low: { $0.0 }, high: { $0.1 })
    #expect(ordered.map(\.0) == ["birth", "admission", "discharge"])
    let cycle = [("a", "b"), ("b", "a")]
    #expect(TablePreparation.dependencyOrder(cycle, low: { $0.0 }, high: { $0.1 }).count == 2)
  }

  /// A date fewer than k training records hold is never written, even when the model returns the training rows
  /// themselves; the moved dates still keep the inequalities.
  @Test func rareTrainingDatesAreNeverWritten() throws {
    let table = try Self.extract()
    let schema = try Schema.infer(from: table)
    let (preparation, model, _) = try TablePreparation.fit(table, schema: schema, rareCount: 5, seed: 1)
    let back = preparation.userTable(model, seed: 2)
    for name in ["admitted", "discharged", "died"] {
      var tally: [String: Int] = [:]
      for v in table.column(name).compactMap({ $0 }) { tally[v, default: 0] += 1 }
      let rare = Set(tally.filter { $0.value < 5 }.keys)
      #expect(!rare.isEmpty, "the fixture has rare dates in \(name)")
      let written = back.column(name).compactMap { $0 }
      #expect(written.allSatisfy { !rare.contains($0) }, "\(name): \(written.filter { rare.contains($0) }.prefix(3))")
    }
    let a = DateTimeFormat("%Y-%m-%d")!, d = DateTimeFormat("%m/%d/%Y")!
    for r in 0..<back.rowCount {
      #expect(a.parse(back.cell(row: r, column: back.columnIndex("admitted")!)!)! <= d.parse(back.cell(row: r, column: back.columnIndex("discharged")!)!)!)
    }
    // k = 1 turns the rule off: training dates pass through.
    let (plain, plainModel, _) = try TablePreparation.fit(table, schema: schema, rareCount: 1, seed: 1)
    #expect(plain.datetimes.allSatisfy { $0.rareUnits == nil })
    #expect(plain.userTable(plainModel, seed: 2).column("admitted") == table.column("admitted"))
  }

  @Test func gapsAndClampsHoldForAnyDecodedValues() throws {
    let table = try Self.extract()
    let schema = try Schema.infer(from: table)
    let (preparation, model, _) = try TablePreparation.fit(table, schema: schema, rareCount: 5, seed: 1)
    // Scramble the modelled columns as a poor generator would: negative gaps, dates out of range.
    var columns = model.columnNames.map { model.column($0) }
    let admitted = model.columnIndex("admitted")!, discharged = model.columnIndex("discharged")!, died = model.columnIndex("died")!
    for r in 0..<model.rowCount {
      columns[admitted][r] = String(15_000 + r * 7)
      columns[discharged][r] = String(-Int(r % 40) + 5)
      if columns[died][r] != nil { columns[died][r] = String(-3) }
    }
    let scrambled = try DataTable(columnNames: model.columnNames, columns: columns)
    let back = preparation.userTable(scrambled, seed: 4)
    let a = DateTimeFormat("%Y-%m-%d")!, d = DateTimeFormat("%m/%d/%Y")!, x = DateTimeFormat("%d.%m.%Y")!
    for r in 0..<back.rowCount {
      let low = a.parse(back.cell(row: r, column: back.columnIndex("admitted")!)!)!
      let high = d.parse(back.cell(row: r, column: back.columnIndex("discharged")!)!)!
      #expect(low <= high)
      if let dead = back.cell(row: r, column: back.columnIndex("died")!) { #expect(high <= x.parse(dead)!) }
    }
  }

  @Test func declaredConstraintsAreCheckedAndKept() throws {
    let table = try Self.extract()
    var metadata = Metadata(columns: [:])
    metadata.constraints = [.scalarRange(column: "age", low: 25, high: 70, strict: false), .fixedCombinations(["code", "death"])]
    let schema = try Schema.infer(from: table, overrides: metadata)
    let (preparation, model, _) = try TablePreparation.fit(table, schema: schema, rareCount: 5, seed: 1)
    let back = preparation.userTable(model, seed: 2)
    let ages = back.column("age").compactMap { $0.flatMap(Double.init) }
    #expect(ages.allSatisfy { (25...70).contains($0) })
    let seen = Set((0..<table.rowCount).map { "\(table.cell(row: $0, column: 5) ?? "")|\(table.cell(row: $0, column: 8) ?? "")" })
    for r in 0..<back.rowCount {
      guard let code = back.cell(row: r, column: 5), let death = back.cell(row: r, column: 8) else { continue }
      #expect(seen.contains("\(code)|\(death)"))
    }
    var bad = Metadata(columns: [:])
    bad.constraints = [.inequality(low: "age", high: "code", strict: false)]
    #expect(throws: TabularError.self) { try Schema.infer(from: table, overrides: bad) }
  }
}
