/// A value handed from one phase of a run to a later one on the pipeline's thread (the plan's
/// entries from preflight to the report).
final class HandOver<Value>: @unchecked Sendable {
    // @unchecked: set and read by the pipeline's thread between phases, after the workers of
    // the earlier phase are done; never touched concurrently.
    private(set) var value: Value

    init(_ value: Value) { self.value = value }

    func set(_ value: Value) { self.value = value }

    /// The value, leaving `empty` in its place (a large list is moved, not copied).
    func take(leaving empty: Value) -> Value {
        let taken = value
        value = empty
        return taken
    }
}
