import Synchronization

/// Puts each before-image into `undo.jsonl`, on disk, before its assessment's PATCH leaves,
/// without making every PATCH wait for a sync of its own.
///
/// Workers take assessments in index order, so the lines are written up to a `window` ahead
/// of the assessment being sent, half a window at a time, and the log (opened with `flushInterval: 0`) syncs them at once in
/// the background: by the time a worker reaches an assessment, a finished sync usually covers
/// its line already, and it waits only when not. The price: when a run stops early, up to `window` lines of
/// assessments that were not sent may be in the file (restoring them writes the values they
/// held at preflight, which they still hold unless someone else changed them since).
final class UndoWriter: Sendable {
    private struct State {
        /// The next index whose line is not yet written.
        var next = 0
        /// The log's ticket of each written line whose PATCH has not yet been prepared.
        var tickets: [Int: Int] = [:]
    }

    private let log: DurableLog
    private let images: IndexedSpool
    /// Spool index of each update.
    private let indices: [Int]
    private let window: Int
    private let state = Mutex(State())

    init(log: DurableLog, images: IndexedSpool, indices: [Int], window: Int) {
        self.log = log
        self.images = images
        self.indices = indices
        self.window = max(1, window)
    }

    /// Returns once the before-image of update `index` (if it has one) is on disk.
    func beforeSending(_ index: Int) throws(FileError) {
        let ticket: Int? = try state.withLock { (state: inout State) throws(FileError) -> Int? in
            // Refilled when half the window is used, in one write(2): a write can wait while the
            // file's last page is being written out by a sync, and it does so under this lock.
            if state.next <= min(indices.count - 1, index + window / 2) {
                let last = min(indices.count - 1, index + window)
                var batch: [UInt8] = []
                var written: [Int] = []
                while state.next <= last {
                    if let image = try images.piece(at: indices[state.next]) {
                        batch += image
                        written.append(state.next)
                    }
                    state.next += 1
                }
                if !batch.isEmpty {
                    let ticket = try log.append(batch)
                    for position in written { state.tickets[position] = ticket }
                }
            }
            return state.tickets.removeValue(forKey: index)
        }
        if let ticket { try log.waitUntilDurable(ticket) }
    }
}
