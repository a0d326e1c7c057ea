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
        try reader.forEachChunk { chunk in
            chunkSizesSeen.append(chunk.count)
            try parser.consume(chunk) { records.append(ReaderTestSupport.ParsedRecord($0.line, $0.strings())) }
        }
        try parser.finish { records.append(ReaderTestSupport.ParsedRecord($0.line, $0.strings())) }
        #expect(records == [.init(1, ["id", "note"]), .init(2, ["1", "a\r\nb"]), .init(5, ["2", "x"])])
        #expect(chunkSizesSeen.reduce(0, +) == text.utf8.count)
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
}
