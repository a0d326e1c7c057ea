import Foundation
import Testing

@testable import AssessmentSimulator

@Suite("Read endpoints")
struct ReadTests {
    static func ids(_ reply: WireClient.Reply) -> [Int] {
        reply.object.list("assessments").compactMap { $0.int("id") }
    }

    @Test func listIsSummaryFormWithTotalAndExcludesDeleted() async throws {
        try await withFixture { _, client in
            let reply = try client.get("/quality/assessment")
            #expect(reply.status == 200)
            #expect(Set(reply.object.keys) == ["assessments", "total"])
            #expect(reply.object.int("total") == 11)
            #expect(Self.ids(reply) == [901, 902, 903, 904, 905, 906, 907, 909, 910, 911, 912])
            let first = try #require(reply.object.list("assessments").first)
            #expect(first["data"] == nil)
            #expect(first["editingHistory"] == nil)
            for key in [
                "id", "scorecardId", "scorecardBaseId", "state", "assessedUser", "assessedByUser", "ticketId", "worklogId",
                "aiSummary", "totals", "worklog", "aiUsage", "time", "customerExperience", "createdAt", "modifiedAt", "deletedAt",
                "canEdit",
            ] {
                #expect(first[key] != nil, "missing \(key)")
            }
            #expect(first.int("scorecardId") == 42)
            #expect(first.int("scorecardBaseId") == 41)
            #expect(first.dict("totals").int("percentage") == 83)
            #expect(first.string("createdAt") == "2025-06-01T10:00:00Z")
            #expect(first.dict("worklog").int("ticketId") == 5001)
        }
    }

    @Test func listFiltersByStateAndUser() async throws {
        try await withFixture { _, client in
            let states = try client.get("/quality/assessment?state=aiReady,reviewOngoing")
            #expect(Self.ids(states) == [901, 902, 909, 910, 911, 912])
            #expect(states.object.int("total") == 6)
            let spaced = try client.get("/quality/assessment?state=error%2C%20unprocessed")
            #expect(Self.ids(spaced) == [905, 907])
            let user = try client.get("/quality/assessment?user=42")
            #expect(Self.ids(user) == [901, 905, 906, 907])
            let both = try client.get("/quality/assessment?user=42&state=aiReady")
            #expect(Self.ids(both) == [901])
            let base = try client.get("/quality/assessment?scorecardId=41&state=aiReady")
            #expect(Self.ids(base) == [901, 909, 910, 911])
            #expect(try client.get("/quality/assessment?scorecardId=42").object.int("total") == 0)
            #expect(try client.get("/quality/assessment?state=").object.int("total") == 11)
            for bad in ["state=deleted", "state=bogus", "state=aiReady,,error", "state=%20", "user=abc", "user=-3", "user=2147483648"] {
                let reply = try client.get("/quality/assessment?\(bad)")
                #expect(reply.status == 400, "\(bad)")
                #expect(reply.errorMessage != nil)
            }
        }
    }

    @Test func listPages() async throws {
        try await withFixture { _, client in
            let page = try client.get("/quality/assessment?limit=3&offset=2")
            #expect(Self.ids(page) == [903, 904, 905])
            #expect(page.object.int("total") == 11)
            let last = try client.get("/quality/assessment?limit=5&offset=10")
            #expect(Self.ids(last) == [912])
            let beyond = try client.get("/quality/assessment?offset=50")
            #expect(Self.ids(beyond).isEmpty)
            #expect(beyond.object.int("total") == 11)
            #expect(Self.ids(try client.get("/quality/assessment?limit=500")).count == 11)
            for bad in ["limit=0", "limit=501", "limit=abc", "offset=-1", "limit=1.5"] {
                #expect(try client.get("/quality/assessment?\(bad)").status == 400, "\(bad)")
            }
        }
    }

    @Test func pagingOverGeneratedData() async throws {
        try await withSimulator(SimulatorConfiguration(port: 0, seed: .generated(assessments: 1200, seed: 3))) { sim in
            let client = WireClient(port: sim.port)
            defer { client.close() }
            var seen: [Int] = []
            var offset = 0
            var total = -1
            repeat {
                let reply = try client.get("/quality/assessment?limit=500&offset=\(offset)")
                #expect(reply.status == 200)
                total = reply.object.int("total") ?? -1
                let ids = Self.ids(reply)
                seen += ids
                offset += 500
                if ids.isEmpty { break }
            } while offset < total
            let expected = sim.store.allAssessments().filter { $0.state != .deleted }.map(\.id)
            #expect(seen == expected)
            #expect(total == expected.count)
        }
    }

    @Test func viewPermissionsClampTheAudience() async throws {
        try await withFixture { _, client in
            // User 43 may see only their own assessments.
            let own = try client.get("/quality/assessment", token: "own-viewer")
            #expect(Self.ids(own) == [902])
            #expect(try client.get("/quality/assessment?user=42", token: "own-viewer").status == 403)
            #expect(try client.get("/quality/assessment/901", token: "own-viewer").status == 403)
            #expect(try client.get("/quality/assessment/902", token: "own-viewer").status == 200)
            #expect(try client.get("/quality/assessment", token: "no-view").status == 403)
            // Scorecards need no permission.
            #expect(try client.get("/quality/scorecard", token: "no-view").status == 200)
        }
    }

    @Test func singleAssessmentFullAndSummary() async throws {
        try await withFixture { _, client in
            let full = try client.get("/quality/assessment/902")
            #expect(full.status == 200)
            let json = full.object
            #expect(json.string("state") == "reviewOngoing")
            #expect(json.int("assessedByUser") == 12)
            #expect(json["canEdit"] as? Bool == true)
            #expect(json.isNull("deletedAt"))
            #expect(json.list("editingHistory").isEmpty)
            let data = json.dict("data")
            for key in ["aiSummary", "general", "aiUsage", "time", "customerExperience", "categories", "totals",
                        "supervisorAssessment", "assessmentDate", "discussionDate"] {
                #expect(data[key] != nil, "missing data.\(key)")
            }
            let categories = data.list("categories")
            #expect(categories.map { $0.int("categoryId") } == [1, 2, 3])
            #expect(categories.map { $0.list("criteria").count } == [2, 2, 2])
            let verified = try #require(json.criterion(1, 1))
            #expect(verified.string("state") == "humanVerified")
            #expect(verified.string("lastEditedAt") == "2025-06-01T12:00:00Z")
            let unscored = try #require(json.criterion(3, 6))
            #expect(unscored.isNull("score"))
            #expect(unscored.isNull("reason"))
            #expect(unscored.string("state") == "unscored")
            #expect(Set(unscored.keys) == ["id", "score", "reason", "state", "lastEditedByUserId", "lastEditedAt"])
            #expect(json.dict("totals").int("scoredPoints") == data.dict("totals").int("scoredPoints"))
            #expect(json.dict("totals").int("usedMaxPoints") == 5)

            let summary = try client.get("/quality/assessment/902?format=summary")
            #expect(summary.object["data"] == nil)
            #expect(summary.object.int("id") == 902)
            #expect(try client.get("/quality/assessment/902?format=xml").status == 400)
        }
    }

    @Test func scorecardListAndFilters() async throws {
        try await withFixture { _, client in
            let active = try client.get("/quality/scorecard")
            #expect(active.status == 200)
            #expect(active.array.map { $0.int("id") } == [42])
            let card = try #require(active.array.first)
            #expect(card.int("baseId") == 41)
            #expect(card.int("revision") == 2)
            #expect(card.int("categoryCount") == 3)
            #expect(card["canEdit"] as? Bool == true)
            let criterion = try #require(card.list("categories").first?.list("criteria").last)
            #expect(criterion.int("id") == 2)
            #expect(criterion.string("scoringType") == "metNotMet")
            #expect(criterion.int("maxPoints") == 2)
            #expect(criterion["makeOrBreakForCategory"] as? Bool == true)
            #expect(criterion["makeOrBreakForAssessment"] as? Bool == false)
            #expect(try client.get("/quality/scorecard?state=draft,active").array.map { $0.int("id") } == [42, 60])
            #expect(try client.get("/quality/scorecard?state=retired").array.map { $0.int("id") } == [41])
            #expect(try client.get("/quality/scorecard?state=deleted").array.map { $0.int("id") } == [61])
            #expect(try client.get("/quality/scorecard?state=bogus").status == 400)
            #expect(try client.get("/quality/scorecard", token: SimulatorTokens.viewOnly).array.first?["canEdit"] as? Bool == false)
        }
    }

    @Test func singleScorecardRevision() async throws {
        try await withFixture { sim, client in
            let old = try client.get("/quality/scorecard/41")
            #expect(old.status == 200)
            #expect(old.object.string("state") == "retired")
            #expect(old.object.int("revision") == 1)
            #expect(old.object.list("categories").first?.int("categoryId") == 7)
            let current = try client.get("/quality/scorecard/42")
            #expect(current.object.list("categories").count == 3)
            #expect(sim.store.scorecard(id: 42)?.criterion(categoryId: 2, criterionId: 3)?.makeOrBreakForAssessment == true)
            #expect(try client.get("/quality/scorecard/61").status == 404)
            #expect(try client.get("/quality/scorecard/999").status == 404)
            #expect(try client.get("/quality/scorecard/abc").status == 404)
            #expect(try client.get("/quality/scorecard/42", token: nil).status == 401)
        }
    }

    @Test func unknownPathsAre404() async throws {
        try await withFixture { _, client in
            let api = try client.get("/quality/nothing")
            #expect(api.status == 404)
            #expect(api.object["success"] as? Bool == false)
            #expect(try client.send("GET", "/elsewhere").status == 404)
            #expect(try client.get("/quality/assessment/901/refresh").status == 404)
        }
    }
}
