/// Texts shared by the criteria of a whole batch; immutable once made.
public final class TextTable: Sendable {
    let texts: [String]

    init(_ texts: [String]) {
        self.texts = texts
    }

    static let empty = TextTable([])
}

/// The criteria of one assessment, in the order they first appear in the input.
///
/// Stored in 20 bytes per criterion rather than the 32 of a `CriterionUpdate`: a reason is an
/// index into a `TextTable` the whole batch shares (a big file repeats a few reasons a million
/// times, and a `String` alone takes 16 bytes). Reading an element builds its `CriterionUpdate`.
public struct CriterionList: RandomAccessCollection, Equatable, Sendable, ExpressibleByArrayLiteral {
    /// One criterion; `score` and `reason` are -1 when left unchanged.
    struct Entry: Sendable {
        var categoryId: Int32
        var criterionId: Int32
        var score: Int32
        /// Index into the texts (the loader's text pool while loading).
        var reason: Int32
        /// Which of its assessment's `sources` set this criterion, for messages.
        var sourceIndex: Int32 = 0

        var key: CriterionKey { CriterionKey(categoryId: Int(categoryId), criterionId: Int(criterionId)) }

        func hasSameKey(as other: Entry) -> Bool {
            categoryId == other.categoryId && criterionId == other.criterionId
        }
    }

    private(set) var entries: [Entry]
    /// Where the reasons are. The loader sets it once the batch is read: until then `entries`
    /// index its text pool and elements must not be read.
    var texts: TextTable

    public init() {
        entries = []
        texts = .empty
    }

    public init(_ criteria: [CriterionUpdate]) {
        var texts: [String] = []
        entries = criteria.map { criterion in
            var reason: Int32 = -1
            if let text = criterion.reason {
                reason = Int32(texts.count)
                texts.append(text)
            }
            return Entry(categoryId: Int32(clamping: criterion.categoryId), criterionId: Int32(clamping: criterion.criterionId),
                         score: criterion.score.map { Int32(clamping: $0) } ?? -1, reason: reason, sourceIndex: criterion.sourceIndex)
        }
        self.texts = TextTable(texts)
    }

    public init(arrayLiteral elements: CriterionUpdate...) {
        self.init(elements)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { entries.count }

    public subscript(position: Int) -> CriterionUpdate {
        let entry = entries[position]
        var criterion = CriterionUpdate(categoryId: Int(entry.categoryId), criterionId: Int(entry.criterionId),
                                        score: entry.score < 0 ? nil : Int(entry.score),
                                        reason: entry.reason < 0 ? nil : texts.texts[Int(entry.reason)])
        criterion.sourceIndex = entry.sourceIndex
        return criterion
    }

    /// Equal when they write the same values in the same order.
    public static func == (lhs: CriterionList, rhs: CriterionList) -> Bool {
        lhs.elementsEqual(rhs)
    }

    // MARK: - Building (the loader)

    mutating func append(_ entry: Entry) {
        entries.append(entry)
    }

    mutating func reserveCapacity(_ count: Int) {
        entries.reserveCapacity(count)
    }
}
