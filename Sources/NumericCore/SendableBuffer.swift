/// Lets `DispatchQueue.concurrentPerform` workers write disjoint slices of one buffer in Swift 6 mode.
///
/// The caller guarantees that workers touch disjoint index ranges and that the
/// buffer outlives the parallel region.
@usableFromInline
struct SendableMutablePointer: @unchecked Sendable {
  @usableFromInline let base: UnsafeMutablePointer<Float>
  @inlinable init(_ base: UnsafeMutablePointer<Float>) { self.base = base }
}

/// Read-only counterpart of ``SendableMutablePointer``.
@usableFromInline
struct SendablePointer: @unchecked Sendable {
  @usableFromInline let base: UnsafePointer<Float>
  @inlinable init(_ base: UnsafePointer<Float>) { self.base = base }
}
