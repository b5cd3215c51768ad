import Foundation
import Testing
import TestSupport
@testable import TabularData

/// The true kinds of every column of the bundled datasets, from `examples/data/README.md`.
let nhefsKinds: [String: ColumnKind] = {
  var kinds: [String: ColumnKind] = [:]
  for name in ["ht", "wt71"] { kinds[name] = .continuous }
  for name in ["age", "school", "smokeintensity", "smokeyrs", "alcoholhowmuch", "pregnancies", "cholesterol", "sbp", "dbp"] {
    kinds[name] = .integer
  }
  for name in ["qsmk", "sex", "race", "asthma", "bronch", "tb", "hf", "pepticulcer", "colitis", "hepatitis", "chroniccough",
               "hayfever", "polio", "tumor", "nervousbreak", "headache", "otherpain", "weakheart", "allergies", "nerves",
               "lackpep", "wtloss", "infection", "death"] {
    kinds[name] = .binary
  }
  for name in ["income", "marital", "education", "alcoholfreq", "alcoholtype", "active", "exercise",
               "hbp", "diabetes", "alcoholpy", "pica", "hbpmed", "boweltrouble", "birthcontrol"] {
    kinds[name] = .categorical
  }
  return kinds
}()

let support2Kinds: [String: ColumnKind] = {
  var kinds: [String: ColumnKind] = [:]
  for name in ["age", "sps", "meanbp", "wblc", "hrt", "temp", "pafi", "alb", "bili", "crea", "ph", "glucose", "bun", "urine"] {
    kinds[name] = .continuous
  }
  for name in ["edu", "num_co", "scoma", "hday", "resp", "sod", "adlp", "adls"] { kinds[name] = .integer }
  for name in ["sex", "diabetes", "dementia", "death_180d"] { kinds[name] = .binary }
  for name in ["race", "income", "dzgroup", "dzclass", "ca", "dnr"] { kinds[name] = .categorical }
  return kinds
}()

@Suite struct SchemaInferenceTests {
  @Test func nhefsEveryColumnKind() throws {
    let table = try CSVReader.read(CommandRunner.dataset("nhefs.csv"))
    #expect(table.rowCount == 1629)
    #expect(table.columnCount == 49)
    let schema = try Schema.infer(from: table)
    #expect(Set(schema.columnNames) == Set(nhefsKinds.keys))
    for column in schema.columns {
      #expect(column.kind == nhefsKinds[column.name], "NHEFS \(column.name)")
    }
    #expect(schema.column(named: "income")?.categories == (11...22).map(String.init))
    #expect(schema.column(named: "hbp")?.categories == ["0", "1", "2"])
    #expect(schema.column(named: "pregnancies")?.missingCount == 903)
    #expect(schema.column(named: "age")?.minimum == 25)
    #expect(schema.column(named: "ht")?.decimals == 5)
  }

  @Test func support2EveryColumnKind() throws {
    let table = try CSVReader.read(CommandRunner.dataset("support2.csv"))
    #expect(table.rowCount == 9105)
    #expect(table.columnCount == 32)
    let schema = try Schema.infer(from: table)
    #expect(Set(schema.columnNames) == Set(support2Kinds.keys))
    for column in schema.columns {
      #expect(column.kind == support2Kinds[column.name], "SUPPORT2 \(column.name)")
    }
    #expect(schema.column(named: "sex")?.categories == ["female", "male"])
    #expect(schema.column(named: "ca")?.categories == ["metastatic", "no", "yes"])
    #expect(schema.column(named: "urine")?.missingCount == 4862)
    #expect(schema.column(named: "meanbp")?.minimumDecimals == 1)
    #expect(schema.column(named: "dzgroup")?.categories.count == 8)
  }
}
