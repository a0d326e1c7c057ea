import Foundation
import Testing
@testable import AssessmentBatchCore

/// `LiveAssessment(answer:)` reads what the JSON tree it replaced read, and rejects what
/// `JSONParser` rejects.
struct AnswerReaderTests {
    /// An answer as the simulator sends it, trimmed.
    static let answer = #"""
        {"id":1003,"scorecardId":42,"scorecardBaseId":40,"state":"reviewOngoing","canEdit":true,"modifiedAt":"2025-06-01T00:06:50+02:00","aiSummary":"root summary","totals":{"scoredPoints":23,"percentage":92},"data":{"aiSummary":"Helpful answer; identification step was skipped.","general":{"channel":"phone","language":"de"},"aiUsage":{"aiAgents":[{"id":3,"name":"Billing Assistant","actions":null}]},"categories":[{"categoryId":8,"criteria":[{"id":20,"score":5,"reason":"Next steps were summarised well.","state":"humanVerified","lastEditedByUserId":7,"lastEditedAt":null},{"id":21,"score":2.5,"reason":"Gr\u00fc\u00dfe \/ \"quoted\"\n\ud83d\ude00","state":"aiGenerated"}]},{"criteria":[{"id":22,"score":null,"reason":null,"state":"unscored"}],"categoryId":9}],"supervisorAssessment":"Gespräch gut","assessmentDate":"2024-06-12T13:00:00+02:00","discussionDate":null},"editedBy":[]}
        """#

    @Test func readsWhatTheTreeRead() throws {
        let live = try #require(read(Self.answer))
        #expect(live.id == 1003)
        #expect(live.scorecardId == 42)
        #expect(live.state == .reviewOngoing)
        #expect(live.canEdit == true)
        #expect(live.modifiedAt?.description == "2025-05-31T22:06:50Z")
        #expect(live.aiSummary == "Helpful answer; identification step was skipped.")
        #expect(live.supervisorAssessment == "Gespräch gut")
        #expect(live.assessmentDate?.description == "2024-06-12T11:00:00Z")
        #expect(live.discussionDate == nil)
        #expect(live.criteria.count == 3)
        let first = try #require(live.criteria[CriterionKey(categoryId: 8, criterionId: 20)])
        #expect(first.score == 5 && first.reason == "Next steps were summarised well." && first.state == "humanVerified")
        let second = try #require(live.criteria[CriterionKey(categoryId: 8, criterionId: 21)])
        #expect(second.score == 2.5 && second.reason == "Grüße / \"quoted\"\n😀" && second.state == "aiGenerated")
        // categoryId after criteria still names them.
        let third = try #require(live.criteria[CriterionKey(categoryId: 9, criterionId: 22)])
        #expect(third.score == nil && third.reason == nil && third.state == "unscored")
    }

    @Test(arguments: [
        // data's texts win when they are strings, the root's otherwise.
        (#"{"aiSummary":"root","supervisorAssessment":"root too","data":{"aiSummary":null,"supervisorAssessment":"data"}}"#,
         "aiSummary=root supervisorAssessment=data"),
        // A date member of data wins even when it is null.
        (#"{"assessmentDate":"2024-01-01T00:00:00Z","discussionDate":"2024-01-02T00:00:00Z","data":{"assessmentDate":null}}"#,
         "discussionDate=2024-01-02T00:00:00Z"),
        // data that is not an object is no data.
        (#"{"aiSummary":"root","data":["aiSummary","x"]}"#, "aiSummary=root"),
        (#"{"state":{"nested":"state"},"id":"7","scorecardId":7.0,"canEdit":1}"#, ""),
        (#"{"id":-3,"\u0073tate":"reviewOngoing","canEdit":false,"modifiedAt":"not a date"}"#, "id=-3 state=reviewOngoing canEdit=false"),
        // Criteria need an integer id and an integer categoryId; the last of two equal keys wins.
        (#"{"data":{"categories":[{"categoryId":1,"criteria":[{"id":2,"score":"3"},{"score":1},{"id":2.5},{"id":2,"score":4,"reason":""}]},{"categoryId":"2","criteria":[{"id":1}]},[{"categoryId":3}],{"categoryId":1,"criteria":[{"id":5,"score":1e1,"state":null}]}]}}"#,
         "1/2:4.0,,nil 1/5:10.0,nil,nil"),
        (#"{"categories":[{"categoryId":1,"criteria":[{"id":2,"score":3}]}],"data":{"categories":{"categoryId":1}}}"#, ""),
        (#" {"data":{"categories":[],"aiSummary":"x"}} "#, "aiSummary=x"),
        ("{}", ""),
    ])
    func readsValuesByPosition(answer: String, expected: String) throws {
        #expect(try #require(read(answer)).summary == expected)
    }

    @Test(arguments: [
        "", " ", "[]", "42", #""text""#, "null", "[{}]",
        #"{"id":1,"id":2}"#,
        #"{"state":"a","st\u0061te":"b"}"#,
        #"{"data":{"x":{"y":1,"y":2}}}"#,
        #"{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"a":18}"#,
        #"{"id":1,}"#, #"{"id":[1,]}"#, #"{"id":1} x"#, #"{"id":01}"#, #"{"id":-}"#, #"{"id":1.}"#, #"{"id":+1}"#, #"{"id":.5}"#,
        #"{"id":NaN}"#, #"{"id":tru}"#, #"{'id':1}"#, #"{"id":1 /* c */}"#, #"{"id" 1}"#, #"{"id":1"#, #"{"id":"\ud800"}"#,
        #"{"id":"\udc00x"}"#, #"{"id":"\x"}"#, #"{"id":"\u12"}"#, "{\"id\":\"tab\there\"}", #"{"id":"unterminated}"#,
    ])
    func rejectsWhatTheParserRejects(answer: String) {
        #expect((try? JSONParser.parse(answer))?.objectValue == nil)
        #expect(read(answer) == nil)
    }

    @Test func rejectsInvalidUTF8AndTooDeepNesting() {
        #expect(read(Array(#"{"reason":"a"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)) == nil)
        #expect(read(Array(#"{"x":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8)) == nil)
        #expect(read(Array(#"{"stat"#.utf8) + [0xC3] + Array(#"":1,"longer than eight":2}"#.utf8)) == nil)
        #expect(read(Array(#"{"state":"Gr"#.utf8) + [0xC3, 0xBC] + Array(#"n, more than eight bytes"}"#.utf8))?.state == .unknown("Grün, more than eight bytes"))
        let nested = { (depth: Int) in "{\"x\":" + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}" }
        #expect(read(nested(64)) != nil)
        #expect(read(nested(65)) == nil)
    }

    @Test func findsDuplicateKeysInBigObjects() {
        let members = (0..<100).map { "\"k\($0)\":\($0)" }
        #expect(read("{" + members.joined(separator: ",") + ",\"state\":\"x\"}")?.state == .unknown("x"))
        for duplicate in ["k3", "k70", "k99"] {
            #expect(read("{" + members.joined(separator: ",") + ",\"\(duplicate)\":1}") == nil)
        }
    }

    private func read(_ text: String) -> LiveAssessment? { read(Array(text.utf8)) }

    private func read(_ bytes: [UInt8]) -> LiveAssessment? {
        bytes.withUnsafeBytes(LiveAssessment.init(answer:))
    }
}

extension LiveAssessment {
    /// The values that are set, in a fixed order; criteria as `category/criterion:score,reason,state`.
    var summary: String {
        var parts: [String] = []
        if let id { parts.append("id=\(id)") }
        if let scorecardId = self.scorecardId { parts.append("scorecardId=\(scorecardId)") }
        if let state = self.state { parts.append("state=\(state)") }
        if let canEdit { parts.append("canEdit=\(canEdit)") }
        if let modifiedAt { parts.append("modifiedAt=\(modifiedAt)") }
        if let aiSummary = self.aiSummary { parts.append("aiSummary=\(aiSummary)") }
        if let supervisorAssessment = self.supervisorAssessment { parts.append("supervisorAssessment=\(supervisorAssessment)") }
        if let assessmentDate = self.assessmentDate { parts.append("assessmentDate=\(assessmentDate)") }
        if let discussionDate = self.discussionDate { parts.append("discussionDate=\(discussionDate)") }
        for (key, value) in criteria.sorted(by: { ($0.key.categoryId, $0.key.criterionId) < ($1.key.categoryId, $1.key.criterionId) }) {
            parts.append("\(key.categoryId)/\(key.criterionId):\(value.score.map { "\($0)" } ?? "nil"),\(value.reason ?? "nil"),\(value.state ?? "nil")")
        }
        return parts.joined(separator: " ")
    }
}
