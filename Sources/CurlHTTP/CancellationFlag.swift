import Synchronization

/// A one-way switch shared by a signal handler, the workers and libcurl's progress callback.
public final class CancellationFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    public init() {}

    /// Raises the flag; it stays raised.
    public func cancel() { raised.store(true, ordering: .relaxed) }

    public var isCancelled: Bool { raised.load(ordering: .relaxed) }
}
