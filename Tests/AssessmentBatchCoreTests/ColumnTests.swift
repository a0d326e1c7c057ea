import SharedSupport
import Foundation
import Testing
@testable import AssessmentBatchCore

struct ColumnTests {
    @Test func ordinalIsThePositionInAllCases() {
        #expect(Column.allCases.map(\.ordinal) == Array(Column.allCases.indices))
    }

    @Test func headerBytesMatchLikeStrings() {
        for name in Column.allCases.map(\.rawValue) + ["ASSESSMENTID", " score ", "Reason", "scor", "", "criteria"] {
            var text = name
            let fromBytes = text.withUTF8 { Column(header: $0) }
            #expect(fromBytes == Column(header: name), "\(name)")
        }
    }
}
