import Testing
import TestSupport

@Suite struct VersionTests {
  @Test func versionPrints() throws {
    let r = try CommandRunner.run(["--version"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("0.1.0"))
  }

  @Test func selfCheckReportsBLAS() throws {
    let r = try CommandRunner.run(["self-check"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("BLAS:"))
    #expect(r.stdout.contains("GFLOP/s"))
  }
}
