import SharedSupport
import Foundation
import Testing

@testable import AssessmentSimulator

@Suite("Fault knobs")
struct FaultTests {
    /// Sends `count` GETs of one assessment; returns the statuses (0 = dropped connection).
    static func statuses(_ client: WireClient, count: Int, path: String = "/quality/assessment/901") -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            do {
                result.append(try client.get(path).status)
            } catch .dropped {
                result.append(0)
            } catch {
                result.append(-1)  // timeouts and the like: no test accepts -1
            }
        }
        return result
    }

    @Test func errorRateProducesConfiguredShareOf500And503() async throws {
        try await withFixture(faults: FaultSettings(errorRate: 0.2, seed: 7)) { sim, client in
            let statuses = try await blocking { Self.statuses(client, count: 2000) }
            let errors = statuses.filter { $0 == 500 || $0 == 503 }.count
            #expect(abs(Double(errors) / 2000 - 0.2) <= 0.04, "error share \(errors) / 2000")
            #expect(statuses.contains(500))
            #expect(statuses.contains(503))
            #expect(statuses.allSatisfy { [200, 500, 503].contains($0) })
            #expect(sim.requestCount(method: "GET", path: "/api/mind/quality/assessment/{id}", status: 200) == 2000 - errors)
        }
    }

    @Test func injectedErrorsApplyNothing() async throws {
        try await withFixture(faults: FaultSettings(errorRate: 0.5, seed: 3)) { sim, client in
            let replies = try await blocking { try (0..<200).map { try client.patch(901, "{\"aiSummary\": \"v\($0)\"}") } }
            let ok = replies.filter { $0.status == 200 }.count
            let lastApplied = replies.lastIndex { $0.status == 200 }.map { "v\($0)" }
            for reply in replies where reply.status != 200 {
                #expect(reply.status == 500 || reply.status == 503)
                #expect(reply.errorMessage != nil)
            }
            #expect(ok > 50 && ok < 150)
            #expect(sim.appliedPatchCount(for: 901) == ok)
            #expect(sim.patchCount(for: 901) == 200)
            #expect(sim.store.assessment(id: 901)?.aiSummary == lastApplied)
        }
    }

    @Test func postApplyErrorsApplyThenAnswer503() async throws {
        try await withFixture(faults: FaultSettings(postApplyErrorRate: 0.3, seed: 11)) { sim, client in
            let store = sim.store
            // (status, value stored right after the answer)
            let ids = [901, 902, 903, 904, 910, 911, 912]
            let results = try await blocking {
                try (0..<1000).map { i in
                    let id = ids[i % ids.count]
                    return (try client.patch(id, "{\"aiSummary\": \"p\(i)\"}").status, store.assessment(id: id)?.aiSummary)
                }
            }
            let statuses = results.map(\.0)
            let stored = results.map(\.1)
            let unavailable = statuses.filter { $0 == 503 }.count
            #expect(Set(statuses) == [200, 503])
            // Applied either way.
            #expect(stored == (0..<1000).map { "p\($0)" })
            #expect(abs(Double(unavailable) / 1000 - 0.3) <= 0.05, "\(unavailable) / 1000")
            #expect(ids.map { sim.appliedPatchCount(for: $0) }.reduce(0, +) == 1000)
            // Reads are never post-apply faults.
            #expect(try await blocking { Self.statuses(client, count: 50) }.allSatisfy { $0 == 200 })
        }
    }

    @Test func resetRateDropsConnectionsWithoutAnswer() async throws {
        try await withFixture(faults: FaultSettings(resetRate: 0.1, seed: 5)) { sim, client in
            let statuses = try await blocking { Self.statuses(client, count: 2000) }
            let dropped = statuses.filter { $0 == 0 }.count
            #expect(abs(Double(dropped) / 2000 - 0.1) <= 0.03, "\(dropped) dropped")
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 0 })
            #expect(sim.requestCount(method: "GET", path: "/api/mind/quality/assessment/{id}", status: 0) == dropped)
            #expect(client.connects == dropped + 1)
        }
    }

    /// What the simulator reports it added, not wall time (which a parallel build stretches).
    @Test func latencyIsAddedAroundTheMean() async throws {
        try await withFixture(faults: FaultSettings(latencyMs: 40, seed: 9)) { sim, client in
            let statuses = try await blocking { try (0..<30).map { _ in try client.get("/quality/assessment/901").status } }
            #expect(statuses.allSatisfy { $0 == 200 })
            let applied = sim.core.faults.latencyApplied
            #expect(applied.count == 30)
            // Uniform 20…60 ms; the seed fixes the draws, so the mean is one exact figure.
            #expect(applied.minNanos >= 20_000_000 && applied.maxNanos < 60_000_000, "\(applied)")
            #expect(abs(applied.meanMilliseconds - 40) < 6, "mean \(applied.meanMilliseconds) ms")
            // Control endpoints are not delayed: the fault layer never sees them.
            let control = try await blocking { try (0..<10).map { _ in try client.send("GET", "/__sim/stats").status } }
            #expect(control.allSatisfy { $0 == 200 })
            #expect(sim.core.faults.latencyApplied == applied)
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        try await withFixture(faults: FaultSettings(rateLimitRPS: 20, seed: 1)) { _, client in
            let start = DispatchTime.now().uptimeNanoseconds
            let replies = try await blocking { try (0..<120).map { _ in try client.get("/quality/assessment/901") } }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let accepted = replies.filter { $0.status == 200 }.count
            let limited = replies.filter { $0.status == 429 }.count
            #expect(accepted + limited == 120)
            for reply in replies where reply.status == 429 {
                #expect(reply.header("retry-after") == "1")
                #expect(reply.errorMessage != nil)
            }
            #expect(limited > 0)
            // Burst of 20, refilled at 20/s.
            #expect(accepted >= 20)
            #expect(Double(accepted) <= 20 + 20 * elapsed + 1, "accepted \(accepted) in \(elapsed) s")
            // After a pause the bucket has refilled.
            try await Task.sleep(for: .milliseconds(600))
            #expect(try client.get("/quality/assessment/901").status == 200)
        }
    }

    @Test func authFailsAfterNRequests() async throws {
        try await withFixture(faults: FaultSettings(authFailAfter: 5)) { sim, client in
            let statuses = try await blocking { Self.statuses(client, count: 10) }
            #expect(statuses == [200, 200, 200, 200, 200, 401, 401, 401, 401, 401])
            let reply = try client.patch(901, #"{"aiSummary": "late"}"#)
            #expect(reply.status == 401)
            #expect(sim.store.assessment(id: 901)?.aiSummary == "AI summary 901")
            #expect(try client.send("GET", "/__sim/stats").status == 200)
            // Reset starts the count again.
            sim.reset()
            #expect(try client.get("/quality/assessment/901").status == 200)
        }
    }

    @Test func faultsAreReproducibleFromTheSeed() async throws {
        let faults = FaultSettings(errorRate: 0.25, resetRate: 0.1, seed: 42)
        func run(_ faults: FaultSettings) async throws -> [[Int]] {
            try await withFixture(faults: faults) { sim, client in
                let first = try await blocking { Self.statuses(client, count: 300) }
                sim.reset()
                let second = try await blocking { Self.statuses(client, count: 300) }
                return [first, second]
            }
        }
        let a = try await run(faults)
        #expect(a[0] == a[1], "same sequence after a reset")
        #expect(a[0].contains(0) && a[0].contains(500) && a[0].contains(503) && a[0].contains(200))
        let b = try await run(faults)
        #expect(b[0] == a[0], "same sequence in a new simulator with the same seed")
        var other = faults
        other.seed = 43
        let c = try await run(other)
        #expect(c[0] != a[0], "another seed gives another sequence")
    }

    @Test func faultStreamTakesFiveDrawsPerRequest() {
        let injector = FaultInjector(settings: FaultSettings(errorRate: 0.5, seed: 99))
        let first = (0..<100).map { _ in injector.decide().action }
        injector.reset()
        let again = (0..<100).map { _ in injector.decide().action }
        #expect(first == again)
        var rng = SplitMix64(seed: 99)
        let expected = (0..<100).map { _ -> FaultDecision.Action in
            _ = rng.unit()
            _ = rng.unit()
            let error = rng.unit()
            let kind = rng.unit()
            _ = rng.unit()
            return error < 0.5 ? .serverError(kind < 0.5 ? 500 : 503) : .proceed
        }
        #expect(first == expected)
    }
}
