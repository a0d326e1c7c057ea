/// An input file opened as text: the reading stage the text formats (CSV, TSV, JSONL) share.
///
/// Decides the encoding (a byte order mark, `--encoding`, UTF-16 without a BOM), keeps the
/// start of the text for sniffing the delimiter and line ending, and hands the text on as
/// UTF-8 chunks without the BOM while the file's own bytes are hashed.
struct TextInput {
    let reader: ChunkedFileReader
    let encoding: TextEncoding
    let hasByteOrderMark: Bool
    /// The start of the text (from the first 64 KiB of the file) as UTF-8, without the BOM.
    let start: [UInt8]

    /// How much of the file is looked at before reading it: its encoding, delimiter and line ending.
    static let sniffedBytes = 64 << 10

    /// Opens `path` and decides its encoding.
    ///
    /// - Throws: `InputProblem` at line 0 when the file cannot be read, at line 1 when its
    ///   encoding cannot be decided.
    init(path: String, option: EncodingOption?) throws(InputProblem) {
        let prefix: [UInt8]
        do {
            reader = try ChunkedFileReader(path: path)
            prefix = try readPrefix(path: path, count: Self.sniffedBytes)
        } catch {
            throw InputProblem(line: 0, message: "\(error)")
        }
        switch EncodingDetection.resolve(prefix: prefix, option: option) {
        case .success(let (encoding, byteOrderMark)):
            self.encoding = encoding
            hasByteOrderMark = byteOrderMark
        case .failure(let problem):
            throw InputProblem(line: 1, message: problem.text)
        }
        start = Transcoder.decodedPrefix(prefix, encoding: encoding, byteOrderMark: hasByteOrderMark)
    }

    /// `"\r\n"` when the first line ends that way, else `"\n"`.
    var lineEnding: String {
        if let newline = start.firstIndex(of: UInt8(ascii: "\n")), newline > 0, start[newline - 1] == UInt8(ascii: "\r") { return "\r\n" }
        return "\n"
    }

    /// Calls `body` with the text as UTF-8 chunks (no BOM), adding the file's bytes to `digest`.
    ///
    /// - Throws: `UndecodableText`, `FileError`, or whatever `body` throws.
    func forEachChunk(hashingInto digest: inout SHA256, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try reader.forEachUTF8Chunk(encoding: encoding, byteOrderMark: hasByteOrderMark, hashingInto: &digest, body)
    }

    /// What Excel's plain "CSV" on Windows writes, as a hint for bytes that are not UTF-8.
    static let windows1252Hint = "looks like Windows-1252 (Excel's \"CSV\" on Windows): save as \"CSV UTF-8\" or pass --encoding windows-1252"

    /// Opens `input` as text and runs `read` over it, noting what was learnt of the file and
    /// recording whatever stops the reading as a problem of the whole file.
    ///
    /// `read` turns `UndecodableText` into an `InputSyntaxError` at its reader's line (only the
    /// reader counts lines); a `SheetHeader.Unusable` means the problems are already recorded.
    static func read(_ input: inout InputDescription, option: EncodingOption?, into rows: RowSink,
                     _ read: (TextInput, inout InputDescription, inout SHA256) throws -> Void) {
        let text: TextInput
        do {
            text = try TextInput(path: input.path, option: option)
        } catch {
            rows.fileProblem(line: error.line, error.message)
            return
        }
        input.encoding = text.encoding
        input.hasByteOrderMark = text.hasByteOrderMark
        input.lineEnding = text.lineEnding
        var digest = SHA256()
        do {
            try read(text, &input, &digest)
        } catch is SheetHeader.Unusable {
            // the header's problems are already recorded
        } catch let error as InputSyntaxError {
            rows.fileProblem(line: error.line, message(for: error, input: input, option: option))
        } catch {
            rows.fileProblem(line: 0, "\(error)")
        }
        input.sha256 = digest.finalizeHex()
    }

    /// A reader's message, naming the column rather than the field number, and for bytes
    /// that are not UTF-8 in a file that reads as Windows-1252, saying so and what to do.
    private static func message(for error: InputSyntaxError, input: InputDescription, option: EncodingOption?) -> String {
        var text = error.messageNaming(header: input.header)
        if error.isInvalidUTF8 && option == nil && EncodingDetection.looksLikeWindows1252(path: input.path) {
            text += "; the file \(windows1252Hint)"
        }
        return text
    }
}

/// A problem that makes an input file unusable, at a line (0: the file as a whole).
struct InputProblem: Error {
    var line: Int
    var message: String
}
