import SharedSupport
import StrictJSON
// JSON encoding of the API objects, written straight into bytes (no Codable on the hot path).

extension ResponseWriter {
    mutating func date(_ date: SimDate) {
        self.byte(UInt8(ascii: "\""))
        date.write(into: &self.bytes)
        self.byte(UInt8(ascii: "\""))
    }

    mutating func optionalDate(_ date: SimDate?) {
        if let date { self.date(date) } else { self.null() }
    }

    mutating func errorBody(_ message: String) {
        self.raw("{\"success\":false,\"error\":")
        self.string(message)
        self.raw("}")
    }

    mutating func totals(_ totals: SimTotals) {
        self.raw("{\"scoredPoints\":")
        self.int(totals.scoredPoints)
        self.raw(",\"usedMaxPoints\":")
        self.int(totals.usedMaxPoints)
        self.raw(",\"totalMaxPoints\":")
        self.int(totals.totalMaxPoints)
        self.raw(",\"percentage\":")
        self.int(totals.percentage)
        self.raw("}")
    }

    mutating func simValue(_ value: SimValue) {
        switch value {
        case .null: self.null()
        case .int(let v): self.int(v)
        case .string(let s): self.string(s)
        }
    }

    // MARK: Assessment

    /// Writes an assessment. Summary format: no `data`, no `editingHistory`.
    mutating func assessment(_ record: AssessmentRecord, _ entry: ScorecardEntry, canEdit: Bool, full: Bool) {
        let details = DerivedDetails(record)
        self.raw("{\"id\":")
        self.int(record.id)
        self.raw(",\"scorecardId\":")
        self.int(entry.scorecard.id)
        self.raw(",\"scorecardBaseId\":")
        self.int(entry.scorecard.baseId)
        self.raw(",\"state\":")
        self.string(record.state.rawValue)
        self.raw(",\"assessedUser\":")
        self.int(record.assessedUser)
        self.raw(",\"assessedByUser\":")
        self.optionalInt(record.assessedByUser)
        self.raw(",\"ticketId\":")
        self.int(record.ticketId)
        self.raw(",\"worklogId\":")
        self.int(record.worklogId)
        self.raw(",\"aiSummary\":")
        self.string(record.aiSummary)
        self.raw(",\"totals\":")
        self.totals(record.totals)
        if full {
            self.raw(",\"data\":{\"aiSummary\":")
            self.string(record.aiSummary)
            self.raw(",\"general\":")
            if let general = record.extras?.general { self.value(general) } else { details.writeGeneral(&self) }
            self.raw(",\"aiUsage\":")
            self.aiUsage(record, details)
            self.raw(",\"time\":")
            self.time(record, details)
            self.raw(",\"customerExperience\":")
            self.customerExperience(record, details)
            self.raw(",\"categories\":[")
            for (c, category) in entry.categoryRanges.enumerated() {
                if c > 0 { self.byte(UInt8(ascii: ",")) }
                self.raw("{\"categoryId\":")
                self.int(category.categoryId)
                self.raw(",\"criteria\":[")
                for i in category.range {
                    if i > category.range.lowerBound { self.byte(UInt8(ascii: ",")) }
                    let value = record.criteria[i]
                    self.raw("{\"id\":")
                    self.int(entry.flat[i].criterion.id)
                    self.raw(",\"score\":")
                    self.optionalInt(value.score)
                    self.raw(",\"reason\":")
                    self.optionalString(value.reason)
                    self.raw(",\"state\":")
                    self.string(value.state.rawValue)
                    self.raw(",\"lastEditedByUserId\":")
                    self.optionalInt(value.lastEditedByUserId)
                    self.raw(",\"lastEditedAt\":")
                    self.optionalDate(value.lastEditedAt)
                    self.raw("}")
                }
                self.raw("]}")
            }
            self.raw("],\"totals\":")
            self.totals(record.totals)
            self.raw(",\"supervisorAssessment\":")
            self.optionalString(record.supervisorAssessment)
            self.raw(",\"assessmentDate\":")
            self.optionalDate(record.assessmentDate)
            self.raw(",\"discussionDate\":")
            self.optionalDate(record.discussionDate)
            self.raw("},\"editingHistory\":[")
            for (h, entry) in record.history.enumerated() {
                if h > 0 { self.byte(UInt8(ascii: ",")) }
                self.raw("{\"userId\":")
                self.int(entry.userId)
                self.raw(",\"timestamp\":")
                self.date(entry.time)
                self.raw(",\"field\":")
                self.string(entry.field)
                self.raw(",\"oldValue\":")
                self.simValue(entry.oldValue)
                self.raw(",\"newValue\":")
                self.simValue(entry.newValue)
                self.raw("}")
            }
            self.raw("]")
        }
        self.raw(",\"worklog\":")
        if let worklog = record.extras?.worklog { self.value(worklog) } else { details.writeWorklog(&self, record) }
        self.raw(",\"aiUsage\":")
        self.aiUsage(record, details)
        self.raw(",\"time\":")
        self.time(record, details)
        self.raw(",\"customerExperience\":")
        self.customerExperience(record, details)
        self.raw(",\"createdAt\":")
        self.date(record.createdAt)
        self.raw(",\"modifiedAt\":")
        self.date(record.modifiedAt)
        self.raw(",\"deletedAt\":")
        self.optionalDate(record.deletedAt)
        self.raw(",\"canEdit\":")
        self.bool(canEdit)
        self.raw("}")
    }

    private mutating func aiUsage(_ record: AssessmentRecord, _ details: DerivedDetails) {
        if let value = record.extras?.aiUsage { self.value(value) } else { details.writeAiUsage(&self) }
    }

    private mutating func time(_ record: AssessmentRecord, _ details: DerivedDetails) {
        if let value = record.extras?.time { self.value(value) } else { details.writeTime(&self, record) }
    }

    private mutating func customerExperience(_ record: AssessmentRecord, _ details: DerivedDetails) {
        if let value = record.extras?.customerExperience { self.value(value) } else { details.writeCustomerExperience(&self, record) }
    }

    // MARK: Scorecard

    /// Writes a scorecard revision with `categoryCount` and full `categories`.
    mutating func scorecard(_ scorecard: SimScorecard, canEdit: Bool) {
        self.raw("{\"id\":")
        self.int(scorecard.id)
        self.raw(",\"baseId\":")
        self.int(scorecard.baseId)
        self.raw(",\"revision\":")
        self.int(scorecard.revision)
        self.raw(",\"name\":")
        self.string(scorecard.name)
        self.raw(",\"state\":")
        self.string(scorecard.state.rawValue)
        self.raw(",\"categoryCount\":")
        self.int(scorecard.categories.count)
        self.raw(",\"categories\":[")
        for (c, category) in scorecard.categories.enumerated() {
            if c > 0 { self.byte(UInt8(ascii: ",")) }
            self.raw("{\"categoryId\":")
            self.int(category.categoryId)
            self.raw(",\"label\":")
            self.string(category.label)
            self.raw(",\"order\":")
            self.int(category.order)
            self.raw(",\"criteria\":[")
            for (k, criterion) in category.criteria.enumerated() {
                if k > 0 { self.byte(UInt8(ascii: ",")) }
                self.raw("{\"id\":")
                self.int(criterion.id)
                self.raw(",\"label\":")
                self.string(criterion.label)
                self.raw(",\"description\":")
                self.string(criterion.description)
                self.raw(",\"maxPoints\":")
                self.int(criterion.maxPoints)
                self.raw(",\"scoringType\":")
                self.string(criterion.scoringType.rawValue)
                self.raw(",\"autoGenerateByAi\":")
                self.bool(criterion.autoGenerateByAi)
                self.raw(",\"assessmentPrompt\":")
                self.string(criterion.assessmentPrompt)
                self.raw(",\"makeOrBreakForCategory\":")
                self.bool(criterion.makeOrBreakForCategory)
                self.raw(",\"makeOrBreakForAssessment\":")
                self.bool(criterion.makeOrBreakForAssessment)
                self.raw("}")
            }
            self.raw("]}")
        }
        self.raw("],\"assignment\":")
        self.value(scorecard.assignment)
        self.raw(",\"liveCoach\":")
        self.value(scorecard.liveCoach)
        self.raw(",\"createdAt\":")
        self.date(scorecard.created)
        self.raw(",\"modifiedAt\":")
        self.date(scorecard.modified)
        self.raw(",\"createdBy\":")
        self.int(scorecard.createdBy)
        self.raw(",\"modifiedBy\":")
        self.int(scorecard.modifiedBy)
        self.raw(",\"canEdit\":")
        self.bool(canEdit)
        self.raw("}")
    }
}

/// Work-session details that the generator does not store: derived on the fly from the
/// assessment's id, so they are stable and cost no memory.
struct DerivedDetails {
    let h: UInt64

    init(_ record: AssessmentRecord) {
        self.h = SplitMix64.hash(UInt64(truncatingIfNeeded: record.id) &* 0x1000_0001)
    }

    private func bits(_ shift: UInt64, _ modulo: UInt64) -> Int { Int((self.h >> shift) % modulo) }

    static let channels = ["email", "chat", "phone", "whatsapp"]
    static let automationLabels = ["Manual", "Monitor", "Assisted", "Supervised", "Automated", "Autonomous"]

    func writeGeneral(_ w: inout ResponseWriter) {
        w.raw("{\"channel\":")
        w.string(Self.channels[self.bits(0, 4)])
        w.raw(",\"language\":")
        w.string(self.bits(2, 3) == 0 ? "en" : "de")
        w.raw("}")
    }

    var duration: Int { 60 + self.bits(8, 900) }
    var afterWork: Int { self.bits(20, 120) }

    func lastInteraction(_ record: AssessmentRecord) -> SimDate {
        SimDate(seconds: record.createdAt.seconds - 60 - Int64(self.bits(30, 1800)))
    }

    func writeWorklog(_ w: inout ResponseWriter, _ record: AssessmentRecord) {
        let twoActions = self.bits(40, 4) == 0
        w.raw("{\"userId\":")
        w.int(record.assessedUser)
        w.raw(",\"worklogId\":")
        w.int(record.worklogId)
        w.raw(",\"lastInteraction\":")
        w.date(self.lastInteraction(record))
        w.raw(",\"ticketId\":")
        w.int(record.ticketId)
        w.raw(",\"conversationId\":")
        w.int(record.ticketId * 10 + 1)
        w.raw(",\"action\":\"reply\",\"actionList\":")
        w.raw(twoActions ? "[\"reply\",\"internal-note\"]" : "[\"reply\"]")
        w.raw("}")
    }

    func writeAiUsage(_ w: inout ResponseWriter) {
        let level = self.bits(44, 6)
        w.raw("{\"automationLevel\":")
        w.int(level)
        w.raw(",\"automationLevelLabel\":")
        w.string(Self.automationLabels[level])
        w.raw(",\"aiAgents\":[")
        if level >= 2 {
            w.raw(
                "{\"id\":3,\"name\":\"Billing Assistant\",\"description\":\"Answers billing questions\",\"intelligence\":\"standard\",\"textAssistanceAccuracy\":"
            )
            w.int(70 + self.bits(48, 30))
            w.raw(",\"actions\":null}")
        }
        w.raw("]}")
    }

    func writeTime(_ w: inout ResponseWriter, _ record: AssessmentRecord) {
        let end = self.lastInteraction(record)
        let start = SimDate(seconds: end.seconds - Int64(self.duration))
        w.raw("{\"duration\":")
        w.int(self.duration)
        w.raw(",\"durationAfterWork\":")
        w.int(self.afterWork)
        w.raw(",\"segments\":[{\"userTimeTrackingId\":")
        w.int(record.worklogId * 2)
        w.raw(",\"from\":")
        w.date(start)
        w.raw(",\"to\":")
        w.date(end)
        w.raw(",\"actionList\":[\"reply\"],\"actionListText\":[\"Reply\"]}]}")
    }

    func writeCustomerExperience(_ w: inout ResponseWriter, _ record: AssessmentRecord) {
        let net = self.bits(52, 7200) - 5400
        let closing = self.lastInteraction(record)
        let due = SimDate(seconds: closing.seconds - Int64(net))
        w.raw("{\"slaMet\":")
        w.bool(net <= 0)
        w.raw(",\"netSecondsClosedAfterSla\":")
        w.int(net)
        w.raw(",\"closingDateForSLA\":")
        w.date(closing)
        w.raw(",\"dueDateForSLA\":")
        w.date(due)
        w.raw(",\"reOpened\":")
        w.bool(self.bits(58, 10) == 0)
        w.raw(",\"csat\":")
        if self.bits(3, 3) == 0 {
            let stars = 1 + self.bits(5, 5)
            w.raw("{\"id\":")
            w.int(record.id * 7)
            w.raw(",\"scale\":5,\"answerStars\":")
            w.int(stars)
            w.raw(",\"answerText\":")
            w.string(stars >= 4 ? "Quick and helpful, thank you!" : "It took too long.")
            w.raw("}")
        } else {
            w.null()
        }
        w.raw("}")
    }
}
