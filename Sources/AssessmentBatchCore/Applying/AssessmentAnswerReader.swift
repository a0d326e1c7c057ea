#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LiveAssessment {
    /// Reads the full-format assessment object (`data.categories[].criteria[]`) from an
    /// answer's bytes; nil when they are not strict RFC 8259 JSON (the rules of `JSONParser`,
    /// nesting up to 64 levels) or not an object.
    ///
    /// One pass that keeps only the values a `LiveAssessment` holds: a 4 KB answer costs a
    /// few small strings instead of a tree of its hundreds of values.
    public init?(answer bytes: UnsafeRawBufferPointer) {
        var reader = AssessmentAnswerReader()
        guard (try? JSONParser.read(bytes, maxDepth: 64, maxStringBytes: 16 << 20, into: &reader)) != nil,
              let read = reader.assessment()
        else { return nil }
        self = read
    }
}

/// Keeps what `LiveAssessment(answer:)` needs while `JSONParser` reads an answer: the
/// scalars of the root, `data`, the open category and the open criterion, and the criteria.
private struct AssessmentAnswerReader: JSONVisitor {
    /// A scalar kept for a member the assessment reads; `other` stands for any container.
    enum Scalar {
        case string(String), number(String), bool(Bool), null, other

        var string: String? { if case .string(let text) = self { text } else { nil } }
        var int: Int? { if case .number(let text) = self { Int(text) } else { nil } }
        var timestamp: Timestamp? {
            guard let text = string, case .success(let timestamp) = Timestamp.parse(text) else { return nil }
            return timestamp
        }
    }

    /// The members the assessment reads, wherever they sit.
    enum Member: Int, CaseIterable {
        case id, scorecardId, state, canEdit, modifiedAt, aiSummary, supervisorAssessment, assessmentDate, discussionDate
        case assessedUser, ticketId
        case data, categories, categoryId, criteria, score, reason
        case ignored

        /// The member `key` names in an object of `role`.
        static func named(_ key: UnsafeBufferPointer<UInt8>, in role: Role) -> Member {
            func isNamed(_ name: StaticString) -> Bool {
                name.utf8CodeUnitCount == key.count && memcmp(name.utf8Start, key.baseAddress!, key.count) == 0
            }
            guard !key.isEmpty else { return .ignored }
            switch role {
            case .root:
                if isNamed("id") { return .id }
                if isNamed("scorecardId") { return .scorecardId }
                if isNamed("state") { return .state }
                if isNamed("canEdit") { return .canEdit }
                if isNamed("modifiedAt") { return .modifiedAt }
                if isNamed("assessedUser") { return .assessedUser }
                if isNamed("ticketId") { return .ticketId }
                if isNamed("data") { return .data }
                return assessmentText(isNamed)
            case .data:
                if isNamed("categories") { return .categories }
                return assessmentText(isNamed)
            case .category:
                if isNamed("categoryId") { return .categoryId }
                if isNamed("criteria") { return .criteria }
            case .criterion:
                if isNamed("id") { return .id }
                if isNamed("score") { return .score }
                if isNamed("reason") { return .reason }
                if isNamed("state") { return .state }
            case .categories, .criteria, .other:
                break
            }
            return .ignored
        }

        /// The texts and dates both the root and `data` may hold.
        private static func assessmentText(_ isNamed: (StaticString) -> Bool) -> Member {
            if isNamed("aiSummary") { return .aiSummary }
            if isNamed("supervisorAssessment") { return .supervisorAssessment }
            if isNamed("assessmentDate") { return .assessmentDate }
            if isNamed("discussionDate") { return .discussionDate }
            return .ignored
        }
    }

    /// What a container is within the assessment.
    enum Role {
        case root, data, categories, category, criteria, criterion, other

        /// Where the scalars of an object of this role are kept (one such object is open at a time).
        var slot: Int? {
            switch self {
            case .root: 0
            case .data: 1
            case .category: 2
            case .criterion: 3
            case .categories, .criteria, .other: nil
            }
        }
    }

    struct Frame {
        var role: Role
        var isObject: Bool
        /// The member whose value comes next (objects).
        var member = Member.ignored
        /// Where this category's criteria start in `pendingCriteria`.
        var criteriaBase: Int
    }

    static let membersPerSlot = Member.allCases.count

    /// The open containers, outermost first.
    var stack: [Frame] = []
    /// The root, once it closed: an assessment only when it is an object.
    var root: Frame?
    /// The scalars of the open root, data, category and criterion objects, `membersPerSlot` per
    /// `Role.slot`.
    var captured = [Scalar?](repeating: nil, count: 4 * Self.membersPerSlot)
    /// Criteria of the open category, waiting for its `categoryId`.
    var pendingCriteria: [(id: Int, criterion: LiveAssessment.Criterion)] = []
    var criteria: [CriterionKey: LiveAssessment.Criterion] = [:]

    init() {
        // Room for a typical answer, so none of these grows while reading it.
        stack.reserveCapacity(16)
        pendingCriteria.reserveCapacity(32)
        criteria.reserveCapacity(32)
    }

    // MARK: - Parts of the answer

    mutating func beginObject() { begin(isObject: true) }
    mutating func beginArray() { begin(isObject: false) }
    mutating func endObject() { end() }
    mutating func endArray() { end() }

    mutating func key(_ bytes: UnsafeBufferPointer<UInt8>) {
        stack[stack.count - 1].member = Member.named(bytes, in: stack[stack.count - 1].role)
    }

    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) {
        store(isKept ? .string(String(decoding: bytes, as: UTF8.self)) : .other)
    }

    mutating func number(_ text: UnsafeBufferPointer<UInt8>) {
        store(isKept ? .number(String(decoding: text, as: UTF8.self)) : .other)
    }

    mutating func bool(_ value: Bool) { store(.bool(value)) }
    mutating func null() { store(.null) }

    /// Whether the value that comes next is one the assessment reads.
    private var isKept: Bool {
        guard let top = stack.last else { return false }
        return top.member != .ignored && top.role.slot != nil
    }

    private mutating func begin(isObject: Bool) {
        let role = Self.role(of: isObject, parent: stack.last?.role, member: stack.last?.member ?? .ignored)
        open(role)
        stack.append(Frame(role: role, isObject: isObject, criteriaBase: pendingCriteria.count))
    }

    private mutating func end() {
        let frame = stack.removeLast()
        guard !stack.isEmpty else {
            root = frame
            return
        }
        close(frame)
        store(.other)
    }

    /// Keeps a value of the open object's current member, when the assessment reads it.
    private mutating func store(_ value: Scalar) {
        guard let top = stack.last, top.member != .ignored, let slot = top.role.slot else { return }
        captured[slot * Self.membersPerSlot + top.member.rawValue] = value
    }

    /// The assessment, when the answer (already checked by the parser) is an object.
    func assessment() -> LiveAssessment? {
        guard let root, root.isObject else { return nil }
        return finishRoot()
    }

    static func role(of isObject: Bool, parent: Role?, member: Member) -> Role {
        switch (parent, member, isObject) {
        case (nil, _, true): .root
        case (.root?, .data, true): .data
        case (.data?, .categories, false): .categories
        case (.categories?, _, true): .category
        case (.category?, .criteria, false): .criteria
        case (.criteria?, _, true): .criterion
        default: .other
        }
    }

    /// Forgets the scalars of the last object of `role`.
    mutating func open(_ role: Role) {
        guard let slot = role.slot else { return }
        for index in slot * Self.membersPerSlot..<(slot + 1) * Self.membersPerSlot { captured[index] = nil }
    }

    /// The scalar kept for `member` of the open (or last) object of `role`.
    func value(_ member: Member, of role: Role) -> Scalar? {
        captured[role.slot! * Self.membersPerSlot + member.rawValue]
    }

    /// Folds a finished container into the assessment.
    mutating func close(_ frame: Frame) {
        switch frame.role {
        case .criterion:
            if let id = value(.id, of: .criterion)?.int {
                let score: Double? = if case .number(let text)? = value(.score, of: .criterion) { Double(text) } else { nil }
                pendingCriteria.append((id: id, criterion: LiveAssessment.Criterion(
                    score: score, reason: value(.reason, of: .criterion)?.string, state: value(.state, of: .criterion)?.string)))
            }
        case .category:
            if let categoryId = value(.categoryId, of: .category)?.int {
                for (id, criterion) in pendingCriteria[frame.criteriaBase...] {
                    criteria[CriterionKey(categoryId: categoryId, criterionId: id)] = criterion
                }
            }
            pendingCriteria.removeSubrange(frame.criteriaBase...)
        case .root, .data, .categories, .criteria, .other:
            break
        }
    }

    /// The assessment from what was kept.
    func finishRoot() -> LiveAssessment? {
        // Without a data object, its slot holds nothing, as if it had none of these members.
        func text(_ member: Member) -> String? {
            value(member, of: .data)?.string ?? value(member, of: .root)?.string
        }
        func date(_ member: Member) -> Timestamp? {
            // A date member of `data` wins even when it is not a date.
            (value(member, of: .data) ?? value(member, of: .root))?.timestamp
        }
        var live = LiveAssessment()
        live.id = value(.id, of: .root)?.int
        live.scorecardId = value(.scorecardId, of: .root)?.int
        live.state = value(.state, of: .root)?.string
        if case .bool(let flag)? = value(.canEdit, of: .root) { live.canEdit = flag }
        live.modifiedAt = value(.modifiedAt, of: .root)?.timestamp
        live.assessedUser = value(.assessedUser, of: .root)?.int
        live.ticketId = value(.ticketId, of: .root)?.int
        live.aiSummary = text(.aiSummary)
        live.supervisorAssessment = text(.supervisorAssessment)
        live.assessmentDate = date(.assessmentDate)
        live.discussionDate = date(.discussionDate)
        live.criteria = criteria
        return live
    }
}
