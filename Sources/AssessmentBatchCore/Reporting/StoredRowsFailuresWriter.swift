/// The failures files of `apply --plan`: the rows of what failed, taken from the plan (which
/// kept them) rather than from the inputs, which may have been edited since the plan was
/// reviewed. Written like ``FailuresWriter``'s: the input's format, encoding, BOM, delimiter,
/// header spelling and line ending, original columns first, then `error`, `errorKind` and
/// `sourceLine`.
enum StoredRowsFailuresWriter {
    static func write(inputs: [InputDescription], rows: [SourceLocation: StoredRow], failures: [SourceLocation: RowFailure],
                      directory: String) throws -> [FailuresFile] {
        var written: [FailuresFile] = []
        let writtenNames = Set(Column.written.map { $0.rawValue.lowercased() })
        for (index, input) in inputs.enumerated() {
            let lines = failures.filter { $0.key.input == index }.sorted { $0.key < $1.key }
            guard !lines.isEmpty else { continue }
            let path = "\(directory)/\(input.stem).failures.\(input.fileExtension)"
            let file = try OutputFile(path: path)
            let encoding = input.encoding
            func encoded(_ bytes: [UInt8]) -> [UInt8] {
                encoding == .utf8 ? bytes : encoding.encode(String(decoding: bytes, as: UTF8.self))
            }
            var count = 0
            switch input.format {
            case .csv, .tsv:
                let kept = input.header.indices.filter { !writtenNames.contains(input.header[$0].trimmingWhitespace().lowercased()) }
                var line: [UInt8] = []
                FailuresWriter.appendCSVRecord(kept.map { input.header[$0] } + Column.written.map(\.rawValue), delimiter: input.delimiter,
                                               lineEnding: input.lineEnding, into: &line)
                try file.write((input.hasByteOrderMark ? encoding.byteOrderMark : []) + encoded(line))
                for (location, failure) in lines {
                    guard case .fields(let fields)? = rows[location] else { continue }
                    var record = kept.map { $0 < fields.count ? fields[$0] : "" }
                    record += [encoding.transliterated(failure.message), failure.kind.rawValue, String(location.line)]
                    var bytes: [UInt8] = []
                    FailuresWriter.appendCSVRecord(record, delimiter: input.delimiter, lineEnding: input.lineEnding, into: &bytes)
                    try file.write(encoded(bytes))
                    count += 1
                }
            case .jsonl:
                for (location, failure) in lines {
                    guard case .line(let text)? = rows[location] else { continue }
                    var object = JSONObject()
                    if let original = (try? JSONParser.parse(text))?.objectValue {
                        for member in original.members where !writtenNames.contains(member.key.lowercased()) {
                            object.append(member.key, member.value)
                        }
                    } else {
                        object.append("rawLine", .string(text))
                    }
                    object.append(Column.error.rawValue, .string(encoding.transliterated(failure.message)))
                    object.append(Column.errorKind.rawValue, .string(failure.kind.rawValue))
                    object.append(Column.sourceLine.rawValue, .number(String(location.line)))
                    var bytes: [UInt8] = []
                    JSONWriter.write(.object(object), into: &bytes)
                    bytes.append(contentsOf: input.lineEnding.utf8)
                    if count == 0 && input.hasByteOrderMark && encoding != .utf8 { try file.write(encoding.byteOrderMark) }
                    try file.write(encoded(bytes))
                    count += 1
                }
            case .xlsx:
                let byLine = Dictionary(uniqueKeysWithValues: lines.map { ($0.key.line, $0.value) })
                count = try FailuresWorkbook.write(header: input.header, rows: { emit in
                    for (location, _) in lines {
                        guard case .fields(let fields)? = rows[location] else { continue }
                        try emit(location.line, fields)
                    }
                }, failures: byLine, to: file.temporaryPath)
            }
            try file.commit()
            written.append(FailuresFile(path: path, rows: count, input: input.path))
        }
        return written
    }
}
