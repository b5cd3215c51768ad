//===----------------------------------------------------------------------===//
// Loss functions (all return 1 × 1 variables).
//===----------------------------------------------------------------------===//

import NumericCore
import Autodiff

public enum Loss {
  /// Mean squared error over all elements.
  public static func meanSquaredError(_ prediction: Variable, _ target: Variable) -> Variable {
    (prediction - target).squared().mean()
  }

  /// Binary cross-entropy on logits, averaged over elements:
  /// `mean(softplus(z) − t·z)`, which equals `−t·log σ(z) − (1−t)·log(1−σ(z))` without overflow.
  public static func binaryCrossEntropy(logits: Variable, targets: Variable) -> Variable {
    (logits.softplus() - targets * logits).mean()
  }

  /// Binary cross-entropy on logits against a constant label for every element.
  public static func binaryCrossEntropy(logits: Variable, label: Float) -> Variable {
    // softplus(z) − t z, with t constant
    (logits.softplus() - logits * label).mean()
  }
}
