import Foundation

/// Every failure of the tabular data layer: one value that names the file, the data row,
/// the physical line and the column where they apply, so the command line can print it on
/// a single line and tests can match on ``code``.
public struct TabularError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
  /// What went wrong, independent of where.
  public enum Code: String, Sendable, Codable {
    case fileNotFound, unreadableFile, emptyFile, headerOnly
    case emptyColumnName, duplicateColumnName, raggedRow, unbalancedQuote, textAfterQuote, invalidUTF8, columnTooLarge
    case notANumber, unseenCategory, unexpectedMissing, columnMismatch
    case entirelyMissing, tooFewRows, tooManyCategories
    case outcomeNotFound, outcomeNotBinary, outcomeHasMissing
    case invalidMetadata, unknownMetadataColumn, unknownSdtype, metadataConflict
    case writeFailed, invalidArgument
  }

  /// The kind of failure.
  public var code: Code
  /// The file the data came from (as given by the user), if any.
  public var file: String?
  /// 1-based data row (the header is not counted).
  public var row: Int?
  /// 1-based physical line in the file where that row starts (header is line 1).
  public var line: Int?
  /// The column name, if the problem belongs to one column.
  public var column: String?
  /// Human-readable explanation, without the location prefix.
  public var detail: String

  /// An error; `row` is 1-based, `line` the file line where that row starts.
  public init(_ code: Code, file: String? = nil, row: Int? = nil, line: Int? = nil, column: String? = nil, _ detail: String) {
    self.code = code; self.file = file; self.row = row; self.line = line; self.column = column; self.detail = detail
  }

  /// `file: row R (line L), column 'c': detail`, always one line (newlines in quoted values are escaped).
  public var description: String {
    var location: [String] = []
    if let row { location.append(line.map { "row \(row) (line \($0))" } ?? "row \(row)") }
    else if let line { location.append("line \(line)") }
    if let column { location.append("column '\(column)'") }
    var text = ""
    if let file { text += file }
    if !location.isEmpty { text += (text.isEmpty ? "" : ": ") + location.joined(separator: ", ") }
    text += (text.isEmpty ? "" : ": ") + detail
    return text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
  }

  /// Same as ``description`` (for `localizedDescription`).
  public var errorDescription: String? { description }
}

/// Quotes a cell value for an error message, shortening very long values.
func quoted(_ text: String) -> String {
  let shown = text.count > 40 ? String(text.prefix(37)) + "..." : text
  return "\"\(shown)\""
}
