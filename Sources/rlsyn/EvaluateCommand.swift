import ArgumentParser
import Evaluation
import Foundation
import Reporting
import NumericCore
import TabularData

/// `rlsyn evaluate`: utility, fidelity and privacy of a synthetic table against its training and holdout data.
struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Score a synthetic table for utility, fidelity and privacy against the real training and holdout splits.",
    discussion: """
      Prints a compact table; --json writes every number, --report a self-contained HTML report. \
      Definitions: docs/evaluation.md (they follow score.py and the RLSyn paper).
      """)

  @Option(help: ArgumentHelp("The real rows the generator was trained on.", valueName: "TRAIN.csv"))
  var train: String
  @Option(help: ArgumentHelp("Real rows the generator never saw (same columns).", valueName: "HOLDOUT.csv"))
  var holdout: String
  @Option(help: ArgumentHelp("The synthetic rows to judge (same columns).", valueName: "SYN.csv"))
  var synthetic: String
  @Option(help: ArgumentHelp("The binary outcome column.", valueName: "COL"))
  var outcome: String
  @Option(help: ArgumentHelp("Write all metrics as JSON to this file.", valueName: "OUT.json"))
  var json: String?
  @Option(help: ArgumentHelp("Write the HTML report to this file.", valueName: "OUT.html"))
  var report: String?
  @Option(help: ArgumentHelp("Metadata JSON whose column kinds override the evaluation's own typing.", valueName: "META.json"))
  var metadata: String?
  @Option(help: ArgumentHelp("Comma-separated columns the attribute-inference attacker knows (default: outcome + common quasi-identifiers).", valueName: "A,B,…"))
  var knownColumns: String?
  @Option(help: "Seed of the detection classifier's sampling and of the row caps.")
  var seed: UInt64 = 0
  @Option(help: ArgumentHelp("At most this many random rows per table for DET, MIA, DCR5, EXACT and AIR, and for every metric on tables wider than 200 columns (the paper's and score.py's cap); 0 = no cap.", valueName: "N"))
  var rowCap: Int = EvaluationSampling.defaultRowCap

  func run() throws {
    try reportingErrors {
      // Fail before the work when an output cannot be written.
      for path in [json, report].compactMap({ $0 }) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else {
          throw TabularError(.writeFailed, file: path, "cannot write: the folder \(folder.relativePath) does not exist")
        }
      }
      guard rowCap >= 0 else { throw ValidationError("--row-cap must be 0 (no cap) or a positive number of rows") }
      let cap = rowCap == 0 ? nil : rowCap
      let meta = try metadata.map { try Metadata.load(from: URL(fileURLWithPath: $0), displayName: $0) }
      // Each table is sampled (wide tables only) as soon as it is read, so at most one whole table is in memory.
      var inputRows: [TableRole: Int] = [:]
      func view(_ table: DataTable, role: TableRole, label: String) -> EvaluationTable {
        inputRows[role] = table.rowCount
        return EvaluationSampling.evaluationTable(table, role: role, label: label, rowCap: cap, seed: seed)
      }
      let progress = evaluationProgress()
      func load(_ path: String) throws -> LoadedTable {
        try TabularInput.load(data: URL(fileURLWithPath: path), dataName: path, metadata: metadata.map { URL(fileURLWithPath: $0) },
                              metadataName: metadata, outcome: outcome)
      }
      var started = DispatchTime.now().uptimeNanoseconds
      func readDone(_ path: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        progress?("read \(path)", Double(now - started) / 1e9)
        started = now
      }
      // Every table is read with the training split's schema: dates become numbers (days or seconds) and
      // identifier and personal-information columns, which are made up rather than modelled, are left out.
      let trainLoaded = try load(train)
      let schema = trainLoaded.schema
      let tr = view(trainLoaded.table.datesAsNumbers(schema), role: .train, label: train)
      readDone(train)
      // The holdout is read like the synthetic table: the metadata's category lists describe the training rows, and
      // a holdout row may hold a level they never saw (a rare code), which the evaluation handles.
      let ho = view(try CSVReader.read(URL(fileURLWithPath: holdout), options: CSVReadOptions(displayName: holdout)).datesAsNumbers(schema),
                    role: .holdout, label: holdout)
      readDone(holdout)
      let sy = view(try CSVReader.read(URL(fileURLWithPath: synthetic), options: CSVReadOptions(displayName: synthetic)).datesAsNumbers(schema),
                    role: .synthetic, label: synthetic)
      readDone(synthetic)
      var options = EvaluationOptions()
      options.seed = seed
      options.rowCap = cap
      options.inputRows = inputRows
      options.progress = progress
      if let k = knownColumns {
        options.knownColumns = k.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      }
      let typing = ColumnTyping(inferringFrom: tr, overrides: meta.map(ColumnTyping.overrides(from:)) ?? [:])
      // Handed over whole, so that each column's cells are freed once parsed.
      var tables = [consume tr, consume ho, consume sy]
      var result = try Evaluator.evaluate(releasing: &tables, outcome: outcome, options: options, typing: typing)
      result.details.labelDates(schema)
      // Render everything before writing anything, then write each file atomically.
      let jsonData = try json.map { _ in try result.summary.jsonData() }
      let html = report.map { _ in
        HTMLReport.render(result, context: .init(train: train, holdout: holdout, synthetic: synthetic))
      }
      var files: [(URL, (URL) throws -> Void)] = []
      if let path = json, let data = jsonData { files.append((URL(fileURLWithPath: path), { try AtomicFile.write(data, to: $0) })) }
      if let path = report, let html { files.append((URL(fileURLWithPath: path), { try AtomicFile.write(Data(html.utf8), to: $0) })) }
      try writeAllOrNothing(files)
      print(result.summary.formattedTable())
      print("")
      print(String(format: "evaluated in %.1f s", result.summary.seconds)
            + (json.map { "; JSON: \($0)" } ?? "") + (report.map { "; report: \($0)" } ?? ""))
    }
  }
}

/// Progress lines (`  stage: 12.3 s`) for an interactive terminal; `nil` when stderr is piped, so that a failing
/// run's stderr stays its one error line.
func evaluationProgress() -> (@Sendable (String, Double) -> Void)? {
  guard isatty(STDERR_FILENO) != 0 else { return nil }
  return { stage, seconds in
    FileHandle.standardError.write(Data("  \(stage): \(String(format: "%.1f", seconds)) s\n".utf8))
  }
}

/// Writes several output files so that either all of them appear or none does: each is first written
/// in full under a temporary name in its destination folder, then all are renamed into place.
///
/// - Parameter files: destinations and, for each, a closure that writes the complete file to the URL it is given.
/// - Throws: ``TabularError`` (`writeFailed`) naming the file; temporary files are removed.
func writeAllOrNothing(_ files: [(URL, (URL) throws -> Void)]) throws {
  let tag = UUID().uuidString.prefix(8)
  var temporary: [URL] = []
  do {
    for (dest, write) in files {
      let tmp = dest.deletingLastPathComponent().appendingPathComponent(".\(dest.lastPathComponent).\(tag).tmp")
      temporary.append(tmp)
      do { try write(tmp) } catch let e as TabularError {
        var e = e
        e.file = dest.relativePath
        throw e
      }
    }
    for ((dest, _), tmp) in zip(files, temporary) {
      guard rename(tmp.path, dest.path) == 0 else {
        throw TabularError(.writeFailed, file: dest.relativePath, "cannot move the finished file into place (\(String(cString: strerror(errno))))")
      }
    }
  } catch {
    for tmp in temporary { try? FileManager.default.removeItem(at: tmp) }
    throw error
  }
}
