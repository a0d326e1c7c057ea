/// The formula rule for texts in the CSV and TSV files `export` writes.
///
/// A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as
/// a formula (OWASP, "CSV Injection"). `export` therefore writes one extra apostrophe before a
/// text that starts with one of those characters, or with apostrophes followed by one of them;
/// every other text is written as it is. Reading a CSV/TSV file that carries `…Before`
/// columns (the mark of an exported sheet) removes that one apostrophe again, under exactly the
/// same condition. Both directions together are a bijection: every text reads back as exactly
/// the text that was exported, and a text that was not escaped is never changed on input.
/// Files without `…Before` columns (a user's own sheet) are read verbatim: there a reason
/// `'=x` is sent as `'=x`. JSONL is never escaped (no spreadsheet runs it).
public enum FormulaGuard {
    /// Whether a text starting with `byte` runs as a formula.
    @inline(__always)
    static func isTrigger(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "=") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@")
            || byte == 0x09 || byte == 0x0D
    }

    /// Whether `bytes` are apostrophes (any number, none included) followed by a trigger.
    private static func needsGuard<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first(where: { $0 != UInt8(ascii: "'") }) else { return false }
        return isTrigger(first)
    }

    /// The text as `export` writes it into CSV/TSV.
    public static func escaped(_ text: String) -> String {
        needsGuard(text.utf8) ? "'" + text : text
    }

    /// The text as a sheet's cell holds it, with `export`'s apostrophe removed.
    public static func unescaped(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.first == UInt8(ascii: "'"), needsGuard(utf8) else { return text }
        return String(text.dropFirst())
    }

    /// `unescaped` over UTF-8 bytes, without copying them.
    static func unescaped(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard bytes.first == UInt8(ascii: "'"), needsGuard(bytes) else { return bytes }
        return UnsafeBufferPointer(rebasing: bytes.dropFirst())
    }
}
