/// A failures file that was written.
public struct FailuresFile: Sendable {
    public var path: String
    public var rows: Int
    /// The input it holds rows of.
    public var input: String
}

/// Writes `<stem>.failures.<ext>` for each input with rows that were not applied.
///
/// The input is read again rather than kept in memory: its rows come out in the input's own
/// format, encoding, delimiter, header spelling, BOM and line ending, original columns first
/// and untouched, then `error`, `errorKind` and `sourceLine` (replacing any from an earlier
/// run), so `apply` on the file (with the same `--encoding`) retries exactly those rows. The
/// `error` text is written with characters the encoding has (`≥` becomes `>=` in a
/// Windows-1252 file); the input's own values are written back as they were read.
public enum FailuresWriter {
    public static func write(inputs: [InputDescription], failures: [SourceLocation: RowFailure], directory: String) throws -> [FailuresFile] {
        var written: [FailuresFile] = []
        for (index, input) in inputs.enumerated() {
            let lines = failures.filter { $0.key.input == index }
            guard !lines.isEmpty else { continue }
            let byLine = Dictionary(uniqueKeysWithValues: lines.map { ($0.key.line, $0.value) })
            let path = "\(directory)/\(input.stem).failures.\(input.fileExtension)"
            let file = try OutputFile(path: path)
            let rows: Int
            switch input.format {
            case .csv, .tsv: rows = try writeCSV(input, failures: byLine, to: file)
            case .jsonl: rows = try writeJSONL(input, failures: byLine, to: file)
            case .xlsx: rows = try FailuresWorkbook.write(input, failures: byLine, to: file)
            }
            try file.commit()
            written.append(FailuresFile(path: path, rows: rows, input: input.path))
        }
        return written
    }

    private static func writeCSV(_ input: InputDescription, failures: [Int: RowFailure], to file: OutputFile) throws -> Int {
        let delimiter = input.delimiter
        let writtenNames = Set(Column.written.map { $0.rawValue.lowercased() })
        let kept = input.header.indices.filter { !writtenNames.contains(input.header[$0].trimmingWhitespace().lowercased()) }
        let encoding = input.encoding
        var line: [UInt8] = []
        let header = kept.map { input.header[$0] } + Column.written.map(\.rawValue)
        appendCSVRecord(header, delimiter: delimiter, lineEnding: input.lineEnding, into: &line)
        try file.write((input.hasByteOrderMark ? encoding.byteOrderMark : []) + encoded(line, encoding))
        var rows = 0
        var sawHeader = false
        var parser = CSVParser(delimiter: delimiter)
        let reader = try ChunkedFileReader(path: input.path)
        let emit: (borrowing CSVRecord) throws -> Void = { record in
            guard sawHeader else {
                sawHeader = true
                return
            }
            guard let failure = failures[record.line] else { return }
            var fields = kept.map { $0 < record.count ? record.string($0) : "" }
            fields += [encoding.transliterated(failure.message), failure.kind.rawValue, String(record.line)]
            var bytes: [UInt8] = []
            appendCSVRecord(fields, delimiter: delimiter, lineEnding: input.lineEnding, into: &bytes)
            try file.write(encoded(bytes, encoding))
            rows += 1
        }
        var digest = SHA256()
        try reader.forEachUTF8Chunk(encoding: encoding, byteOrderMark: input.hasByteOrderMark, hashingInto: &digest) { chunk in
            try parser.consume(chunk, onRecord: emit)
        }
        try parser.finish(onRecord: emit)
        return rows
    }

    private static func writeJSONL(_ input: InputDescription, failures: [Int: RowFailure], to file: OutputFile) throws -> Int {
        var rows = 0
        var splitter = LineSplitter()
        let reader = try ChunkedFileReader(path: input.path)
        let writtenNames = Set(Column.written.map { $0.rawValue.lowercased() })
        let emit: (UnsafeRawBufferPointer, Int) throws -> Void = { line, number in
            guard let failure = failures[number] else { return }
            var json = JSONStreamWriter(capacity: line.count + 128)
            json.beginObject()
            if let original = (try? JSONParser.parse(line))?.objectValue {
                for member in original.members where !writtenNames.contains(member.key.lowercased()) {
                    json.key(member.key)
                    json.value(member.value)
                }
            } else {
                json.key("rawLine")
                json.string(String(decoding: line, as: UTF8.self))
            }
            json.key(Column.error.rawValue)
            json.string(input.encoding.transliterated(failure.message))
            json.key(Column.errorKind.rawValue)
            json.string(failure.kind.rawValue)
            json.key(Column.sourceLine.rawValue)
            json.int(number)
            json.endObject()
            var bytes = json.takeBytes()
            bytes.append(contentsOf: input.lineEnding.utf8)
            if rows == 0 && input.hasByteOrderMark && input.encoding != .utf8 { try file.write(input.encoding.byteOrderMark) }
            try file.write(encoded(bytes, input.encoding))
            rows += 1
        }
        var digest = SHA256()
        try reader.forEachUTF8Chunk(encoding: input.encoding, byteOrderMark: input.hasByteOrderMark, hashingInto: &digest) { chunk in
            try splitter.consume(chunk, onLine: emit)
        }
        try splitter.finish(onLine: emit)
        return rows
    }

    /// UTF-8 `bytes` in the input's `encoding`.
    private static func encoded(_ bytes: [UInt8], _ encoding: TextEncoding) -> [UInt8] {
        encoding == .utf8 ? bytes : encoding.encode(String(decoding: bytes, as: UTF8.self))
    }

    /// Appends one RFC 4180 record, quoting only fields that need it.
    static func appendCSVRecord(_ fields: [String], delimiter: UInt8, lineEnding: String, into out: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(delimiter) }
            let bytes = Array(field.utf8)
            if bytes.contains(where: { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
                out.append(UInt8(ascii: "\""))
                for byte in bytes {
                    out.append(byte)
                    if byte == UInt8(ascii: "\"") { out.append(byte) }
                }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: bytes)
            }
        }
        out.append(contentsOf: lineEnding.utf8)
    }
}
