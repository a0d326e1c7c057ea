/// A problem with the configuration file or the profile in effect: exit 2, nothing sent.
///
/// `description` starts with `FILE:LINE:` when the problem is at a place in the file, so an
/// editor can jump there. No message holds any part of a token.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file, when the problem is in it.
    public var file: String?
    /// The 1-based line in `file`, when known.
    public var line: Int?
    /// What is wrong and what to do.
    public var message: String

    public init(_ message: String, file: String? = nil, line: Int? = nil) {
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String {
        guard let file else { return message }
        guard let line else { return "\(file): \(message)" }
        return "\(file):\(line): \(message)"
    }
}
