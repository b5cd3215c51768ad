//===----------------------------------------------------------------------===//
// Keeps glibc from handing large freed matrices back to the kernel.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#endif

/// Process-wide tuning of the C allocator for workloads that allocate many large,
/// short-lived matrices (every element-wise kernel returns a new one).
///
/// With glibc's defaults, a freed block of a few megabytes is either unmapped or
/// trimmed off the top of the heap, so the next allocation of the same size takes
/// one page fault per 4 KiB page and the kernel zeroes the memory again. Measured on
/// 1M-float kernels, that made `x * 2 + 1` 20–30× slower than the loop itself (6–10 ms
/// instead of 0.3 ms), and an MLP 100-256-256-100 training step (`rlsyn-bench
/// training-step`) about 1.5× slower. ``keepFreedMemory()`` raises glibc's mmap and trim
/// thresholds so that freed blocks are reused instead.
///
/// Call it once at program start (`rlsyn self-check` and `rlsyn-bench elementwise`/`gemm`
/// do); the cost is that up to ``trimThreshold`` bytes of freed memory stay mapped.
/// On platforms without glibc it does nothing.
public enum AllocatorTuning {
  /// Blocks at least this large are still served by `mmap` (32 MiB, glibc's maximum).
  public static let mmapThreshold = 32 << 20
  /// Free memory at the top of the heap beyond this is returned to the system (256 MiB).
  public static let trimThreshold = 256 << 20

  /// Raises glibc's `M_MMAP_THRESHOLD` and `M_TRIM_THRESHOLD`; returns whether both were accepted.
  ///
  /// Idempotent. Respects a user's own `MALLOC_*` / `GLIBC_TUNABLES` allocator settings:
  /// nothing is changed when the environment sets any of them.
  @discardableResult
  public static func keepFreedMemory() -> Bool {
    #if canImport(Glibc)
    if let env = getenv("GLIBC_TUNABLES"), String(cString: env).contains("malloc") { return false }
    for name in ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"] where getenv(name) != nil {
      return false
    }
    // `mallopt` lives in <malloc.h>, which the Glibc module does not export: look it up.
    typealias MalloptFunction = @convention(c) (Int32, Int32) -> Int32
    guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "mallopt") else { return false }
    let mallopt = unsafeBitCast(symbol, to: MalloptFunction.self)
    let mmapThresholdParameter: Int32 = -3, trimThresholdParameter: Int32 = -1  // M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
    let a = mallopt(mmapThresholdParameter, Int32(mmapThreshold))
    let b = mallopt(trimThresholdParameter, Int32(trimThreshold))
    return a == 1 && b == 1
    #else
    return false
    #endif
  }

  /// Hands the free memory of every glibc arena back to the system (`malloc_trim(0)`); returns whether
  /// anything was released. `rlsyn benchmark` calls it between stages, because freed blocks below
  /// ``mmapThreshold`` stay mapped in the arena that freed them. On the 126,522 × 1,460 benchmark the
  /// peak RSS moved only from 6.19 to 6.11 GB with it (docs/performance.md). Does nothing without glibc.
  @discardableResult
  public static func releaseFreedMemory() -> Bool {
    #if canImport(Glibc)
    typealias MallocTrimFunction = @convention(c) (Int) -> Int32
    guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "malloc_trim") else { return false }
    return unsafeBitCast(symbol, to: MallocTrimFunction.self)(0) == 1
    #else
    return false
    #endif
  }
}
