import SharedSupport
import Foundation
import Testing
@testable import AssessmentBatchCore

struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ], [false, true])
    func knownDigests(vector: (text: String, hex: String), portable: Bool) {
        var digest = SHA256(portable: portable)
        Array(vector.text.utf8).withUnsafeBytes { digest.update($0) }
        #expect(digest.finalizeHex() == vector.hex)
    }

    /// libcurl's OpenSSL build brings libcrypto along: the fast path is the one in use.
    @Test func libcryptoDoesTheWork() {
        #if os(Linux)
        #expect(SHA256().usesLibcrypto)
        #endif
        #expect(!SHA256(portable: true).usesLibcrypto)
    }

    @Test(arguments: [false, true])
    func chunkingDoesNotChangeTheDigest(portable: Bool) {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var whole = SHA256(portable: true)
        bytes.withUnsafeBytes { whole.update($0) }
        var pieces = SHA256(portable: portable)
        var offset = 0
        for size in [1, 63, 64, 65, 127, 3000] where offset < bytes.count {
            let end = min(bytes.count, offset + size)
            bytes[offset..<end].withUnsafeBytes { pieces.update($0) }
            offset = end
        }
        bytes[offset...].withUnsafeBytes { pieces.update($0) }
        #expect(pieces.finalizeHex() == whole.finalizeHex())
    }

    /// A copy goes on on its own, as a value does (libcrypto's context is copied on write).
    @Test(arguments: [false, true])
    func copiesAreIndependent(portable: Bool) {
        var first = SHA256(portable: portable)
        Array("ab".utf8).withUnsafeBytes { first.update($0) }
        var second = first
        Array("c".utf8).withUnsafeBytes { first.update($0) }
        Array("d".utf8).withUnsafeBytes { second.update($0) }
        #expect(first.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var abd = SHA256(portable: true)
        Array("abd".utf8).withUnsafeBytes { abd.update($0) }
        #expect(second.finalizeHex() == abd.finalizeHex())
    }
}
