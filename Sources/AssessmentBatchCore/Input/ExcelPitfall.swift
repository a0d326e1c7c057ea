/// What a spreadsheet did to a value the tool rejects, named in a few words so the user knows
/// which column format to fix. The value is still rejected: guessing would write wrong scores.
enum ExcelPitfall {
    /// ` (Excel wrote …)` for a rejected id or score, or "" when the value shows no known cause.
    static func number(in value: RawValue, column: Column) -> String {
        guard let text = text(of: value) else { return "" }
        if text.wholeMatch(of: /[+-]?[0-9]+([.,][0-9]+)?[eE][+-]?[0-9]+/) != nil {
            return " (Excel wrote the number in scientific notation: format the column as Number with 0 decimals, or as Text)"
        }
        if column != .score && text.wholeMatch(of: /[0-9]{1,3}([.,][0-9]{3})+/) != nil {
            return " (Excel wrote a thousands separator: format the column as Number without separators)"
        }
        if text.wholeMatch(of: /-?[0-9]+,[0-9]+/) != nil {
            return " (Excel wrote a decimal comma: \(column == .score ? "scores are whole numbers" : "ids are whole numbers"))"
        }
        return truthValue(in: value)
    }

    /// ` (Excel wrote …)` for a rejected date-time, or "".
    static func date(in value: RawValue) -> String {
        guard let text = text(of: value) else { return "" }
        if text.wholeMatch(of: /[0-9]{1,2}[.\/][0-9]{1,2}[.\/][0-9]{2,4}( +[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?/) != nil {
            return " (Excel wrote a local date without offset: format the column as Text and write the offset)"
        }
        if text.wholeMatch(of: /[0-9]{5}([.,][0-9]+)?/) != nil {
            return " (Excel wrote the date as a serial number: format the column as Text)"
        }
        return ""
    }

    /// ` (Excel wrote a truth value …)` for `WAHR`, `FALSCH`, `TRUE`, `FALSE`, or "".
    static func truthValue(in value: RawValue) -> String {
        guard let text = text(of: value)?.uppercased(), ["WAHR", "FALSCH", "TRUE", "FALSE"].contains(text) else { return "" }
        return " (Excel wrote a truth value: format the column as Number or Text)"
    }

    private static func text(of value: RawValue) -> String? {
        guard case .text(let bytes) = value else { return nil }
        return String(decoding: bytes.trimmingWhitespace(), as: UTF8.self)
    }
}
