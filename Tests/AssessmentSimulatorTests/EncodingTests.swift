import Foundation
import StrictJSON
import Testing

@testable import AssessmentSimulator

/// The exact bytes of a few answers (key order, compact form, number and date spelling), so a
/// change in how the simulator writes JSON shows up as a failed comparison, not a parse that
/// happens to agree.
@Suite("Encoding")
struct EncodingTests {
    static let summary905 = #"""
        {"id":905,"scorecardId":42,"scorecardBaseId":41,"state":"unprocessed","assessedUser":42,"assessedByUser":null,"ticketId":5005,"worklogId":9050,"aiSummary":"","totals":{"scoredPoints":0,"usedMaxPoints":0,"totalMaxPoints":25,"percentage":0},"worklog":{"userId":42,"worklogId":9050,"lastInteraction":"2025-06-01T13:38:50Z","ticketId":5005,"conversationId":50051,"action":"reply","actionList":["reply"]},"aiUsage":{"automationLevel":3,"automationLevelLabel":"Supervised","aiAgents":[{"id":3,"name":"Billing Assistant","description":"Answers billing questions","intelligence":"standard","textAssistanceAccuracy":79,"actions":null}]},"time":{"duration":293,"durationAfterWork":94,"segments":[{"userTimeTrackingId":18100,"from":"2025-06-01T13:33:57Z","to":"2025-06-01T13:38:50Z","actionList":["reply"],"actionListText":["Reply"]}]},"customerExperience":{"slaMet":true,"netSecondsClosedAfterSla":-2284,"closingDateForSLA":"2025-06-01T13:38:50Z","dueDateForSLA":"2025-06-01T14:16:54Z","reOpened":false,"csat":null},"createdAt":"2025-06-01T14:00:00Z","modifiedAt":"2025-06-01T14:00:00Z","deletedAt":null,"canEdit":true}
        """#

    @Test func datesAndOptionalValuesTakeTheirPlaceInAContainer() {
        var writer = JSONStreamWriter()
        writer.beginArray()
        writer.date(SimDate(milliseconds: 1_717_236_000_123))
        writer.date(SimDate(seconds: -1))
        writer.optionalDate(nil)
        writer.optionalInt(-7 as Int?)
        writer.optionalInt(nil as Int?)
        writer.optionalString("q\"")
        writer.optionalString(nil)
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"["2024-06-01T10:00:00.123Z","1969-12-31T23:59:59Z",null,-7,null,"q\"",null]"#)
    }

    @Test func aSummaryAssessmentAndAListOfItAreWrittenExactly() async throws {
        try await withFixture { _, client in
            let one = try client.get("/quality/assessment/905?format=summary")
            #expect(one.status == 200)
            #expect(one.text == Self.summary905)
            let list = try client.get("/quality/assessment?state=unprocessed")
            #expect(list.text == #"{"assessments":["# + Self.summary905 + #"],"total":1}"#)
            #expect(try client.get("/quality/assessment?scorecardId=42").text == #"{"assessments":[],"total":0}"#)
        }
    }

    @Test func aScorecardIsWrittenExactly() async throws {
        try await withFixture { _, client in
            let reply = try client.get("/quality/scorecard/60")
            #expect(reply.status == 200)
            #expect(reply.text == #"""
                {"id":60,"baseId":60,"revision":1,"name":"Draft card","state":"draft","categoryCount":1,"categories":[{"categoryId":8,"label":"Only","order":1,"criteria":[{"id":80,"label":"C","description":"","maxPoints":1,"scoringType":"metNotMet","autoGenerateByAi":true,"assessmentPrompt":"","makeOrBreakForCategory":false,"makeOrBreakForAssessment":false}]}],"assignment":null,"liveCoach":{"enabled":false,"threshold":85},"createdAt":"2025-06-01T00:00:00Z","modifiedAt":"2025-06-01T00:00:00Z","createdBy":12,"modifiedBy":12,"canEdit":true}
                """#)
        }
    }

    @Test func errorAndControlBodiesAreWrittenExactly() async throws {
        try await withFixture { _, client in
            let missing = try client.get("/quality/assessment/999999")
            #expect(missing.status == 404)
            #expect(missing.text == #"{"success":false,"error":"assessment 999999 not found"}"#)
            _ = try client.patch(901, #"{"aiSummary": 1}"#)
            #expect(try client.send("GET", "/__sim/stats").text == #"""
                {"requests":[{"method":"GET","path":"/api/mind/quality/assessment/{id}","status":404,"count":1},{"method":"PATCH","path":"/api/mind/quality/assessment/{id}","status":400,"count":1}],"totalRequests":2,"patchesByAssessment":{"901":1},"appliedPatchesByAssessment":{}}
                """#)
            #expect(try client.send("POST", "/__sim/reset").text == #"{"success":true}"#)
            #expect(try client.send("GET", "/__sim/stats").text == #"""
                {"requests":[],"totalRequests":0,"patchesByAssessment":{},"appliedPatchesByAssessment":{}}
                """#)
        }
    }

    @Test func aFullAssessmentWithCriteriaAndHistoryIsWrittenExactly() async throws {
        let seed = packageRoot.appendingPathComponent("samples/sim-seed.json").path
        try await withSimulator(SimulatorConfiguration(port: 0, seed: .file(path: seed))) { simulator in
            let client = WireClient(port: simulator.port)
            defer { client.close() }
            let reply = try client.get("/quality/assessment/904")
            #expect(reply.status == 200)
            #expect(reply.text == #"""
                {"id":904,"scorecardId":42,"scorecardBaseId":41,"state":"reviewOngoing","assessedUser":45,"assessedByUser":20,"ticketId":12348,"worklogId":123481,"aiSummary":"Accurate tariff information, slightly curt tone.","totals":{"scoredPoints":17,"usedMaxPoints":21,"totalMaxPoints":25,"percentage":81},"data":{"aiSummary":"Accurate tariff information, slightly curt tone.","general":{"channel":"whatsapp","language":"de"},"aiUsage":{"automationLevel":1,"automationLevelLabel":"Monitor","aiAgents":[]},"time":{"duration":255,"durationAfterWork":51,"segments":[{"userTimeTrackingId":246962,"from":"2025-06-03T07:39:48Z","to":"2025-06-03T07:44:03Z","actionList":["reply"],"actionListText":["Reply"]}]},"customerExperience":{"slaMet":true,"netSecondsClosedAfterSla":-2445,"closingDateForSLA":"2025-06-03T07:44:03Z","dueDateForSLA":"2025-06-03T08:24:48Z","reOpened":false,"csat":null},"categories":[{"categoryId":4,"criteria":[{"id":10,"score":3,"reason":"Short greeting.","state":"aiGenerated","lastEditedByUserId":null,"lastEditedAt":null},{"id":11,"score":2,"reason":"Identified via date of birth.","state":"humanVerified","lastEditedByUserId":20,"lastEditedAt":"2025-06-03T11:20:00Z"}]},{"categoryId":5,"criteria":[{"id":12,"score":5,"reason":"Very clear.","state":"aiGenerated","lastEditedByUserId":null,"lastEditedAt":null},{"id":13,"score":1,"reason":"Curt in the last paragraph.","state":"humanVerified","lastEditedByUserId":20,"lastEditedAt":"2025-06-03T11:20:00Z"},{"id":14,"score":1,"reason":"No mistakes.","state":"aiGenerated","lastEditedByUserId":null,"lastEditedAt":null}]},{"categoryId":6,"criteria":[{"id":15,"score":5,"reason":"No issues.","state":"aiGenerated","lastEditedByUserId":null,"lastEditedAt":null},{"id":16,"score":null,"reason":null,"state":"unscored","lastEditedByUserId":null,"lastEditedAt":null}]}],"totals":{"scoredPoints":17,"usedMaxPoints":21,"totalMaxPoints":25,"percentage":81},"supervisorAssessment":null,"assessmentDate":null,"discussionDate":null},"editingHistory":[{"userId":20,"timestamp":"2025-06-03T11:20:00Z","field":"criteria.5.13.score","oldValue":2,"newValue":1}],"worklog":{"userId":45,"worklogId":123481,"lastInteraction":"2025-06-03T07:44:03Z","ticketId":12348,"conversationId":123481,"action":"reply","actionList":["reply"]},"aiUsage":{"automationLevel":1,"automationLevelLabel":"Monitor","aiAgents":[]},"time":{"duration":255,"durationAfterWork":51,"segments":[{"userTimeTrackingId":246962,"from":"2025-06-03T07:39:48Z","to":"2025-06-03T07:44:03Z","actionList":["reply"],"actionListText":["Reply"]}]},"customerExperience":{"slaMet":true,"netSecondsClosedAfterSla":-2445,"closingDateForSLA":"2025-06-03T07:44:03Z","dueDateForSLA":"2025-06-03T08:24:48Z","reOpened":false,"csat":null},"createdAt":"2025-06-03T07:55:00Z","modifiedAt":"2025-06-03T11:20:00Z","deletedAt":null,"canEdit":true}
                """#)
        }
    }

    /// Details a seed file gives are stored as parsed JSON and written back member by member:
    /// escapes normalized, numbers spelled as they were read.
    @Test func storedDetailsAreWrittenBackAsRead() async throws {
        let json = Fixture.json.replacingOccurrences(
            of: #""aiSummary": "AI summary 901","#,
            with: #""aiSummary": "AI summary 901", "general": {"channel": "x\u00e9\"\n", "nested": [1, 2.50, -0, 1E+3, 1e-7, true, false, null, {}, [], {"a": [{"b": null}]}]}, "worklog": {"k": "v"}, "aiUsage": {"automationLevel": 9}, "time": {"segments": [[], [1]]}, "customerExperience": {"csat": {"s": 1.0}},"#)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("encoding-extras-\(ProcessInfo.processInfo.processIdentifier).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withSimulator(SimulatorConfiguration(port: 0, seed: .file(path: path))) { simulator in
            let client = WireClient(port: simulator.port)
            defer { client.close() }
            #expect(try client.get("/quality/assessment/901?format=summary").text == #"""
                {"id":901,"scorecardId":42,"scorecardBaseId":41,"state":"aiReady","assessedUser":42,"assessedByUser":null,"ticketId":5001,"worklogId":9010,"aiSummary":"AI summary 901","totals":{"scoredPoints":20,"usedMaxPoints":24,"totalMaxPoints":25,"percentage":83},"worklog":{"k":"v"},"aiUsage":{"automationLevel":9},"time":{"segments":[[],[1]]},"customerExperience":{"csat":{"s":1.0}},"createdAt":"2025-06-01T10:00:00Z","modifiedAt":"2025-06-01T10:05:00Z","deletedAt":null,"canEdit":true}
                """#)
            let full = try client.get("/quality/assessment/901").text
            #expect(full.contains(#"""
                "data":{"aiSummary":"AI summary 901","general":{"channel":"xé\"\n","nested":[1,2.50,-0,1E+3,1e-7,true,false,null,{},[],{"a":[{"b":null}]}]},"aiUsage":{"automationLevel":9},"time":{"segments":[[],[1]]},"customerExperience":{"csat":{"s":1.0}},"categories":[
                """#))
        }
    }
}
