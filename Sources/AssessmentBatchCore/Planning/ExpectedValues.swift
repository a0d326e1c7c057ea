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

extension SeenValue where Value == FieldValue {
    /// Whether the live text is the one that was seen: an empty text and no text are alike.
    func matches(text live: String?) -> Bool {
        switch self {
        case .empty: live?.isEmpty ?? true
        case .value(let seen): seen.text == (live ?? "")
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
    /// By field index (`FieldDescriptor.table`); empty while no assessment-level value is expected.
    private var fields: [SeenValue<FieldValue>?] = []
    public var criteria: [CriterionExpectation] = []
    /// Who saw these values, for conflict messages: `file` (its `…Before` columns) or `plan`.
    public var madeBy = "file"

    public init() {}

    /// What was seen of the field `column` holds; nil when that field is not edited.
    public subscript(column: Column) -> SeenValue<FieldValue>? {
        get { column.fieldIndex.flatMap { self[field: $0] } }
        set { if let index = column.fieldIndex { self[field: index] = newValue } }
    }

    /// What was seen of the field at `index` in `FieldDescriptor.table`.
    subscript(field index: Int) -> SeenValue<FieldValue>? {
        get { fields.isEmpty ? nil : fields[index] }
        set {
            if fields.isEmpty {
                guard newValue != nil else { return }
                fields = Array(repeating: nil, count: FieldDescriptor.table.count)
            }
            fields[index] = newValue
        }
    }

    public static func == (lhs: ExpectedValues, rhs: ExpectedValues) -> Bool {
        lhs.criteria == rhs.criteria && FieldDescriptor.table.indices.allSatisfy { lhs[field: $0] == rhs[field: $0] }
    }

    var isEmpty: Bool {
        criteria.isEmpty && !fields.contains { $0 != nil }
    }

    /// The expectation for the field `column` holds, taken from `other`.
    mutating func take(_ column: Column, from other: ExpectedValues) {
        self[column] = other[column]
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
        for (index, field) in FieldDescriptor.table.enumerated() where field.before != nil {
            check(field.name, self[field: index], edit: update.fields[field: index], live: live.fields[field: index],
                  matches: { field.kind == .text ? $0.matches(text: $1?.text) : $0.matches($1) },
                  show: { value in field.kind == .text ? text(value?.text) : value?.plain ?? (field.kind == .state ? "(none)" : "(empty)") })
        }
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
