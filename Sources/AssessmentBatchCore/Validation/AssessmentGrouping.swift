/// The grouping stage of loading: merges decoded rows into one update per assessment, in
/// order of first appearance, checking that rows of one assessment agree.
///
/// Whatever format a row came from (CSV, JSONL, a workbook), it arrives here as a
/// `DecodedRow`; nothing here knows about files. Single-threaded; the properties touched per
/// row opt out of run-time exclusivity checks, which cost more than the work on a typical row
/// (the compiler still checks them statically).
final class AssessmentGrouping {
    private let log: DiagnosticLog
    /// One update per assessment, in order of first appearance, merged as rows arrive; kept
    /// apart from what only the checks need, so a valid batch is handed on without a copy.
    @exclusivity(unchecked) private var updates: [AssessmentUpdate] = []
    /// Which row first set each assessment-level value of each of `updates`.
    @exclusivity(unchecked) private var fieldSources: [FieldSources] = []
    /// The first problem of each assessment that has one, by index into `updates` (few have one).
    private var firstProblems: [Int: (SourceLocation, String)] = [:]
    @exclusivity(unchecked) private var indexById: [Int: Int] = [:]
    /// The assessment of the previous row: files usually keep an assessment's rows together.
    @exclusivity(unchecked) private var lastAssessment: (id: Int, index: Int)?
    /// Criteria of the last assessment created: new ones reserve that much room up front, so
    /// their arrays do not end up with doubling slack.
    private var criteriaHint = 0
    /// Rows whose assessment id is unknown, kept apart.
    private var orphanRows: [(SourceLocation, String)] = []

    init(log: DiagnosticLog) {
        self.log = log
    }

    /// Adds one decoded row to its assessment (or to the rows without one).
    func add(_ row: DecodedRow, decoder: RowDecoder) {
        var problems = row.problems
        guard let assessmentId = row.assessmentId else {
            log.record(problems, at: row.location)
            orphanRows.append((row.location, problems.first ?? "assessmentId is missing"))
            return
        }
        let index: Int
        if let last = lastAssessment, last.id == assessmentId {
            index = last.index
        } else if let existing = indexById[assessmentId] {
            index = existing
        } else {
            index = updates.count
            indexById[assessmentId] = index
            if let last = updates.last { criteriaHint = last.criteria.count }
            var update = AssessmentUpdate(assessmentId: assessmentId)
            update.criteria.reserveCapacity(criteriaHint)
            updates.append(update)
            fieldSources.append(FieldSources())
        }
        lastAssessment = (assessmentId, index)
        if problems.isEmpty {
            merge(row, decoder: decoder, into: &updates[index], fieldSources: &fieldSources[index], problems: &problems)
        }
        updates[index].sources.append(row.location)
        if !problems.isEmpty {
            log.record(problems, at: row.location)
            if firstProblems[index] == nil { firstProblems[index] = (row.location, problems[0]) }
        }
    }

    /// Adds a row's values to its assessment, or only reports why they do not fit: a row with
    /// a problem changes nothing. Everything is checked first and then written in place (a
    /// copy of the assessment's values per row would cost retains and releases per row).
    private func merge(_ row: DecodedRow, decoder: RowDecoder, into update: inout AssessmentUpdate, fieldSources: inout FieldSources, problems: inout [String]) {
        let id = update.assessmentId
        for column in row.setColumns where !update.fields.agrees(with: row.fields, on: column) {
            let earlier = fieldSources[column].map { log.describe(update.sources[$0]) } ?? "an earlier row"
            problems.append("\(column.rawValue) for assessment \(id) differs from \(earlier)")
        }
        // One search per criterion: the first 64 of a row remember whether they are new.
        var isNew: UInt64 = 0
        for (offset, criterion) in row.criteria.enumerated() {
            if let earlier = update.criteria.entries.first(where: { $0.hasSameKey(as: criterion) }) {
                if !decoder.hasSameValues(earlier, criterion) {
                    let line = log.describe(update.sources[Int(earlier.sourceIndex)])
                    problems.append("\(criterion.key) of assessment \(id) is already set differently on \(line)")
                }
            } else if offset < 64 {
                isNew |= 1 << UInt64(offset)
            }
        }
        guard problems.isEmpty else { return }
        var expected: ExpectedValues? = row.hasExpectations ? (update.expected ?? ExpectedValues()) : nil
        for column in row.setColumns where fieldSources[column] == nil {
            update.fields.take(column, from: row.fields)
            expected?.take(column, from: row.expected)
            fieldSources[column] = update.sources.count  // this row is appended next
        }
        if var kept = expected {
            for criterion in row.expected.criteria where !kept.criteria.contains(where: { $0.key == criterion.key }) {
                kept.criteria.append(criterion)
            }
            update.expected = kept
        }
        for (offset, var criterion) in row.criteria.enumerated()
        where offset < 64 ? isNew & (1 << UInt64(offset)) != 0 : !update.criteria.entries.contains(where: { $0.hasSameKey(as: criterion) }) {
            criterion.sourceIndex = Int32(update.sources.count)  // this row is appended next
            update.criteria.append(criterion)
        }
    }

    /// The valid updates and the assessments held back, once every row is in; `reasons` is
    /// the decoder's text table, which every update's criteria read their reasons from.
    func finish(reasons: TextTable, scorecards: ScorecardCatalog?) -> (updates: [AssessmentUpdate], invalid: [InvalidAssessment]) {
        for index in updates.indices { updates[index].criteria.texts = reasons }
        if let scorecards { checkScorecards(scorecards) }
        var invalid: [InvalidAssessment] = []
        // Invalid assessments leave `updates` in place, without copying the valid ones.
        var kept = 0
        for index in updates.indices {
            if let (location, problem) = firstProblems[index] {
                let update = updates[index]
                let message = update.sources.count > 1
                    ? "assessment \(update.assessmentId) not sent: \(log.describe(location)): \(problem)"
                    : problem
                invalid.append(InvalidAssessment(assessmentId: update.assessmentId, sources: update.sources, message: message))
            } else {
                if kept != index { updates.swapAt(kept, index) }
                kept += 1
            }
        }
        updates.removeLast(updates.count - kept)
        fieldSources = []
        for (location, problem) in orphanRows {
            invalid.append(InvalidAssessment(assessmentId: nil, sources: [location], message: problem))
        }
        let result = updates
        updates = []
        return (result, invalid)
    }

    /// Checks every valid assessment's criteria against its scorecard revision in `catalog`.
    private func checkScorecards(_ catalog: ScorecardCatalog) {
        for index in updates.indices where firstProblems[index] == nil {
            let update = updates[index]
            guard let scorecardId = update.fields.scorecardId else { continue }
            guard let scorecard = catalog.scorecards[scorecardId] else {
                let location = update.sources[fieldSources[index][.scorecardId] ?? 0]
                let problem = "scorecard \(scorecardId) is not in the scorecards file"
                log.record([problem], at: location)
                firstProblems[index] = (location, problem)
                continue
            }
            for criterion in update.criteria {
                guard let problem = scorecard.problem(with: criterion) else { continue }
                let location = update.sources[Int(criterion.sourceIndex)]
                log.record([problem], at: location)
                if firstProblems[index] == nil { firstProblems[index] = (location, problem) }
            }
        }
    }
}

/// Which row first set each assessment-level value of an assessment, as an index into its
/// `sources`: a 32-bit slot per field of `FieldDescriptor.table`, in place (a collection per
/// assessment would be an allocation).
struct FieldSources {
    private var slots: (Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32) =
        (-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)

    /// How many fields there is room for: the table must not outgrow it (a test checks).
    static let capacity = MemoryLayout<(Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32)>.size / 4

    /// The index into `sources` of the row that first set the field `column` holds.
    subscript(column: Column) -> Int? {
        get {
            guard let offset = column.fieldIndex, offset < Self.capacity else { return nil }
            let index = withUnsafeBytes(of: slots) { $0.load(fromByteOffset: offset * 4, as: Int32.self) }
            return index < 0 ? nil : Int(index)
        }
        set {
            guard let offset = column.fieldIndex, offset < Self.capacity else { return }
            let index = Int32(clamping: newValue ?? -1)
            withUnsafeMutableBytes(of: &slots) { $0.storeBytes(of: index, toByteOffset: offset * 4, as: Int32.self) }
        }
    }
}

extension AssessmentFields {
    /// Whether `other`'s value for the field `column` holds is unset here or the same as here.
    fileprivate func agrees(with other: AssessmentFields, on column: Column) -> Bool {
        guard let index = column.fieldIndex else { return true }
        return agrees(with: other, field: index)
    }

    /// Sets the value of the field `column` holds to `other`'s.
    fileprivate mutating func take(_ column: Column, from other: AssessmentFields) {
        if let index = column.fieldIndex { self[field: index] = other[field: index] }
    }
}
