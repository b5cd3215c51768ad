import Autodiff
import NumericCore

/// Finite-difference gradient checks for autodiff tests.
public enum GradientCheck {
  /// Result of comparing analytic and numerical gradients.
  public struct Report: CustomStringConvertible {
    /// Worst `|analytic − numeric| / max(absoluteFloor, |analytic|, |numeric|)` over all elements.
    public let worstRelativeError: Float
    /// Where the worst element is: (input index, element index).
    public let worstLocation: (input: Int, element: Int)
    public var description: String { "worst relative error \(worstRelativeError) at input \(worstLocation.input) element \(worstLocation.element)" }
  }

  /// Compares `gradients(of: f(inputs))` with central differences `(f(x+h) − f(x−h)) / 2h`.
  ///
  /// `f` must return a `1 × 1` variable. Evaluations are in Float, so the step `h` trades
  /// truncation error (∝ h²) against rounding (∝ ε/h); `h = 1e-2` on O(1) inputs gives ~1e-3 relative error.
  public static func check(
    _ inputs: [Matrix], step h: Float = 1e-2, absoluteFloor: Float = 1e-2,
    _ f: ([Variable]) -> Variable
  ) -> Report {
    let vars = inputs.map { Variable($0, requiresGradient: true) }
    let analytic = gradients(of: f(vars), withRespectTo: vars).map(\.value)
    return compare(analytic: analytic, inputs: inputs, step: h, absoluteFloor: absoluteFloor) { xs in
      f(xs.map { Variable($0) }).value.scalarValue
    }
  }

  /// Compares given analytic gradients with central differences of a scalar function of the inputs.
  public static func compare(
    analytic: [Matrix], inputs: [Matrix], step h: Float = 1e-2, absoluteFloor: Float = 1e-2,
    _ f: ([Matrix]) -> Float
  ) -> Report {
    var worst: Float = 0
    var location = (0, 0)
    for (k, x) in inputs.enumerated() {
      for e in 0..<x.count {
        var plus = inputs, minus = inputs
        plus[k].storage[e] += h
        minus[k].storage[e] -= h
        let numeric = (Double(f(plus)) - Double(f(minus))) / (2 * Double(h))
        let a = Double(analytic[k].storage[e])
        let err = Swift.abs(a - numeric) / Swift.max(Double(absoluteFloor), Swift.abs(a), Swift.abs(numeric))
        if Float(err) > worst { worst = Float(err); location = (k, e) }
      }
    }
    return Report(worstRelativeError: worst, worstLocation: location)
  }
}
