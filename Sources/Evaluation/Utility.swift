//===----------------------------------------------------------------------===//
// Utility: does a model trained on synthetic data work on real data?
//===----------------------------------------------------------------------===//

import NumericCore

/// The two evaluation classifiers.
public enum ClassifierKind: String, Sendable, Codable, CaseIterable {
  /// L2 logistic regression (``LogisticRegression``, C = 1).
  case logisticRegression = "lr"
  /// Histogram gradient-boosted trees (``GradientBoostedTrees``, scikit-learn defaults).
  case gradientBoosting = "gb"

  /// Fits this classifier.
  public func fit(_ x: Matrix, _ y: [Bool], lr: LogisticRegression.Options = .init(),
                  gb: GradientBoostedTrees.Options = .init()) -> any ProbabilisticClassifier {
    switch self {
    case .logisticRegression: return LogisticRegression.fit(x, y, options: lr)
    case .gradientBoosting: return GradientBoostedTrees.fit(x, y, options: gb)
    }
  }

  /// A display name.
  public var displayName: String {
    switch self {
    case .logisticRegression: return "logistic regression"
    case .gradientBoosting: return "gradient-boosted trees"
    }
  }
}

/// Train-on-X / test-on-Y AUCs of one classifier.
public struct UtilityScores: Sendable, Codable, Equatable {
  /// Train on real training rows, test on real holdout rows.
  public var r2r: Double?
  /// Train on synthetic rows, test on real holdout rows.
  public var s2r: Double?
  /// Train on real training rows, test on synthetic rows.
  public var r2s: Double?
  /// Scores of one classifier; `nil` where undefined (e.g. R2S when the synthetic outcome has one class).
  public init(r2r: Double? = nil, s2r: Double? = nil, r2s: Double? = nil) {
    self.r2r = r2r; self.s2r = s2r; self.r2s = r2s
  }
  /// `s2r / r2r`.
  public var ratio: Double? {
    guard let s = s2r, let r = r2r, r > 0 else { return nil }
    return s / r
  }
}
