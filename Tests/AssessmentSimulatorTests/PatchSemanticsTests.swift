import Foundation
import Testing

@testable import AssessmentSimulator

@Suite("PATCH semantics")
struct PatchSemanticsTests {
    @Test func appliesValuesStampsCriteriaAndNormalisesDates() async throws {
        try await withFixture { sim, client in
            let before = try #require(sim.store.assessment(id: 901))
            let reply = try client.patch(
                901,
                """
                {"criteria": [{"categoryId": 1, "criterionId": 1, "score": 5, "reason": "warm"},
                              {"categoryId": 2, "criterionId": 4, "reason": "checked again"}],
                 "supervisorAssessment": "Focus on clearer closing.",
                 "aiSummary": "edited summary",
                 "assessmentDate": "2024-06-12T13:00:00+02:00",
                 "discussionDate": "2024-06-13T09:00:00.250Z"}
                """)
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "application/json")
            let json = reply.object
            #expect(json.string("state") == "reviewOngoing")
            #expect(json.int("assessedByUser") == SimulatorUsers.demoAdmin)
            #expect(json.dict("data").string("assessmentDate") == "2024-06-12T11:00:00Z")
            #expect(json.dict("data").string("discussionDate") == "2024-06-13T09:00:00.250Z")
            #expect(json.dict("data").string("supervisorAssessment") == "Focus on clearer closing.")
            #expect(json.string("aiSummary") == "edited summary")
            #expect(json.dict("data").string("aiSummary") == "edited summary")
            let modifiedAt = try #require(json.string("modifiedAt"))
            #expect(instant(modifiedAt) > instant(before.modifiedAt))

            let greeting = try #require(json.criterion(1, 1))
            #expect(greeting.int("score") == 5)
            #expect(greeting.string("reason") == "warm")
            #expect(greeting.string("state") == "humanVerified")
            #expect(greeting.int("lastEditedByUserId") == SimulatorUsers.demoAdmin)
            #expect(greeting.string("lastEditedAt") == modifiedAt)
            // Reason-only edit: score kept, criterion still becomes humanVerified and is stamped.
            let accuracy = try #require(json.criterion(2, 4))
            #expect(accuracy.int("score") == 8)
            #expect(accuracy.string("reason") == "checked again")
            #expect(accuracy.string("state") == "humanVerified")
            #expect(accuracy.string("lastEditedAt") == modifiedAt)
            // Criteria not named stay as they were.
            let identification = try #require(json.criterion(1, 2))
            #expect(identification.string("state") == "aiGenerated")
            #expect(identification.isNull("lastEditedAt"))

            // Totals recomputed: 5 + 2 + 3 + 8 + 3 = 21 of 24 used, 25 total → 88 %.
            #expect(json.dict("totals").int("scoredPoints") == 21)
            #expect(json.dict("totals").int("usedMaxPoints") == 24)
            #expect(json.dict("totals").int("totalMaxPoints") == 25)
            #expect(json.dict("totals").int("percentage") == 88)
            #expect(json.dict("data").dict("totals").int("percentage") == 88)

            // The store holds the same values.
            let after = try #require(sim.store.assessment(id: 901))
            #expect(after.state == .reviewOngoing)
            #expect(after.modifiedAt == modifiedAt)
            #expect(after.assessmentDate == "2024-06-12T11:00:00Z")
            #expect(after.criterion(categoryId: 1, criterionId: 1)?.score == 5)
            #expect(after.criterion(categoryId: 2, criterionId: 4)?.state == .humanVerified)
            #expect(after.totals == SimTotals(scoredPoints: 21, usedMaxPoints: 24, totalMaxPoints: 25, percentage: 88))

            // History: one entry per changed value, in a stable order.
            let history = json.list("editingHistory")
            let fields = history.map { $0.string("field") ?? "" }
            #expect(
                fields == [
                    "criteria.1.1.score", "criteria.1.1.reason", "criteria.2.4.reason", "aiSummary", "supervisorAssessment",
                    "assessmentDate", "discussionDate", "state",
                ])
            #expect(history[0].int("oldValue") == 4)
            #expect(history[0].int("newValue") == 5)
            #expect(history[4]["oldValue"] is NSNull)
            #expect(history[7].string("oldValue") == "aiReady")
            #expect(history[7].string("newValue") == "reviewOngoing")
            #expect(history.allSatisfy { $0.int("userId") == 12 && $0.string("timestamp") == modifiedAt })
            #expect(after.editingHistory.count == 8)
        }
    }

    @Test func reasonOnlyEditMarksHumanVerifiedWithoutHistoryForUnchangedValues() async throws {
        try await withFixture { sim, client in
            let reply = try client.patch(901, #"{"criteria": [{"categoryId": 1, "criterionId": 2, "reason": "identified"}]}"#)
            #expect(reply.status == 200)
            let criterion = try #require(reply.object.criterion(1, 2))
            #expect(criterion.string("state") == "humanVerified")
            #expect(criterion.int("lastEditedByUserId") == 12)
            #expect(criterion.int("score") == 2)
            // The reason did not change: only the automatic state transition is recorded.
            #expect(reply.object.list("editingHistory").map { $0.string("field") } == ["state"])
            #expect(sim.store.assessment(id: 901)?.criterion(categoryId: 1, criterionId: 2)?.state == .humanVerified)
        }
    }

    @Test func explicitStateWinsOverAutomaticTransition() async throws {
        try await withFixture { sim, client in
            let reply = try client.patch(901, #"{"state": "reviewedBySupervisor"}"#)
            #expect(reply.status == 200)
            #expect(reply.object.string("state") == "reviewedBySupervisor")
            let history = reply.object.list("editingHistory")
            #expect(history.count == 1)
            #expect(history.first?.string("oldValue") == "aiReady")
            #expect(history.first?.string("newValue") == "reviewedBySupervisor")
            #expect(sim.store.assessment(id: 901)?.state == .reviewedBySupervisor)

            let discussed = try client.patch(901, #"{"state": "discussedWithAssessee", "discussionDate": "2025-07-01T10:00:00Z"}"#)
            #expect(discussed.object.string("state") == "discussedWithAssessee")
        }
    }

    @Test func stateMayMoveBackwardsAndOtherStatesStay() async throws {
        try await withFixture { sim, client in
            let back = try client.patch(904, #"{"state": "reviewedBySupervisor"}"#)
            #expect(back.status == 200)
            #expect(sim.store.assessment(id: 904)?.state == .reviewedBySupervisor)

            let keep = try client.patch(903, #"{"supervisorAssessment": "still reviewed"}"#)
            #expect(keep.status == 200)
            #expect(keep.object.string("state") == "reviewedBySupervisor")
            #expect(keep.object.list("editingHistory").map { $0.string("field") } == ["supervisorAssessment"])

            let ongoing = try client.patch(902, #"{"aiSummary": "x"}"#)
            #expect(ongoing.object.string("state") == "reviewOngoing")
        }
    }

    @Test func totalsApplyBothKnockOuts() async throws {
        try await withFixture { sim, client in
            func totals(_ reply: WireClient.Reply) -> [Int?] {
                let t = reply.object.dict("totals")
                return [t.int("scoredPoints"), t.int("usedMaxPoints"), t.int("totalMaxPoints"), t.int("percentage")]
            }
            let initial = try client.get("/quality/assessment/901")
            #expect(totals(initial) == [20, 24, 25, 83])
            // 0 on the category make-or-break criterion zeroes category 1 (4 + 0).
            let categoryKnockOut = try client.patch(901, #"{"criteria": [{"categoryId": 1, "criterionId": 2, "score": 0}]}"#)
            #expect(totals(categoryKnockOut) == [14, 24, 25, 58])
            // 0 on the assessment make-or-break criterion zeroes everything.
            let assessmentKnockOut = try client.patch(901, #"{"criteria": [{"categoryId": 2, "criterionId": 3, "score": 0}]}"#)
            #expect(totals(assessmentKnockOut) == [0, 24, 25, 0])
            // Scoring the unscored criterion raises usedMaxPoints; lifting the assessment
            // knock-out brings the points back, the category knock-out still holds.
            let more = try client.patch(
                901,
                #"{"criteria": [{"categoryId": 3, "criterionId": 6, "score": 1}, {"categoryId": 2, "criterionId": 3, "score": 3}]}"#)
            #expect(totals(more) == [15, 25, 25, 60])
            #expect(sim.store.assessment(id: 901)?.totals == SimTotals(scoredPoints: 15, usedMaxPoints: 25, totalMaxPoints: 25, percentage: 60))
        }
    }

    @Test func modifiedAtStrictlyIncreasesEvenWithinOneMillisecond() async throws {
        try await withFixture { sim, client in
            var last = instant(sim.store.assessment(id: 902)?.modifiedAt)
            let replies = try await blocking { try (0..<60).map { try client.patch(902, "{\"aiSummary\": \"v\($0)\"}") } }
            #expect(replies.allSatisfy { $0.status == 200 })
            for reply in replies {
                let now = instant(reply.object.string("modifiedAt"))
                #expect(now > last)
                last = now
            }
            #expect(instant(sim.store.assessment(id: 902)?.modifiedAt) == last)
            #expect(sim.patchCount(for: 902) == 60)
            #expect(sim.appliedPatchCount(for: 902) == 60)
        }
    }

    @Test func concurrentPatchesToOneAssessmentSerialise() async throws {
        try await withFixture { sim, _ in
            let port = sim.port
            let writers = 4
            let perWriter = 25
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for w in 0..<writers {
                    group.addTask {
                        try await blocking {
                            let client = WireClient(port: port)
                            defer { client.close() }
                            return (0..<perWriter).map { i in
                                (try? client.patch(
                                    912, "{\"aiSummary\": \"w\(w)-\(i)\", \"criteria\": [{\"categoryId\": 2, \"criterionId\": 4, \"score\": \(i % 11)}]}"
                                ).status) ?? -1
                            }
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(statuses == Array(repeating: 200, count: writers * perWriter))
            let final = try #require(sim.store.assessment(id: 912))
            let summaries = final.editingHistory.filter { $0.field == "aiSummary" }
            #expect(summaries.count == writers * perWriter)
            // Each entry's old value is the previous entry's new value: no lost update.
            for (previous, next) in zip(summaries, summaries.dropFirst()) {
                #expect(next.oldValue == previous.newValue)
                #expect(instant(next.timestamp) > instant(previous.timestamp))
            }
            #expect(sim.appliedPatchCount(for: 912) == writers * perWriter)
        }
    }

    @Test func teamLeadMayEditOnlyTheTeam() async throws {
        try await withFixture { sim, client in
            let own = try client.patch(901, #"{"aiSummary": "by lead"}"#, token: SimulatorTokens.teamLead)
            #expect(own.status == 200)
            #expect(own.object.int("assessedByUser") == SimulatorUsers.teamLead)
            #expect(own.object["canEdit"] as? Bool == true)
            let other = try client.patch(911, #"{"aiSummary": "by lead"}"#, token: SimulatorTokens.teamLead)
            #expect(other.status == 403)
            #expect(other.errorMessage != nil)
            #expect(sim.store.assessment(id: 911)?.aiSummary == "")
            let view = try client.get("/quality/assessment/911", token: SimulatorTokens.teamLead)
            #expect(view.status == 200)
            #expect(view.object["canEdit"] as? Bool == false)
            #expect(sim.store.canEdit(assessmentID: 911, token: SimulatorTokens.teamLead) == false)
            #expect(sim.store.canEdit(assessmentID: 901, token: SimulatorTokens.teamLead) == true)
        }
    }
}
