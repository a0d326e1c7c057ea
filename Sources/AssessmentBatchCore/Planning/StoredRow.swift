/// One input row as a plan keeps it, for the failures file of `apply --plan`: a CSV record's
/// fields, or a JSONL line's text.
public enum StoredRow: Sendable, Equatable {
    case fields([String])
    case line(String)
}
