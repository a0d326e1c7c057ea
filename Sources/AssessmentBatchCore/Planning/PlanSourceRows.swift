import StrictJSON

/// `plan-rows.jsonl` beside `plan.json`: the input rows of a plan's assessments that may fail
/// when the plan is applied (every row but those of unchanged assessments), one JSON object per
/// line, so that `apply --plan` writes its failures file in the input's own format without
/// reading the input again. A file of its own rather than a member of `plan.json`: it is as big
/// as the input, and an apply reads from it only the rows that failed, as a stream, instead of
/// holding every row in memory. `plan.json` records its SHA-256 under its own seal.
public enum PlanSourceRows {
    public static let fileName = "plan-rows.jsonl"

    /// What `plan.json` records of the rows file.
    struct Written {
        var sha256: String
        var rows: Int
    }

    /// Reads each input again for the rows at `locations` and writes them to
    /// `directory/plan-rows.jsonl`. Fails when an input changed since it was read at the start
    /// of the plan.
    static func write(inputs: [InputDescription], locations: Set<SourceLocation>, directory: String) throws -> Written {
        let file = try SealedOutputFile(path: "\(directory)/\(fileName)")
        var count = 0
        for (index, input) in inputs.enumerated() {
            let lines = Set(locations.filter { $0.input == index }.map(\.line))
            guard !lines.isEmpty else { continue }
            var digest = SHA256()
            let reader = try ChunkedFileReader(path: input.path)
            var json = JSONStreamWriter(capacity: 1 << 16)
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
                json.bytes.append(UInt8(ascii: "\n"))
                count += 1
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
            case .xlsx:
                // Replaced by the workbook reader (issue 20): its rows are stored as `.fields`.
                throw PlanFormatError("\(input.path): storing the rows of a workbook needs the workbook reader")
            }
            try file.write(json.takeBytes())
            let now = digest.finalizeHex()
            guard now == input.sha256 else {
                throw PlanFormatError("\(input.path) changed while the plan ran (SHA-256 \(now), read as \(input.sha256)): plan again")
            }
        }
        return Written(sha256: try file.commitUnsealed(), rows: count)
    }

    /// The rows at `wanted` from the rows file at `path`, read as a stream.
    static func read(path: String, wanted: Set<SourceLocation>) throws -> [SourceLocation: StoredRow] {
        var rows: [SourceLocation: StoredRow] = [:]
        guard !wanted.isEmpty else { return rows }
        // Rows are at most one input record long (8 MB), a little more once JSON-escaped.
        var splitter = LineSplitter(limits: InputLimits(maxLineBytes: 64 << 20))
        var problem: PlanFormatError?
        let line: (UnsafeRawBufferPointer, Int) throws -> Void = { bytes, number in
            guard problem == nil, bytes.count > 0 else { return }
            guard let object = (try? JSONParser.parse(bytes, maxDepth: 4, maxStringBytes: 64 << 20))?.objectValue,
                  let input = object["input"]?.intValue, let line = object["line"]?.intValue
            else {
                problem = PlanFormatError("\(path):\(number): not a source row of assessment-batch plan")
                return
            }
            let location = SourceLocation(input: input, line: line)
            guard wanted.contains(location) else { return }
            if let fields = object["fields"]?.arrayValue {
                rows[location] = .fields(fields.map { $0.stringValue ?? "" })
            } else if let text = object["text"]?.stringValue {
                rows[location] = .line(text)
            }
        }
        try ChunkedFileReader(path: path).forEachChunk { chunk in
            try splitter.consume(chunk, onLine: line)
        }
        try splitter.finish(onLine: line)
        if let problem { throw problem }
        return rows
    }
}
