import StrictJSON

/// The seal on `plan.json`: its last member, `"planSHA256"`, is the SHA-256 of every byte of
/// the file before the comma that precedes it. `apply --plan` recomputes it and refuses a plan
/// whose bytes differ in any way (a value, a space, a line ending) from what `plan` wrote, so
/// what is applied is what was reviewed. It is a checksum, not a signature: it catches edits,
/// not someone who recomputes it on purpose.
public enum PlanDigest {
    static let key = "planSHA256"

    /// `"…,\n  "planSHA256": "` — what stands between the hashed content and the digest.
    private static let lead = Array(",\n  \"\(key)\": \"".utf8)
    /// `"\n}\n` — what follows the 64 hex digits.
    private static let tail = Array("\"\n}\n".utf8)

    /// The digest of `content` and the bytes that close `plan.json` with it.
    static func trailer(sealing digest: inout SHA256) -> (hex: String, bytes: [UInt8]) {
        let hex = digest.finalizeHex()
        return (hex, lead + Array(hex.utf8) + tail)
    }

    /// The digest recorded in `bytes` (a whole `plan.json`) when it matches the content,
    /// else why not.
    public static func verify(_ bytes: [UInt8]) -> Result<String, PlanFormatError> {
        let digestLength = 64
        let trailerLength = lead.count + digestLength + tail.count
        guard bytes.count > trailerLength else {
            return .failure(PlanFormatError("it has no \"\(key)\" seal: not written by assessment-batch plan, or cut short"))
        }
        let leadStart = bytes.count - trailerLength
        let digestStart = leadStart + lead.count
        guard Array(bytes[leadStart..<digestStart]) == lead, Array(bytes[(digestStart + digestLength)...]) == tail else {
            return .failure(PlanFormatError("its last member is not the \"\(key)\" seal that plan writes: the file was altered"))
        }
        let recorded = String(decoding: bytes[digestStart..<(digestStart + digestLength)], as: UTF8.self)
        var digest = SHA256()
        bytes.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[..<leadStart])) }
        let actual = digest.finalizeHex()
        guard actual == recorded else {
            return .failure(PlanFormatError("its content does not match its \"\(key)\" seal (SHA-256 \(actual), sealed \(recorded)): the file was altered after plan wrote it"))
        }
        return .success(recorded)
    }
}
