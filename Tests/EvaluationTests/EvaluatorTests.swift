import Foundation
import Testing
import NumericCore
import TestSupport
@testable import Evaluation

/// A small mixed table: numeric columns (one with missing cells), a string categorical, a 0/1 code,
/// a two-level string column and a binary outcome that depends on several of them.
func toyTable(rows n: Int, seed: UInt64, label: String = "toy") -> EvaluationTable {
  var rng = RandomSource(seed: seed)
  var age: [String?] = [], sex: [String?] = [], bmi: [String?] = [], colour: [String?] = [], code: [String?] = [], y: [String?] = []
  for _ in 0..<n {
    let a = 20 + Double(rng.uniform()) * 60
    let b = 18 + Double(rng.uniform()) * 20
    let c = ["red", "green", "blue"][rng.integer(below: 3)]
    let k = rng.uniform() < 0.3 ? 1 : 0
    let p = 1 / (1 + Foundation.exp(-((a - 50) / 8 + (c == "red" ? 1.0 : -0.5) + Double(k) + (b - 28) / 5)))
    age.append(rng.uniform() < 0.05 ? nil : String(format: "%.1f", a))
    sex.append(rng.uniform() < 0.5 ? "female" : "male")
    bmi.append(String(format: "%.4f", b))
    colour.append(c)
    code.append(String(k))
    y.append(Double(rng.uniform()) < p ? "1" : "0")
  }
  return EvaluationTable(label: label, columnNames: ["age", "sex", "bmi", "colour", "code", "y"],
                         columns: [age, sex, bmi, colour, code, y])
}

@Suite struct ColumnTypingTests {
  @Test func scorePyRule() {
    let thirteen = (0..<13).map { String($0) as String? }
    let twelve = (0..<12).map { String($0) as String? } + [nil]
    let text = ["a", "b", "a", "1", nil, "b", "a", "b", "a", "b", "a", "b", "a"] as [String?]
    let t = EvaluationTable(columnNames: ["n13", "n12", "text"], columns: [thirteen, twelve, text])
    let typing = ColumnTyping(inferringFrom: t)
    #expect(typing.kinds == [.numeric, .categorical, .categorical])
    let overridden = ColumnTyping(inferringFrom: t, overrides: ["n13": .categorical, "text": .ignored])
    #expect(overridden.kinds == [.categorical, .categorical, .ignored])
  }

  @Test func numbersAreOneLevelWhateverTheirSpelling() throws {
    let train = EvaluationTable(label: "train", columnNames: ["c", "y"], columns: [["19", "20", nil, "19"], ["0", "1", "0", "1"]])
    let other = EvaluationTable(label: "syn", columnNames: ["c", "y"], columns: [["19.0", "2e1", "20.00", nil], ["1", "0", "1", "0"]])
    let p = try PreparedTables(train: train, holdout: other, synthetic: other, outcome: "y")
    #expect(p.columns[0].levels == ["19", "20", missingLevel])
    #expect(p.synthetic.codes[0] == [0, 1, 1, 2])
    #expect(p.positiveLevel == "1")
  }
}

@Suite struct PreparedTablesErrorTests {
  let train = EvaluationTable(label: "train.csv", columnNames: ["a", "y"], columns: [["1", "2", "3"], ["0", "1", "0"]])

  @Test func missingColumnNamesFileAndColumn() {
    let syn = EvaluationTable(label: "syn.csv", columnNames: ["y"], columns: [["0", "1"]])
    #expect {
      _ = try PreparedTables(train: train, holdout: train, synthetic: syn, outcome: "y")
    } throws: { error in
      String(describing: error) == "syn.csv: missing column 'a' (present in train.csv)"
    }
  }

  @Test func unknownOutcomeAndOneClassAndForeignLabels() {
    #expect(throws: EvaluationInputError.self) { _ = try PreparedTables(train: train, holdout: train, synthetic: train, outcome: "nope") }
    let one = EvaluationTable(label: "one.csv", columnNames: ["a", "y"], columns: [["1", "2"], ["0", "0"]])
    #expect(throws: EvaluationInputError.self) { _ = try PreparedTables(train: one, holdout: train, synthetic: train, outcome: "y") }
    let yes = EvaluationTable(label: "yes.csv", columnNames: ["a", "y"], columns: [["1", "2"], ["yes", "no"]])
    #expect {
      _ = try PreparedTables(train: train, holdout: train, synthetic: yes, outcome: "y")
    } throws: { error in
      String(describing: error).hasPrefix("yes.csv, column 'y': outcome value \"yes\" does not occur in train.csv")
    }
  }
}

@Suite struct EncodingTests {
  @Test func scorePyEncoding() throws {
    let train = EvaluationTable(label: "t", columnNames: ["x", "c", "y"],
                                columns: [(0..<14).map { $0 == 3 ? nil : String($0) }, (0..<14).map { $0 % 2 == 0 ? "a" : "b" }, (0..<14).map { String($0 % 2) }])
    let p = try PreparedTables(train: train, holdout: train, synthetic: train, outcome: "y")
    let enc = TableEncoding(p, excluding: [p.outcomeIndex])
    #expect(enc.featureNames == ["x", "x[missing]", "c=a", "c=b"])
    let m = enc.encode(p.train, p)
    // x ranges 0…13 without 3; the median of the 13 present values is 7.
    #expect(isClose(m[13, 0], 1) && m[0, 0] == 0 && m[3, 1] == 1 && isClose(m[3, 0], 7.0 / 13.0))
    #expect(m[0, 2] == 1 && m[0, 3] == 0 && m[1, 3] == 1)
  }
}

@Suite struct AttributeInferenceTests {
  @Test func copyRevealsTrainingRecordsNotOthers() throws {
    let train = toyTable(rows: 300, seed: 1), holdout = toyTable(rows: 300, seed: 2)
    let p = try PreparedTables(train: train, holdout: holdout, synthetic: train, outcome: "y")
    // Knowing the (unique) bmi finds the record itself, revealing every other column.
    let attack = AttributeInference(knownColumns: ["bmi"])
    let members = try attack.run(p, targets: p.train, pool: p.synthetic)
    let others = try attack.run(p, targets: p.holdout, pool: p.synthetic)
    #expect(members.risk > 0.95)
    #expect(others.risk < 0.75)
    #expect(Set(members.perColumn.keys) == ["age", "sex", "colour", "code", "y"])
  }

  @Test func defaultKnowledgeIsQuasiIdentifiersPlusOutcome() throws {
    let t = toyTable(rows: 50, seed: 3)
    let p = try PreparedTables(train: t, holdout: t, synthetic: t, outcome: "y")
    #expect(AttributeInference.defaultKnownColumns(p) == ["age", "sex", "y"])
    let q = try PreparedTables(train: t.selectingColumns(["bmi", "colour", "code", "y"]), holdout: t.selectingColumns(["bmi", "colour", "code", "y"]),
                               synthetic: t.selectingColumns(["bmi", "colour", "code", "y"]), outcome: "y")
    // No common quasi-identifier names: the first three columns.
    #expect(AttributeInference.defaultKnownColumns(q) == ["bmi", "colour", "code", "y"])
  }

  @Test func tiesAtTheKthDistanceAreAllUsed() throws {
    // Target 'k' = a matches three pool rows equally; two of them say x = 1.
    let pool = EvaluationTable(label: "pool", columnNames: ["k", "x", "y"], columns: [["a", "a", "a", "b"], ["1", "1", "2", "2"], ["0", "1", "0", "1"]])
    let p = try PreparedTables(train: pool, holdout: pool, synthetic: pool, outcome: "y")
    let r = try AttributeInference(knownColumns: ["k"]).run(p, targets: p.train, pool: p.synthetic)
    // Predictions for x: a → 1 (mode of 1, 1, 2), b → 2; truth 1, 1, 2, 2. x has two levels, scored by the
    // F1 of the rarer one (a tie: the first, "1"): tp 2, fp 1 (row 3), fn 0 → 2 / 2.5.
    #expect(r.perColumn["x"] == 0.8)
  }

  @Test func aTiedVoteGoesToTheFirstLevel() throws {
    // Target 'k' = a has two neighbours, x = 1 and x = 2: a tie, predicted "1" (level 0) for both a rows; b → 2.
    // Truth 1, 2, 2, 2; the rarer level "1": tp 1, fp 1, fn 0 → 1 / 1.5. A tie given to "2" would score 0.
    let pool = EvaluationTable(label: "pool", columnNames: ["k", "x", "y"], columns: [["a", "a", "b", "b"], ["1", "2", "2", "2"], ["0", "1", "0", "1"]])
    let p = try PreparedTables(train: pool, holdout: pool, synthetic: pool, outcome: "y")
    let r = try AttributeInference(knownColumns: ["k"]).run(p, targets: p.train, pool: p.synthetic)
    #expect(isClose(r.perColumn["x"]!, 2.0 / 3.0, absolute: 1e-12))
  }
}

@Suite struct EvaluatorTests {
  @Test func copyOfTrainingDataIsPerfectAndLeaky() throws {
    let train = toyTable(rows: 400, seed: 10), holdout = toyTable(rows: 200, seed: 11)
    let r = try Evaluator.evaluate(train: train, holdout: holdout, synthetic: train, outcome: "y").summary
    #expect(r.privacy.mia == 1)
    #expect(r.privacy.exact == 1)
    #expect(r.privacy.dcr5 == 1)
    #expect(r.fidelity.dwd == 0 && r.fidelity.ksTV == 0 && r.fidelity.nmi == 0)
    #expect(isClose(r.fidelity.corr, 0, absolute: 1e-9))
    #expect(r.utility.lr.ratio == 1 && r.utility.gb.ratio == 1)
    #expect(r.privacy.airTrain! > r.privacy.airHoldout!)
  }

  @Test func freshSampleFromTheSameDistributionLooksPrivateAndUseful() throws {
    let train = toyTable(rows: 600, seed: 20), holdout = toyTable(rows: 600, seed: 21), fresh = toyTable(rows: 600, seed: 22)
    let r = try Evaluator.evaluate(train: train, holdout: holdout, synthetic: fresh, outcome: "y").summary
    #expect(abs(r.privacy.mia! - 0.5) < 0.06)
    #expect(r.privacy.exact == 0)
    #expect(r.privacy.dcr5 < 0.15)
    #expect(abs(r.fidelity.det! - 0.5) < 0.1)
    #expect(r.utility.lr.ratio! > 0.9)
    #expect(r.fidelity.ksTV < 0.1)
  }

  @Test func columnwiseShuffleKeepsMarginalsAndLosesRelationships() throws {
    let train = toyTable(rows: 600, seed: 30), holdout = toyTable(rows: 300, seed: 31)
    let shuffled = train.columnwiseShuffled(seed: 5)
    let r = try Evaluator.evaluate(train: train, holdout: holdout, synthetic: shuffled, outcome: "y").summary
    #expect(r.fidelity.ksTV == 0)
    #expect(isClose(r.fidelity.dwd, 0, absolute: 1e-9))
    #expect(r.utility.lr.s2r! < 0.65)
    #expect(r.utility.lr.r2r! > 0.75)
    // Shuffling the columns of a single-outcome table must not change any multiset of values.
    for (a, b) in zip(train.columns, shuffled.columns) { #expect(a.map { $0 ?? "∅" }.sorted() == b.map { $0 ?? "∅" }.sorted()) }
  }

  @Test func oneClassSyntheticOutcomeIsReportedNotFatal() throws {
    let train = toyTable(rows: 200, seed: 40), holdout = toyTable(rows: 100, seed: 41)
    var syn = toyTable(rows: 100, seed: 42)
    syn.columns[5] = [String?](repeating: "0", count: 100)
    let r = try Evaluator.evaluate(train: train, holdout: holdout, synthetic: syn, outcome: "y").summary
    #expect(r.utility.gb.s2r == 0.5 && r.utility.gb.r2s == nil)
    #expect(r.notes.contains { $0.contains("one class") })
    let json = String(decoding: try r.jsonData(), as: UTF8.self)
    #expect(json.contains("\"R2S_gb\" : null"))
  }

  @Test func tableAndJSONNameEveryHeadlineMetric() throws {
    let t = toyTable(rows: 150, seed: 50)
    let r = try Evaluator.evaluate(train: t, holdout: toyTable(rows: 80, seed: 51), synthetic: t.columnwiseShuffled(seed: 1), outcome: "y").summary
    let table = r.formattedTable()
    for word in ["R2R", "S2R", "R2S", "DWD", "KS/TV", "NMI", "CORR", "DET", "MIA", "F1", "DCR5", "EXACT", "AIR"] {
      #expect(table.contains(word), "table lacks \(word)")
    }
    let object = try JSONSerialization.jsonObject(with: r.jsonData()) as? [String: Any]
    let metrics = object?["metrics"] as? [String: Any]
    for key in ["R2R_lr", "S2R_lr", "ratio_lr", "R2R_gb", "S2R_gb", "ratio_gb", "DWD", "KS_TV", "NMI", "CORR", "DET",
                "MIA", "MIA_grid", "F1_theta5", "F1_theta10", "F1_theta20", "DCR5", "EXACT", "AIR_train", "AIR_holdout", "n_syn"] {
      #expect(metrics?[key] != nil, "JSON lacks \(key)")
    }
  }
}

@Suite struct StratifiedSplitTests {
  @Test func proportionsSizesAndDeterminism() throws {
    let labels = (0..<1629).map { $0 < 318 ? "1" : "0" }
    let s = try #require(StratifiedSplit.split(labels: labels, trainFraction: 0.7, seed: 0))
    #expect(s.holdout.count == 489 && s.train.count == 1140)   // as sklearn: ⌈0.3 · 1629⌉ = 489
    let posHoldout = s.holdout.filter { labels[$0] == "1" }.count
    #expect(posHoldout == 95 || posHoldout == 96)              // 489 · 318 / 1629 = 95.46
    #expect(Set(s.train).isDisjoint(with: s.holdout) && s.train.count + s.holdout.count == 1629)
    #expect(s.train == s.train.sorted())
    let again = try #require(StratifiedSplit.split(labels: labels, trainFraction: 0.7, seed: 0))
    #expect(again.holdout == s.holdout)
    let other = try #require(StratifiedSplit.split(labels: labels, trainFraction: 0.7, seed: 1))
    #expect(other.holdout != s.holdout)
  }

  @Test func rejectsDegenerateFractions() {
    #expect(StratifiedSplit.split(labels: ["a", "b"], trainFraction: 1, seed: 0) == nil)
    #expect(StratifiedSplit.split(labels: ["a", "b"], trainFraction: 0, seed: 0) == nil)
    #expect(StratifiedSplit.split(labels: ["a"], trainFraction: 0.5, seed: 0) == nil)
  }
}

@Suite struct PreparedTablesReleasingTests {
  /// Same numbers, NaN where the other has NaN.
  func sameNumbers(_ a: [[Double]], _ b: [[Double]]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) } }
  }

  @Test func releasingParsesAlikeAndEmptiesTheTables() throws {
    let train = toyTable(rows: 120, seed: 1, label: "train")
    let holdout = toyTable(rows: 80, seed: 2, label: "holdout")
    // The synthetic table lists its columns in another order: matching is by name.
    let toy = toyTable(rows: 90, seed: 3, label: "synthetic")
    let order = [5, 3, 0, 4, 1, 2]
    let synthetic = EvaluationTable(label: "synthetic", columnNames: order.map { toy.columnNames[$0] }, columns: order.map { toy.columns[$0] })
    let typing = ColumnTyping(inferringFrom: train, overrides: ["sex": .ignored])
    let kept = try PreparedTables(train: train, holdout: holdout, synthetic: synthetic, outcome: "y", typing: typing)
    var tables = [train, holdout, synthetic]
    let released = try PreparedTables(releasing: &tables, outcome: "y", typing: typing)
    #expect(released.columns.map(\.name) == kept.columns.map(\.name))
    #expect(released.columns.map(\.levels) == kept.columns.map(\.levels))
    for (a, b) in zip(released.all, kept.all) {
      #expect(a.codes == b.codes)
      #expect(sameNumbers(a.numbers, b.numbers))
      #expect(a.rowCount == b.rowCount && a.label == b.label)
    }
    #expect(tables.map(\.rowCount) == [0, 0, 0])
    #expect(tables.map(\.columnNames) == [train.columnNames, holdout.columnNames, synthetic.columnNames])
    // The caller's own copies are untouched (value semantics).
    #expect(train.rowCount == 120 && synthetic.columns[0] == toy.columns[5])
  }

  @Test func evaluateReleasingScoresAsEvaluate() throws {
    let train = toyTable(rows: 300, seed: 4, label: "train"), holdout = toyTable(rows: 200, seed: 5, label: "holdout")
    let synthetic = toyTable(rows: 300, seed: 6, label: "synthetic")
    let a = try Evaluator.evaluate(train: train, holdout: holdout, synthetic: synthetic, outcome: "y")
    var tables = [train, holdout, synthetic]
    let b = try Evaluator.evaluate(releasing: &tables, outcome: "y")
    #expect(a.summary.utility == b.summary.utility)
    #expect(a.summary.fidelity.dwd == b.summary.fidelity.dwd && a.summary.fidelity.det == b.summary.fidelity.det)
    #expect(a.summary.privacy.mia == b.summary.privacy.mia)
    #expect(tables.allSatisfy { $0.rowCount == 0 })
  }
}
