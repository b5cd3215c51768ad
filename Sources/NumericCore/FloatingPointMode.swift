//===----------------------------------------------------------------------===//
// The processor's treatment of subnormal floats, per thread.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Flush-to-zero for subnormal `Float`s on the calling thread.
///
/// Training drives some values towards zero (likely sources, not traced: Adam's second moments of tiny gradients,
/// `exp` of very negative logits in a confident softmax). Once they fall below `Float.leastNormalMagnitude` (≈ 1.2e-38) x86 processors
/// take a microcode assist on every operation that touches them, tens of times slower than a normal one. With the
/// SSE control bits FTZ (results) and DAZ (inputs) set, such values count as zero: a relative change below 1e-38 of
/// anything they are added to, and the same seed still gives the same numbers for a given thread setting.
/// Elsewhere (other architectures, or C libraries without the x86 `fenv_t`) these functions do nothing.
public enum FloatingPointMode {
  /// The MXCSR bits FTZ (bit 15) and DAZ (bit 6).
  @usableFromInline static let flushBits: UInt32 = 0x8040

  /// Whether the calling thread flushes subnormals to zero.
  public static var flushesSubnormals: Bool {
    #if arch(x86_64) && canImport(Glibc)
    var env = fenv_t()
    fegetenv(&env)
    return env.__mxcsr & flushBits == flushBits
    #else
    return false
    #endif
  }

  /// Runs `body` with subnormals flushed to zero on the calling thread (when `flush` is true; else as the thread
  /// stands), then restores the thread's previous mode. A worker started from a flushing thread passes that
  /// thread's ``flushesSubnormals`` as `flush`, so that splitting work across cores does not change its numbers.
  @inlinable
  public static func withSubnormalsFlushed<T>(_ flush: Bool = true, _ body: () throws -> T) rethrows -> T {
    #if arch(x86_64) && canImport(Glibc)
    guard flush else { return try body() }
    var saved = fenv_t()
    fegetenv(&saved)
    guard saved.__mxcsr & flushBits != flushBits else { return try body() }
    var flushed = saved
    flushed.__mxcsr |= flushBits
    fesetenv(&flushed)
    defer { fesetenv(&saved) }
    return try body()
    #else
    return try body()
    #endif
  }
}
