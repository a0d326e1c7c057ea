/// A value as the file's maker saw it (its `…Before` column): empty (unscored, no text, no
/// date) or a value.
public enum SeenValue<Value: Sendable & Equatable>: Sendable, Equatable {
    case empty
    case value(Value)

    /// Whether the live value is the one that was seen (nil and, for texts, "" count as empty).
    func matches(_ live: Value?) -> Bool {
        switch (self, live) {
        case (.empty, nil): true
        case (.value(let seen), let live?): seen == live
        default: false
        }
    }
}

extension SeenValue where Value == String {
    /// Whether the live text is the one that was seen: an empty text and no text are alike.
    func matches(text live: String?) -> Bool {
        switch self {
        case .empty: live?.isEmpty ?? true
        case .value(let seen): seen == (live ?? "")
        }
    }
}

/// What the file's maker saw of one edited criterion: nil where the value is not edited.
public struct CriterionExpectation: Sendable, Equatable {
    public var key: CriterionKey
    public var score: SeenValue<Int>?
    public var reason: SeenValue<String>?

    public init(key: CriterionKey, score: SeenValue<Int>? = nil, reason: SeenValue<String>? = nil) {
        self.key = key
        self.score = score
        self.reason = reason
    }
}

/// The `…Before` values of the edited values of one assessment: each edited value is written
/// only while its live value still equals what the file's maker saw (the three-way rule).
/// Values the file left unedited never get here: the loader drops them.
public struct ExpectedValues: Sendable, Equatable {
    public var aiSummary: SeenValue<String>?
    public var supervisorAssessment: SeenValue<String>?
    public var assessmentDate: SeenValue<Timestamp>?
    public var discussionDate: SeenValue<Timestamp>?
    /// Any assessment state, by name.
    public var state: SeenValue<String>?
    public var criteria: [CriterionExpectation] = []
    /// Who saw these values, for conflict messages: `file` (its `…Before` columns) or `plan`.
    public var madeBy = "file"

    public init() {}

    var isEmpty: Bool {
        aiSummary == nil && supervisorAssessment == nil && assessmentDate == nil && discussionDate == nil && state == nil && criteria.isEmpty
    }

    /// The expectation for `column` taken from `other` (assessment-level columns).
    mutating func take(_ column: Column, from other: ExpectedValues) {
        switch column {
        case .aiSummary: aiSummary = other.aiSummary
        case .supervisorAssessment: supervisorAssessment = other.supervisorAssessment
        case .assessmentDate: assessmentDate = other.assessmentDate
        case .discussionDate: discussionDate = other.discussionDate
        case .state: state = other.state
        default: break
        }
    }

    /// Each edited value someone else changed since the file was made, as a readable line;
    /// empty when every edit may be written (the live value is still the one seen, or already
    /// the edit).
    func conflicts(_ update: AssessmentUpdate, live: LiveAssessment, scorecard: Scorecard?) -> [String] {
        var found: [String] = []
        func text(_ value: String?) -> String { value.map { $0.isEmpty ? "(empty)" : JSONWriter.string(.string($0)) } ?? "(empty)" }
        func check<Value: Sendable & Equatable>(_ name: @autoclosure () -> String, _ seen: SeenValue<Value>?, edit: Value?, live: Value?,
                          matches: (SeenValue<Value>, Value?) -> Bool, show: (Value?) -> String) {
            guard let seen, let edit else { return }
            if matches(seen, live) || matches(.value(edit), live) { return }
            let was: Value? = if case .value(let value) = seen { value } else { nil }
            found.append("\(name()) changed on the server since the \(madeBy) was made: the \(madeBy) saw \(show(was)), the server now has \(show(live)), the \(madeBy) sets \(show(edit))")
        }
        check("aiSummary", aiSummary, edit: update.fields.aiSummary, live: live.aiSummary, matches: { $0.matches(text: $1) }, show: text)
        check("supervisorAssessment", supervisorAssessment, edit: update.fields.supervisorAssessment, live: live.supervisorAssessment,
              matches: { $0.matches(text: $1) }, show: text)
        check("assessmentDate", assessmentDate, edit: update.fields.assessmentDate, live: live.assessmentDate,
              matches: { $0.matches($1) }, show: { $0?.description ?? "(empty)" })
        check("discussionDate", discussionDate, edit: update.fields.discussionDate, live: live.discussionDate,
              matches: { $0.matches($1) }, show: { $0?.description ?? "(empty)" })
        check("state", state, edit: update.fields.state?.rawValue, live: live.state, matches: { $0.matches($1) }, show: { $0 ?? "(none)" })
        if !criteria.isEmpty {
            let edits = Dictionary(update.criteria.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            for expectation in criteria {
                guard let edit = edits[expectation.key] else { continue }
                let current = live.criteria[expectation.key]
                let name = scorecard?.describe(expectation.key) ?? expectation.key.description
                let liveScore = current?.score.flatMap { $0 == $0.rounded() ? Int(exactly: $0) : nil }
                check("\(name) score", expectation.score, edit: edit.score, live: current?.score == nil ? nil : (liveScore ?? -1),
                      matches: { $0.matches($1) }, show: { $0.map { $0 < 0 ? "\(current?.score ?? 0)" : String($0) } ?? "(unscored)" })
                check("\(name) reason", expectation.reason, edit: edit.reason, live: current?.reason, matches: { $0.matches(text: $1) }, show: text)
            }
        }
        return found
    }
}

extension AssessmentUpdate {
    /// Whether the update has anything to send: an exported sheet applied unedited has not.
    public var setsAnything: Bool { !criteria.isEmpty || fields.setsAnyValue }
}
