//===----------------------------------------------------------------------===//
// Personal information: what it is, how a column is recognised, and how it is released.
//===----------------------------------------------------------------------===//

import Foundation

/// A kind of personal information a column can hold (SDV's PII sdtypes).
///
/// Release rule: such a column is never modelled, and no training value of it is ever written. Names, e-mail
/// addresses, phone numbers, street addresses and social-security numbers are replaced by made-up values of the
/// same shape (``TextShape``: each letter, digit and separator in place, letters and digits drawn at random, never
/// equal to a training value); free text is left empty, because its shape (word lengths) is itself revealing.
public enum PersonalInformation: String, Codable, Sendable, CaseIterable {
  case name, email, phone, address, ssn, text

  /// Whether synthetic cells are made up (`true`) or left empty (free text).
  public var isGenerated: Bool { self != .text }

  /// The SDV sdtype this corresponds to (what `rlsyn schema` writes).
  public var sdtype: String {
    switch self {
    case .name: return "name"
    case .email: return "email"
    case .phone: return "phone_number"
    case .address: return "address"
    case .ssn: return "ssn"
    case .text: return "text"
    }
  }

  /// The kind an SDV sdtype names, if it is one of personal information.
  public init?(sdtype: String) {
    switch sdtype {
    case "name", "first_name", "last_name": self = .name
    case "email": self = .email
    case "phone_number": self = .phone
    case "address", "street_address": self = .address
    case "ssn": self = .ssn
    case "text": self = .text
    default: return nil
    }
  }

  /// The words of a column name, lower-cased: split at non-letters and at lower-to-upper changes (`firstName`).
  static func words(_ name: String) -> [String] {
    var words: [String] = [], current = ""
    var previousLower = false
    for ch in name {
      if !ch.isLetter && !ch.isNumber {
        if !current.isEmpty { words.append(current) }
        current = ""; previousLower = false
        continue
      }
      if ch.isUppercase && previousLower { words.append(current); current = "" }
      current += ch.lowercased()
      previousLower = ch.isLowercase
    }
    if !current.isEmpty { words.append(current) }
    return words
  }

  /// The kind a column's name says it holds: `first_name`, `lastName`, `email`, `phone`, `street_address`,
  /// `notes`, … (`drug_name` or `ward_name` are not names of people).
  public static func fromColumnName(_ name: String) -> PersonalInformation? {
    let w = words(name)
    let joined = w.joined()
    let set = Set(w)
    if ["name", "surname", "forename", "firstname", "lastname", "fullname", "givenname", "familyname", "middlename",
        "patientname", "maidenname"].contains(joined) { return .name }
    if set.contains("name"), !set.isDisjoint(with: ["first", "last", "given", "family", "middle", "full", "patient", "maiden", "sur"]) { return .name }
    if set.contains("surname") || set.contains("forename") { return .name }
    if set.contains("email") || joined.contains("email") || (set.contains("mail") && !set.contains("mailing")) { return .email }
    if !set.isDisjoint(with: ["phone", "telephone", "mobile", "fax", "cellphone"]) || joined.hasSuffix("phone") { return .phone }
    if !set.isDisjoint(with: ["address", "street", "addr", "addressline"]) { return .address }
    if set.contains("ssn") || joined.contains("socialsecurity") { return .ssn }
    if !set.isDisjoint(with: ["note", "notes", "comment", "comments", "narrative", "freetext", "remarks"]) { return .text }
    return nil
  }

  /// Whether a column's name says it holds record identifiers (`subject_id`, `hadm_id`, `patientID`, `MRN`,
  /// `patient_no`): such a column of whole numbers that repeat (one subject, many admissions) is still an
  /// identifier, not a count.
  public static func isIdentifierName(_ name: String) -> Bool {
    let w = words(name)
    guard let last = w.last else { return false }
    if ["id", "mrn", "uuid", "guid", "identifier"].contains(last) { return true }
    if w.count >= 2, ["no", "num", "number", "nr"].contains(last),
       !Set(w.dropLast()).isDisjoint(with: ["patient", "subject", "record", "case", "encounter", "visit", "admission",
                                             "member", "account", "medical", "chart", "hospital"]) { return true }
    return false
  }

  /// The kind the cells of a text column show, when at least 90 % of a sample of them fit one pattern:
  /// e-mail addresses, phone numbers (7–15 digits with separators), street addresses (a number, then words),
  /// free text (four or more words on average), or personal names (one to three capitalised words) when there
  /// are more distinct values than a category list would have (`manyDistinct`).
  static func fromContent(_ cells: [String], manyDistinct: Bool) -> PersonalInformation? {
    guard !cells.isEmpty else { return nil }
    let n = Double(cells.count)
    func share(_ test: (String) -> Bool) -> Double { Double(cells.filter(test).count) / n }
    if share(isEmail) >= 0.9 { return .email }
    if share(isPhone) >= 0.9 { return .phone }
    if share(isStreetAddress) >= 0.9 { return .address }
    let words = cells.map { $0.split(separator: " ").count }
    if manyDistinct, Double(words.reduce(0, +)) / n >= 4 { return .text }
    if manyDistinct, share(isPersonName) >= 0.9 { return .name }
    return nil
  }

  static func isEmail(_ s: String) -> Bool {
    let parts = s.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, !s.contains(" ") else { return false }
    let domain = parts[1].split(separator: ".", omittingEmptySubsequences: false)
    return domain.count >= 2 && domain.allSatisfy { !$0.isEmpty } && (domain.last?.count ?? 0) >= 2 && domain.last!.allSatisfy(\.isLetter)
  }

  static func isPhone(_ s: String) -> Bool {
    var digits = 0, separators = 0
    for ch in s {
      if ch.isASCII && ch.isNumber { digits += 1 }
      else if " -().+/".contains(ch) { separators += 1 }
      else { return false }
    }
    guard (7...15).contains(digits) && (separators > 0 || s.hasPrefix("+")) else { return false }
    // Dates (2012/01/01, 01-02-2014) and record numbers (17-000003) are not phone numbers: short numbers must be
    // written as a local 3-4 number, and no number has the groups of a date.
    let groups = s.split(whereSeparator: { !($0.isASCII && $0.isNumber) }).map(\.count)
    if groups == [4, 2, 2] || groups == [2, 2, 4] || (groups.count == 3 && groups[2] == 4 && groups[0] <= 2 && groups[1] <= 2) { return false }
    return digits >= 10 || groups.suffix(2) == [3, 4]
  }

  static func isStreetAddress(_ s: String) -> Bool {
    let words = s.split(separator: " ")
    guard words.count >= 3, let first = words.first, first.allSatisfy({ $0.isNumber }) || (first.first?.isNumber ?? false) else { return false }
    return words.dropFirst().contains { $0.count >= 3 && $0.allSatisfy { $0.isLetter || $0 == "." } }
  }

  static func isPersonName(_ s: String) -> Bool {
    let words = s.split(separator: " ")
    guard (1...3).contains(words.count) else { return false }
    return words.allSatisfy { w in
      guard let first = w.first, first.isUppercase, w.count >= 2 else { return false }
      return w.dropFirst().allSatisfy { $0.isLowercase || $0 == "'" || $0 == "-" || $0 == "’" || $0.isUppercase }
        && w.dropFirst().contains { $0.isLowercase }
    }
  }
}
