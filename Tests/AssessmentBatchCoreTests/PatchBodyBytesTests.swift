import Foundation
import Testing
@testable import AssessmentBatchCore

struct PatchBodyBytesTests {
    @Test func bodyIsCanonicalJSON() throws {
        let batch = load(#"""
            assessmentId;categoryId;criterionId;score;reason;state;discussionDate;assessmentDate;aiSummary;supervisorAssessment
            901;1;2;5;"Great ""intro""\ttab";reviewedBySupervisor;2024-06-13T11:00:00+02:00;2024-06-12T13:00:00.5-05:00;Zusammenfassung: höflich;"zwei
            Zeilen"
            901;2;6;;Added context;;;;;
            902;1;2;0;;;;;;
            903;2147483647;7;1234567890;\u{1};;;;;
            904;;;;;discussedWithAssessee;;;;

            """#)
        #expect(batch.isValid)
        #expect(batch.updates.count == 4)
        for update in batch.updates + [AssessmentUpdate(assessmentId: 905)] {
            // Valid JSON, written exactly as JSONWriter writes the same value.
            let body = patchBody(update)
            #expect(try JSONWriter.string(JSONParser.parse(body)) == body)
        }
    }
}
