/// An assessment as the API returns it, reduced to the values a batch can set.
@dynamicMemberLookup
public struct LiveAssessment: Sendable {
    /// One criterion's live values.
    public struct Criterion: Sendable {
        public var score: Double?
        public var reason: String?
        /// `unscored`, `aiGenerated` or `humanVerified`.
        public var state: String?
    }

    public var id: Int?
    public var canEdit: Bool?
    /// The live counterpart of each assessment-level field (`FieldDescriptor.liveKey`): its
    /// value, or for a guard what it is checked against (`modifiedAt` for `expectedModifiedAt`).
    public var fields = AssessmentFields()
    /// Context for a reviewer (`export`): the assessed agent and the ticket.
    public var assessedUser: Int?
    public var ticketId: Int?
    public var criteria: [CriterionKey: Criterion] = [:]

    public init() {}

    /// The typed views of `fields` (`live.aiSummary`, `live.state`, …).
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<AssessmentFields, Value>) -> Value {
        get { fields[keyPath: keyPath] }
        set { fields[keyPath: keyPath] = newValue }
    }

    /// When the assessment was last modified: what `expectedModifiedAt` is checked against.
    public var modifiedAt: Timestamp? {
        get { fields.expectedModifiedAt }
        set { fields.expectedModifiedAt = newValue }
    }

    /// Each value `update` sets that this assessment does not hold, as a readable line
    /// (dates compared as instants).
    public func differences(from update: AssessmentUpdate) -> [String] {
        var found: [String] = []
        // The name is spelled only for a difference.
        func check<Value: Equatable>(_ name: @autoclosure () -> String, _ wanted: Value?, _ live: Value?, show: (Value) -> String) {
            guard let wanted, wanted != live else { return }
            found.append("\(name()) is \(live.map(show) ?? "empty") on the server, sent \(show(wanted))")
        }
        for (index, field) in FieldDescriptor.table.enumerated() where field.isWritten {
            check(field.name, update.fields[field: index], fields[field: index]) { value in
                if case .text(let text) = value { "\"\(text)\"" } else { value.plain }
            }
        }
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
