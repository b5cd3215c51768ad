//===----------------------------------------------------------------------===//
// BLAS core-type choice from CPU flags, and what the loaded library reports.
//===----------------------------------------------------------------------===//

import NumericCore
import Testing

@Suite struct BLASTests {
  /// Flags of an Intel Emerald Rapids VM (AVX-512 F/BW/VL/DQ and more).
  static let avx512Flags: Set<String> = Set("""
    fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx \
    pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 \
    pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm \
    3dnowprefetch fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap avx512ifma \
    clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves avx_vnni avx512_bf16 avx512vbmi \
    umip pku ospke waitpkg avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq avx512_fp16
    """.split(separator: " ").map(String.init))

  /// Flags of an AMD EPYC Zen 3 VM (AVX2 and FMA, no AVX-512).
  static let zen3Flags: Set<String> = Set("""
    fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx \
    mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid extd_apicid \
    tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave \
    avx f16c rdrand hypervisor lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw topoext ssbd \
    ibrs ibpb stibp vmmcall fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid rdseed adx smap clflushopt clwb \
    sha_ni xsaveopt xsavec xgetbv1 xsaves clzero xsaveerptr wbnoinvd arat umip pku ospke vaes vpclmulqdq rdpid fsrm
    """.split(separator: " ").map(String.init))

  /// Flags of an old SSE-only x86-64 CPU (Core 2 era).
  static let sseOnlyFlags: Set<String> = Set(
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx lm pni ssse3 cx16 sse4_1 lahf_lm"
      .split(separator: " ").map(String.init))

  @Test func avx512SelectsSkylakeX() {
    #expect(BLAS.preferredCoreType(cpuFlags: Self.avx512Flags) == "SkylakeX")
    #expect(BLAS.preferredCoreType(cpuFlags: ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"]) == "SkylakeX")
  }

  @Test func avx2WithFMASelectsHaswell() {
    #expect(BLAS.preferredCoreType(cpuFlags: Self.zen3Flags) == "Haswell")
    #expect(BLAS.preferredCoreType(cpuFlags: ["avx2", "fma"]) == "Haswell")
    // Xeon Phi style AVX-512 without BW/VL/DQ is not enough for SkylakeX kernels.
    #expect(BLAS.preferredCoreType(cpuFlags: ["avx2", "fma", "avx512f", "avx512cd", "avx512er", "avx512pf"]) == "Haswell")
  }

  @Test func sseOnlyLeavesChoiceToOpenBLAS() {
    #expect(BLAS.preferredCoreType(cpuFlags: Self.sseOnlyFlags) == nil)
    #expect(BLAS.preferredCoreType(cpuFlags: []) == nil)
    #expect(BLAS.preferredCoreType(cpuFlags: ["avx", "avx2"]) == nil, "AVX2 without FMA")
    #expect(BLAS.preferredCoreType(cpuFlags: ["fma", "avx"]) == nil, "FMA without AVX2")
  }

  @Test func openBLASComesFirstOnlyWithAVX512Kernels() {
    let avx512 = BLAS.candidateNames(cpuFlags: Self.avx512Flags), zen = BLAS.candidateNames(cpuFlags: Self.zen3Flags)
    #expect(avx512.first == "libopenblas.so.0")
    #expect(avx512.firstIndex(of: "libopenblas.so.0")! < avx512.firstIndex(of: "libblis.so.4")!)
    #expect(zen.first == "libblis.so.4")
    #expect(BLAS.candidateNames(cpuFlags: []).first == "libblis.so.4")
    // The same libraries in both orders, reference BLAS last.
    #expect(Set(avx512) == Set(zen) && avx512.last == "libblas.so.3" && zen.last == "libblas.so.3")
  }

  #if os(Linux) && arch(x86_64)
  @Test func cpuFlagsAreReadOnLinux() {
    let flags = BLAS.cpuFlags()
    #expect(flags.contains("sse2"), "every x86-64 CPU has SSE2")
  }
  #endif

  @Test func libraryReport() {
    #expect(!BLAS.summary.isEmpty)
    #expect(BLAS.threadCount >= 1)
    if BLAS.isAvailable, BLAS.summary.contains("openblas") {
      #expect(BLAS.coreName != nil)
      #expect(BLAS.summary.contains("core "))
    } else if !BLAS.isAvailable {
      #expect(BLAS.summary.contains("portable Swift GEMM"))
    }
  }
}
