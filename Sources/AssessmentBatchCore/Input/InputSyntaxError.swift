import Foundation

/// A problem in an input file's bytes, at a 1-based physical line.
///
/// The readers report the line where the problem is: for problems with a whole field
/// (too long, an unterminated quote) that is the line where the field starts; for invalid
/// UTF-8 and a single offending byte (a NUL, a character after a closing quote) the line of
/// that byte.
public struct InputSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 1-based physical line (every CR, LF or CRLF counts, also inside quoted fields).
    public var line: Int
    /// A lower-case sentence fragment, e.g. `unterminated quoted field (opened on line 3)`.
    public var message: String
    /// The 0-based CSV field when `message` names it as `field N`: a reader that knows the
    /// header names the column instead (`messageNaming(header:)`).
    public var field: Int?
    /// Whether the problem is bytes that are not UTF-8 (a file in another encoding, usually).
    public var isInvalidUTF8: Bool { message.hasPrefix("invalid UTF-8") }

    /// Creates an error at `line` with `message`.
    public init(line: Int, message: String, field: Int? = nil) {
        self.line = line
        self.message = message
        self.field = field
    }

    /// `line N: message`.
    public var description: String { "line \(line): \(message)" }

    /// The message with `field N` replaced by the column's name from `header`, when it has one.
    public func messageNaming(header: [String]) -> String {
        guard let field, field < header.count else { return message }
        let name = header[field]
        guard !name.trimmingWhitespace().isEmpty, let range = message.range(of: "in field \(field + 1)") else { return message }
        return message.replacingCharacters(in: range, with: "in column \"\(name)\"")
    }

    /// Invalid UTF-8 in field `field` (0-based) that starts on `fieldLine`: reported at the line
    /// of the first invalid byte, with that byte and up to three after it in hex.
    static func invalidUTF8(field: Int, fieldLine: Int, bytes: UnsafeBufferPointer<UInt8>) -> InputSyntaxError {
        var offset = 0
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        scan: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput, .error: break scan
            }
        }
        var line = fieldLine
        var index = 0
        while index < offset {
            if bytes[index] == 0x0A || (bytes[index] == 0x0D && (index + 1 == offset || bytes[index + 1] != 0x0A)) { line += 1 }
            index += 1
        }
        let shown = bytes[offset..<min(bytes.count, offset + 4)].map(\.hex).joined(separator: " ")
        let more = bytes.count > offset + 4 ? " …" : ""
        return InputSyntaxError(line: line, message: "invalid UTF-8 in field \(field + 1): bytes \(shown)\(more)", field: field)
    }
}
