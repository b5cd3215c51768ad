import Foundation
import TabularData
import Testing
import Synthesizers

@Suite struct ScratchCopyTests {
  @Test func a() { var o = FitOptions(seed: 2, threads: 1); o.iterations = 3; let p = o; #expect(p.iterations == 3) }
  @Test func b() { var o = FitOptions(seed: 2, threads: 1); o.privacy = PrivacyRequest(epsilon: 1); let p = o; #expect(p.privacy != nil) }
  @Test func c() { var o = FitOptions(seed: 2, threads: 1); o.publicMetadataFile = "x"; let p = o; #expect(p.publicMetadataFile == "x") }
  @Test func d() throws {
    var o = FitOptions(seed: 2, threads: 1)
    o.publicMetadata = try JSONDecoder().decode(Metadata.self, from: Data("{\"columns\": {}}".utf8)); let p = o; #expect(p.publicMetadata != nil)
  }
}
struct ScratchS: Sendable, Equatable { var a: Double?; var b: Double?; var c: Double?; var d: Double = 1 }
struct ScratchT { var x: [String: Int] = [:]; var s: ScratchS?; var y: String? }
@Suite struct ScratchCopy2Tests {
  @Test func e() { var o = ScratchT(); o.s = ScratchS(a: 1); let p = o; #expect(p.s != nil) }
  @Test func f() { var o = FitOptions(seed: 2, threads: 1); o.privacy = PrivacyRequest(epsilon: 1, delta: 1e-5, noiseMultiplier: 2); let p = o; #expect(p.privacy != nil) }
  @Test func g() { let r = PrivacyRequest(epsilon: 1); let q = r; #expect(q.epsilon == 1) }
  @Test func h() { var o = FitOptions(seed: 2, threads: 1); o.privacy = nil; let p = o; #expect(p.privacy == nil) }
}
