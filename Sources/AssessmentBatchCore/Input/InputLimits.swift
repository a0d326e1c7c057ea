/// Limits that keep hostile files from exhausting memory.
///
/// Every limit is checked as soon as it is exceeded, before more bytes are buffered, so memory
/// stays bounded by roughly the limit plus one read chunk.
public struct InputLimits: Sendable {
    /// The longest CSV field (unescaped bytes) or JSON string (decoded bytes).
    public var maxFieldBytes: Int
    /// The most fields one CSV record may have.
    public var maxColumns: Int
    /// The longest JSONL line, without its line end.
    public var maxLineBytes: Int
    /// The deepest nesting of JSON arrays and objects.
    public var maxJSONDepth: Int
    /// The most unescaped field bytes, summed over all fields, one CSV record may hold.
    public var maxRecordBytes: Int

    /// Creates limits; every parameter has a default suited to interactive batch files.
    public init(
        maxFieldBytes: Int = 1 << 20,
        maxColumns: Int = 1_000,
        maxLineBytes: Int = 8 << 20,
        maxJSONDepth: Int = 64,
        maxRecordBytes: Int = 8 << 20
    ) {
        precondition(maxFieldBytes >= 0 && maxColumns >= 1 && maxLineBytes >= 0, "invalid input limits")
        precondition(maxJSONDepth >= 1 && maxRecordBytes >= 0, "invalid input limits")
        self.maxFieldBytes = maxFieldBytes
        self.maxColumns = maxColumns
        self.maxLineBytes = maxLineBytes
        self.maxJSONDepth = maxJSONDepth
        self.maxRecordBytes = maxRecordBytes
    }
}
