/// A data validation on a cell: Excel and LibreOffice refuse a value outside it as it is typed,
/// with the message, instead of a later `validate` finding it.
public struct WriteValidation: Sendable, Hashable {
    /// What the cell allows.
    public enum Rule: Sendable, Hashable {
        /// A whole number from `minimum` through `maximum`.
        case wholeNumber(minimum: Int, maximum: Int)
        /// One of these values, offered as a drop-down list.
        case list([String])
    }

    public var rule: Rule
    /// Title of the refusal box (Excel shows at most 32 characters).
    public var errorTitle: String
    /// The refusal (Excel shows at most 225 characters): says what is allowed.
    public var error: String
    /// Shown while the cell is selected (at most 255 characters); nil for none.
    public var prompt: String?

    public init(rule: Rule, errorTitle: String, error: String, prompt: String? = nil) {
        self.rule = rule
        self.errorTitle = errorTitle
        self.error = error
        self.prompt = prompt
    }
}
