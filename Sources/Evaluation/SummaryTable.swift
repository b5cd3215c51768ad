//===----------------------------------------------------------------------===//
// The compact text table `rlsyn evaluate` prints.
//===----------------------------------------------------------------------===//

import Foundation

extension EvaluationSummary {
  /// A metric by name, `nil` when absent or undefined.
  public func metric(_ name: String) -> Double? { metrics[name] ?? nil }

  /// A compact, fixed-width table of the headline metrics (utility, fidelity, privacy).
  public func formattedTable() -> String {
    func f(_ name: String, _ digits: Int = 3) -> String {
      guard let v = metric(name) else { return "–" }
      return String(format: "%.\(digits)f", v)
    }
    func row(_ label: String, _ value: String, _ ideal: String) -> String {
      label.padding(toLength: 40, withPad: " ", startingAt: 0) + value.padding(toLength: 24, withPad: " ", startingAt: 0) + ideal
    }
    var lines: [String] = []
    lines.append("rows: train \(rows["train"] ?? 0), holdout \(rows["holdout"] ?? 0), synthetic \(rows["synthetic"] ?? 0); outcome \(outcome) (positive = \(positiveLevel))")
    lines.append("")
    lines.append("UTILITY (AUC)".padding(toLength: 40, withPad: " ", startingAt: 0) + "LR       GB")
    for (key, label) in [("R2R", "R2R  train real, test holdout"), ("S2R", "S2R  train synthetic, test holdout"),
                         ("R2S", "R2S  train real, test synthetic"), ("ratio", "S2R / R2R")] {
      lines.append(label.padding(toLength: 40, withPad: " ", startingAt: 0) + f("\(key)_lr").padding(toLength: 9, withPad: " ", startingAt: 0) + f("\(key)_gb"))
    }
    lines.append("")
    lines.append(row("FIDELITY", "", "ideal"))
    lines.append(row("DWD   sum |mean diff|, encoded", f("DWD"), "0"))
    lines.append(row("KS/TV mean per-column distance", f("KS_TV"), "0"))
    lines.append(row("NMI   mean |pairwise NMI diff|", f("NMI", 4), "0"))
    lines.append(row("CORR  mean |pairwise corr diff|", f("CORR", 4), "0"))
    lines.append(row("ASSOC mean |association diff|", f("ASSOC", 4), "0"))
    lines.append(row("DET   detection AUC (GB)", f("DET"), "0.5"))
    lines.append("")
    lines.append(row("PRIVACY", "", "reference"))
    lines.append(row("MIA   membership AUC (DCR attack)", "\(f("MIA"))  grid \(f("MIA_grid"))", "0.5"))
    let thetas = metrics.keys.filter { $0.hasPrefix("F1_theta") }
      .compactMap { k -> (Double, String)? in Double(k.dropFirst(8)).map { ($0, k) } }.sorted { $0.0 < $1.0 }
    lines.append(row("F1    membership risk θ=\(thetas.map { formatNumberShort($0.0) }.joined(separator: "/"))",
                     thetas.map { f($0.1, 2) }.joined(separator: "/"), "claim-all \(f("F1_claim_all", 2))"))
    lines.append(row("DCR5  share < 5th pct holdout DCR", f("DCR5"), "≈0.05"))
    lines.append(row("EXACT exact copies of training rows", f("EXACT"), "0"))
    lines.append(row("AIR   attribute inference train/holdout", "\(f("AIR_train"))/\(f("AIR_holdout"))", "equal"))
    lines.append("      attacker knows: \(attributeInferenceKnownColumns.joined(separator: ", "))")
    return lines.joined(separator: "\n")
  }
}

func formatNumberShort(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }

extension EvaluationSummary {
  /// Pretty-printed JSON with sorted keys; undefined metrics are `null`.
  public func jsonData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(self)
  }
}
