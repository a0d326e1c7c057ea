import Foundation
import Testing

@testable import AssessmentSimulator

@Suite("Control endpoints and library API")
struct ControlTests {
    @Test func stateDumpsTheWholeStore() async throws {
        try await withFixture { sim, client in
            _ = try client.patch(901, #"{"aiSummary": "changed"}"#)
            let reply = try client.send("GET", "/__sim/state")
            #expect(reply.status == 200)
            let assessments = reply.object.list("assessments")
            #expect(assessments.map { $0.int("id") } == [901, 902, 903, 904, 905, 906, 907, 908, 909, 910, 911, 912])
            #expect(assessments.first?.string("aiSummary") == "changed")
            #expect(assessments.first?.dict("data").list("categories").count == 3)
            #expect(assessments.first { $0.int("id") == 908 }?.string("state") == "deleted")
            #expect(reply.object.list("scorecards").map { $0.int("id") } == [41, 42, 60, 61])
            #expect(reply.object.list("tokens").contains { $0.string("token") == SimulatorTokens.teamLead && $0.int("userId") == 20 })
            #expect(reply.object.list("teams").first?["members"] as? [Int] == [42, 43, 44, 45])
        }
    }

    @Test func statsGroupByMethodTemplateAndStatus() async throws {
        try await withFixture { sim, client in
            _ = try client.get("/quality/assessment")
            _ = try client.get("/quality/assessment/901")
            _ = try client.get("/quality/assessment/902")
            _ = try client.patch(901, #"{"aiSummary": "a"}"#)
            _ = try client.patch(901, #"{"aiSummary": 1}"#)
            _ = try client.patch(905, #"{"aiSummary": "a"}"#)
            _ = try client.get("/quality/assessment", token: nil)
            let stats = try client.send("GET", "/__sim/stats").object
            func count(_ method: String, _ path: String, _ status: Int) -> Int? {
                stats.list("requests").first {
                    $0.string("method") == method && $0.string("path") == path && $0.int("status") == status
                }?.int("count")
            }
            #expect(count("GET", "/api/mind/quality/assessment/{id}", 200) == 2)
            #expect(count("GET", "/api/mind/quality/assessment", 200) == 1)
            #expect(count("GET", "/api/mind/quality/assessment", 401) == 1)
            #expect(count("PATCH", "/api/mind/quality/assessment/{id}", 200) == 1)
            #expect(count("PATCH", "/api/mind/quality/assessment/{id}", 400) == 1)
            #expect(count("PATCH", "/api/mind/quality/assessment/{id}", 409) == 1)
            #expect(stats.int("totalRequests") == 7)
            #expect(stats.dict("patchesByAssessment").int("901") == 2)
            #expect(stats.dict("patchesByAssessment").int("905") == 1)
            #expect(stats.dict("appliedPatchesByAssessment").int("901") == 1)
            #expect(stats.dict("appliedPatchesByAssessment")["905"] == nil)
            #expect(sim.patchCount(for: 901) == 2)
            #expect(sim.appliedPatchCount(for: 901) == 1)
            #expect(sim.requestCount(method: "PATCH", path: "/api/mind/quality/assessment/{id}") == 3)
            #expect(sim.requestCount(method: "GET", path: "/api/mind/quality/assessment", status: 401) == 1)
        }
    }

    @Test func resetRestoresSeedAndClearsStats() async throws {
        try await withFixture { sim, client in
            let original = try #require(sim.store.assessment(id: 901))
            _ = try client.patch(901, #"{"criteria": [{"categoryId": 1, "criterionId": 1, "score": 0}]}"#)
            #expect(sim.store.assessment(id: 901) != original)
            #expect(try client.send("GET", "/__sim/reset").status == 405)
            let reply = try client.send("POST", "/__sim/reset")
            #expect(reply.status == 200)
            #expect(reply.object["success"] as? Bool == true)
            #expect(sim.store.assessment(id: 901) == original)
            #expect(sim.patchCount(for: 901) == 0)
            #expect(try client.send("GET", "/__sim/stats").object.list("requests").isEmpty)
            #expect(try client.send("GET", "/__sim/nothing").status == 404)
        }
    }

    @Test func controlEndpointsBypassFaultsAndAuth() async throws {
        let faults = FaultSettings(errorRate: 1, authFailAfter: 0)
        try await withFixture(faults: faults) { (sim, client) throws in
            #expect(try client.get("/quality/assessment").status == 401)
            for path in ["/__sim/state", "/__sim/stats"] {
                #expect(try client.send("GET", path).status == 200)
            }
            #expect(sim.apiRequestCount == 1)
        }
    }

    @Test func storeMutationsActLikeAManualEdit() async throws {
        try await withFixture { sim, client in
            let before = try #require(sim.store.assessment(id: 901))
            let edited = try sim.store.setState(.error, ofAssessment: 901, by: 77)
            #expect(edited.state == .error)
            #expect(instant(edited.modifiedAt) > instant(before.modifiedAt))
            #expect(edited.editingHistory.last?.field == "state")
            #expect(edited.editingHistory.last?.userId == 77)
            #expect(try client.patch(901, #"{"aiSummary": "x"}"#).status == 409)
            #expect(try client.get("/quality/assessment/901").object.string("modifiedAt") == edited.modifiedAt)

            let rescored = try sim.store.modifyAssessment(id: 902) { assessment in
                assessment.state = .reviewedBySupervisor
                assessment.supervisorAssessment = "manual"
                assessment.criteria[0].score = 2
                assessment.criteria[0].reason = "manual reason"
            }
            #expect(rescored.totals.scoredPoints == 2)
            #expect(rescored.editingHistory.map(\.field) == ["state", "supervisorAssessment", "criteria.1.1.score", "criteria.1.1.reason"])
            let served = try client.get("/quality/assessment/902").object
            #expect(served.string("state") == "reviewedBySupervisor")
            #expect(served.criterion(1, 1)?.int("score") == 2)
            #expect(throws: SimulatorError.self) { try sim.store.setState(.aiReady, ofAssessment: 12345) }
            #expect(throws: SimulatorError.self) {
                try sim.store.modifyAssessment(id: 901) { $0.assessmentDate = "yesterday" }
            }
        }
    }

    @Test func publicConstantsAndURLs() async throws {
        try await withSimulator(SimulatorConfiguration(port: 0, token: "custom-token", seed: .generated(assessments: 10, seed: 1))) { (sim) throws in
            #expect(sim.port > 0)
            #expect(sim.baseURL == "http://127.0.0.1:\(sim.port)/api/mind")
            #expect(sim.rootURL == "http://127.0.0.1:\(sim.port)")
            #expect(sim.token == "custom-token")
            let client = WireClient(port: sim.port)
            defer { client.close() }
            #expect(try client.get("/quality/assessment", token: "custom-token").status == 200)
            // --token replaces the demo token.
            #expect(try client.get("/quality/assessment", token: SimulatorTokens.demo).status == 401)
            #expect(try client.get("/quality/assessment", token: SimulatorTokens.teamLead).status == 200)
        }
    }

    @Test(.timeLimit(.minutes(1))) func shutdownClosesIdleKeepAliveConnectionsPromptly() async throws {
        let sim = try await Simulator.start(SimulatorConfiguration(port: 0, seed: .generated(assessments: 10, seed: 1)))
        let client = WireClient(port: sim.port)
        defer { client.close() }
        #expect(try client.get("/quality/assessment/1003").status == 200)
        // Without closing idle connections, shutdown would wait for the client for ever: the
        // time limit fails that (6.4 s seen with parallel builds, so no tighter bound).
        await sim.shutdown()
        #expect(throws: WireClient.Failure.self) { try client.get("/quality/assessment/1003") }
    }

    @Test func startFailsCleanly() async throws {
        await #expect(throws: SimulatorError.self) {
            _ = try await Simulator.start(SimulatorConfiguration(port: 0, faults: FaultSettings(errorRate: 2)))
        }
        await #expect(throws: SimulatorError.self) {
            _ = try await Simulator.start(SimulatorConfiguration(port: 0, seed: .file(path: "/nonexistent/seed.json")))
        }
        // A port that is taken.
        try await withSimulator { sim in
            await #expect(throws: SimulatorError.self) {
                _ = try await Simulator.start(SimulatorConfiguration(port: sim.port, seed: .generated(assessments: 1, seed: 1)))
            }
        }
    }
}
