/// CSV and TSV files as rows: a header row, then one row per record.
struct CSVRowSource: RowSource {
    /// Overrides delimiter detection.
    var delimiter: UInt8?
    var encoding: EncodingOption?
    var limits: InputLimits

    static let noRowsMessage = "the file has no data rows (a header and at least one row are required)"

    mutating func read(_ input: inout InputDescription, into rows: RowSink) {
        TextInput.read(&input, option: self.encoding, into: rows) { text, input, digest in
            let delimiter = self.delimiter
                ?? (input.format == .tsv ? UInt8(ascii: "\t") : text.start.withUnsafeBytes { CSVParser.detectDelimiter(in: $0) })
            input.delimiter = delimiter
            var parser = CSVParser(delimiter: delimiter, limits: self.limits)
            var header: SheetHeader?
            do {
                try text.forEachChunk(hashingInto: &digest) { chunk in
                    try parser.consume(chunk) { record in
                        try Self.handle(record, header: &header, input: &input, rows: rows)
                    }
                }
            } catch let error as UndecodableText {
                throw InputSyntaxError(line: parser.currentLine, message: error.message)
            }
            try parser.finish { record in
                try Self.handle(record, header: &header, input: &input, rows: rows)
            }
        }
    }

    /// The header record, or a data row.
    private static func handle(_ record: borrowing CSVRecord, header: inout SheetHeader?, input: inout InputDescription,
                               rows: RowSink) throws(SheetHeader.Unusable) {
        guard let known = header else {
            let names = (0..<record.count).map { record.string($0) }
            input.header = names
            guard let read = SheetHeader(names: names, line: record.line, rows: rows) else { throw SheetHeader.Unusable() }
            rows.unescapesFormulas = read.unescapesFormulas
            header = read
            return
        }
        rows.row(line: record.line) { cells in
            known.begin(&cells)
            for index in 0..<record.count where !record.isEmpty(index) {
                known.set(index, .text(record.bytes(index)), into: &cells)
            }
        }
    }
}
