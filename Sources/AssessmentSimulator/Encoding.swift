import SharedSupport
import StrictJSON
// JSON encoding of the API objects, written straight into bytes through the one streaming writer
// (no Codable and no tree on the hot path; the writer places every comma and colon).

extension JSONStreamWriter {
    /// A date as its RFC 3339 text, written in place (no `String` per date).
    mutating func date(_ date: SimDate) {
        self.asciiString { date.write(into: &$0) }
    }

    mutating func optionalDate(_ date: SimDate?) {
        if let date { self.date(date) } else { self.null() }
    }

    mutating func optionalInt<I: BinaryInteger>(_ value: I?) {
        if let value { self.int(value) } else { self.null() }
    }

    mutating func optionalString(_ value: String?) {
        if let value { self.string(value) } else { self.null() }
    }

    /// `{"success":false,"error":message}`.
    mutating func errorBody(_ message: String) {
        self.beginObject()
        self.key("success")
        self.bool(false)
        self.key("error")
        self.string(message)
        self.endObject()
    }

    mutating func totals(_ totals: SimTotals) {
        self.beginObject()
        self.key("scoredPoints")
        self.int(totals.scoredPoints)
        self.key("usedMaxPoints")
        self.int(totals.usedMaxPoints)
        self.key("totalMaxPoints")
        self.int(totals.totalMaxPoints)
        self.key("percentage")
        self.int(totals.percentage)
        self.endObject()
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
        self.beginObject()
        self.key("id")
        self.int(record.id)
        self.key("scorecardId")
        self.int(entry.scorecard.id)
        self.key("scorecardBaseId")
        self.int(entry.scorecard.baseId)
        self.key("state")
        self.string(record.state.rawValue)
        self.key("assessedUser")
        self.int(record.assessedUser)
        self.key("assessedByUser")
        self.optionalInt(record.assessedByUser)
        self.key("ticketId")
        self.int(record.ticketId)
        self.key("worklogId")
        self.int(record.worklogId)
        self.key("aiSummary")
        self.string(record.aiSummary)
        self.key("totals")
        self.totals(record.totals)
        if full {
            self.key("data")
            self.beginObject()
            self.key("aiSummary")
            self.string(record.aiSummary)
            self.key("general")
            if let general = record.extras?.general { self.value(general) } else { details.writeGeneral(&self) }
            self.key("aiUsage")
            self.aiUsage(record, details)
            self.key("time")
            self.time(record, details)
            self.key("customerExperience")
            self.customerExperience(record, details)
            self.key("categories")
            self.beginArray()
            for category in entry.categoryRanges {
                self.beginObject()
                self.key("categoryId")
                self.int(category.categoryId)
                self.key("criteria")
                self.beginArray()
                for i in category.range {
                    let value = record.criteria[i]
                    self.beginObject()
                    self.key("id")
                    self.int(entry.flat[i].criterion.id)
                    self.key("score")
                    self.optionalInt(value.score)
                    self.key("reason")
                    self.optionalString(value.reason)
                    self.key("state")
                    self.string(value.state.rawValue)
                    self.key("lastEditedByUserId")
                    self.optionalInt(value.lastEditedByUserId)
                    self.key("lastEditedAt")
                    self.optionalDate(value.lastEditedAt)
                    self.endObject()
                }
                self.endArray()
                self.endObject()
            }
            self.endArray()
            self.key("totals")
            self.totals(record.totals)
            self.key("supervisorAssessment")
            self.optionalString(record.supervisorAssessment)
            self.key("assessmentDate")
            self.optionalDate(record.assessmentDate)
            self.key("discussionDate")
            self.optionalDate(record.discussionDate)
            self.endObject()
            self.key("editingHistory")
            self.beginArray()
            for change in record.history {
                self.beginObject()
                self.key("userId")
                self.int(change.userId)
                self.key("timestamp")
                self.date(change.time)
                self.key("field")
                self.string(change.field)
                self.key("oldValue")
                self.simValue(change.oldValue)
                self.key("newValue")
                self.simValue(change.newValue)
                self.endObject()
            }
            self.endArray()
        }
        self.key("worklog")
        if let worklog = record.extras?.worklog { self.value(worklog) } else { details.writeWorklog(&self, record) }
        self.key("aiUsage")
        self.aiUsage(record, details)
        self.key("time")
        self.time(record, details)
        self.key("customerExperience")
        self.customerExperience(record, details)
        self.key("createdAt")
        self.date(record.createdAt)
        self.key("modifiedAt")
        self.date(record.modifiedAt)
        self.key("deletedAt")
        self.optionalDate(record.deletedAt)
        self.key("canEdit")
        self.bool(canEdit)
        self.endObject()
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
        self.beginObject()
        self.key("id")
        self.int(scorecard.id)
        self.key("baseId")
        self.int(scorecard.baseId)
        self.key("revision")
        self.int(scorecard.revision)
        self.key("name")
        self.string(scorecard.name)
        self.key("state")
        self.string(scorecard.state.rawValue)
        self.key("categoryCount")
        self.int(scorecard.categories.count)
        self.key("categories")
        self.beginArray()
        for category in scorecard.categories {
            self.beginObject()
            self.key("categoryId")
            self.int(category.categoryId)
            self.key("label")
            self.string(category.label)
            self.key("order")
            self.int(category.order)
            self.key("criteria")
            self.beginArray()
            for criterion in category.criteria {
                self.beginObject()
                self.key("id")
                self.int(criterion.id)
                self.key("label")
                self.string(criterion.label)
                self.key("description")
                self.string(criterion.description)
                self.key("maxPoints")
                self.int(criterion.maxPoints)
                self.key("scoringType")
                self.string(criterion.scoringType.rawValue)
                self.key("autoGenerateByAi")
                self.bool(criterion.autoGenerateByAi)
                self.key("assessmentPrompt")
                self.string(criterion.assessmentPrompt)
                self.key("makeOrBreakForCategory")
                self.bool(criterion.makeOrBreakForCategory)
                self.key("makeOrBreakForAssessment")
                self.bool(criterion.makeOrBreakForAssessment)
                self.endObject()
            }
            self.endArray()
            self.endObject()
        }
        self.endArray()
        self.key("assignment")
        self.value(scorecard.assignment)
        self.key("liveCoach")
        self.value(scorecard.liveCoach)
        self.key("createdAt")
        self.date(scorecard.created)
        self.key("modifiedAt")
        self.date(scorecard.modified)
        self.key("createdBy")
        self.int(scorecard.createdBy)
        self.key("modifiedBy")
        self.int(scorecard.modifiedBy)
        self.key("canEdit")
        self.bool(canEdit)
        self.endObject()
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

    func writeGeneral(_ w: inout JSONStreamWriter) {
        w.beginObject()
        w.key("channel")
        w.string(Self.channels[self.bits(0, 4)])
        w.key("language")
        w.string(self.bits(2, 3) == 0 ? "en" : "de")
        w.endObject()
    }

    var duration: Int { 60 + self.bits(8, 900) }
    var afterWork: Int { self.bits(20, 120) }

    func lastInteraction(_ record: AssessmentRecord) -> SimDate {
        SimDate(seconds: record.createdAt.seconds - 60 - Int64(self.bits(30, 1800)))
    }

    func writeWorklog(_ w: inout JSONStreamWriter, _ record: AssessmentRecord) {
        w.beginObject()
        w.key("userId")
        w.int(record.assessedUser)
        w.key("worklogId")
        w.int(record.worklogId)
        w.key("lastInteraction")
        w.date(self.lastInteraction(record))
        w.key("ticketId")
        w.int(record.ticketId)
        w.key("conversationId")
        w.int(record.ticketId * 10 + 1)
        w.key("action")
        w.string("reply")
        w.key("actionList")
        w.beginArray()
        w.string("reply")
        if self.bits(40, 4) == 0 { w.string("internal-note") }
        w.endArray()
        w.endObject()
    }

    func writeAiUsage(_ w: inout JSONStreamWriter) {
        let level = self.bits(44, 6)
        w.beginObject()
        w.key("automationLevel")
        w.int(level)
        w.key("automationLevelLabel")
        w.string(Self.automationLabels[level])
        w.key("aiAgents")
        w.beginArray()
        if level >= 2 {
            w.beginObject()
            w.key("id")
            w.int(3)
            w.key("name")
            w.string("Billing Assistant")
            w.key("description")
            w.string("Answers billing questions")
            w.key("intelligence")
            w.string("standard")
            w.key("textAssistanceAccuracy")
            w.int(70 + self.bits(48, 30))
            w.key("actions")
            w.null()
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    func writeTime(_ w: inout JSONStreamWriter, _ record: AssessmentRecord) {
        let end = self.lastInteraction(record)
        let start = SimDate(seconds: end.seconds - Int64(self.duration))
        w.beginObject()
        w.key("duration")
        w.int(self.duration)
        w.key("durationAfterWork")
        w.int(self.afterWork)
        w.key("segments")
        w.beginArray()
        w.beginObject()
        w.key("userTimeTrackingId")
        w.int(record.worklogId * 2)
        w.key("from")
        w.date(start)
        w.key("to")
        w.date(end)
        w.key("actionList")
        w.beginArray()
        w.string("reply")
        w.endArray()
        w.key("actionListText")
        w.beginArray()
        w.string("Reply")
        w.endArray()
        w.endObject()
        w.endArray()
        w.endObject()
    }

    func writeCustomerExperience(_ w: inout JSONStreamWriter, _ record: AssessmentRecord) {
        let net = self.bits(52, 7200) - 5400
        let closing = self.lastInteraction(record)
        let due = SimDate(seconds: closing.seconds - Int64(net))
        w.beginObject()
        w.key("slaMet")
        w.bool(net <= 0)
        w.key("netSecondsClosedAfterSla")
        w.int(net)
        w.key("closingDateForSLA")
        w.date(closing)
        w.key("dueDateForSLA")
        w.date(due)
        w.key("reOpened")
        w.bool(self.bits(58, 10) == 0)
        w.key("csat")
        if self.bits(3, 3) == 0 {
            let stars = 1 + self.bits(5, 5)
            w.beginObject()
            w.key("id")
            w.int(record.id * 7)
            w.key("scale")
            w.int(5)
            w.key("answerStars")
            w.int(stars)
            w.key("answerText")
            w.string(stars >= 4 ? "Quick and helpful, thank you!" : "It took too long.")
            w.endObject()
        } else {
            w.null()
        }
        w.endObject()
    }
}
