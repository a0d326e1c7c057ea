import Dispatch
import Foundation
import Synchronization

/// A task executor backed by the simulator's own threads.
///
/// The server runs under `withTaskExecutorPreference(SimulatorExecutor.shared)`, so its tasks
/// (the accept loop, one task per connection, the request handlers) run here and on SwiftNIO's
/// event-loop threads, never on Swift's cooperative thread pool. A test that blocks every
/// cooperative thread with a synchronous HTTP client therefore cannot starve the simulator.
/// The threads are created once per process and live as long as it does.
final class SimulatorExecutor: TaskExecutor, Sendable {
    static let shared = SimulatorExecutor(threads: max(2, ProcessInfo.processInfo.activeProcessorCount))

    private struct Queue: ~Copyable {
        var jobs: [UnownedJob] = []
        var head = 0
    }

    private let queue = Mutex(Queue())
    private let available = DispatchSemaphore(value: 0)

    private init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in self.run() }
            thread.name = "assessment-sim-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        self.queue.withLock { $0.jobs.append(unowned) }
        self.available.signal()
    }

    private func run() {
        while true {
            self.available.wait()
            let job: UnownedJob? = self.queue.withLock { queue in
                guard queue.head < queue.jobs.count else { return nil }
                let job = queue.jobs[queue.head]
                queue.head += 1
                if queue.head == queue.jobs.count {
                    queue.jobs.removeAll(keepingCapacity: true)
                    queue.head = 0
                } else if queue.head >= 1024, queue.head * 2 >= queue.jobs.count {
                    queue.jobs.removeFirst(queue.head)
                    queue.head = 0
                }
                return job
            }
            job?.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
