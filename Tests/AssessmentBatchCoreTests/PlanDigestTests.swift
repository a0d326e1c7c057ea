@testable import AssessmentBatchCore
import StrictJSON
import Testing

/// The SHA-256 seal `plan.json` ends with, and how `apply --plan` checks it.
@Suite struct PlanDigestTests {
    /// A sealed document as `plan` writes one.
    private func sealed(_ content: String) -> [UInt8] {
        var digest = SHA256()
        let bytes = Array(content.utf8)
        bytes.withUnsafeBytes { digest.update($0) }
        return bytes + PlanDigest.trailer(sealing: &digest).bytes
    }

    @Test func aSealedPlanVerifiesAndReadsAsJSON() throws {
        let bytes = sealed("{\n  \"tool\": \"assessment-batch\"")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"tool\": \"assessment-batch\",\n  \"planSHA256\": \""))
        #expect(text.hasSuffix("\"\n}\n"))
        guard case .success(let digest) = PlanDigest.verify(bytes) else {
            Issue.record("a sealed plan did not verify")
            return
        }
        #expect(digest.count == 64)
        let parsed = try bytes.withUnsafeBytes { try JSONParser.parse($0) }
        #expect(parsed.objectValue?["planSHA256"]?.stringValue == digest)
    }

    @Test func anyChangedByteIsRefused() {
        let bytes = sealed("{\n  \"tool\": \"assessment-batch\"")
        for index in [0, 5, 12, bytes.count - 30] {
            var altered = bytes
            altered[index] ^= 0x20
            guard case .failure(let error) = PlanDigest.verify(altered) else {
                Issue.record("a change at byte \(index) was not noticed")
                continue
            }
            #expect(error.message.hasPrefix("its content does not match its \"planSHA256\" seal (SHA-256 "))
            #expect(error.message.hasSuffix("): the file was altered after plan wrote it"))
        }
    }

    @Test func aPlanWithoutItsSealIsRefused() {
        guard case .failure(let error) = PlanDigest.verify(Array("{\n  \"tool\": \"assessment-batch\"\n}\n".utf8)) else {
            Issue.record("a plan without a seal verified")
            return
        }
        #expect(error.message == "it has no \"planSHA256\" seal: not written by assessment-batch plan, or cut short")
        var cut = sealed(String(repeating: "x", count: 200))
        cut.removeLast()
        guard case .failure(let short) = PlanDigest.verify(cut) else {
            Issue.record("a cut plan verified")
            return
        }
        #expect(short.message == "its last member is not the \"planSHA256\" seal that plan writes: the file was altered")
    }
}
