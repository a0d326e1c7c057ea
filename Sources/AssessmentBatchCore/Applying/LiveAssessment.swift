/// An assessment as the API returns it, reduced to the values a batch can set.
public struct LiveAssessment: Sendable {
    /// One criterion's live values.
    public struct Criterion: Sendable {
        public var score: Double?
        public var reason: String?
        /// `unscored`, `aiGenerated` or `humanVerified`.
        public var state: String?
    }

    public var id: Int?
    public var scorecardId: Int?
    public var state: String?
    public var canEdit: Bool?
    public var modifiedAt: Timestamp?
    public var aiSummary: String?
    public var supervisorAssessment: String?
    public var assessmentDate: Timestamp?
    public var discussionDate: Timestamp?
    /// Context for a reviewer (`export`): the assessed agent and the ticket.
    public var assessedUser: Int?
    public var ticketId: Int?
    public var criteria: [CriterionKey: Criterion] = [:]

    public init() {}

    /// Each value `update` sets that this assessment does not hold, as a readable line
    /// (dates compared as instants).
    public func differences(from update: AssessmentUpdate) -> [String] {
        var found: [String] = []
        // The name is spelled only for a difference.
        func check<Value: Equatable>(_ name: @autoclosure () -> String, _ wanted: Value?, _ live: Value?, show: (Value) -> String) {
            guard let wanted, wanted != live else { return }
            found.append("\(name()) is \(live.map(show) ?? "empty") on the server, sent \(show(wanted))")
        }
        check("aiSummary", update.fields.aiSummary, aiSummary) { "\"\($0)\"" }
        check("supervisorAssessment", update.fields.supervisorAssessment, supervisorAssessment) { "\"\($0)\"" }
        check("assessmentDate", update.fields.assessmentDate, assessmentDate) { $0.description }
        check("discussionDate", update.fields.discussionDate, discussionDate) { $0.description }
        check("state", update.fields.state?.rawValue, state) { $0 }
        for criterion in update.criteria {
            guard let live = criteria[criterion.key] else {
                found.append("\(criterion.key) is missing on the server")
                continue
            }
            check("\(criterion.key) score", criterion.score.map(Double.init), live.score) { String(Int($0)) }
            check("\(criterion.key) reason", criterion.reason, live.reason) { "\"\($0)\"" }
        }
        return found
    }
}
