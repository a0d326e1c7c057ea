/// The kinds of input file the tool reads.
public enum InputFormat: String, Sendable, CaseIterable {
    case csv, tsv, jsonl, xlsx

    /// The format named by a file's extension (`.csv`, `.tsv`, `.txt`, `.jsonl`, `.ndjson`), if
    /// any. `.txt` is TSV: Excel's "Unicode Text" (UTF-16, tab-separated) is saved that way.
    public init?(path: String) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "csv": self = .csv
        case "tsv", "tab", "txt": self = .tsv
        case "jsonl", "ndjson": self = .jsonl
        case "xlsx": self = .xlsx
        default: return nil
        }
    }

    /// The extension used for files the tool writes in this format.
    public var fileExtension: String { rawValue }
}

/// What the tool learnt about one input file while reading it.
public struct InputDescription: Sendable {
    public var path: String
    public var format: InputFormat
    /// The CSV delimiter (`,` `;` or tab); unused for JSONL.
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// The header fields exactly as spelt in the file (CSV only).
    public var header: [String] = []
    /// The encoding the file was read in (failures files are written in it).
    public var encoding = TextEncoding.utf8
    /// Whether the file started with a byte order mark (kept in failures files).
    public var hasByteOrderMark = false
    /// `"\r\n"` when the file's first line ends that way, else `"\n"`.
    public var lineEnding = "\n"
    /// Data rows read (CSV records after the header, non-blank JSONL lines).
    public var rows = 0
    /// SHA-256 of the file's bytes, in hex.
    public var sha256 = ""

    public init(path: String, format: InputFormat) {
        self.path = path
        self.format = format
    }

    /// The extension for files written from this input: its own when that names its format
    /// (a `.txt` input gives a `.failures.txt`, which Excel opens as it opened the input).
    public var fileExtension: String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), InputFormat(path: name) == format else { return format.fileExtension }
        return String(name[name.index(after: dot)...])
    }

    /// The file name without directories and extension.
    public var stem: String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}
