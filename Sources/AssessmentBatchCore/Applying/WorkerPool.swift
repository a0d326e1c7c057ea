import CurlHTTP
import Foundation
import Logging
import Synchronization

/// Worker threads that each own one transport (a libcurl handle, and so its connection) for the pool's
/// whole life and run phase after phase (preflight, then write): in each, they take item
/// indices from a shared cursor until the items run out or the run stops.
///
/// Real threads, not Dispatch's global pool: `concurrentPerform` caps at the CPU count and a
/// semaphore over a concurrent queue grows its threads slowly (measured on this project's
/// 2-core machine: 2 and about 6 transfers at once), so neither runs `concurrency` blocking
/// transfers at once.
final class WorkerPool: Sendable {
    /// One call of `run`.
    private final class Phase: Sendable {
        let count: Int
        let body: @Sendable (Int, RequestRunner) -> Void
        let cursor = Atomic<Int>(0)
        let finished = DispatchGroup()

        init(count: Int, body: @escaping @Sendable (Int, RequestRunner) -> Void) {
            self.count = count
            self.body = body
        }
    }

    private let context: RunContext
    /// Each worker's wake-up: one signal per phase, and one to exit.
    private let wakeUps = Mutex<[DispatchSemaphore]>([])
    /// The phase being run; nil tells woken workers to exit.
    private let current = Mutex<Phase?>(nil)
    private let exited = DispatchGroup()

    init(context: RunContext) {
        self.context = context
    }

    /// Runs `body` for every index below `count` on up to `concurrency` workers (started
    /// when first needed) and returns when all are done or the run stopped.
    func run(count: Int, body: @escaping @Sendable (Int, RequestRunner) -> Void) {
        guard count > 0 else { return }
        let phase = Phase(count: count, body: body)
        current.withLock { $0 = phase }
        for wakeUp in startWorkers(upTo: max(1, min(context.configuration.concurrency, count))) {
            phase.finished.enter()
            wakeUp.signal()
        }
        phase.finished.wait()
    }

    /// Ends every worker, closing its connection, and waits for them.
    func shutDown() {
        current.withLock { $0 = nil }
        for wakeUp in wakeUps.withLock({ $0 }) { wakeUp.signal() }
        exited.wait()
    }

    /// Starts workers until there are `count`; returns every worker's wake-up.
    private func startWorkers(upTo count: Int) -> [DispatchSemaphore] {
        wakeUps.withLock { wakeUps in
            while wakeUps.count < count {
                let wakeUp = DispatchSemaphore(value: 0)
                let workerIndex = wakeUps.count
                wakeUps.append(wakeUp)
                exited.enter()
                let thread = Thread { [self] in
                    work(workerIndex: workerIndex, wakeUp: wakeUp)
                    exited.leave()
                }
                thread.name = "assessment-batch-worker-\(workerIndex)"
                thread.start()
            }
            return wakeUps
        }
    }

    private func work(workerIndex: Int, wakeUp: DispatchSemaphore) {
        // Created on this thread and never shared: libcurl handles are single-threaded.
        let runner = RequestRunner(context: context, workerIndex: workerIndex)
        while true {
            wakeUp.wait()
            guard let phase = current.withLock({ $0 }) else { return }
            if let runner {
                while !context.control.stop.isCancelled {
                    let index = phase.cursor.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < phase.count else { break }
                    phase.body(index, runner)
                }
            }
            phase.finished.leave()
        }
    }
}

