/// One CSV record, valid only inside the `onRecord` callback that receives it.
///
/// Field bytes are unescaped (surrounding quotes removed, `""` turned into `"`), checked to be
/// valid UTF-8 without NUL bytes, and point either into the caller's chunk or into the parser's
/// record buffer; both are reused as soon as the callback returns. Copy what you need to keep.
public struct CSVRecord: ~Copyable {
    /// The 1-based physical line where the record starts.
    public let line: Int
    /// The number of fields (at least 1).
    public let count: Int
    private let base: UnsafePointer<UInt8>
    private let starts: UnsafePointer<Int>
    private let ends: UnsafePointer<Int>

    init(line: Int, count: Int, base: UnsafePointer<UInt8>, starts: UnsafePointer<Int>, ends: UnsafePointer<Int>) {
        self.line = line
        self.count = count
        self.base = base
        self.starts = starts
        self.ends = ends
    }

    /// The unescaped bytes of field `index` (0-based); valid only during the callback.
    @inline(__always)
    public func bytes(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(index >= 0 && index < count, "CSV field index \(index) out of range 0..<\(count)")
        return UnsafeBufferPointer(start: base + starts[index], count: ends[index] - starts[index])
    }

    /// Field `index` (0-based) as a `String`.
    public func string(_ index: Int) -> String {
        String(decoding: bytes(index), as: UTF8.self)
    }

    /// Whether field `index` (0-based) has no bytes (`a,,b` and `a,"",b` both have an empty field 1).
    @inline(__always)
    public func isEmpty(_ index: Int) -> Bool {
        precondition(index >= 0 && index < count, "CSV field index \(index) out of range 0..<\(count)")
        return starts[index] == ends[index]
    }

    /// Every field as a `String`.
    public func strings() -> [String] {
        var result: [String] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            result.append(string(index))
        }
        return result
    }
}

/// RFC 4180 CSV, fed chunk by chunk.
///
/// Reads what Excel and LibreOffice write (as text: a byte order mark is dropped before, by
/// `forEachUTF8Chunk`): CRLF, LF or lone CR line ends,
/// quoted fields with delimiters, doubled quotes and line breaks inside. Blank lines are skipped;
/// a quote inside an unquoted field is kept as it is. Every record is checked for NUL bytes,
/// valid UTF-8 and the `InputLimits` before it is handed on, so `CSVRecord.string(_:)` is lossless.
///
/// Feed chunks of any size with `consume`, then call `finish` once at the end of the input
/// (which also resets the parser for another input). After an error the parser must not be fed
/// again. Records that lie wholly inside one chunk are handed on without copying.
public struct CSVParser: ~Copyable {
    private enum State {
        case recordStart, fieldStart, unquoted, quoted, quoteAfterQuoted
    }

    private static let quote = UInt8(ascii: "\"")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let stopsUnquoted: UInt8 = 1
    private static let stopsQuoted: UInt8 = 2

    /// The field delimiter.
    public let delimiter: UInt8
    /// The limits checked on every record.
    public let limits: InputLimits

    /// Per byte value: which scanning loops must stop at it.
    private let table: UnsafeMutablePointer<UInt8>
    /// The record buffer: holds a record once it crosses a chunk or needs unescaping.
    private var buffer: UnsafeMutablePointer<UInt8>
    private var bufferCapacity: Int
    private var bufferCount = 0
    /// Field start and end offsets, relative to the chunk or (when `spilled`) to `buffer`.
    private var starts: UnsafeMutablePointer<Int>
    private var ends: UnsafeMutablePointer<Int>
    private var fieldCapacity: Int
    private var fieldCount = 0
    /// Bytes in the finished fields of the current record.
    private var recordBytes = 0
    /// Where the current field's content starts (chunk or buffer offset).
    private var fieldStart = 0
    private var fieldQuoted = false
    /// Whether the current record lives in `buffer` rather than in the chunk.
    private var spilled = false
    private var state = State.recordStart
    private var line = 1
    /// The 1-based physical line the next byte fed is on (for problems found in front of the
    /// parser, such as bytes that are not text in the file's encoding).
    public var currentLine: Int { line }
    private var recordLine = 1
    private var fieldLine = 1
    /// A CR ended the last chunk: an LF starting the next one belongs to it.
    private var pendingCR = false

    /// Creates a parser for `delimiter` (any ASCII byte except `"`, CR, LF and NUL).
    public init(delimiter: UInt8, limits: InputLimits = InputLimits()) {
        precondition(
            delimiter < 0x80 && delimiter != 0 && delimiter != Self.quote && delimiter != Self.cr
                && delimiter != Self.lf,
            "invalid CSV delimiter \(delimiter)"
        )
        self.delimiter = delimiter
        self.limits = limits
        table = .allocate(capacity: 256)
        table.initialize(repeating: 0, count: 256)
        for byte in [0, Self.cr, Self.lf] {
            table[Int(byte)] = Self.stopsUnquoted | Self.stopsQuoted
        }
        table[Int(delimiter)] |= Self.stopsUnquoted
        table[Int(Self.quote)] |= Self.stopsQuoted
        bufferCapacity = 4096
        buffer = .allocate(capacity: bufferCapacity)
        fieldCapacity = min(16, limits.maxColumns)
        starts = .allocate(capacity: fieldCapacity)
        ends = .allocate(capacity: fieldCapacity)
    }

    deinit {
        table.deallocate()
        buffer.deallocate()
        starts.deallocate()
        ends.deallocate()
    }

    /// Guesses the delimiter among `,` `;` `\t` from the first record (outside quotes) of the first chunk; the most frequent wins, `,` on ties or none.
    ///
    /// Blank lines before the first record are skipped; between `;` and tab, `;` wins a tie.
    /// `prefix` is text: without the file's byte order mark.
    public static func detectDelimiter(in prefix: UnsafeRawBufferPointer) -> UInt8 {
        let comma = UInt8(ascii: ","), semicolon = UInt8(ascii: ";"), tab = UInt8(ascii: "\t")
        let bytes = prefix.assumingMemoryBound(to: UInt8.self)
        var i = 0
        while i < bytes.count && (bytes[i] == cr || bytes[i] == lf) {
            i += 1
        }
        var commas = 0, semicolons = 0, tabs = 0
        var inQuotes = false
        var atFieldStart = true
        scan: while i < bytes.count {
            let byte = bytes[i]
            i += 1
            if inQuotes {
                if byte == quote {
                    if i < bytes.count && bytes[i] == quote {
                        i += 1
                    } else {
                        inQuotes = false
                    }
                }
                continue
            }
            switch byte {
            case cr, lf: break scan
            case comma: commas += 1
            case semicolon: semicolons += 1
            case tab: tabs += 1
            case quote where atFieldStart: inQuotes = true
            default: break
            }
            atFieldStart = byte == comma || byte == semicolon || byte == tab
        }
        if semicolons > commas && semicolons >= tabs { return semicolon }
        if tabs > commas && tabs > semicolons { return tab }
        return comma
    }

    /// Parses the next chunk of input, calling `onRecord` for every record completed in it.
    ///
    /// - Throws: `InputSyntaxError` for malformed or over-limit input, or whatever `onRecord` throws.
    public mutating func consume(
        _ bytes: UnsafeRawBufferPointer,
        onRecord: (borrowing CSVRecord) throws -> Void
    ) throws {
        guard let raw = bytes.baseAddress, bytes.count > 0 else { return }
        let chunk = raw.assumingMemoryBound(to: UInt8.self)
        try parse(chunk, from: 0, to: bytes.count, onRecord)
    }

    /// Ends the input: hands on a last record without a final line end and resets the parser.
    ///
    /// - Throws: `InputSyntaxError` when a quoted field is still open, or whatever `onRecord` throws.
    public mutating func finish(onRecord: (borrowing CSVRecord) throws -> Void) throws {
        pendingCR = false
        let base = UnsafePointer(buffer)
        switch state {
        case .recordStart:
            break
        case .fieldStart:
            try beginField(quoted: false, at: line)
            fieldStart = bufferCount
            try endField(bufferCount, base)
            try emit(base, onRecord)
        case .unquoted, .quoteAfterQuoted:
            try endField(bufferCount, base)
            try emit(base, onRecord)
        case .quoted:
            throw InputSyntaxError(line: fieldLine, message: "unterminated quoted field (opened on line \(fieldLine))")
        }
        reset()
    }

    // MARK: - Scanning

    // The state machine. Runs of ordinary bytes are skipped with a table lookup per byte; a
    // record is copied into `buffer` only when it crosses the chunk end or has a doubled quote.
    private mutating func parse(
        _ chunk: UnsafePointer<UInt8>,
        from startIndex: Int,
        to end: Int,
        _ onRecord: (borrowing CSVRecord) throws -> Void
    ) throws {
        let quote = Self.quote, cr = Self.cr, lf = Self.lf
        let delimiter = self.delimiter
        let table = UnsafePointer(self.table)
        var p = startIndex
        if pendingCR {
            pendingCR = false
            if p < end && chunk[p] == lf {
                if state == .quoted {
                    try appendToBuffer(chunk + p, count: 1)
                }
                p += 1
            }
        }
        var state = self.state
        var line = self.line
        defer {
            self.state = state
            self.line = line
        }
        // Where the content of a direct (unspilled) quoted field ends, at its closing quote.
        var contentEnd = 0

        loop: while true {
            switch state {
            case .recordStart:
                guard p < end else { break loop }
                let byte = chunk[p]
                if byte == lf || byte == cr {
                    // A blank line.
                    line += 1
                    p += 1
                    if byte == cr {
                        if p == end {
                            pendingCR = true
                        } else if chunk[p] == lf {
                            p += 1
                        }
                    }
                    continue loop
                }
                recordLine = line
                state = .fieldStart
                fallthrough

            case .fieldStart:
                guard p < end else { break loop }
                if chunk[p] == quote {
                    try beginField(quoted: true, at: line)
                    p += 1
                    state = .quoted
                } else {
                    try beginField(quoted: false, at: line)
                    state = .unquoted
                }
                fieldStart = spilled ? bufferCount : p

            case .unquoted:
                var q = p
                while q < end && table[Int(chunk[q])] & Self.stopsUnquoted == 0 {
                    q += 1
                }
                if spilled {
                    try appendToBuffer(chunk + p, count: q - p)
                }
                p = q
                guard q < end else { break loop }
                let byte = chunk[q]
                if byte == 0 {
                    try checkLimits(fieldLength: (spilled ? bufferCount : q) - fieldStart)
                    throw InputSyntaxError(line: line, message: "NUL byte in field \(fieldCount + 1)", field: fieldCount)
                }
                try endField(spilled ? bufferCount : q, chunk)
                p += 1
                if byte == delimiter {
                    state = .fieldStart
                    continue loop
                }
                line += 1
                if byte == cr {
                    if p == end {
                        pendingCR = true
                    } else if chunk[p] == lf {
                        p += 1
                    }
                }
                try emit(chunk, onRecord)
                state = .recordStart

            case .quoted:
                var q = p
                while true {
                    while q < end && table[Int(chunk[q])] & Self.stopsQuoted == 0 {
                        q += 1
                    }
                    guard q < end else { break }
                    let byte = chunk[q]
                    if byte == lf {
                        line += 1
                        q += 1
                    } else if byte == cr {
                        line += 1
                        q += 1
                        if q == end {
                            pendingCR = true
                        } else if chunk[q] == lf {
                            q += 1
                        }
                    } else {
                        break
                    }
                }
                if spilled {
                    try appendToBuffer(chunk + p, count: q - p)
                }
                p = q
                guard q < end else { break loop }
                if chunk[q] == quote {
                    contentEnd = spilled ? bufferCount : q
                    p += 1
                    state = .quoteAfterQuoted
                    continue loop
                }
                try checkLimits(fieldLength: (spilled ? bufferCount : q) - fieldStart)
                throw InputSyntaxError(line: line, message: "NUL byte in field \(fieldCount + 1)", field: fieldCount)

            case .quoteAfterQuoted:
                guard p < end else { break loop }
                let byte = chunk[p]
                if byte == quote {
                    // A doubled quote: one literal quote, which needs the record in the buffer.
                    if spilled {
                        try appendToBuffer(chunk + p, count: 1)
                    } else {
                        try spill(chunk, inProgressEnd: contentEnd + 1)
                    }
                    p += 1
                    state = .quoted
                    continue loop
                }
                let fieldEnd = spilled ? bufferCount : contentEnd
                guard byte == delimiter || byte == cr || byte == lf else {
                    try checkLimits(fieldLength: fieldEnd - fieldStart)
                    throw InputSyntaxError(
                        line: line,
                        message: "unexpected character after closing quote in field \(fieldCount + 1)",
                        field: fieldCount
                    )
                }
                try endField(fieldEnd, chunk)
                p += 1
                if byte == delimiter {
                    state = .fieldStart
                    continue loop
                }
                line += 1
                if byte == cr {
                    if p == end {
                        pendingCR = true
                    } else if chunk[p] == lf {
                        p += 1
                    }
                }
                try emit(chunk, onRecord)
                state = .recordStart
            }
        }

        // The chunk ends inside a record: move it into the buffer before the chunk goes away.
        if !spilled {
            switch state {
            case .recordStart: break
            case .fieldStart: try spill(chunk, inProgressEnd: nil)
            case .unquoted, .quoted: try spill(chunk, inProgressEnd: end)
            case .quoteAfterQuoted: try spill(chunk, inProgressEnd: contentEnd)
            }
        }
    }

    // MARK: - Fields and records

    @inline(__always)
    private mutating func beginField(quoted: Bool, at line: Int) throws(InputSyntaxError) {
        if fieldCount == limits.maxColumns {
            throw InputSyntaxError(line: line, message: "more than \(limits.maxColumns) fields in record")
        }
        fieldQuoted = quoted
        fieldLine = line
    }

    // `mutating` only so that calls from the mutating scanner borrow `self` in place: a
    // non-mutating method on this noncopyable struct gets a bitwise copy of it per call.
    @inline(__always)
    private mutating func checkLimits(fieldLength: Int) throws(InputSyntaxError) {
        if fieldLength > limits.maxFieldBytes || recordBytes + fieldLength > limits.maxRecordBytes {
            throw limitError(fieldLength: fieldLength)
        }
    }

    /// The limit crossed first: the one exceeded by more bytes (checks happen at different
    /// points depending on chunking, but this answer does not).
    private func limitError(fieldLength: Int) -> InputSyntaxError {
        let fieldExcess = fieldLength - limits.maxFieldBytes
        let recordExcess = recordBytes + fieldLength - limits.maxRecordBytes
        if fieldExcess > 0 && fieldExcess >= recordExcess {
            let hint = fieldQuoted ? " (unterminated quote?)" : ""
            return InputSyntaxError(
                line: fieldLine,
                message: "field \(fieldCount + 1) longer than \(limits.maxFieldBytes) bytes\(hint)"
            )
        }
        return InputSyntaxError(line: recordLine, message: "record longer than \(limits.maxRecordBytes) bytes")
    }

    @inline(__always)
    private mutating func endField(_ end: Int, _ chunk: UnsafePointer<UInt8>) throws(InputSyntaxError) {
        let length = end - fieldStart
        try checkLimits(fieldLength: length)
        let base = spilled ? UnsafePointer(buffer) : chunk
        guard UTF8Validation.isValid(base + fieldStart, count: length) else {
            throw InputSyntaxError.invalidUTF8(field: fieldCount, fieldLine: fieldLine,
                                               bytes: UnsafeBufferPointer(start: base + fieldStart, count: length))
        }
        if fieldCount == fieldCapacity {
            growFields()
        }
        starts[fieldCount] = fieldStart
        ends[fieldCount] = end
        fieldCount += 1
        recordBytes += length
    }

    private mutating func emit(_ chunk: UnsafePointer<UInt8>, _ onRecord: (borrowing CSVRecord) throws -> Void) throws {
        let record = CSVRecord(
            line: recordLine,
            count: fieldCount,
            base: spilled ? UnsafePointer(buffer) : chunk,
            starts: starts,
            ends: ends
        )
        fieldCount = 0
        recordBytes = 0
        bufferCount = 0
        spilled = false
        try onRecord(record)
    }

    /// Copies the finished fields and the current field's content so far into the buffer.
    private mutating func spill(_ chunk: UnsafePointer<UInt8>, inProgressEnd: Int?) throws(InputSyntaxError) {
        bufferCount = 0
        reserve(recordBytes)
        for index in 0..<fieldCount {
            let length = ends[index] - starts[index]
            (buffer + bufferCount).initialize(from: chunk + starts[index], count: length)
            starts[index] = bufferCount
            bufferCount += length
            ends[index] = bufferCount
        }
        spilled = true
        let inProgressStart = fieldStart
        fieldStart = bufferCount
        if let inProgressEnd {
            try appendToBuffer(chunk + inProgressStart, count: inProgressEnd - inProgressStart)
        }
    }

    /// Appends to the current field in the buffer, failing before a limit would be exceeded.
    @inline(__always)
    private mutating func appendToBuffer(_ source: UnsafePointer<UInt8>, count: Int) throws(InputSyntaxError) {
        guard count > 0 else { return }
        try checkLimits(fieldLength: bufferCount - fieldStart + count)
        if bufferCount + count > bufferCapacity {
            reserve(bufferCount + count)
        }
        (buffer + bufferCount).initialize(from: source, count: count)
        bufferCount += count
    }

    private mutating func reserve(_ capacity: Int) {
        guard capacity > bufferCapacity else { return }
        let newCapacity = max(capacity, bufferCapacity * 2)
        let newBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBuffer.initialize(from: buffer, count: bufferCount)
        buffer.deallocate()
        buffer = newBuffer
        bufferCapacity = newCapacity
    }

    private mutating func growFields() {
        let newCapacity = min(fieldCapacity * 2, limits.maxColumns)
        let newStarts = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
        let newEnds = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
        newStarts.initialize(from: starts, count: fieldCount)
        newEnds.initialize(from: ends, count: fieldCount)
        starts.deallocate()
        ends.deallocate()
        starts = newStarts
        ends = newEnds
        fieldCapacity = newCapacity
    }

    private mutating func reset() {
        state = .recordStart
        line = 1
        recordLine = 1
        fieldLine = 1
        fieldCount = 0
        recordBytes = 0
        bufferCount = 0
        spilled = false
        pendingCR = false
    }
}
