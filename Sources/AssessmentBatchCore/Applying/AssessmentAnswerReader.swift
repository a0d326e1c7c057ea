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
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        var reader = AssessmentAnswerReader(base: base.assumingMemoryBound(to: UInt8.self), end: bytes.count)
        guard let read = try? reader.read() else { return nil }
        self = read
    }
}

/// The strict single-pass reader behind `LiveAssessment(answer:)`.
private struct AssessmentAnswerReader {
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
        /// Where this object's keys start in `keys`.
        var keyBase: Int
        /// Whether its keys moved to `keySets` (too many for linear duplicate checks).
        var hasKeySet = false
        /// Where this category's criteria start in `pendingCriteria`.
        var criteriaBase: Int
    }

    /// A key seen in an open object: its decoded bytes in the input or in `escapedKeys`.
    struct Key {
        var start: Int
        var count: Int
        var escaped: Bool
        var print: UInt64
    }

    struct SyntaxError: Error {}

    static let maxDepth = 64
    static let membersPerSlot = Member.allCases.count

    let base: UnsafePointer<UInt8>
    let end: Int
    var p = 0
    /// Decoded bytes of the last string with escapes.
    var scratch: [UInt8] = []
    var keys: [Key] = []
    var escapedKeys: [UInt8] = []
    /// The scalars of the open root, data, category and criterion objects, `membersPerSlot` per
    /// `Role.slot`.
    var captured = [Scalar?](repeating: nil, count: 4 * Self.membersPerSlot)
    /// The keys of big open objects, by stack depth.
    var keySets: [Int: Set<[UInt8]>] = [:]
    /// Criteria of the open category, waiting for its `categoryId`.
    var pendingCriteria: [(id: Int, criterion: LiveAssessment.Criterion)] = []
    var criteria: [CriterionKey: LiveAssessment.Criterion] = [:]

    init(base: UnsafePointer<UInt8>, end: Int) {
        self.base = base
        self.end = end
    }

    mutating func read() throws(SyntaxError) -> LiveAssessment? {
        var stack: [Frame] = []
        // Room for a typical answer, so none of these grows while reading it.
        stack.reserveCapacity(16)
        keys.reserveCapacity(64)
        pendingCriteria.reserveCapacity(32)
        criteria.reserveCapacity(32)
        skipWhitespace()
        nextValue: while true {
            guard p < end else { throw SyntaxError() }
            let member = stack.last?.member ?? .ignored
            let scalar: Scalar
            switch base[p] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = base[p] == UInt8(ascii: "{")
                guard stack.count < Self.maxDepth else { throw SyntaxError() }
                let role = Self.role(of: isObject, parent: stack.last?.role, member: member)
                p += 1
                skipWhitespace()
                if p < end && base[p] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    p += 1
                    if stack.isEmpty && !isObject { return nil }
                    open(role)
                    let empty = Frame(role: role, isObject: isObject, keyBase: keys.count, criteriaBase: pendingCriteria.count)
                    if stack.isEmpty { return finishRoot() }
                    close(empty)
                    scalar = .other
                } else {
                    open(role)
                    stack.append(Frame(role: role, isObject: isObject, keyBase: keys.count, criteriaBase: pendingCriteria.count))
                    if isObject { try readKey(into: &stack[stack.count - 1], depth: stack.count - 1) }
                    continue nextValue
                }
            case UInt8(ascii: "\""):
                scalar = try readString(keeping: member != .ignored)
            case UInt8(ascii: "t"):
                try expect("true")
                scalar = .bool(true)
            case UInt8(ascii: "f"):
                try expect("false")
                scalar = .bool(false)
            case UInt8(ascii: "n"):
                try expect("null")
                scalar = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                scalar = try readNumber(keeping: member != .ignored)
            default:
                throw SyntaxError()
            }
            // A document that is not an object is no assessment.
            if stack.isEmpty { return nil }
            var value = scalar
            // Store the value; close every container that ends after it.
            while true {
                let top = stack.count - 1
                if stack[top].member != .ignored, let slot = stack[top].role.slot {
                    captured[slot * Self.membersPerSlot + stack[top].member.rawValue] = value
                }
                skipWhitespace()
                guard p < end else { throw SyntaxError() }
                let isObject = stack[top].isObject
                if base[p] == UInt8(ascii: ",") {
                    p += 1
                    skipWhitespace()
                    if isObject {
                        try readKey(into: &stack[top], depth: top)
                    } else if p < end && base[p] == UInt8(ascii: "]") {
                        throw SyntaxError()
                    }
                    continue nextValue
                }
                guard base[p] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { throw SyntaxError() }
                p += 1
                let frame = stack.removeLast()
                if frame.hasKeySet { keySets[stack.count] = nil }
                if stack.isEmpty { return frame.isObject ? finishRoot() : nil }
                close(frame)
                value = .other
            }
        }
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
        if frame.isObject { keys.removeSubrange(frame.keyBase...) }
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

    /// The assessment, once its root object closed and only whitespace follows.
    mutating func finishRoot() -> LiveAssessment? {
        skipWhitespace()
        guard p == end else { return nil }
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
        live.aiSummary = text(.aiSummary)
        live.supervisorAssessment = text(.supervisorAssessment)
        live.assessmentDate = date(.assessmentDate)
        live.discussionDate = date(.discussionDate)
        live.criteria = criteria
        return live
    }

    // MARK: - Tokens

    @inline(__always)
    mutating func skipWhitespace() {
        while p < end {
            let byte = base[p]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            p += 1
        }
    }

    mutating func expect(_ literal: StaticString) throws(SyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard end - p >= count, memcmp(base + p, literal.utf8Start, count) == 0 else { throw SyntaxError() }
        p += count
    }

    mutating func readNumber(keeping: Bool) throws(SyntaxError) -> Scalar {
        let start = p
        if base[p] == UInt8(ascii: "-") {
            p += 1
            guard p < end && isDigit(base[p]) else { throw SyntaxError() }
        }
        if base[p] == UInt8(ascii: "0") {
            p += 1
            if p < end && isDigit(base[p]) { throw SyntaxError() }
        } else {
            skipDigits()
        }
        if p < end && base[p] == UInt8(ascii: ".") {
            p += 1
            guard p < end && isDigit(base[p]) else { throw SyntaxError() }
            skipDigits()
        }
        if p < end && (base[p] | 0x20) == UInt8(ascii: "e") {
            p += 1
            if p < end && (base[p] == UInt8(ascii: "+") || base[p] == UInt8(ascii: "-")) { p += 1 }
            guard p < end && isDigit(base[p]) else { throw SyntaxError() }
            skipDigits()
        }
        return keeping ? .number(String(decoding: UnsafeBufferPointer(start: base + start, count: p - start), as: UTF8.self)) : .other
    }

    @inline(__always)
    func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    @inline(__always)
    mutating func skipDigits() {
        while p < end && isDigit(base[p]) { p += 1 }
    }

    /// Reads `"key":` of an object member and notes which member it is; a key the object
    /// already has is a syntax error.
    mutating func readKey(into frame: inout Frame, depth: Int) throws(SyntaxError) {
        guard p < end && base[p] == UInt8(ascii: "\"") else { throw SyntaxError() }
        let escaped = try skipString()
        let key: Key
        if escaped {
            key = Key(start: escapedKeys.count, count: scratch.count, escaped: true, print: scratch.withUnsafeBytes(Self.fingerprint))
            escapedKeys += scratch
        } else {
            let bytes = UnsafeBufferPointer(start: base + lastStart, count: lastCount)
            key = Key(start: lastStart, count: lastCount, escaped: false, print: Self.fingerprint(UnsafeRawBufferPointer(bytes)))
        }
        try claim(key, in: &frame, depth: depth)
        let role = frame.role
        frame.member = withKeyBytes(key) { Member.named($0, in: role) }
        skipWhitespace()
        guard p < end && base[p] == UInt8(ascii: ":") else { throw SyntaxError() }
        p += 1
        skipWhitespace()
    }

    mutating func claim(_ key: Key, in frame: inout Frame, depth: Int) throws(SyntaxError) {
        if frame.hasKeySet {
            let bytes = withKeyBytes(key) { Array($0) }
            guard keySets[depth, default: []].insert(bytes).inserted else { throw SyntaxError() }
            return
        }
        for index in frame.keyBase..<keys.count where keys[index].print == key.print {
            let same = withKeyBytes(keys[index]) { old in withKeyBytes(key) { new in old.elementsEqual(new) } }
            if same { throw SyntaxError() }
        }
        keys.append(key)
        if keys.count - frame.keyBase > 64 {
            // Big objects switch to a set of their keys.
            var set = Set<[UInt8]>()
            for index in frame.keyBase..<keys.count { _ = withKeyBytes(keys[index]) { set.insert(Array($0)) } }
            keySets[depth] = set
            frame.hasKeySet = true
        }
    }

    func withKeyBytes<Result>(_ key: Key, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if key.escaped {
            return escapedKeys.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[key.start..<key.start + key.count])) }
        }
        return body(UnsafeBufferPointer(start: base + key.start, count: key.count))
    }

    /// A cheap function of a key's bytes: equal keys have equal fingerprints.
    static func fingerprint(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var head: UInt64 = 0
        var tail: UInt64 = 0
        if bytes.count >= 8 {
            head = bytes.loadUnaligned(as: UInt64.self)
            tail = bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
        } else {
            for byte in bytes { head = head << 8 | UInt64(byte) }
        }
        return head ^ (tail << 29 | tail >> 35) ^ UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
    }

    /// Where the last string's bytes are in the input when it had no escapes.
    var lastStart = 0
    var lastCount = 0

    mutating func readString(keeping: Bool) throws(SyntaxError) -> Scalar {
        let escaped = try skipString()
        guard keeping else { return .other }
        if escaped { return .string(String(decoding: scratch, as: UTF8.self)) }
        return .string(String(decoding: UnsafeBufferPointer(start: base + lastStart, count: lastCount), as: UTF8.self))
    }

    /// Checks the string at its opening quote and moves past it; true when it had escapes
    /// (its decoded bytes are then in `scratch`), else its bytes are at `lastStart`.
    mutating func skipString() throws(SyntaxError) -> Bool {
        let start = p + 1
        var q = start
        // Eight bytes at a time while none is a quote, a backslash or a control character.
        let ones: UInt64 = 0x0101_0101_0101_0101
        // The bytes seen OR-ed together: no high bit means ASCII, valid UTF-8 without a check.
        var seen: UInt64 = 0
        while q + 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(fromByteOffset: q, as: UInt64.self))
            let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
            let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
            let stops = ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes) | ((word &- ones &* 0x20) & ~word)
            if stops & (ones &* 0x80) != 0 { break }
            seen |= word
            q += 8
        }
        while q < end {
            let byte = base[q]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            seen |= UInt64(byte)
            q += 1
        }
        guard q < end else { throw SyntaxError() }
        if seen & (ones &* 0x80) != 0 {
            guard UTF8Validation.isValid(base + start, count: q - start) else { throw SyntaxError() }
        }
        if base[q] == UInt8(ascii: "\"") {
            lastStart = start
            lastCount = q - start
            p = q + 1
            return false
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: q - start))
        while true {
            guard q < end, base[q] >= 0x20 else { throw SyntaxError() }
            if base[q] == UInt8(ascii: "\"") { break }
            q = try decodeEscape(at: q)
            let runStart = q
            while q < end {
                let byte = base[q]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                q += 1
            }
            guard UTF8Validation.isValid(base + runStart, count: q - runStart) else { throw SyntaxError() }
            scratch.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: q - runStart))
        }
        p = q + 1
        return true
    }

    /// Decodes the escape at `backslash` into `scratch`; returns the index after it.
    mutating func decodeEscape(at backslash: Int) throws(SyntaxError) -> Int {
        guard backslash + 1 < end else { throw SyntaxError() }
        let letter = base[backslash + 1]
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(letter)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4(at: backslash + 2)
            var next = backslash + 6
            guard !(0xDC00...0xDFFF).contains(scalar) else { throw SyntaxError() }
            if (0xD800...0xDBFF).contains(scalar) {
                guard next + 1 < end && base[next] == UInt8(ascii: "\\") && base[next + 1] == UInt8(ascii: "u") else { throw SyntaxError() }
                let low = try hex4(at: next + 2)
                guard (0xDC00...0xDFFF).contains(low) else { throw SyntaxError() }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                next += 6
            }
            // Every scalar here is valid: surrogates were paired above.
            scratch.append(contentsOf: Unicode.UTF8.encode(Unicode.Scalar(scalar)!)!)
            return next
        default:
            throw SyntaxError()
        }
        return backslash + 2
    }

    func hex4(at index: Int) throws(SyntaxError) -> UInt32 {
        guard index + 4 <= end else { throw SyntaxError() }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = base[index + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw SyntaxError()
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
