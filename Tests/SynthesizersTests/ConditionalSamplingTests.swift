import Foundation
import Testing
import NumericCore
import TabularData
import Synthesizers

/// `sample(rows:seed:conditions:)`: exactly the rows asked for, every one meeting every condition; one-line errors
/// for conditions that cannot hold or are too rare for the budget.
@Suite struct ConditionalSamplingTests {
  static func table() throws -> DataTable { try CSVReader.read(legacyFixtures.appendingPathComponent("table.csv")) }

  static func model(_ kind: SynthesizerKind) throws -> SyntheticDataModel {
    try SyntheticDataModel.fit(try table(), synthesizer: kind, options: smallOptions(seed: 3))
  }

  static func conditions(_ texts: String...) throws -> [SampleCondition] { try texts.map { try SampleCondition(parsing: $0) } }

  @Test(arguments: [SynthesizerKind.rlsyn, .gan, .diffusion])
  func everyRowMeetsEveryCondition(kind: SynthesizerKind) throws {
    let model = try Self.model(kind)
    for texts in [["death=1"], ["death=1", "education=2"], ["sex=0", "alcoholfreq=1"]] {
      let conditions = try texts.map { try SampleCondition(parsing: $0) }
      let out = try model.sample(rows: 150, seed: 4, conditions: conditions, threads: 2)
      #expect(out.rowCount == 150)
      #expect(out.columnNames == (try Self.table()).columnNames)
      for condition in conditions {
        #expect(out.column(condition.column).allSatisfy { $0 == condition.value }, "\(kind) \(condition)")
      }
    }
  }

  @Test func integerColumnsMatchByValueAndLevelsByNumber() throws {
    let model = try Self.model(.gan)
    // An integer column: every row has the value (no decimal point, as the column is written). The tiny model draws
    // few ages, so ask for one it draws.
    let age = try #require(model.sample(rows: 200, seed: 1, threads: 2).column("age").last!)
    let ages = try model.sample(rows: 20, seed: 1, conditions: Self.conditions("age=\(age).0"), threads: 2)
    #expect(ages.rowCount == 20 && ages.column("age").allSatisfy { $0 == age })
    // `1.0` names the level `1`: the same rows as `death=1`.
    let a = try model.sample(rows: 50, seed: 2, conditions: Self.conditions("death=1.0"), threads: 2)
    let b = try model.sample(rows: 50, seed: 2, conditions: Self.conditions("death=1"), threads: 2)
    #expect(a == b)
    #expect(a.column("death").allSatisfy { $0 == "1" })
    // A condition repeated is one condition.
    #expect(try model.sample(rows: 50, seed: 2, conditions: Self.conditions("death=1", "death=1"), threads: 2) == b)
  }

  @Test func sameSeedSameRowsOtherSeedOtherRows() throws {
    let model = try Self.model(.diffusion)
    let conditions = try Self.conditions("death=1", "education=3")
    let a = try model.sample(rows: 80, seed: 9, conditions: conditions, threads: 2)
    let b = try model.sample(rows: 80, seed: 9, conditions: conditions, threads: 1)
    let c = try model.sample(rows: 80, seed: 10, conditions: conditions, threads: 2)
    #expect(a == b, "the rows depend on the seed only, not on threads")
    #expect(a != c)
    // No conditions: exactly the unconditional sample.
    #expect(try model.sample(rows: 30, seed: 9, conditions: [], threads: 2) == model.sample(rows: 30, seed: 9, threads: 2))
  }

  @Test func conditionsThatCannotHoldAreRefusedBeforeDrawing() throws {
    let model = try Self.model(.rlsyn)
    func message(_ texts: String...) -> String? {
      do {
        _ = try model.sample(rows: 10, seed: 0, conditions: texts.map { try SampleCondition(parsing: $0) }, threads: 2)
        return nil
      } catch {
        return String(describing: error)
      }
    }
    let unknown = message("dead=1")
    #expect(unknown?.contains("no column 'dead'") == true && unknown?.contains("sex, age") == true, "\(unknown ?? "")")
    let level = message("death=2")
    #expect(level?.contains("not a level of 'death' (levels: 0, 1)") == true, "\(level ?? "")")
    let category = message("education=9")
    #expect(category?.contains("levels: 1, 2, 3, 4, 5") == true, "\(category ?? "")")
    let continuous = message("wt71=60.5")
    #expect(continuous?.contains("not supported") == true && continuous?.contains("continuous") == true, "\(continuous ?? "")")
    let outside = message("age=200")
    #expect(outside?.contains("the range it was fitted on") == true, "\(outside ?? "")")
    #expect(message("age=40.5")?.contains("whole numbers") == true)
    #expect(message("age=forty")?.contains("not a number") == true)
    #expect(message("death=0", "death=1")?.contains("contradict") == true)
    for text in [String?](arrayLiteral: unknown, level, category, continuous) { #expect(text?.contains("\n") == false) }
    #expect(throws: ConditionalSamplingError.malformed("death")) { try SampleCondition(parsing: "death") }
    #expect(throws: ConditionalSamplingError.malformed("=1")) { try SampleCondition(parsing: "=1") }
    #expect(try SampleCondition(parsing: "a=b=c") == SampleCondition(column: "a", value: "b=c"))
  }

  @Test func tooRareStopsAtTheBudget() throws {
    let model = try Self.model(.gan)
    let started = Date()
    // 5,000 rows cannot come out of 20,000 draws of a condition met by fewer than a quarter of them.
    #expect {
      _ = try model.sample(rows: 5_000, seed: 0, conditions: Self.conditions("death=1", "sex=1"), threads: 2, maximumDrawnRows: 20_000)
    } throws: { error in
      let text = String(describing: error)
      return text.hasPrefix("conditions death=1, sex=1 are too rare for this model: ") && text.contains(" drawn rows matched (needed 5,000")
        && !text.contains("\n")
    }
    // An age the model never draws: given up long before the default budget of 1,000,000 draws.
    let drawn = Set(model.sample(rows: 5_000, seed: 0, threads: 2).column("age").compactMap { $0 })
    if let absent = (32...56).map(String.init).first(where: { !drawn.contains($0) }) {
      #expect {
        _ = try model.sample(rows: 100, seed: 0, conditions: Self.conditions("age=\(absent)"), threads: 2)
      } throws: { error in
        let text = String(describing: error)
        return text.contains("too rare for this model: 0 of ") && text.contains("the budget of 1,000,000 drawn rows would not do")
      }
    }
    #expect(Date().timeIntervalSince(started) < 60)
    #expect(SyntheticDataModel.conditionBudget(rows: 500) == 1_000_000)
    #expect(SyntheticDataModel.conditionBudget(rows: 1_000_000) == 10_000_000)
  }

  @Test func requestsAreSampledInOrderLikeSampleFromConditions() throws {
    let model = try Self.model(.rlsyn)
    let requests: [SyntheticDataModel.ConditionalRequest] = [
      .init(rows: 30, conditions: try Self.conditions("death=1", "sex=0")),
      .init(rows: 0, conditions: try Self.conditions("death=0")),
      .init(rows: 20, conditions: []),
      .init(rows: 10, conditions: try Self.conditions("education=4")),
    ]
    let out = try model.sample(requests, seed: 5, threads: 2)
    #expect(out.rowCount == 60)
    let death = out.column("death"), sex = out.column("sex"), education = out.column("education")
    #expect((0..<30).allSatisfy { death[$0] == "1" && sex[$0] == "0" })
    #expect((50..<60).allSatisfy { education[$0] == "4" })
    #expect(try model.sample(requests, seed: 5, threads: 1) == out)
    // A bad request anywhere is refused before anything is drawn.
    #expect(throws: ConditionalSamplingError.self) {
      try model.sample(requests + [.init(rows: 1, conditions: [SampleCondition(column: "death", value: "9")])], seed: 5, threads: 2)
    }
  }

  @Test func columnsThePreparationChangesAreMatchedOnTheUsersTable() throws {
    // education and alcoholfreq are modelled as one joint column; age is clamped after decoding.
    let table = try Self.table()
    var metadata = Metadata(columns: [:])
    metadata.constraints = [.fixedCombinations(["education", "alcoholfreq"]), .scalarRange(column: "age", low: 30, high: 60, strict: false)]
    let schema = try Schema.infer(from: table, overrides: metadata)
    let model = try SyntheticDataModel.fit(table, schema: schema, synthesizer: .gan, options: smallOptions(seed: 3))
    #expect(model.preparation?.combinations.isEmpty == false)
    let out = try model.sample(rows: 60, seed: 1, conditions: Self.conditions("education=2", "death=1"), threads: 2)
    #expect(out.rowCount == 60)
    #expect(out.column("education").allSatisfy { $0 == "2" } && out.column("death").allSatisfy { $0 == "1" })
    let age = try #require(model.sample(rows: 100, seed: 1, threads: 2).column("age").first!)
    let ages = try model.sample(rows: 10, seed: 1, conditions: Self.conditions("age=\(age)"), threads: 2)
    #expect(ages.column("age").allSatisfy { $0 == age })
    #expect(throws: ConditionalSamplingError.self) { try model.sample(rows: 5, seed: 1, conditions: Self.conditions("alcoholfreq=9"), threads: 2) }
  }

  @Test func rowsPassingCellTests() throws {
    let t = try DataTable(columnNames: ["a", "b"], columns: [["1", "1.0", nil, "x", "2"], ["u", "v", "u", "u", ""]])
    #expect(t.rows(passing: [CellTest(column: 0, rule: .number(1))]) == [0, 1])
    #expect(t.rows(passing: [CellTest(column: 0, rule: .text("1"))]) == [0])
    #expect(t.rows(passing: [CellTest(column: 1, rule: .text("u")), CellTest(column: 0, rule: .text("x"))]) == [3])
    #expect(t.rows(passing: [CellTest(column: 1, rule: .text(""))]) == [4])
    #expect(t.rows(passing: []) == [0, 1, 2, 3, 4])
    #expect(CellTest.number("1.50") == 1.5 && CellTest.number("abc") == nil)
  }
}
