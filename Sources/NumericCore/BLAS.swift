//===----------------------------------------------------------------------===//
// Run-time binding to BLIS or OpenBLAS (or any CBLAS) with a pure-Swift fallback.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The BLAS library in use, loaded once on first use.
///
/// BLIS comes first when it is installed, except on CPUs with AVX-512 (``candidateNames(cpuFlags:)``): on the 2-core
/// AMD EPYC (Zen 1) we measure on, Debian's OpenBLAS 0.3.21 runs `sgemm` at 9 GFLOP/s for 256³ and 15 for
/// 384 × 128 × 128 on one thread, BLIS 0.9 at 36 (both about 35 at 1,024³), which made an MLP training step 2–3×
/// faster (`docs/performance.md`).
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
  typealias GetInt64Function = @convention(c) () -> Int64
  typealias SetInt64Function = @convention(c) (Int64) -> Void
  typealias ArchStringFunction = @convention(c) (Int32) -> UnsafePointer<CChar>?
  typealias ArchQueryFunction = @convention(c) () -> Int32

  @usableFromInline
  struct Library: @unchecked Sendable {
    let path: String
    @usableFromInline let sgemm: SgemmFunction
    /// The kernel set's name (OpenBLAS's core, or BLIS's architecture).
    let corename: (() -> String?)?
    let config: CStringFunction?
    /// The library's own thread count (OpenBLAS's or BLIS's runtime setting).
    let getThreads: (() -> Int)?
    let setThreads: ((Int) -> Void)?
    let chosenCoreType: String?
    /// Whether the library is OpenBLAS (it reads `OPENBLAS_CORETYPE`).
    let isOpenBLAS: Bool
  }

  static let blisNames = ["libblis.so.4", "libblis.so"]
  static let openBLASNames = ["libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0"]

  /// Library names tried in order for a CPU with these feature flags; `RLSYN_BLAS_LIBRARY` (a path) comes first
  /// when set, and `RLSYN_BLAS_LIBRARY=none` forces the Swift fallback.
  ///
  /// OpenBLAS comes first where it has AVX-512 kernels (``preferredCoreType(cpuFlags:)`` is `SkylakeX`): on a
  /// 2-core Xeon with AVX-512, Debian's BLIS 0.9 runs its `haswell` kernels at 81 GFLOP/s for 256³ on one thread and
  /// OpenBLAS's `SkylakeX` at 147, and an NHEFS iteration takes 13.4 instead of 10.7 ms. Elsewhere BLIS comes first
  /// (the Zen 1 figures above).
  public static func candidateNames(cpuFlags flags: Set<String>) -> [String] {
    let preferred = preferredCoreType(cpuFlags: flags) == "SkylakeX" ? openBLASNames + blisNames : blisNames + openBLASNames
    return preferred + ["libcblas.so.3", "libblas.so.3"]
  }

  @usableFromInline
  static let library: Library? = load()

  static func load() -> Library? {
    let env = ProcessInfo.processInfo.environment
    var names = candidateNames(cpuFlags: cpuFlags())
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
      let openBLASCore = fn("openblas_get_corename", CStringFunction.self)
      let blisArch = fn("bli_arch_query_id", ArchQueryFunction.self), blisArchName = fn("bli_arch_string", ArchStringFunction.self)
      var corename: (() -> String?)?
      if let openBLASCore { corename = { openBLASCore().map { String(cString: $0) } } }
      else if let blisArch, let blisArchName { corename = { blisArchName(blisArch()).map { String(cString: $0) } } }
      var getThreads: (() -> Int)?, setThreads: ((Int) -> Void)?
      if let get = fn("openblas_get_num_threads", GetIntFunction.self), let set = fn("openblas_set_num_threads", SetIntFunction.self) {
        getThreads = { Int(get()) }; setThreads = { set(Int32($0)) }
      } else if let get = fn("bli_thread_get_num_threads", GetInt64Function.self),
                let set = fn("bli_thread_set_num_threads", SetInt64Function.self) {
        // BLIS reports −1 when neither BLIS_NUM_THREADS nor OMP_NUM_THREADS is set: it then runs on one thread.
        getThreads = { Swift.max(1, Int(get())) }; setThreads = { set(Int64($0)) }
      }
      return Library(
        path: name,
        sgemm: unsafeBitCast(sym, to: SgemmFunction.self),
        corename: corename,
        config: fn("openblas_get_config", CStringFunction.self),
        getThreads: getThreads,
        setThreads: setThreads,
        chosenCoreType: chosen,
        isOpenBLAS: openBLASCore != nil)
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

  /// Whether the loaded library is OpenBLAS (it reports a core type), rather than BLIS or a reference BLAS.
  public static var isOpenBLAS: Bool { library?.isOpenBLAS ?? false }

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
    if lib.isOpenBLAS {   // OPENBLAS_CORETYPE concerns no other library
      let env = ProcessInfo.processInfo.environment
      if let chosen = lib.chosenCoreType { parts.append("(OPENBLAS_CORETYPE=\(chosen) chosen from CPU flags)") }
      else if let given = env["OPENBLAS_CORETYPE"] { parts.append("(OPENBLAS_CORETYPE=\(given) from the environment)") }
      else if leavesCoreTypeToOpenBLAS(environment: env) { parts.append("(chosen by OpenBLAS itself: RLSYN_BLAS_CORETYPE=auto)") }
    }
    parts.append("threads \(threadCount)")
    return parts.joined(separator: ", ")
  }

  /// The kernel set in use: OpenBLAS's core (e.g. `Haswell`, `SkylakeX`) or BLIS's architecture (e.g. `zen`),
  /// when the library reports one.
  public static var coreName: String? {
    library?.corename?() ?? nil
  }

  /// Whether the library runs OpenBLAS's AVX-512 kernels (core `SkylakeX`, `Cooperlake` or `SapphireRapids`).
  public static var usesAVX512Kernels: Bool {
    guard isOpenBLAS, let core = coreName?.lowercased() else { return false }
    return ["skylakex", "cooperlake", "sapphirerapids"].contains(core)
  }

  /// OpenBLAS's build configuration string, when available.
  public static var configuration: String? {
    library?.config?().map { String(cString: $0) }
  }

  /// The most threads one large product may use (1 for the fallback). Default: every active core.
  ///
  /// The threads are ours, not OpenBLAS's: OpenBLAS runs single-threaded, and ``sgemm(_:_:_:_:_:_:_:_:_:_:_:_:_:)``
  /// splits a large product into row (or column) blocks computed on Dispatch workers. OpenBLAS's own threads
  /// spin and yield while they wait for each other, which on a machine where another process holds a core
  /// turned a 4 s fit into 20 s (16 s of it system time); Dispatch workers that find no free core simply run
  /// later, so a busy machine costs at most the serial time. `RLSYN_BLAS_THREADING=openblas` restores
  /// OpenBLAS's threading (for comparison).
  public static var threadCount: Int {
    threadPolicy.lock.lock(); defer { threadPolicy.lock.unlock() }
    return threadPolicy.maximum
  }

  /// Sets the most threads large products may use, process-wide (for command-line `--threads`; library code
  /// uses ``withThreadLimit(_:_:)``).
  public static func setThreadCount(_ n: Int) {
    let policy = threadPolicy
    policy.lock.lock(); defer { policy.lock.unlock() }
    policy.maximum = max(1, n)
  }

  /// The most threads products started *on the current thread* may use inside
  /// ``withThreadLimit(_:_:)`` (nil: no limit beyond ``threadCount``).
  @TaskLocal public static var currentThreadLimit: Int?

  /// Runs `body` with the products it starts on this thread limited to `limit` threads
  /// (nil: no limit). The limit is scoped: it is not seen by other threads, and ``threadCount``
  /// and every other caller are unaffected once `body` returns. Work `body` hands to other
  /// threads (e.g. `DispatchQueue.concurrentPerform`) must set its own limit there.
  public static func withThreadLimit<R>(_ limit: Int?, _ body: () throws -> R) rethrows -> R {
    try $currentThreadLimit.withValue(limit.map { max(1, $0) }, operation: body)
  }

  /// Products with `m·n·k` below this run on one thread: splitting costs more than it gains there.
  /// `RLSYN_BLAS_SINGLE_THREAD_BELOW` overrides it (0 = split every product).
  public static var singleThreadProductLimit: Int {
    threadPolicy.lock.lock(); defer { threadPolicy.lock.unlock() }
    return threadPolicy.smallProductLimit
  }

  /// Whether OpenBLAS's own threads are used instead of ours (`RLSYN_BLAS_THREADING=openblas`).
  public static var usesOpenBLASThreads: Bool { threadPolicy.openBLASThreading }

  /// How many blocks a product of `m × n × k` is split into on this thread.
  @usableFromInline
  static func blocks(m: Int, n: Int, k: Int) -> Int {
    let policy = threadPolicy
    let limit = currentThreadLimit ?? .max
    policy.lock.lock(); defer { policy.lock.unlock() }
    if policy.openBLASThreading {
      policy.apply(m * n * k < policy.smallProductLimit ? 1 : min(policy.maximum, limit))
      return 1
    }
    if m * n * k < policy.smallProductLimit { return 1 }
    // At least 32 rows (or columns) per block, so that each block still runs OpenBLAS's full kernels.
    return max(1, min(policy.maximum, limit, max(m, n) / 32))
  }

  /// Pointers of one product, handed to the Dispatch workers that compute its blocks.
  struct ProductOperands: @unchecked Sendable {
    let a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>
  }

  /// Row-major `C ← α · op(A) · op(B) + β · C` through the loaded library, split into `blocks` blocks of
  /// C's rows (or of its columns, when C is wider than tall) that run concurrently, each on one OpenBLAS
  /// thread. The blocks depend only on the shape and the thread count, so for a given thread count the
  /// result is deterministic (between thread counts it differs in the last bits, as OpenBLAS's own threads did).
  @usableFromInline
  static func sgemm(_ lib: Library, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                    beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int, blocks: Int) {
    let ta: Int32 = transposeA ? 112 : 111, tb: Int32 = transposeB ? 112 : 111
    if blocks <= 1 {
      lib.sgemm(101, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
      return
    }
    let operands = ProductOperands(a: a, b: b, c: c)
    let byRows = m >= n
    let extent = byRows ? m : n
    // The workers treat subnormals as the calling thread does, so a split product equals the unsplit one.
    let flush = FloatingPointMode.flushesSubnormals
    DispatchQueue.concurrentPerform(iterations: blocks) { block in
      let lo = extent * block / blocks, hi = extent * (block + 1) / blocks
      guard hi > lo else { return }
      FloatingPointMode.withSubnormalsFlushed(flush) {
        if byRows {
          // Rows lo..<hi of op(A): rows of A, or columns of A when it is transposed.
          let aBlock = operands.a + (transposeA ? lo : lo * lda)
          lib.sgemm(101, ta, tb, Int32(hi - lo), Int32(n), Int32(k), alpha, aBlock, Int32(lda), operands.b, Int32(ldb),
                    beta, operands.c + lo * ldc, Int32(ldc))
        } else {
          // Columns lo..<hi of op(B): columns of B, or rows of B when it is transposed.
          let bBlock = operands.b + (transposeB ? lo * ldb : lo)
          lib.sgemm(101, ta, tb, Int32(m), Int32(hi - lo), Int32(k), alpha, operands.a, Int32(lda), bBlock, Int32(ldb),
                    beta, operands.c + lo, Int32(ldc))
        }
      }
    }
  }

  /// The thread count in force and the rule for choosing it.
  @usableFromInline
  final class ThreadPolicy: @unchecked Sendable {
    let lock = NSLock()
    var maximum: Int
    var current: Int
    var smallProductLimit: Int
    let openBLASThreading: Bool
    let set: ((Int) -> Void)?

    init(library: Library?) {
      let env = ProcessInfo.processInfo.environment
      openBLASThreading = env["RLSYN_BLAS_THREADING"]?.lowercased() == "openblas"
      let cores = ProcessInfo.processInfo.activeProcessorCount
      maximum = library == nil ? 1 : (openBLASThreading ? (library?.getThreads.map { $0() } ?? cores) : cores)
      set = library?.setThreads
      current = library?.getThreads.map { $0() } ?? 1
      smallProductLimit = env["RLSYN_BLAS_SINGLE_THREAD_BELOW"].flatMap { Int($0) } ?? (1 << 22)
      // Our workers each call a single-threaded library (OpenBLAS or BLIS).
      if !openBLASThreading { apply(1) }
    }

    /// Calls into the library only when the count changes (caller holds the lock, or the initialiser).
    func apply(_ n: Int) {
      guard n != current, let set else { return }
      set(n)
      current = n
    }
  }

  @usableFromInline
  static let threadPolicy = ThreadPolicy(library: library)
}
