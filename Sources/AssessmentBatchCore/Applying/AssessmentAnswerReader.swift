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

    /// The members the assessment reads, wherever they sit: a few fixed ones, then one per
    /// assessment-level field (`FieldDescriptor.liveKey`), so a field added to the table is read.
    struct Member: Equatable {
        let rawValue: Int

        static let id = Member(rawValue: 0)
        static let canEdit = Member(rawValue: 1)
        static let assessedUser = Member(rawValue: 2)
        static let ticketId = Member(rawValue: 3)
        static let data = Member(rawValue: 4)
        static let categories = Member(rawValue: 5)
        static let categoryId = Member(rawValue: 6)
        static let criteria = Member(rawValue: 7)
        static let score = Member(rawValue: 8)
        static let reason = Member(rawValue: 9)
        /// A criterion's own state (`unscored`, `aiGenerated`, `humanVerified`).
        static let criterionState = Member(rawValue: 10)
        static let ignored = Member(rawValue: -1)
        private static let fixedCount = 11
        /// How many members there are, fields included.
        static let count = fixedCount + FieldDescriptor.table.count

        /// The member of the field at `index` in `FieldDescriptor.table`.
        static func field(_ index: Int) -> Member { Member(rawValue: fixedCount + index) }

        /// The live keys of the fields, as UTF-8, by field index.
        private static let fieldKeys: [[UInt8]] = FieldDescriptor.table.map { Array($0.liveKey.utf8) }

        /// The member `key` names in an object of `role`.
        static func named(_ key: UnsafeBufferPointer<UInt8>, in role: Role) -> Member {
            func isNamed(_ name: StaticString) -> Bool {
                name.utf8CodeUnitCount == key.count && memcmp(name.utf8Start, key.baseAddress!, key.count) == 0
            }
            guard !key.isEmpty else { return .ignored }
            switch role {
            case .root:
                if isNamed("id") { return .id }
                if isNamed("canEdit") { return .canEdit }
                if isNamed("assessedUser") { return .assessedUser }
                if isNamed("ticketId") { return .ticketId }
                if isNamed("data") { return .data }
                return field(named: key, inData: false)
            case .data:
                if isNamed("categories") { return .categories }
                return field(named: key, inData: true)
            case .category:
                if isNamed("categoryId") { return .categoryId }
                if isNamed("criteria") { return .criteria }
            case .criterion:
                if isNamed("id") { return .id }
                if isNamed("score") { return .score }
                if isNamed("reason") { return .reason }
                if isNamed("state") { return .criterionState }
            case .categories, .criteria, .other:
                break
            }
            return .ignored
        }

        /// The field whose live key is `key` (in `data`: only fields that may stand there).
        private static func field(named key: UnsafeBufferPointer<UInt8>, inData: Bool) -> Member {
            for (index, name) in fieldKeys.enumerated() where name.count == key.count && (!inData || FieldDescriptor.table[index].liveInData) {
                if name.withUnsafeBufferPointer({ memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }) { return field(index) }
            }
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

    static let membersPerSlot = Member.count

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
                    score: score, reason: value(.reason, of: .criterion)?.string, state: value(.criterionState, of: .criterion)?.string)))
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
        var live = LiveAssessment()
        live.id = value(.id, of: .root)?.int
        if case .bool(let flag)? = value(.canEdit, of: .root) { live.canEdit = flag }
        live.assessedUser = value(.assessedUser, of: .root)?.int
        live.ticketId = value(.ticketId, of: .root)?.int
        for (index, field) in FieldDescriptor.table.enumerated() {
            let member = Member.field(index)
            // Without a data object, its slot holds nothing, as if it had none of these members.
            let inData = field.liveInData ? value(member, of: .data) : nil
            let atRoot = value(member, of: .root)
            switch field.kind {
            case .text: live.fields[field: index] = (inData?.string ?? atRoot?.string).map { .text($0) }
            // A date member of `data` wins even when it is not a date.
            case .dateTime: live.fields[field: index] = (inData ?? atRoot)?.timestamp.map { .date($0) }
            case .state: live.fields[field: index] = (inData?.string ?? atRoot?.string).map { .state(AssessmentState(name: $0)) }
            case .positiveInteger: live.fields[field: index] = (inData?.int ?? atRoot?.int).map { .integer($0) }
            }
        }
        live.criteria = criteria
        return live
    }
}
