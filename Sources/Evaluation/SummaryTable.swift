//===----------------------------------------------------------------------===//
// The compact text table `rlsyn evaluate` prints.
//===----------------------------------------------------------------------===//

import Foundation

extension EvaluationSummary {
  /// A compact, fixed-width table of the headline metrics (utility, fidelity, privacy).
  public func formattedTable() -> String {
    func f(_ v: Double?, _ digits: Int = 3) -> String {
      guard let v else { return "–" }
      return String(format: "%.\(digits)f", v)
    }
    func row(_ label: String, _ value: String, _ ideal: String) -> String {
      label.padding(toLength: 40, withPad: " ", startingAt: 0) + value.padding(toLength: 24, withPad: " ", startingAt: 0) + ideal
    }
    var lines: [String] = []
    lines.append("rows: train \(rows[.train] ?? 0), holdout \(rows[.holdout] ?? 0), synthetic \(rows[.synthetic] ?? 0); outcome \(outcome) (positive = \(positiveLevel))")
    if let sampling, sampling.isSampled { lines.append(sampling.description) }
    lines.append("")
    lines.append("UTILITY (AUC)".padding(toLength: 40, withPad: " ", startingAt: 0) + "LR       GB")
    let utilityRows: [(KeyPath<UtilityScores, Double?>, String)] = [
      (\.r2r, "R2R  train real, test holdout"), (\.s2r, "S2R  train synthetic, test holdout"),
      (\.r2s, "R2S  train real, test synthetic"), (\.ratio, "S2R / R2R"),
    ]
    for (score, label) in utilityRows {
      lines.append(label.padding(toLength: 40, withPad: " ", startingAt: 0)
                   + f(utility.lr[keyPath: score]).padding(toLength: 9, withPad: " ", startingAt: 0) + f(utility.gb[keyPath: score]))
    }
    lines.append("")
    lines.append(row("FIDELITY", "", "ideal"))
    lines.append(row("DWD   sum |mean diff|, encoded", f(fidelity.dwd), "0"))
    lines.append(row("KS/TV mean per-column distance", f(fidelity.ksTV), "0"))
    lines.append(row("NMI   mean |pairwise NMI diff|", f(fidelity.nmi, 4), "0"))
    lines.append(row("CORR  mean |pairwise corr diff|", f(fidelity.corr, 4), "0"))
    lines.append(row("ASSOC mean |association diff|", f(fidelity.assoc, 4), "0"))
    lines.append(row("DET   detection AUC (GB)", f(fidelity.det), "0.5"))
    lines.append("")
    lines.append(row("PRIVACY", "", "reference"))
    lines.append(row("MIA   membership AUC (DCR attack)", "\(f(privacy.mia))  grid \(f(privacy.miaGrid))", "0.5"))
    let thetas = privacy.f1.keys.sorted()
    lines.append(row("F1    membership risk θ=\(thetas.map(formatNumberShort).joined(separator: "/"))",
                     thetas.map { f(privacy.f1[$0], 2) }.joined(separator: "/"), "claim-all \(f(privacy.f1ClaimAll, 2))"))
    lines.append(row("DCR5  share < 5th pct holdout DCR", f(privacy.dcr5), "≈0.05"))
    lines.append(row("EXACT exact copies of training rows", f(privacy.exact), "0"))
    lines.append(row("AIR   attribute inference train/holdout", "\(f(privacy.airTrain))/\(f(privacy.airHoldout))", "equal"))
    lines.append("      attacker knows: \(attributeInferenceKnownColumns.joined(separator: ", "))")
    return lines.joined(separator: "\n")
  }
}

func formatNumberShort(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
