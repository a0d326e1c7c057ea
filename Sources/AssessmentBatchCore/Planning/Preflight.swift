/// Switches that change what preflight lets through.
public struct PreflightOptions: Sendable {
    /// Write assessments that already hold the file's values.
    public var force: Bool
    /// Allow a state change backwards (discussedWithAssessee → reviewedBySupervisor).
    public var allowStateRegression: Bool

    public init(force: Bool = false, allowStateRegression: Bool = false) {
        self.force = force
        self.allowStateRegression = allowStateRegression
    }
}

/// One value a write would change, for the plan's diff.
public struct PlannedChange: Sendable, Equatable {
    public var field: String
    public var old: String
    public var new: String
}

/// A value the undo file cannot put back, because PATCH cannot express it.
///
/// Criterion entries hold no strings (a run over unscored assessments lists two per criterion).
public struct UnrestorableValue: Sendable, Equatable {
    private enum Subject: Sendable, Equatable {
        /// An assessment-level field and the value it held.
        case field(String, value: String)
        /// An unscored criterion's score.
        case score(categoryId: Int32, criterionId: Int32)
        /// A criterion's empty reason.
        case reason(categoryId: Int32, criterionId: Int32)
    }

    public let assessmentId: Int
    private let subject: Subject

    public init(assessmentId: Int, field: String, value: String) {
        self.assessmentId = assessmentId
        subject = .field(field, value: value)
    }

    private init(assessmentId: Int, subject: Subject) {
        self.assessmentId = assessmentId
        self.subject = subject
    }

    /// The score of `key`, unscored on the server.
    static func unscored(_ key: CriterionKey, of assessmentId: Int) -> UnrestorableValue {
        UnrestorableValue(assessmentId: assessmentId, subject: .score(categoryId: Int32(clamping: key.categoryId), criterionId: Int32(clamping: key.criterionId)))
    }

    /// The reason of `key`, empty on the server.
    static func emptyReason(_ key: CriterionKey, of assessmentId: Int) -> UnrestorableValue {
        UnrestorableValue(assessmentId: assessmentId, subject: .reason(categoryId: Int32(clamping: key.categoryId), criterionId: Int32(clamping: key.criterionId)))
    }

    /// `state`, `aiSummary`, … or `category C criterion N score|reason`.
    public var field: String {
        switch subject {
        case .field(let name, _): name
        case .score(let categoryId, let criterionId): "\(CriterionKey(categoryId: Int(categoryId), criterionId: Int(criterionId))) score"
        case .reason(let categoryId, let criterionId): "\(CriterionKey(categoryId: Int(categoryId), criterionId: Int(criterionId))) reason"
        }
    }

    /// For a criterion's value: which part (`score` or `reason`) of which criterion; nil for an
    /// assessment-level field.
    var criterion: (part: String, categoryId: Int32, criterionId: Int32)? {
        switch subject {
        case .field: nil
        case .score(let categoryId, let criterionId): ("score", categoryId, criterionId)
        case .reason(let categoryId, let criterionId): ("reason", categoryId, criterionId)
        }
    }

    /// The value the server held.
    public var value: String {
        switch subject {
        case .field(_, let value): value
        case .score: "(unscored)"
        case .reason: "(empty)"
        }
    }
}

/// What preflight decided for one assessment.
public enum PreflightVerdict: Sendable {
    /// Send the PATCH; `undo` restores the values it overwrites.
    case write(changes: [PlannedChange], undo: JSONObject?, unrestorable: [UnrestorableValue])
    /// The assessment already holds every value; nothing is sent.
    case unchanged
    /// Not sent, for this reason.
    case failed(ErrorKind, String, httpStatus: Int?)
}

/// Compares one update with the live assessment and its scorecard: the single decision
/// shared by `plan` and `apply`, so a plan never disagrees with the apply that follows.
enum PreflightDecision {
    static func decide(_ update: AssessmentUpdate, live: LiveAssessment, scorecard: Scorecard?, options: PreflightOptions) -> PreflightVerdict {
        let id = update.assessmentId
        // An exported sheet's unedited assessment: nothing to send, so nothing to refuse either.
        if !update.setsAnything { return .unchanged }
        if let state = live.state, !state.isEditable {
            return .failed(.rejected, "assessment \(id) is in state \(state), which cannot be edited", httpStatus: nil)
        }
        if live.canEdit == false {
            return .failed(.rejected, "assessment \(id) cannot be edited with this token (canEdit is false)", httpStatus: nil)
        }
        if let expected = update.fields.scorecardId, let actual = live.scorecardId, expected != actual {
            return .failed(.conflict, "the \(update.expected?.madeBy ?? "file") was made for scorecard \(expected), but assessment \(id) uses scorecard \(actual)", httpStatus: nil)
        }
        if let expected = update.fields.expectedModifiedAt, expected != live.modifiedAt {
            return .failed(.conflict, "assessment \(id) was modified at \(live.modifiedAt?.description ?? "an unknown time"), not at expectedModifiedAt \(expected)", httpStatus: nil)
        }
        if let conflicts = update.expected?.conflicts(update, live: live, scorecard: scorecard), !conflicts.isEmpty {
            return .failed(.conflict, "assessment \(id) not written: " + conflicts.joined(separator: "; "), httpStatus: nil)
        }
        if let target = update.fields.state, let current = live.state, !options.allowStateRegression, current.isRegression(to: target) {
            return .failed(.conflict, "state would move backwards from \(current) to \(target) (pass --allow-state-regression to allow it)", httpStatus: nil)
        }
        if let scorecard {
            let problems = update.criteria.compactMap { scorecard.problem(with: $0) }
            if !problems.isEmpty { return .failed(.invalid, problems.joined(separator: "; "), httpStatus: nil) }
        } else if let missing = update.criteria.first(where: { live.criteria[$0.key] == nil }) {
            return .failed(.invalid, "\(missing.key) is not on assessment \(id)", httpStatus: nil)
        }

        let changes = changes(update, live: live, scorecard: scorecard)
        let allVerified = update.criteria.allSatisfy { live.criteria[$0.key]?.state == "humanVerified" }
        if changes.isEmpty && allVerified && !options.force { return .unchanged }
        let (undo, unrestorable) = undoImage(update, live: live)
        return .write(changes: changes, undo: undo, unrestorable: unrestorable)
    }

    /// The values that would change, old → new; criteria are named as the scorecard names them.
    static func changes(_ update: AssessmentUpdate, live: LiveAssessment, scorecard: Scorecard? = nil) -> [PlannedChange] {
        var changes: [PlannedChange] = []
        // JSON quoting keeps multi-line texts on one line of the diff.
        func text(_ value: String?) -> String { value.map { JSONWriter.string(.string($0)) } ?? "(empty)" }
        func add<Value: Equatable>(_ field: String, _ new: Value?, _ old: Value?, show: (Value?) -> String) {
            guard let new, new != old else { return }
            changes.append(PlannedChange(field: field, old: show(old), new: show(new)))
        }
        for (index, field) in FieldDescriptor.table.enumerated() where field.isWritten {
            add(field.name, update.fields[field: index], live.fields[field: index]) { $0?.shown ?? field.kind.absent }
        }
        for criterion in update.criteria {
            let current = live.criteria[criterion.key]
            let name = scorecard?.describe(criterion.key) ?? criterion.key.description
            add("\(name) score", criterion.score.map(Double.init), current?.score) { $0.map { String(Int($0)) } ?? "(unscored)" }
            add("\(name) reason", criterion.reason, current?.reason, show: text)
        }
        return changes
    }

    /// The live values the update overwrites, as a line of the tool's nested JSONL input,
    /// and the ones PATCH cannot put back.
    static func undoImage(_ update: AssessmentUpdate, live: LiveAssessment) -> (JSONObject?, [UnrestorableValue]) {
        let id = update.assessmentId
        var object = JSONObject()
        var unrestorable: [UnrestorableValue] = []
        var setsSomething = false
        object.append("assessmentId", .number(String(id)))
        func restore(_ key: String, _ wanted: Bool, _ old: String?) {
            guard wanted else { return }
            if let old, !old.isEmpty {
                object.append(key, .string(old))
                setsSomething = true
            } else {
                unrestorable.append(UnrestorableValue(assessmentId: id, field: key, value: "(empty)"))
            }
        }
        for (index, field) in FieldDescriptor.table.enumerated() where field.restoredByUndo {
            guard let new = update.fields[field: index] else { continue }
            let old = live.fields[field: index]
            guard field.kind == .state else {
                restore(field.name, new != old, old?.plain)
                continue
            }
            guard let target = new.state, let current = old?.state, current != target else { continue }
            // Undo can only ask for a settable state, and only for one later in the workflow
            // (the file's change was backwards): a PATCH does not move a state back unasked.
            if current.isSettable && current.isRegression(to: target) {
                object.append(field.name, .string(current.name))
                setsSomething = true
            } else {
                unrestorable.append(UnrestorableValue(assessmentId: id, field: field.name, value: current.name))
            }
        }
        if update.fields.state == nil && live.state == .aiReady {
            // Any edit moves aiReady to reviewOngoing, and PATCH cannot set aiReady again.
            unrestorable.append(UnrestorableValue(assessmentId: id, field: "state", value: "aiReady"))
        }
        var criteria: [JSONValue] = []
        for criterion in update.criteria {
            let current = live.criteria[criterion.key]
            var item = JSONObject()
            item.append("categoryId", .number(String(criterion.categoryId)))
            item.append("criterionId", .number(String(criterion.criterionId)))
            var restores = false
            if criterion.score != nil, criterion.score.map(Double.init) != current?.score {
                if let old = current?.score {
                    item.append("score", .number(String(Int(old))))
                    restores = true
                } else {
                    unrestorable.append(.unscored(criterion.key, of: id))
                }
            }
            if criterion.reason != nil, criterion.reason != current?.reason {
                if let old = current?.reason, !old.isEmpty {
                    item.append("reason", .string(old))
                    restores = true
                } else {
                    unrestorable.append(.emptyReason(criterion.key, of: id))
                }
            }
            if restores { criteria.append(.object(item)) }
        }
        if !criteria.isEmpty {
            object.append("criteria", .array(criteria))
            setsSomething = true
        }
        return (setsSomething ? object : nil, unrestorable)
    }
}
