import SharedSupport
import Foundation
import Testing
@testable import AssessmentBatchCore

/// The PATCH body of `update` as text.
func patchBody(_ update: AssessmentUpdate) -> String {
    var bytes: [UInt8] = []
    update.appendPatchBody(to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
}

struct PatchBodyTests {
    @Test func onlyTheFieldsTheFileSetsInTheDocumentedOrder() {
        let batch = load(#"""
            assessmentId;categoryId;criterionId;score;reason;state;discussionDate;aiSummary
            901;1;2;5;"Great ""intro""";reviewedBySupervisor;2024-06-13T11:00:00+02:00;
            901;2;6;;Added context;;;Zusammenfassung: höflich
            902;1;2;0;;;;

            """#)
        #expect(batch.isValid)
        #expect(patchBody(batch.updates[0]) == #"""
            {"aiSummary":"Zusammenfassung: höflich","discussionDate":"2024-06-13T09:00:00Z","criteria":[{"categoryId":1,"criterionId":2,"score":5,"reason":"Great \"intro\""},{"categoryId":2,"criterionId":6,"reason":"Added context"}],"state":"reviewedBySupervisor"}
            """#)
        #expect(patchBody(batch.updates[1]) == """
            {"criteria":[{"categoryId":1,"criterionId":2,"score":0}]}
            """)
    }

    @Test func guardsAreNeverSent() {
        let batch = load("assessmentId,scorecardId,expectedModifiedAt,supervisorAssessment\n901,7,2024-06-12T11:00:00Z,ok\n")
        #expect(patchBody(batch.updates[0]) == #"{"supervisorAssessment":"ok"}"#)
    }

    @Test func multiLineReasonsAndControlCharactersAreEscaped() {
        let batch = load("assessmentId,categoryId,criterionId,reason\r\n901,1,2,\"Zeile 1\r\nZeile 2\ttab\"\r\n")
        #expect(patchBody(batch.updates[0]) == #"{"criteria":[{"categoryId":1,"criterionId":2,"reason":"Zeile 1\r\nZeile 2\ttab"}]}"#)
    }
}
