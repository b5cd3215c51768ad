//===----------------------------------------------------------------------===//
// `rlsyn self-check` under different BLAS environments (the real binary).
//===----------------------------------------------------------------------===//

import Foundation
import Testing
import TestSupport

/// Whether Debian/Ubuntu/Fedora-style OpenBLAS is installed where the loader will find it.
let openBLASInstalled: Bool = [
  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
  "/usr/lib64/libopenblas.so.0", "/usr/lib/libopenblas.so.0", "/usr/local/lib/libopenblas.so.0",
].contains { FileManager.default.fileExists(atPath: $0) }

/// Whether BLIS is installed where the loader will find it (the library preferred when present).
let blisInstalled: Bool = [
  "/usr/lib/x86_64-linux-gnu/libblis.so.4", "/usr/lib/aarch64-linux-gnu/libblis.so.4", "/usr/lib64/libblis.so.4",
  "/usr/lib/libblis.so.4", "/usr/local/lib/libblis.so.4",
].contains { FileManager.default.fileExists(atPath: $0) }

/// The OpenBLAS tests name the library, since BLIS comes first when both are installed.
let openBLAS = ["RLSYN_BLAS_LIBRARY": "libopenblas.so.0"]

@Suite struct BLASSelectionTests {
  /// The verdict line `self-check` prints for its GEMM-against-Double check.
  func verdict(_ stdout: String) -> String? {
    stdout.split(separator: "\n").first { $0.hasPrefix("GEMM check") }.map(String.init)
  }

  @Test(.enabled(if: openBLASInstalled, "needs libopenblas.so.0"))
  func environmentCoreTypeIsRespected() throws {
    let r = try CommandRunner.run(["self-check"], environment: openBLAS.merging(["OPENBLAS_CORETYPE": "Prescott"]) { $1 })
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout.contains("core Prescott"), "\(r.stdout)")
    #expect(r.stdout.contains("OPENBLAS_CORETYPE=Prescott from the environment"))
    #expect(!r.stdout.contains("chosen from CPU flags"))
    #expect(verdict(r.stdout)?.hasSuffix("→ correct") == true, "\(r.stdout)")
  }

  @Test func libraryNoneFallsBackToSwiftGEMM() throws {
    let r = try CommandRunner.run(["self-check"], environment: ["RLSYN_BLAS_LIBRARY": "none"])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout.contains("RLSYN_BLAS_LIBRARY=none"))
    #expect(r.stdout.contains("portable Swift GEMM"))
    #expect(r.stdout.contains("Swift fallback"))
    #expect(verdict(r.stdout)?.hasSuffix("→ correct") == true, "\(r.stdout)")
  }

  @Test(.enabled(if: openBLASInstalled && ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
                 "needs libopenblas.so.0 and no OPENBLAS_CORETYPE in the test environment"))
  func autoLeavesTheChoiceToOpenBLAS() throws {
    let r = try CommandRunner.run(["self-check"], environment: openBLAS.merging(["RLSYN_BLAS_CORETYPE": "auto"]) { $1 })
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout.contains("chosen by OpenBLAS itself: RLSYN_BLAS_CORETYPE=auto"), "\(r.stdout)")
    #expect(!r.stdout.contains("chosen from CPU flags"))
    #expect(verdict(r.stdout)?.hasSuffix("→ correct") == true, "\(r.stdout)")
  }

  @Test(.enabled(if: openBLASInstalled, "needs libopenblas.so.0"))
  func unknownCoreTypeIsPassedThroughAndStillCorrect() throws {
    // An unknown name is still the user's choice; OpenBLAS falls back to a core it supports.
    let r = try CommandRunner.run(["self-check"], environment: openBLAS.merging(["OPENBLAS_CORETYPE": "NoSuchCore"]) { $1 })
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout.contains("OPENBLAS_CORETYPE=NoSuchCore from the environment"))
    #expect(verdict(r.stdout)?.hasSuffix("→ correct") == true, "\(r.stdout)")
  }

  @Test(.enabled(if: openBLASInstalled, "needs libopenblas.so.0"))
  func openBLASChoosesFastKernelsAndIsCorrect() throws {
    let r = try CommandRunner.run(["self-check"], environment: openBLAS)
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout.contains("libopenblas"))
    #expect(r.stdout.contains("core "))
    #expect(verdict(r.stdout)?.hasSuffix("→ correct") == true, "\(r.stdout)")
    if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
       let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
       let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) {
      let flags = Set(flagsLine.split(separator: " ").map(String.init))
      if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) {
        #expect(r.stdout.contains("OPENBLAS_CORETYPE=SkylakeX chosen from CPU flags"))
      } else if flags.isSuperset(of: ["avx2", "fma"]) {
        #expect(r.stdout.contains("OPENBLAS_CORETYPE=Haswell chosen from CPU flags"))
        #expect(r.stdout.contains("core Haswell"))
      }
    }
  }

  /// BLIS is loaded first, except on AVX-512 CPUs when OpenBLAS (with its SkylakeX kernels) is installed too.
  @Test(.enabled(if: blisInstalled && ProcessInfo.processInfo.environment["RLSYN_BLAS_LIBRARY"] == nil, "needs libblis.so.4"))
  func preferredLibraryIsLoadedAndCorrect() throws {
    let r = try CommandRunner.run(["self-check"])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(verdict(r.stdout)?.hasSuffix("→ correct") == true, "\(r.stdout)")
    let avx512 = Self.cpuFlags().isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"])
    if avx512 && openBLASInstalled {
      #expect(r.stdout.contains("libopenblas"), "\(r.stdout)")
      if let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] {
        // The user's choice wins over the CPU flags.
        #expect(r.stdout.contains("OPENBLAS_CORETYPE=\(forced) from the environment"), "\(r.stdout)")
      } else {
        #expect(r.stdout.contains("core SkylakeX"), "\(r.stdout)")
      }
    } else {
      #expect(r.stdout.contains("libblis"), "\(r.stdout)")
      #expect(r.stdout.contains("core "), "BLIS reports its architecture: \(r.stdout)")
      #expect(!r.stdout.contains("OPENBLAS_CORETYPE"), "OpenBLAS's variable does not concern BLIS")
    }
  }

  static func cpuFlags() -> Set<String> {
    guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
    return Set(flagsLine.split(separator: " ").map(String.init))
  }
}
