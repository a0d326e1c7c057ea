import StrictJSON

/// The input rows of a plan's assessments that may fail when the plan is applied (every row
/// but those of unchanged assessments), kept in `plan.json` so that `apply --plan` writes its
/// failures file in the input's own format without reading the input again.
public enum PlanSourceRows {
    /// Reads each input again for the rows at `locations` and writes them as the `sourceRows`
    /// member of the open root object of `json`, flushing to `file` as it grows. Fails when an
    /// input changed since it was read at the start of the plan.
    static func write(inputs: [InputDescription], locations: Set<SourceLocation>, into output: inout JSONStreamWriter,
                      file: SealedOutputFile) throws {
        // A local writer: the readers' callbacks below may not capture an inout parameter.
        var json = exchange(&output, with: JSONStreamWriter())
        defer { output = exchange(&json, with: JSONStreamWriter()) }
        json.key("sourceRows")
        json.beginArray()
        for (index, input) in inputs.enumerated() {
            let lines = Set(locations.filter { $0.input == index }.map(\.line))
            guard !lines.isEmpty else { continue }
            var digest = SHA256()
            let reader = try ChunkedFileReader(path: input.path)
            func emit(_ line: Int, _ row: StoredRow) throws {
                guard lines.contains(line) else { return }
                json.beginObject()
                json.key("input")
                json.int(index)
                json.key("line")
                json.int(line)
                switch row {
                case .fields(let fields):
                    json.key("fields")
                    json.beginArray()
                    for field in fields { json.string(field) }
                    json.endArray()
                case .line(let text):
                    json.key("text")
                    json.string(text)
                }
                json.endObject()
                if json.bytes.count >= 1 << 16 { try file.write(json.takeBytes()) }
            }
            switch input.format {
            case .csv, .tsv:
                var parser = CSVParser(delimiter: input.delimiter)
                var sawHeader = false
                let record: (borrowing CSVRecord) throws -> Void = { record in
                    guard sawHeader else {
                        sawHeader = true
                        return
                    }
                    try emit(record.line, .fields(record.strings()))
                }
                try reader.forEachUTF8Chunk(encoding: input.encoding, byteOrderMark: input.hasByteOrderMark, hashingInto: &digest) { chunk in
                    try parser.consume(chunk, onRecord: record)
                }
                try parser.finish(onRecord: record)
            case .jsonl:
                var splitter = LineSplitter()
                let line: (UnsafeRawBufferPointer, Int) throws -> Void = { bytes, number in
                    try emit(number, .line(String(decoding: bytes, as: UTF8.self)))
                }
                try reader.forEachUTF8Chunk(encoding: input.encoding, byteOrderMark: input.hasByteOrderMark, hashingInto: &digest) { chunk in
                    try splitter.consume(chunk, onLine: line)
                }
                try splitter.finish(onLine: line)
            }
            let now = digest.finalizeHex()
            guard now == input.sha256 else {
                throw PlanFormatError("\(input.path) changed while the plan ran (SHA-256 \(now), read as \(input.sha256)): plan again")
            }
        }
        json.endArray()
    }

    /// The rows of `plan.json`'s `sourceRows`, by location.
    static func read(_ value: JSONValue?, inputs: Int) throws(PlanFormatError) -> [SourceLocation: StoredRow] {
        var rows: [SourceLocation: StoredRow] = [:]
        for item in value?.arrayValue ?? [] {
            guard let object = item.objectValue, let input = object["input"]?.intValue, (0..<inputs).contains(input),
                  let line = object["line"]?.intValue, line > 0
            else { throw PlanFormatError("a source row needs an input and a line") }
            let location = SourceLocation(input: input, line: line)
            if let fields = object["fields"]?.arrayValue {
                rows[location] = .fields(fields.map { $0.stringValue ?? "" })
            } else if let text = object["text"]?.stringValue {
                rows[location] = .line(text)
            } else {
                throw PlanFormatError("source row \(line) has neither fields nor text")
            }
        }
        return rows
    }
}
