/// Which number formats show a number as a date or time: Excel stores dates as numbers, and
/// only the cell's format says a number is one.
enum WorkbookDateFormats {
    /// Excel's built-in date and time formats (ECMA-376 Part 1, 18.8.30, and the East Asian ids).
    static func isBuiltInDate(_ id: Int) -> Bool {
        (14...22).contains(id) || (27...36).contains(id) || (45...47).contains(id) || (50...58).contains(id)
    }

    /// Whether a custom format code shows a date or time: a `d`, `m`, `y`, `h` or `s` outside
    /// quoted text, escapes and bracketed sections (`[$-409]d-mmm-yy;@` is a date; `0.0" days"`
    /// is not), or an elapsed-time bracket (`[h]:mm`).
    static func isDate(code: String) -> Bool {
        var inQuotes = false
        var iterator = code.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if inQuotes {
                if scalar == "\"" { inQuotes = false }
                continue
            }
            switch scalar {
            case "\"":
                inQuotes = true
            case "\\", "_", "*":
                _ = iterator.next()  // an escaped character, a space as wide as one, a fill
            case "[":
                var inside = ""
                while let next = iterator.next(), next != "]" { inside.unicodeScalars.append(next) }
                let lowered = inside.lowercased()
                if !lowered.isEmpty && lowered.allSatisfy({ $0 == "h" || $0 == "m" || $0 == "s" }) { return true }
            case "d", "D", "m", "M", "y", "Y", "h", "H", "s", "S":
                return true
            default:
                continue
            }
        }
        return false
    }
}
