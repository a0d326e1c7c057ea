import Foundation
import Testing

@testable import AssessmentSimulator

@Suite("PATCH errors")
struct PatchErrorTests {
    /// (body, fragment of the expected message)
    static let invalidBodies: [(String, String)] = [
        (#"{"aiSummary": "x", "foo": 1}"#, "unknown field 'foo'"),
        (#"{"criteria": [{"categoryId": 1, "criterionId": 1, "score": 3, "id": 1}]}"#, "unknown field 'id'"),
        (#"{"criteria": [{"id": 1, "score": 3}]}"#, "unknown field 'id'"),
        (#"{"aiSummary": 5}"#, "aiSummary must be a string"),
        (#"{"criteria": {"categoryId": 1}}"#, "criteria must be an array"),
        (#"{"criteria": []}"#, "criteria must not be empty"),
        (#"{"criteria": [3]}"#, "criteria[0] must be an object"),
        (#"{"state": 1}"#, "state must be a string"),
        (#"{"state": "reviewOngoing"}"#, "state must be one of"),
        (#"{"state": "deleted"}"#, "state must be one of"),
        (#"{"assessmentDate": "2024-06-12T11:00:00"}"#, "RFC 3339"),
        (#"{"assessmentDate": "2024-06-12 11:00:00Z"}"#, "RFC 3339"),
        (#"{"discussionDate": "2024-02-30T11:00:00Z"}"#, "RFC 3339"),
        (#"{"discussionDate": 1718190000}"#, "date-time string"),
        (#"{"criteria": [{"categoryId": 1, "criterionId": 1, "score": 2.5}]}"#, "non-negative integer"),
        (#"{"criteria": [{"categoryId": 1, "criterionId": 1, "score": 3.0}]}"#, "non-negative integer"),
        (#"{"criteria": [{"categoryId": 1, "criterionId": 1, "score": -1}]}"#, "must not be negative"),
        (#"{"criteria": [{"categoryId": 1, "criterionId": 1, "score": "3"}]}"#, "non-negative integer"),
        (#"{"criteria": [{"categoryId": 1, "criterionId": 1, "reason": 7}]}"#, "reason must be a string"),
        (#"{"criteria": [{"criterionId": 1, "score": 3}]}"#, "categoryId is required"),
        (#"{"criteria": [{"categoryId": 1, "score": 3}]}"#, "criterionId is required"),
        (#"{"criteria": [{"categoryId": "1", "criterionId": 1, "score": 3}]}"#, "categoryId must be a positive integer"),
        (#"{"criteria": [{"categoryId": 1, "criterionId": 1, "score": 3}, {"categoryId": 1, "criterionId": 1, "score": 4}]}"#, "more than once"),
        (#"{"aiSummary": "x""#, "malformed JSON"),
        (#"{"aiSummary": "x",}"#, "malformed JSON"),
        (#"{"aiSummary": "x", "aiSummary": "y"}"#, "duplicate key"),
        ("not json", "malformed JSON"),
        ("[]", "must be a JSON object"),
        ("{}", "no fields"),
        ("", "request body is required"),
        (#"{"criteria": [{"categoryId": 99, "criterionId": 1, "score": 1}]}"#, "categoryId 99 is not a category"),
        (#"{"criteria": [{"categoryId": 1, "criterionId": 3, "score": 1}]}"#, "criterionId 3 is not a criterion of category 1"),
        (#"{"criteria": [{"categoryId": 1, "criterionId": 1, "score": 6}]}"#, "out of range for numericScale"),
        (#"{"criteria": [{"categoryId": 1, "criterionId": 2, "score": 1}]}"#, "out of range for metNotMet"),
        (#"{"criteria": [{"categoryId": 2, "criterionId": 3, "score": 4}]}"#, "out of range for metNotMet"),
    ]

    @Test(arguments: invalidBodies)
    func invalidBodyIs400AndChangesNothing(body: String, fragment: String) async throws {
        try await withFixture { sim, client in
            let before = try #require(sim.store.assessment(id: 901))
            let reply = try client.patch(901, body)
            #expect(reply.status == 400, "\(body) → \(reply.status) \(reply.text)")
            #expect(reply.object["success"] as? Bool == false)
            let message = try #require(reply.errorMessage)
            #expect(message.contains(fragment), "\(message)")
            #expect(sim.store.assessment(id: 901) == before)
            #expect(sim.appliedPatchCount(for: 901) == 0)
            #expect(sim.patchCount(for: 901) == 1)
        }
    }

    @Test func invalidCriterionAmongValidOnesLeavesEverythingUnchanged() async throws {
        try await withFixture { sim, client in
            let before = try #require(sim.store.assessment(id: 901))
            let reply = try client.patch(
                901,
                """
                {"aiSummary": "should not stick", "state": "reviewedBySupervisor",
                 "criteria": [{"categoryId": 1, "criterionId": 1, "score": 1, "reason": "changed"},
                              {"categoryId": 3, "criterionId": 77, "score": 1}]}
                """)
            #expect(reply.status == 400)
            #expect(reply.errorMessage?.contains("criteria[1]") == true)
            let after = try #require(sim.store.assessment(id: 901))
            #expect(after == before)
            #expect(after.criterion(categoryId: 1, criterionId: 1)?.score == 4)
            #expect(after.state == .aiReady)
            #expect(after.editingHistory.isEmpty)
        }
    }

    @Test func missingOrUnknownTokenIs401() async throws {
        try await withFixture { sim, client in
            for (token, header) in [(nil, nil), ("nope", nil), (nil, "Basic Zm9vOmJhcg=="), (nil, "Bearer")] as [(String?, String?)] {
                let reply = try client.send(
                    "PATCH", "/api/mind/quality/assessment/901", token: token, body: #"{"aiSummary": "x"}"#,
                    headers: header.map { [("Authorization", $0)] } ?? [])
                #expect(reply.status == 401)
                #expect(reply.header("www-authenticate") == "Bearer")
                #expect(reply.object["success"] as? Bool == false)
            }
            #expect(try client.get("/quality/assessment", token: nil).status == 401)
            #expect(try client.get("/quality/scorecard", token: "wrong").status == 401)
            #expect(sim.store.assessment(id: 901)?.aiSummary == "AI summary 901")
        }
    }

    @Test func noEditPermissionIs403() async throws {
        try await withFixture { sim, client in
            let viewer = try client.patch(901, #"{"aiSummary": "x"}"#, token: SimulatorTokens.viewOnly)
            #expect(viewer.status == 403)
            #expect(viewer.errorMessage?.contains("may not edit") == true)
            // The demo admin may not edit an assessment of their own work.
            let own = try client.patch(909, #"{"aiSummary": "x"}"#)
            #expect(own.status == 403)
            #expect(try client.get("/quality/assessment/909").object["canEdit"] as? Bool == false)
            #expect(try client.get("/quality/assessment/901", token: SimulatorTokens.viewOnly).object["canEdit"] as? Bool == false)
            // 403 comes before body validation.
            #expect(try client.patch(909, "garbage").status == 403)
            #expect(sim.store.assessment(id: 909)?.aiSummary == "")
        }
    }

    @Test func unknownOrDeletedIs404() async throws {
        try await withFixture { sim, client in
            for id in [999, 908] {
                let patch = try client.patch(id, #"{"aiSummary": "x"}"#)
                #expect(patch.status == 404)
                #expect(patch.errorMessage?.contains("not found") == true)
                #expect(try client.get("/quality/assessment/\(id)").status == 404)
            }
            #expect(try client.send("PATCH", "/api/mind/quality/assessment/abc", token: SimulatorTokens.demo, body: "{}").status == 404)
            #expect(try client.get("/quality/assessment/-1").status == 404)
            #expect(sim.store.assessment(id: 908)?.state == .deleted)
            #expect(sim.store.assessment(id: 908)?.deletedAt != nil)
        }
    }

    @Test(arguments: [905, 906, 907])
    func uneditableStateIs409(id: Int) async throws {
        try await withFixture { sim, client in
            let before = try #require(sim.store.assessment(id: id))
            let reply = try client.patch(id, #"{"aiSummary": "x"}"#)
            #expect(reply.status == 409)
            #expect(reply.errorMessage?.contains(before.state.rawValue) == true)
            #expect(sim.store.assessment(id: id) == before)
            // Body validation comes first: a malformed body on such an assessment is 400.
            #expect(try client.patch(id, #"{"bogus": 1}"#).status == 400)
        }
    }

    @Test func unsupportedMethodIs405() async throws {
        try await withFixture { _, client in
            let reply = try client.send("DELETE", "/api/mind/quality/assessment/901", token: SimulatorTokens.demo)
            #expect(reply.status == 405)
            #expect(reply.header("allow") == "GET, PATCH")
            #expect(try client.send("POST", "/api/mind/quality/assessment", token: SimulatorTokens.demo, body: "{}").status == 405)
        }
    }
}
