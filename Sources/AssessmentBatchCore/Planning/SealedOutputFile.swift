/// An ``OutputFile`` that hashes every byte written to it, so `plan.json` can end with the
/// SHA-256 of its own content (see ``PlanDigest``) and record that of `plan-rows.jsonl`.
final class SealedOutputFile {
    private let file: OutputFile
    private var digest = SHA256()

    init(path: String) throws(FileError) {
        file = try OutputFile(path: path)
    }

    func write(_ bytes: [UInt8]) throws(FileError) {
        bytes.withUnsafeBytes { digest.update($0) }
        try file.write(bytes)
    }

    /// Writes the rest of `json` (its root object left open), closes the root with the seal
    /// member, and puts the file in place; returns the digest.
    func commit(closing json: inout JSONStreamWriter) throws(FileError) -> String {
        try write(json.takeBytes())
        let (hex, trailer) = PlanDigest.trailer(sealing: &digest)
        try file.write(trailer)
        try file.commit()
        return hex
    }

    /// Puts the file in place as written; returns the SHA-256 of its bytes.
    func commitUnsealed() throws(FileError) -> String {
        try file.commit()
        return digest.finalizeHex()
    }
}
