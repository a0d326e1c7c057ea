import Foundation
import Testing

@testable import AssessmentBatchCore

struct ChunkedFileReaderTests {
    @Test func readsInChunksAndParses() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("readers-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let text = "\u{FEFF}id;note\r\n1;\"a\r\nb\"\r\n\r\n2;x\r\n"
        try Data(text.utf8).write(to: url)

        let reader = try ChunkedFileReader(path: url.path, chunkSize: 3)
        var parser = CSVParser(delimiter: UInt8(ascii: ";"))
        var records: [ReaderTestSupport.ParsedRecord] = []
        var chunkSizesSeen: [Int] = []
        var digest = SHA256()
        try reader.forEachUTF8Chunk(encoding: .utf8, byteOrderMark: true, hashingInto: &digest) { chunk in
            chunkSizesSeen.append(chunk.count)
            try parser.consume(chunk) { records.append(ReaderTestSupport.ParsedRecord($0.line, $0.strings())) }
        }
        try parser.finish { records.append(ReaderTestSupport.ParsedRecord($0.line, $0.strings())) }
        #expect(records == [.init(1, ["id", "note"]), .init(2, ["1", "a\r\nb"]), .init(5, ["2", "x"])])
        // The first chunk was the BOM alone, and it is not handed on.
        #expect(chunkSizesSeen.reduce(0, +) == text.utf8.count - 3)
        #expect(chunkSizesSeen.dropLast().allSatisfy { $0 == 3 })
    }

    @Test func missingFile() {
        let error = #expect(throws: FileError.self) {
            _ = try ChunkedFileReader(path: "/nonexistent-dir/x.csv")
        }
        #expect(error?.description == "cannot open /nonexistent-dir/x.csv: No such file or directory")
        #expect(error == FileError(path: "/nonexistent-dir/x.csv", operation: .open, code: ENOENT))
    }

    @Test func directoryFailsOnRead() throws {
        let reader = try ChunkedFileReader(path: "/")
        let error = #expect(throws: FileError.self) {
            try reader.forEachChunk { _ in }
        }
        #expect(error?.description == "cannot read /: Is a directory")
    }

    @Test func emptyFileHasNoChunks() throws {
        let reader = try ChunkedFileReader(path: "/dev/null")
        var calls = 0
        try reader.forEachChunk { _ in calls += 1 }
        #expect(calls == 0)
    }

    /// The byte order mark is dropped in one place, where bytes become text: whole, however the
    /// chunks split it, while the digest still covers the file's own bytes.
    @Test(arguments: [1, 2, 3, 4, 64])
    func utf8TextDropsTheByteOrderMarkOnce(chunkSize: Int) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bom-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id\n\u{FEFF}1\n".utf8)
        try Data(bytes).write(to: url)
        func text(byteOrderMark: Bool) throws -> ([UInt8], String) {
            var digest = SHA256()
            var text: [UInt8] = []
            try ChunkedFileReader(path: url.path, chunkSize: chunkSize)
                .forEachUTF8Chunk(encoding: .utf8, byteOrderMark: byteOrderMark, hashingInto: &digest) { text += $0 }
            return (text, digest.finalizeHex())
        }
        var whole = SHA256()
        bytes.withUnsafeBytes { whole.update($0) }
        let expectedDigest = whole.finalizeHex()
        // Only the leading BOM goes; one inside the text is data.
        #expect(try text(byteOrderMark: true) == (Array(bytes.dropFirst(3)), expectedDigest))
        #expect(try text(byteOrderMark: false) == (bytes, expectedDigest))
    }
}
