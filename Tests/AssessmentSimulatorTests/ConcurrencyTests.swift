import Dispatch
import Foundation
import Testing

@testable import AssessmentSimulator

@Suite("Threading")
struct ConcurrencyTests {
    /// Blocks more tasks than there are cooperative threads, each in a synchronous request that
    /// waits on simulated latency. If the server needed the cooperative pool, every request
    /// would time out.
    @Test(.timeLimit(.minutes(3))) func serverAnswersWhileCooperativeThreadsAreBlocked() async throws {
        try await withSimulator(
            SimulatorConfiguration(port: 0, seed: .generated(assessments: 20, seed: 1), faults: FaultSettings(latencyMs: 150))
        ) { sim in
            let port = sim.port
            let tasks = ProcessInfo.processInfo.activeProcessorCount * 3
            let statuses = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        let client = WireClient(port: port)
                        defer { client.close() }
                        return (try? client.get("/quality/assessment/1003").status) ?? -1
                    }
                }
                var all: [Int] = []
                for await status in group { all.append(status) }
                return all
            }
            // A starved pool would hang: the time limit fails that without a timing assertion
            // (a loaded 2-core machine has taken 22 s).
            #expect(statuses == Array(repeating: 200, count: tasks))
        }
    }

    /// Many clients on their own threads against one simulator: every PATCH is applied exactly
    /// once and the history is consistent.
    @Test func parallelClientsOnThreads() async throws {
        try await withSimulator(SimulatorConfiguration(port: 0, seed: .generated(assessments: 40, seed: 2))) { sim in
            let editable = sim.store.allAssessments().filter {
                sim.store.canEdit(assessmentID: $0.id, token: SimulatorTokens.demo) == true && !$0.state.refusesEdits
            }.map(\.id)
            let port = sim.port
            let threads = 6
            let perThread = 40
            let group = DispatchGroup()
            let failures = Failures()
            for t in 0..<threads {
                group.enter()
                Thread {
                    let client = WireClient(port: port)
                    for i in 0..<perThread {
                        let id = editable[(t * perThread + i) % editable.count]
                        let status = (try? client.patch(id, "{\"supervisorAssessment\": \"t\(t)-\(i)\"}").status) ?? -1
                        if status != 200 { failures.add(status) }
                    }
                    client.close()
                    group.leave()
                }.start()
            }
            await withCheckedContinuation { continuation in
                group.notify(queue: .global()) { continuation.resume() }
            }
            #expect(failures.values.isEmpty)
            let applied = editable.map { sim.appliedPatchCount(for: $0) }.reduce(0, +)
            #expect(applied == threads * perThread)
            let history = editable.compactMap { sim.store.assessment(id: $0) }.map { $0.editingHistory.filter { $0.field == "supervisorAssessment" }.count }
            #expect(history.reduce(0, +) == threads * perThread)
        }
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int] = []
    func add(_ value: Int) { self.lock.withLock { self.storage.append(value) } }
    var values: [Int] { self.lock.withLock { self.storage } }
}
