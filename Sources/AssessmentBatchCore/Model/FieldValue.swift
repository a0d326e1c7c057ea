/// The value of one assessment-level field (see `FieldDescriptor`), of the field's kind.
public enum FieldValue: Sendable, Equatable {
    case text(String)
    /// Compared as instants.
    case date(Timestamp)
    case state(AssessmentState)
    case integer(Int)

    public var text: String? { if case .text(let text) = self { text } else { nil } }
    public var date: Timestamp? { if case .date(let date) = self { date } else { nil } }
    public var state: AssessmentState? { if case .state(let state) = self { state } else { nil } }
    public var integer: Int? { if case .integer(let integer) = self { integer } else { nil } }

    /// Whether the value counts as empty where a file's `…Before` is compared: an empty text.
    var isEmpty: Bool { if case .text(let text) = self { text.isEmpty } else { false } }

    /// The value as JSON: texts, dates and states as strings, integers as numbers.
    var json: JSONValue {
        switch self {
        case .integer(let integer): .number(String(integer))
        default: .string(plain)
        }
    }

    /// The value as written in a file or a PATCH body.
    var plain: String {
        switch self {
        case .text(let text): text
        case .date(let date): date.description
        case .state(let state): state.name
        case .integer(let integer): String(integer)
        }
    }

    /// How a message shows the value: texts quoted as JSON (one line however long), the rest
    /// as written.
    var shown: String {
        if case .text(let text) = self { return JSONWriter.string(.string(text)) }
        return plain
    }
}
