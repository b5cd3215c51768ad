//===----------------------------------------------------------------------===//
// Run-time binding to OpenBLAS (or any CBLAS) with a pure-Swift fallback.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The BLAS library in use, loaded once on first use.
///
/// OpenBLAS picks its kernels in a library constructor, so the library is loaded
/// with `dlopen` *after* `OPENBLAS_CORETYPE` has been chosen from the CPU's feature
/// flags. Debian's OpenBLAS 0.3.21 does not recognise recent CPUs and would otherwise
/// fall back to its slowest (SSE3) kernels. A value the environment already sets is
/// always respected. When no library can be loaded, GEMM runs on a portable Swift
/// kernel and ``isAvailable`` is `false`.
///
/// Environment switches:
/// - `OPENBLAS_CORETYPE=<name>`: used as is (never overridden).
/// - `RLSYN_BLAS_CORETYPE=auto`: do not choose a core type; OpenBLAS detects the CPU itself.
/// - `RLSYN_BLAS_LIBRARY=<path>`: try this library first; `none` forces the Swift GEMM.
public enum BLAS {
  @usableFromInline
  typealias SgemmFunction = @convention(c) (
    Int32, Int32, Int32, Int32, Int32, Int32, Float,
    UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
    Float, UnsafeMutablePointer<Float>?, Int32) -> Void
  typealias CStringFunction = @convention(c) () -> UnsafePointer<CChar>?
  typealias GetIntFunction = @convention(c) () -> Int32
  typealias SetIntFunction = @convention(c) (Int32) -> Void

  @usableFromInline
  struct Library: @unchecked Sendable {
    let path: String
    @usableFromInline let sgemm: SgemmFunction
    let corename: CStringFunction?
    let config: CStringFunction?
    let getThreads: GetIntFunction?
    let setThreads: SetIntFunction?
    let chosenCoreType: String?
  }

  /// Library names tried in order; `RLSYN_BLAS_LIBRARY` (a path) comes first when set,
  /// and `RLSYN_BLAS_LIBRARY=none` forces the Swift fallback.
  static let candidateNames = ["libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0", "libblis.so.4", "libblis.so", "libcblas.so.3", "libblas.so.3"]

  @usableFromInline
  static let library: Library? = load()

  static func load() -> Library? {
    let env = ProcessInfo.processInfo.environment
    var names = candidateNames
    if let forced = env["RLSYN_BLAS_LIBRARY"] {
      if forced.lowercased() == "none" { return nil }
      names.insert(forced, at: 0)
    }
    let chosen = chooseCoreTypeIfUnset(environment: env)
    // OpenBLAS reads the variable while it loads; afterwards the process environment is restored,
    // so programs this process starts make their own choice (or their user's).
    defer { if chosen != nil { unsetenv("OPENBLAS_CORETYPE") } }
    for name in names {
      guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
      guard let sym = dlsym(handle, "cblas_sgemm") else { dlclose(handle); continue }
      func fn<T>(_ symbol: String, _ type: T.Type) -> T? {
        dlsym(handle, symbol).map { unsafeBitCast($0, to: type) }
      }
      return Library(
        path: name,
        sgemm: unsafeBitCast(sym, to: SgemmFunction.self),
        corename: fn("openblas_get_corename", CStringFunction.self),
        config: fn("openblas_get_config", CStringFunction.self),
        getThreads: fn("openblas_get_num_threads", GetIntFunction.self),
        setThreads: fn("openblas_set_num_threads", SetIntFunction.self),
        chosenCoreType: chosen)
    }
    return nil
  }

  /// Sets `OPENBLAS_CORETYPE` from `/proc/cpuinfo` flags unless the environment already has one.
  ///
  /// AVX-512 (F, BW, VL, DQ) selects `SkylakeX`; AVX2 with FMA selects `Haswell`
  /// (also the kernels OpenBLAS uses for AMD Zen). Anything else is left to OpenBLAS.
  /// `RLSYN_BLAS_CORETYPE=auto` skips the choice so that OpenBLAS's own CPU detection
  /// runs (for measuring what it picks by itself).
  /// Returns the value set, or `nil` when nothing was changed.
  static func chooseCoreTypeIfUnset(environment: [String: String]) -> String? {
    guard environment["OPENBLAS_CORETYPE"] == nil else { return nil }
    if leavesCoreTypeToOpenBLAS(environment: environment) { return nil }
    guard let choice = preferredCoreType(cpuFlags: cpuFlags()) else { return nil }
    setenv("OPENBLAS_CORETYPE", choice, 0)
    return choice
  }

  /// Whether `RLSYN_BLAS_CORETYPE=auto` asks to leave the kernel choice to OpenBLAS.
  static func leavesCoreTypeToOpenBLAS(environment: [String: String]) -> Bool {
    environment["RLSYN_BLAS_CORETYPE"]?.lowercased() == "auto"
  }

  /// The OpenBLAS core type this CPU's feature flags support best, or `nil` to let OpenBLAS decide.
  public static func preferredCoreType(cpuFlags flags: Set<String>) -> String? {
    if ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(flags.contains) { return "SkylakeX" }
    if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
    return nil
  }

  /// The `flags` line of `/proc/cpuinfo` as a set (empty where unreadable).
  public static func cpuFlags() -> Set<String> {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
    for line in text.split(separator: "\n") where line.hasPrefix("flags") {
      if let colon = line.firstIndex(of: ":") {
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
      }
    }
    return []
  }

  /// Whether a BLAS library was loaded (otherwise GEMM uses the Swift kernel).
  public static var isAvailable: Bool { library != nil }

  /// A one-line description: library, core type and threads, or the fallback.
  public static var summary: String {
    guard let lib = library else {
      if ProcessInfo.processInfo.environment["RLSYN_BLAS_LIBRARY"]?.lowercased() == "none" {
        return "none (RLSYN_BLAS_LIBRARY=none): using the portable Swift GEMM"
      }
      return "no BLAS library found: using the portable Swift GEMM"
    }
    var parts = ["library \(lib.path)"]
    if let core = coreName { parts.append("core \(core)") }
    if let chosen = lib.chosenCoreType { parts.append("(OPENBLAS_CORETYPE=\(chosen) chosen from CPU flags)") }
    else if let env = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] { parts.append("(OPENBLAS_CORETYPE=\(env) from the environment)") }
    else if leavesCoreTypeToOpenBLAS(environment: ProcessInfo.processInfo.environment) { parts.append("(chosen by OpenBLAS itself: RLSYN_BLAS_CORETYPE=auto)") }
    parts.append("threads \(threadCount)")
    return parts.joined(separator: ", ")
  }

  /// OpenBLAS's kernel name (e.g. `Haswell`, `SkylakeX`), when the library reports one.
  public static var coreName: String? {
    library?.corename?().map { String(cString: $0) }
  }

  /// OpenBLAS's build configuration string, when available.
  public static var configuration: String? {
    library?.config?().map { String(cString: $0) }
  }

  /// Threads BLAS may use for large products (1 for the fallback).
  public static var threadCount: Int {
    threadPolicy.lock.lock(); defer { threadPolicy.lock.unlock() }
    return threadPolicy.maximum
  }

  /// Sets the most BLAS threads large products may use (no effect for the fallback).
  public static func setThreadCount(_ n: Int) {
    let policy = threadPolicy
    policy.lock.lock(); defer { policy.lock.unlock() }
    policy.maximum = max(1, n)
    policy.apply(policy.maximum)
  }

  /// The most BLAS threads products started *on the current thread* may use inside
  /// ``withThreadLimit(_:_:)`` (nil: no limit beyond ``threadCount``).
  @TaskLocal public static var currentThreadLimit: Int?

  /// Runs `body` with the products it starts on this thread limited to `limit` BLAS threads
  /// (nil: no limit). The limit is scoped: it is not seen by other threads, and ``threadCount``
  /// and every other caller are unaffected once `body` returns. Work `body` hands to other
  /// threads (e.g. `DispatchQueue.concurrentPerform`) must set its own limit there.
  public static func withThreadLimit<R>(_ limit: Int?, _ body: () throws -> R) rethrows -> R {
    try $currentThreadLimit.withValue(limit.map { max(1, $0) }, operation: body)
  }

  /// Products with `m·n·k` below this run on one BLAS thread: on 2 cores OpenBLAS's second
  /// thread costs more than it gains there (and much more when another process holds the other
  /// core). `RLSYN_BLAS_SINGLE_THREAD_BELOW` overrides it (0 = always use every thread).
  public static var singleThreadProductLimit: Int {
    threadPolicy.lock.lock(); defer { threadPolicy.lock.unlock() }
    return threadPolicy.smallProductLimit
  }

  /// Chooses the thread count for one product of size `m·n·k` (called by `Matrix.gemm`).
  @usableFromInline
  static func prepareThreads(forProduct size: Int) {
    let limit = currentThreadLimit ?? .max
    let policy = threadPolicy
    policy.lock.lock(); defer { policy.lock.unlock() }
    policy.apply(size < policy.smallProductLimit ? 1 : min(policy.maximum, limit))
  }

  /// The thread count in force and the rule for choosing it.
  @usableFromInline
  final class ThreadPolicy: @unchecked Sendable {
    let lock = NSLock()
    var maximum: Int
    var current: Int
    var smallProductLimit: Int
    let set: SetIntFunction?

    init(library: Library?) {
      let initial = library?.getThreads.map { Int($0()) } ?? 1
      maximum = initial
      current = initial
      set = library?.setThreads
      smallProductLimit = ProcessInfo.processInfo.environment["RLSYN_BLAS_SINGLE_THREAD_BELOW"].flatMap { Int($0) } ?? (1 << 22)
    }

    /// Calls into OpenBLAS only when the count changes (caller holds the lock).
    func apply(_ n: Int) {
      guard n != current, let set else { return }
      set(Int32(n))
      current = n
    }
  }

  @usableFromInline
  static let threadPolicy = ThreadPolicy(library: library)
}
