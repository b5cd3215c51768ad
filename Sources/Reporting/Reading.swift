//===----------------------------------------------------------------------===//
// Plain-language verdicts on the headline metrics.
//===----------------------------------------------------------------------===//

import Foundation
import Evaluation

/// A traffic-light verdict.
public enum Verdict: String, Sendable {
  case good, fair, poor, unknown

  /// The badge text.
  var label: String {
    switch self {
    case .good: return "good"
    case .fair: return "caution"
    case .poor: return "concern"
    case .unknown: return "n/a"
    }
  }
}

/// One sentence of the report's reading, with its verdict.
public struct Finding: Sendable {
  /// Utility, fidelity or privacy.
  public var area: MetricGroup
  /// The verdict of this finding.
  public var verdict: Verdict
  /// The sentence.
  public var text: String
}

/// Turns metrics into verdicts and sentences. The thresholds are rules of thumb documented in
/// `docs/evaluation.md`; they are not statistical tests.
public enum Reading {
  static func f(_ v: Double?, _ d: Int = 3) -> String { v.map { String(format: "%.\(d)f", $0) } ?? "–" }
  static func pct(_ v: Double?) -> String { v.map { String(format: "%.1f %%", 100 * $0) } ?? "–" }

  /// Utility verdict from the S2R/R2R ratio of gradient boosting (logistic regression if missing).
  public static func utility(_ s: EvaluationSummary) -> Verdict {
    guard let r = s.utility.gb.ratio ?? s.utility.lr.ratio else { return .unknown }
    if let s2r = s.utility.gb.s2r, s2r <= 0.55 { return .poor }
    return r >= 0.95 ? .good : r >= 0.85 ? .fair : .poor
  }

  /// Fidelity verdict: the worst of the KS/TV, NMI and detection verdicts.
  public static func fidelity(_ s: EvaluationSummary) -> Verdict {
    worst([ksVerdict(s.fidelity.ksTV), nmiVerdict(s.fidelity.nmi), detVerdict(s.fidelity.det)])
  }

  /// Privacy verdict: the worst of MIA, exact copies, DCR5 and the attribute-inference gap.
  public static func privacy(_ s: EvaluationSummary) -> Verdict {
    worst([miaVerdict(s.privacy.mia), exactVerdict(s.privacy.exact), dcrVerdict(s.privacy.dcr5), airVerdict(s)])
  }

  static func worst(_ v: [Verdict]) -> Verdict {
    if v.contains(.poor) { return .poor }
    if v.contains(.fair) { return .fair }
    if v.allSatisfy({ $0 == .unknown }) { return .unknown }
    return .good
  }
  static func ksVerdict(_ v: Double?) -> Verdict { v.map { $0 <= 0.05 ? .good : $0 <= 0.15 ? .fair : .poor } ?? .unknown }
  static func nmiVerdict(_ v: Double?) -> Verdict { v.map { $0 <= 0.01 ? .good : $0 <= 0.03 ? .fair : .poor } ?? .unknown }
  static func detVerdict(_ v: Double?) -> Verdict { v.map { $0 <= 0.6 ? .good : $0 <= 0.8 ? .fair : .poor } ?? .unknown }
  static func miaVerdict(_ v: Double?) -> Verdict { v.map { $0 <= 0.55 ? .good : $0 <= 0.65 ? .fair : .poor } ?? .unknown }
  static func exactVerdict(_ v: Double?) -> Verdict { v.map { $0 == 0 ? .good : $0 <= 0.01 ? .fair : .poor } ?? .unknown }
  static func dcrVerdict(_ v: Double?) -> Verdict { v.map { $0 <= 0.10 ? .good : $0 <= 0.20 ? .fair : .poor } ?? .unknown }
  static func airVerdict(_ s: EvaluationSummary) -> Verdict {
    guard let a = s.privacy.airTrain, let b = s.privacy.airHoldout else { return .unknown }
    let gap = a - b
    return gap <= 0.02 ? .good : gap <= 0.05 ? .fair : .poor
  }

  /// The plain-language findings, in the order utility, fidelity, privacy.
  public static func findings(_ s: EvaluationSummary) -> [Finding] {
    var out: [Finding] = []
    let outcome = s.outcome
    // Utility
    let s2r = s.utility.gb.s2r, r2r = s.utility.gb.r2r
    let u = utility(s)
    let how: String
    switch u {
    case .good: how = "about as well as"
    case .fair: how = "somewhat less well than"
    case .poor: how = (s2r ?? 0) <= 0.55 ? "barely better than chance, far worse than" : "clearly less well than"
    case .unknown: how = "(undefined) compared with"
    }
    out.append(Finding(area: .utility, verdict: u, text:
      "A model trained on the synthetic rows predicts \(outcome) in real holdout patients \(how) one trained on the real rows "
      + "(gradient boosting AUC \(f(s2r)) vs \(f(r2r)); logistic regression \(f(s.utility.lr.s2r)) vs \(f(s.utility.lr.r2r)))."))
    // Fidelity
    let worstCols = s.columns.sorted { $0.value > $1.value }.prefix(3).filter { $0.value > 0.05 }
    let ks = s.fidelity.ksTV
    out.append(Finding(area: .fidelity, verdict: ksVerdict(ks), text:
      "Column by column, the synthetic distributions are \(ksVerdict(ks) == .good ? "close to" : ksVerdict(ks) == .fair ? "moderately close to" : "far from") the real ones "
      + "(mean KS/TV distance \(f(ks)))"
      + (worstCols.isEmpty ? "." : "; the largest differences are in \(worstCols.map { "\($0.name) (\(f($0.value, 2)))" }.joined(separator: ", ")).")))
    let nmi = s.fidelity.nmi
    out.append(Finding(area: .fidelity, verdict: nmiVerdict(nmi), text:
      "Relationships between pairs of columns are \(nmiVerdict(nmi) == .good ? "preserved" : nmiVerdict(nmi) == .fair ? "partly preserved" : "largely lost") "
      + "(mean NMI difference \(f(nmi, 4)), mean correlation difference \(f(s.fidelity.corr, 4)))."))
    if let det = s.fidelity.det {
      let text = det < 0.4
        ? "A classifier's detection AUC is \(f(det)), below 0.5: synthetic rows are near-duplicates of real ones (a twin with the opposite label misleads the classifier), which is a privacy warning rather than a fidelity success."
        : "A classifier \(det <= 0.6 ? "can hardly" : det <= 0.8 ? "can partly" : "can easily") tell synthetic records from real ones (detection AUC \(f(det)); 0.5 means indistinguishable)."
      out.append(Finding(area: .fidelity, verdict: det < 0.4 ? .fair : detVerdict(det), text: text))
    }
    // Privacy
    let mia = s.privacy.mia
    out.append(Finding(area: .privacy, verdict: miaVerdict(mia), text:
      "An attacker who compares a person's record with the closest synthetic record \(miaVerdict(mia) == .good ? "can hardly tell" : miaVerdict(mia) == .fair ? "can somewhat tell" : "can tell") whether that person was in the training data "
      + "(membership AUC \(f(mia)); 0.5 means no better than a coin flip)."))
    let exact = s.privacy.exact
    out.append(Finding(area: .privacy, verdict: exactVerdict(exact), text:
      exact == 0 ? "No synthetic row is an exact copy of a training record."
        : "\(pct(exact)) of the synthetic rows are exact copies of training records."))
    let dcr = s.privacy.dcr5
    out.append(Finding(area: .privacy, verdict: dcrVerdict(dcr), text:
      "\(pct(dcr)) of synthetic rows lie closer to a training record than 95 % of real holdout patients do (a generator that samples new people gives about 5 %)."))
    if let a = s.privacy.airTrain, let b = s.privacy.airHoldout {
      out.append(Finding(area: .privacy, verdict: airVerdict(s), text:
        "Knowing \(s.attributeInferenceKnownColumns.count) columns of a person (\(s.attributeInferenceKnownColumns.prefix(6).joined(separator: ", "))\(s.attributeInferenceKnownColumns.count > 6 ? ", …" : "")), an attacker guesses the other columns with score \(f(a)) for training patients "
        + "and \(f(b)) for patients who were not in the training data; \(a - b <= 0.02 ? "the synthetic data reveal no more about its training patients than about anyone else" : "the synthetic data reveal more about the training patients than about others")."))
    }
    return out
  }
}
