import Testing
@testable import AssessmentBatchCore

/// One input per input rule of the README, with the exact line and message.
struct HeaderValidationTests {
    @Test func unknownColumnNamesTheClosestKnownColumn() {
        let batch = load("assessmentId,categoryId,criterionId,scroe\n901,1,2,5\n")
        #expect(batch.problems == ["1: unknown column \"scroe\" (did you mean \"score\"?)"])
        #expect(batch.hasFileErrors)
        #expect(batch.updates.isEmpty)
    }

    @Test func headersMatchCaseInsensitively() {
        let batch = load("AssessmentID,CATEGORYID,criterionid,Score\n901,1,2,5\n")
        #expect(batch.isValid)
        #expect(batch.updates.first?.criteria == [CriterionUpdate(categoryId: 1, criterionId: 2, score: 5)])
    }

    @Test func duplicateColumnIsAnError() {
        let batch = load("assessmentId,score,Score\n901,1,2\n")
        #expect(batch.problems == ["1: column \"Score\" appears twice (columns 2 and 3)"])
    }

    @Test func missingAssessmentIdColumn() {
        let batch = load("categoryId,criterionId,score\n1,2,5\n")
        #expect(batch.problems == ["1: the header has no assessmentId column"])
    }

    @Test(arguments: ["", "assessmentId,score\n", "\u{FEFF}assessmentId;score\r\n\r\n"])
    func fileWithoutDataRowsIsInvalid(text: String) {
        let batch = load(text)
        #expect(batch.problems == ["1: the file has no data rows (a header and at least one row are required)"])
        #expect(batch.hasFileErrors)
    }

    @Test func emptyJSONLFileIsInvalid() {
        let batch = load("\n  \n", name: "empty.jsonl")
        #expect(batch.problems == ["1: the file has no rows"])
    }

    @Test func unknownExtensionNeedsFormat() {
        let batch = load("assessmentId\n1\n", name: "input.dat")
        #expect(batch.problems == ["1: cannot tell the format from the file name: use .csv, .tsv, .txt, .jsonl or .ndjson, or pass --format"])
        let forced = load("assessmentId,state\n1,reviewedBySupervisor\n", name: "input.txt", options: LoadOptions(format: .csv))
        #expect(forced.isValid)
    }

    @Test func toolColumnsAreIgnoredOnInput() {
        let batch = load("assessmentId,categoryId,criterionId,score,error,errorKind,sourceLine\n901,1,2,5,HTTP 503,transient,7\n")
        #expect(batch.isValid)
        #expect(batch.updates.first?.criteria == [CriterionUpdate(categoryId: 1, criterionId: 2, score: 5)])
    }

    @Test func unnamedColumnsMayOnlyHoldEmptyValues() {
        let batch = load("assessmentId;state;;\n901;reviewedBySupervisor;;\n902;reviewedBySupervisor;x;\n")
        #expect(batch.problems == ["3: field 3 has a value but its column has no name in the header"])
        #expect(batch.updates.map(\.assessmentId) == [901])
    }

    @Test func valueUnderAColumnBeyondTheHeader() {
        let batch = load("assessmentId,categoryId,criterionId,score\n901,1,2,5,,\n902,1,2,5,oops\n")
        #expect(batch.problems == ["3: field 5 has a value but the header has only 4 columns"])
    }
}

struct RowValidationTests {
    @Test(arguments: [("0", "0"), ("-3", "-3"), ("abc", "abc"), ("1.5", "1.5"), ("99999999999999999999", "99999999999999999999")])
    func assessmentIdMustBePositiveInteger(value: String, shown: String) {
        let batch = load("assessmentId,state\n\(value),reviewedBySupervisor\n")
        #expect(batch.problems == ["2: assessmentId must be a positive integer, got \"\(shown)\""])
        #expect(batch.invalid.count == 1 && batch.invalid[0].assessmentId == nil)
    }

    @Test(arguments: ["5.5", "-1", "x"])
    func scoreMustBeAWholeNumber(value: String) {
        let batch = load("assessmentId;categoryId;criterionId;score\n901;1;2;\(value)\n")
        #expect(batch.problems == ["2: score must be a whole number ≥ 0, got \"\(value)\""])
    }

    @Test func scoreZeroIsAScore() {
        let batch = load("assessmentId,categoryId,criterionId,score\n901,1,2,0\n")
        #expect(batch.updates.first?.criteria.first?.score == 0)
    }

    @Test func criterionNeedsBothIds() {
        let batch = load("assessmentId,categoryId,criterionId,score\n901,1,,5\n902,,3,5\n")
        #expect(batch.problems == [
            "2: criterionId is missing: a criterion needs both categoryId and criterionId",
            "3: categoryId is missing: a criterion needs both categoryId and criterionId",
        ])
    }

    @Test func scoreWithoutCriterionIds() {
        let batch = load("assessmentId,categoryId,criterionId,score,reason\n901,,,5,\n902,,,,why\n")
        #expect(batch.problems == [
            "2: score needs categoryId and criterionId to name its criterion",
            "3: reason needs categoryId and criterionId to name its criterion",
        ])
    }

    @Test func criterionNeedsScoreOrReason() {
        let batch = load("assessmentId,categoryId,criterionId,score,reason\n901,1,2,,\n")
        #expect(batch.problems == ["2: a criterion needs a score or a reason"])
    }

    @Test func rowWithOnlyAssessmentLevelValuesIsFine() {
        let batch = load("assessmentId,categoryId,criterionId,score,supervisorAssessment\n901,,,,Gut gemacht\n")
        #expect(batch.isValid)
        #expect(batch.updates.first?.fields.supervisorAssessment == "Gut gemacht")
        #expect(batch.updates.first?.criteria.isEmpty == true)
    }

    @Test func rowThatSetsNothing() {
        let batch = load("assessmentId,categoryId,criterionId,score\n901,,,\n")
        #expect(batch.problems == ["2: the row sets nothing to update (no criterion, text, date or state)"])
    }

    @Test func stateMustBeOneOfTwo() {
        let batch = load("assessmentId,state\n901,reviewOngoing\n902,DiscussedWithAssessee\n")
        #expect(batch.problems == ["2: state must be reviewedBySupervisor or discussedWithAssessee, got \"reviewOngoing\""])
        #expect(batch.updates.first?.fields.state == .discussedWithAssessee)
    }

    @Test func dateWithoutOffsetIsRejectedUnlessATimezoneIsGiven() {
        let text = "assessmentId,assessmentDate\n901,2024-06-12T11:00:00\n"
        #expect(load(text).problems == [
            "2: assessmentDate \"2024-06-12T11:00:00\" has no UTC offset: write it like 2024-06-12T11:00:00+02:00 or pass --timezone",
        ])
        let berlin = load(text, options: LoadOptions(zone: Timestamp.Zone("Europe/Berlin")))
        #expect(berlin.updates.first?.fields.assessmentDate?.description == "2024-06-12T09:00:00Z")
        let fixed = load(text, options: LoadOptions(zone: Timestamp.Zone("-05:30")))
        #expect(fixed.updates.first?.fields.assessmentDate?.description == "2024-06-12T16:30:00Z")
    }

    @Test(arguments: ["2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-06-12T25:00:00Z", "2024-06-12T11:00:00+2", "yesterday"])
    func malformedDates(value: String) {
        let batch = load("assessmentId,discussionDate\n901,\(value)\n")
        #expect(batch.problems == ["2: discussionDate must be an RFC 3339 date-time like 2024-06-12T11:00:00+02:00, got \"\(value)\""])
    }

    @Test func expectedModifiedAtIsADateGuard() {
        let batch = load("assessmentId,expectedModifiedAt,state\n901,2024-06-12T11:00:00.123+02:00,reviewedBySupervisor\n902,soon,reviewedBySupervisor\n")
        #expect(batch.problems == ["3: expectedModifiedAt must be an RFC 3339 date-time like 2024-06-12T11:00:00+02:00, got \"soon\""])
        #expect(batch.updates.first?.fields.expectedModifiedAt?.description == "2024-06-12T09:00:00.123Z")
    }
}

struct CrossRowValidationTests {
    @Test func assessmentLevelValuesMustAgree() {
        let batch = load("""
            assessmentId,categoryId,criterionId,score,supervisorAssessment,assessmentDate
            901,1,1,3,Gut,2024-06-12T13:00:00+02:00
            901,1,2,4,,2024-06-12T11:00:00Z
            901,1,3,5,Sehr gut,
            902,1,1,3,Gut,

            """)
        #expect(batch.problems == ["4: supervisorAssessment for assessment 901 differs from line 2"])
        #expect(batch.updates.map(\.assessmentId) == [902])
        #expect(batch.invalid.map(\.assessmentId) == [901])
    }

    @Test func sameCriterionTwiceIdenticalIsOneCriterion() {
        let batch = load("assessmentId,categoryId,criterionId,score,reason\n901,1,2,5,ok\n901,1,2,5,ok\n")
        #expect(batch.isValid)
        #expect(batch.updates.first?.criteria.count == 1)
        #expect(batch.updates.first?.sources.map(\.line) == [2, 3])
    }

    @Test func sameCriterionTwiceDifferentIsAnError() {
        let batch = load("assessmentId,categoryId,criterionId,score,reason\n901,1,2,5,ok\n901,1,3,5,ok\n901,1,2,4,ok\n")
        #expect(batch.problems == ["4: category 1 criterion 2 of assessment 901 is already set differently on line 2"])
    }

    @Test func everyRowOfAnInvalidAssessmentIsHeldBack() {
        let batch = load("assessmentId,categoryId,criterionId,score\n901,1,1,5\n902,1,1,5\n901,1,2,x\n")
        #expect(batch.updates.map(\.assessmentId) == [902])
        let failures = batch.invalidRows
        #expect(failures.count == 2)
        #expect(failures[SourceLocation(input: 0, line: 4)]?.message == "score must be a whole number ≥ 0, got \"x\"")
        #expect(failures[SourceLocation(input: 0, line: 2)]?.message == "assessment 901 not sent: line 4: score must be a whole number ≥ 0, got \"x\"")
        #expect(failures[SourceLocation(input: 0, line: 2)]?.kind == .invalid)
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() {
        let batch = load("assessmentId,categoryId,criterionId,score,state\n0,1,2,x,done\n901,1,2,5,\n902,a,2,5,\n")
        #expect(batch.problems == [
            "2: assessmentId must be a positive integer, got \"0\"",
            "2: score must be a whole number ≥ 0, got \"x\"",
            "2: state must be reviewedBySupervisor or discussedWithAssessee, got \"done\"",
            "4: categoryId must be a positive integer, got \"a\"",
        ])
    }

    @Test func rowsOfOneAssessmentAcrossFilesAreOnePatch() {
        let csv = writeInput("assessmentId,categoryId,criterionId,score\n901,1,1,5\n", name: "a.csv")
        let jsonl = writeInput("{\"assessmentId\": 901, \"criteria\": [{\"categoryId\": 1, \"criterionId\": 2, \"reason\": \"x\"}]}\n", name: "b.jsonl")
        let batch = BatchLoader.load([csv, jsonl])
        #expect(batch.isValid)
        #expect(batch.updates.count == 1)
        #expect(batch.updates[0].criteria.map(\.criterionId) == [1, 2])
        #expect(batch.updates[0].sources == [SourceLocation(input: 0, line: 2), SourceLocation(input: 1, line: 1)])
    }
}

struct JSONLValidationTests {
    @Test func flatAndNestedLinesMix() {
        let batch = load("""
            {"assessmentId": 901, "categoryId": 1, "criterionId": 2, "score": 5, "reason": "Great intro"}
            {"assessmentId": 902, "criteria": [{"categoryId": 1, "criterionId": 2, "score": 4}, {"categoryId": 2, "criterionId": 6, "reason": "ok"}], "state": "reviewedBySupervisor", "supervisorAssessment": null}

            {"assessmentId": 901, "assessmentDate": "2024-06-12T11:00:00+02:00"}
            """, name: "nightly.jsonl")
        #expect(batch.isValid)
        #expect(batch.rows == 3)
        #expect(batch.updates.map(\.assessmentId) == [901, 902])
        #expect(batch.updates[0].criteria == [CriterionUpdate(categoryId: 1, criterionId: 2, score: 5, reason: "Great intro")])
        #expect(batch.updates[0].fields.assessmentDate?.description == "2024-06-12T09:00:00Z")
        #expect(batch.updates[0].sources.map(\.line) == [1, 4])
        #expect(batch.updates[1].criteria.count == 2)
        #expect(batch.updates[1].fields.state == .reviewedBySupervisor)
    }

    @Test func problemsPerLine() {
        let batch = load("""
            {"assessmentId": 901, "score": 5
            [1, 2]
            {"assessmentId": 902, "scroe": 5}
            {"assessmentId": 903, "categoryId": 1, "criterionId": 2, "score": "5"}
            {"assessmentId": 904, "criteria": {"categoryId": 1}}
            {"assessmentId": 905, "criteria": [{"categoryId": 1, "criterionId": 2}], "categoryId": 1}
            {"assessmentId": 906, "criteria": [{"categoryId": 1, "criterionId": 2, "points": 3}]}
            {"assessmentId": 907, "state": true}
            {"assessmentId": 12345678901234567890123, "state": "reviewedBySupervisor"}
            """, name: "bad.jsonl")
        #expect(batch.problems.count == 9)
        #expect(batch.problems[0].hasPrefix("1: invalid JSON: "))
        #expect(batch.problems[1] == "2: each line must be a JSON object")
        #expect(batch.problems[2] == "3: unknown key \"scroe\" (did you mean \"score\"?)")
        #expect(batch.problems[3] == "5: criteria must be an array of objects")
        #expect(batch.problems[4] == "6: a line holds either flat criterion keys (categoryId, criterionId, score, reason) or a criteria array, not both")
        #expect(batch.problems[5] == "7: criteria[0]: unknown key \"points\" (did you mean \"score\"?)")
        #expect(batch.problems[6] == "7: criteria[0]: a criterion needs a score or a reason")
        #expect(batch.problems[7] == "8: state must be reviewedBySupervisor or discussedWithAssessee, got true")
        #expect(batch.problems[8] == "9: assessmentId must be a positive integer, got 12345678901234567890123… (too large)")
        // Digits in a string are read as the number they spell.
        #expect(batch.updates.map(\.assessmentId) == [903])
        #expect(batch.updates.first?.criteria.first?.score == 5)
        #expect(!batch.hasFileErrors)
    }
}

struct ScorecardValidationTests {
    static let scorecards = ScorecardCatalog([
        Scorecard(id: 7, categories: [
            1: [1: ScorecardCriterion(id: 1, maxPoints: 5, scoringType: .numericScale),
                2: ScorecardCriterion(id: 2, maxPoints: 10, scoringType: .metNotMet)],
        ]),
    ])

    @Test func rowsWithScorecardIdAreChecked() {
        let batch = load("""
            assessmentId,scorecardId,categoryId,criterionId,score
            901,7,1,1,5
            901,7,1,2,10
            902,7,1,1,6
            903,7,1,2,5
            904,7,2,1,1
            905,7,1,9,1
            906,8,1,1,1
            907,,1,1,99

            """, options: LoadOptions(scorecards: Self.scorecards))
        #expect(batch.problems == [
            "4: score 6 is out of range for category 1 criterion 1 (numericScale: 0…5)",
            "5: score 5 is out of range for category 1 criterion 2 (metNotMet: 0 or 10)",
            "6: category 2 is not on scorecard 7",
            "7: criterion 9 is not in category 1 of scorecard 7",
            "8: scorecard 8 is not in the scorecards file",
        ])
        #expect(batch.updates.map(\.assessmentId) == [901, 907])
    }

    @Test func scorecardJSONAsTheAPIReturnsIt() throws {
        let json = """
            [{"id": 7, "baseId": 3, "revision": 2, "name": "Phone", "state": "active", "categories": [
              {"categoryId": 1, "label": "Greeting", "order": 1, "criteria": [
                {"id": 1, "label": "Intro", "maxPoints": 5, "scoringType": "numericScale", "makeOrBreakForCategory": false},
                {"id": 2, "label": "Name", "maxPoints": 2, "scoringType": "metNotMet"}]}]}]
            """
        let catalog = try ScorecardCatalog.load(path: writeInput(json, name: "scorecards.json"))
        #expect(catalog.scorecards[7]?.categories[1]?[2]?.maxPoints == 2)
        #expect(catalog.scorecards[7]?.problem(with: CriterionUpdate(categoryId: 1, criterionId: 2, score: 1)) != nil)
        #expect(catalog.scorecards[7]?.problem(with: CriterionUpdate(categoryId: 1, criterionId: 2, score: 2)) == nil)
        #expect(catalog.scorecards[7]?.problem(with: CriterionUpdate(categoryId: 1, criterionId: 2, reason: "r")) == nil)
    }
}
