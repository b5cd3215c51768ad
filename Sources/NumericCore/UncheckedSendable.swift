//===----------------------------------------------------------------------===//
// The one way a value crosses to `DispatchQueue.concurrentPerform` workers without the compiler's proof.
//===----------------------------------------------------------------------===//

/// A value handed to concurrent workers that Swift 6 cannot prove safe to share (a class instance, a closure, a pointer).
///
/// The caller promises that the workers only read it, or touch disjoint parts of it, and that it outlives the parallel
/// region. ``NeuralNetworks/DataParallel`` wraps its workers' closures in it, so the trainers need no box of their own.
public struct UncheckedSendable<Value>: @unchecked Sendable {
  public let value: Value
  @inlinable public init(_ value: Value) { self.value = value }
}
