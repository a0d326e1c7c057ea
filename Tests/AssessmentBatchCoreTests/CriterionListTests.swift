import Testing
@testable import AssessmentBatchCore

/// Criteria stored compactly, reasons as indices into one text table per batch.
struct CriterionListTests {
    @Test func elementsReadBackAsTheyWereGiven() {
        var second = CriterionUpdate(categoryId: 2, criterionId: 3, reason: "Tarif korrekt erklärt")
        second.sourceIndex = 4
        let criteria = [CriterionUpdate(categoryId: 1, criterionId: 2, score: 0), second,
                        CriterionUpdate(categoryId: Int(Int32.max), criterionId: 9, score: 7, reason: "")]
        let list = CriterionList(criteria)
        #expect(Array(list) == criteria)
        #expect(list.map(\.reason) == [nil, "Tarif korrekt erklärt", ""])
        #expect(list.map(\.score) == [0, nil, 7])
        #expect(list[1].sourceIndex == 4)
        #expect(list == [criteria[0], criteria[1], criteria[2]])
        #expect(list != [criteria[0], criteria[1]])
        #expect(CriterionList().isEmpty)
        #expect(MemoryLayout<CriterionList.Entry>.stride == 20)
    }

    @Test func poolGivesOneIndexPerTextUntilItsLimit() {
        var pool = TextPool(limit: 2)
        let first = index("gut", in: &pool)
        #expect(index("gut", in: &pool) == first)
        let second = index("schlecht", in: &pool)
        #expect(second != first)
        // Past the limit a text is stored again under a new index, never looked up.
        let third = index("neutral", in: &pool)
        let again = index("neutral", in: &pool)
        #expect(third != again)
        #expect(index("gut", in: &pool) == first)
        #expect(pool.table().texts == ["gut", "schlecht", "neutral", "neutral"])
        #expect(pool.text(at: again) == "neutral")
    }

    @Test func equalReasonsPastThePoolLimitAreEqualValues() {
        var decoder = RowDecoder(zone: nil)
        decoder.texts = TextPool(limit: 0)
        let a = CriterionList.Entry(categoryId: 1, criterionId: 2, score: 3, reason: index("gleich", in: &decoder.texts))
        let b = CriterionList.Entry(categoryId: 1, criterionId: 2, score: 3, reason: index("gleich", in: &decoder.texts))
        let c = CriterionList.Entry(categoryId: 1, criterionId: 2, score: 3, reason: index("anders", in: &decoder.texts))
        let unscored = CriterionList.Entry(categoryId: 1, criterionId: 2, score: -1, reason: a.reason)
        let noReason = CriterionList.Entry(categoryId: 1, criterionId: 2, score: 3, reason: -1)
        #expect(a.reason != b.reason)
        #expect(decoder.hasSameValues(a, b))
        #expect(!decoder.hasSameValues(a, c))
        #expect(!decoder.hasSameValues(a, unscored))
        #expect(!decoder.hasSameValues(a, noReason))
        #expect(decoder.hasSameValues(noReason, noReason))
    }

    /// A file with more distinct reasons than the pool keeps still merges a criterion repeated
    /// with the same reason, and still rejects one repeated with another.
    @Test func repeatedCriterionPastThePoolLimit() {
        var csv = "assessmentId,categoryId,criterionId,score,reason\n"
        for id in 1...100_001 { csv += "\(id),1,1,2,reason number \(id)\n" }
        csv += "100001,1,1,2,reason number 100001\n"
        csv += "100000,1,1,2,another reason\n"
        let batch = load(csv)
        #expect(batch.diagnostics.map(\.message) == ["category 1 criterion 1 of assessment 100000 is already set differently on line 100001"])
        let last = batch.updates.last
        #expect(last?.assessmentId == 100_001)
        #expect(last?.criteria == [CriterionUpdate(categoryId: 1, criterionId: 1, score: 2, reason: "reason number 100001")])
        #expect(last?.sources.map(\.line) == [100_002, 100_003])
        #expect(batch.updates.count == 100_000)
    }

    private func index(_ text: String, in pool: inout TextPool) -> Int32 {
        var text = text
        return text.withUTF8 { pool.index($0) }
    }
}
