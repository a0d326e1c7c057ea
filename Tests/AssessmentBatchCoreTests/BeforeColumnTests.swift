import Testing
@testable import AssessmentBatchCore

/// Reading files with `…Before` columns: unedited values are dropped, edits keep what was seen.
@Suite struct BeforeColumnTests {
    private let header = "assessmentId,categoryId,criterionId,score,scoreBefore,reason,reasonBefore,state,stateBefore,aiSummary,aiSummaryBefore,assessmentDate,assessmentDateBefore,categoryName,criterionName,canEdit\n"

    @Test func anUneditedRowChangesNothingAndIsValid() {
        let batch = load(header + "901,1,2,4,4,ok,ok,,aiReady,sum,sum,2024-06-12T13:00:00+02:00,2024-06-12T11:00:00Z,Begrüßung,Name,true\n901,1,3,,,,,,,,,,,B,N,true\n")
        #expect(batch.problems == [])
        let update = try! #require(batch.updates.first)
        #expect(update.criteria.isEmpty)
        #expect(update.fields == AssessmentFields())
        #expect(update.expected == nil)
        #expect(!update.setsAnything)
    }

    @Test func editsKeepWhatWasSeen() throws {
        let batch = load(header + "901,1,2,5,4,better,ok,reviewedBySupervisor,aiReady,new,,,,,,\n901,1,3,2,,,,,,,,,,,,\n")
        #expect(batch.problems == [])
        let update = try #require(batch.updates.first)
        #expect(Array(update.criteria) == [CriterionUpdate(categoryId: 1, criterionId: 2, score: 5, reason: "better"),
                                           CriterionUpdate(categoryId: 1, criterionId: 3, score: 2)])
        #expect(update.fields.state == .reviewedBySupervisor)
        #expect(update.fields.aiSummary == "new")
        let expected = try #require(update.expected)
        #expect(expected[.state] == .value(.state(.aiReady)))
        #expect(expected[.aiSummary] == .empty)
        #expect(expected.criteria == [
            CriterionExpectation(key: CriterionKey(categoryId: 1, criterionId: 2), score: .value(4), reason: .value("ok")),
            CriterionExpectation(key: CriterionKey(categoryId: 1, criterionId: 3), score: .empty),
        ])
    }

    @Test func onlyTheEditedValueOfACriterionIsKept() throws {
        let batch = load(header + "901,1,2,4,4,changed,ok,,,,,,,,,\n")
        let update = try #require(batch.updates.first)
        #expect(Array(update.criteria) == [CriterionUpdate(categoryId: 1, criterionId: 2, reason: "changed")])
        #expect(update.expected?.criteria == [CriterionExpectation(key: CriterionKey(categoryId: 1, criterionId: 2), reason: .value("ok"))])
    }

    @Test func datesCompareAsInstants() throws {
        let batch = load(header + "901,,,,,,,,,,,2024-06-12T13:00:00+02:00,2024-06-12T11:00:00Z,,,\n")
        #expect(batch.problems == [])
        #expect(batch.updates.first?.fields.assessmentDate == nil)
    }

    @Test func formulaTextsAreUnescapedOnlyInSheetsWithBeforeColumns() throws {
        let exported = load(header + "901,1,2,,,'=1+1,,,,'@x,'@x,,,,,\n")
        let update = try #require(exported.updates.first)
        #expect(update.criteria.first?.reason == "=1+1")
        #expect(update.fields.aiSummary == nil)  // unedited: equal to its Before
        let own = load("assessmentId,categoryId,criterionId,reason\n901,1,2,'=1+1\n")
        #expect(own.updates.first?.criteria.first?.reason == "'=1+1")
    }

    @Test func jsonlBeforeKeysCountWhenNull() throws {
        let line = #"{"assessmentId":901,"categoryId":1,"criterionId":2,"score":3,"scoreBefore":null,"reason":null,"reasonBefore":null,"state":null,"stateBefore":"aiReady","canEdit":true,"maxPoints":5,"categoryName":"=x"}"#
        let batch = load(line + "\n", name: "sheet.jsonl")
        #expect(batch.problems == [])
        let update = try #require(batch.updates.first)
        #expect(Array(update.criteria) == [CriterionUpdate(categoryId: 1, criterionId: 2, score: 3)])
        #expect(update.expected?.criteria == [CriterionExpectation(key: CriterionKey(categoryId: 1, criterionId: 2), score: .empty)])
    }

    @Test func aStateOnARowWithoutStateBeforeIsAPlainTransition() throws {
        let batch = load(header + "901,1,2,4,4,ok,ok,,aiReady,,,,,,,\n901,1,3,,,,,reviewedBySupervisor,,,,,,,,\n")
        #expect(batch.problems == [])
        let update = try #require(batch.updates.first)
        #expect(update.fields.state == .reviewedBySupervisor)
        #expect(update.expected == nil)
    }

    @Test func aStateEqualToStateBeforeIsNoEdit() throws {
        let batch = load(header + "901,1,2,4,4,ok,ok,reviewedBySupervisor,reviewedBySupervisor,,,,,,,\n")
        #expect(batch.updates.first?.fields.state == nil)
        #expect(batch.updates.first?.setsAnything == false)
    }

    @Test func stateBeforeMustNameAState() {
        let batch = load("assessmentId,stateBefore\n901,ready\n")
        #expect(batch.problems == ["2: stateBefore must be an assessment state (unprocessed, aiInProgress, aiReady, reviewOngoing, reviewedBySupervisor, discussedWithAssessee, error, deleted), got \"ready\""])
    }

    @Test func filesWithoutBeforeColumnsKeepTheirRules() {
        let batch = load("assessmentId,categoryId,criterionId\n901,1,2\n")
        #expect(batch.problems == ["2: a criterion needs a score or a reason"])
        let empty = load("assessmentId,categoryName\n901,x\n")
        #expect(empty.problems == ["2: the row sets nothing to update (no criterion, text, date or state)"])
    }
}
