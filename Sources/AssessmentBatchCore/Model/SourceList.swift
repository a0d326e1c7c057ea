/// The input rows behind one assessment, in input order, stored as runs of consecutive lines.
///
/// An assessment's rows usually stand together, so twenty rows cost one 12-byte run instead of
/// twenty locations (a million-row file keeps one of these per assessment).
public struct SourceList: RandomAccessCollection, ExpressibleByArrayLiteral, Hashable, Sendable {
    fileprivate struct Run: Hashable, Sendable {
        var input: Int32
        var firstLine: Int32
        var count: Int32
    }

    private var runs: [Run] = []
    public private(set) var count = 0

    public init() {}

    public init(arrayLiteral elements: SourceLocation...) {
        for element in elements { append(element) }
    }

    public init(_ locations: some Sequence<SourceLocation>) {
        for location in locations { append(location) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    /// The location at `position`, found by walking the runs (usually one; iterating uses
    /// `makeIterator`, which walks them once).
    public subscript(position: Int) -> SourceLocation {
        precondition(position >= 0 && position < count, "SourceList index \(position) out of range 0..<\(count)")
        var first = 0
        for run in runs {
            if position < first + Int(run.count) { return Self.location(run, offset: position - first) }
            first += Int(run.count)
        }
        preconditionFailure("SourceList runs do not add up to its count")
    }

    public func makeIterator() -> Iterator {
        Iterator(runs: runs)
    }

    /// Walks the runs in order.
    public struct Iterator: IteratorProtocol {
        private let runs: [Run]
        private var run = 0
        private var offset = 0

        fileprivate init(runs: [Run]) {
            self.runs = runs
        }

        public mutating func next() -> SourceLocation? {
            while run < runs.count {
                if offset < Int(runs[run].count) {
                    defer { offset += 1 }
                    return SourceList.location(runs[run], offset: offset)
                }
                run += 1
                offset = 0
            }
            return nil
        }
    }

    fileprivate static func location(_ run: Run, offset: Int) -> SourceLocation {
        SourceLocation(input: Int(run.input), line: Int(run.firstLine) + offset)
    }

    /// Adds a location after the others; the next line of the same input extends the last run.
    public mutating func append(_ location: SourceLocation) {
        let input = Int32(clamping: location.input)
        let line = Int32(clamping: location.line)
        if let last = runs.last, last.input == input, Int(last.firstLine) + Int(last.count) == Int(line) {
            runs[runs.count - 1].count += 1
        } else {
            runs.append(Run(input: input, firstLine: line, count: 1))
        }
        count += 1
    }
}
