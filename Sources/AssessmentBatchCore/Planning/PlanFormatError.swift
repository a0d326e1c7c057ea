/// A `plan.json` that cannot be applied: not written by `plan`, or altered.
public struct PlanFormatError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
