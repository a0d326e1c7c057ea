/// The row a row source is filling: its cells go through the shared `RowDecoder`, which
/// checks each value and collects every problem of the row.
///
/// Kept by `RowSink` from one row to the next, so a typical row allocates nothing.
struct RowCells {
    var decoder: RowDecoder
    /// The row so far.
    var row = DecodedRow(location: SourceLocation(input: 0, line: 0))
    /// The criterion columns of a flat row, checked together when the row ends.
    var criterion = RowDecoder.PendingCriterion()
    /// Whether the row named an assessment id (even an empty JSON string).
    var assessmentIdGiven = false
    /// Set by `abandon`: the row could not be read, and only its one problem counts.
    private var isAbandoned = false

    init(decoder: RowDecoder) {
        self.decoder = decoder
    }

    /// Empties the row for another at `location`, keeping its arrays' room.
    mutating func begin(at location: SourceLocation) {
        row.reset(location: location)
        criterion = RowDecoder.PendingCriterion()
        assessmentIdGiven = false
        isAbandoned = false
    }

    /// Applies one column's value; an empty value means "leave unchanged".
    mutating func set(_ column: Column, _ value: RawValue) {
        if column == .assessmentId { assessmentIdGiven = true }
        decoder.set(column, value, row: &row, criterion: &criterion)
    }

    /// Applies one column's value read from a cell of a workbook: the cell's problems name it
    /// (`… (cell D17)`), since a sheet's row number alone does not say which cell is wrong.
    mutating func set(_ column: Column, _ value: RawValue, cell: String) {
        let problems = row.problems.count
        let held = row.heldDates.count
        set(column, value)
        for index in problems..<row.problems.count { row.problems[index] += " (cell \(cell))" }
        for index in held..<row.heldDates.count {
            row.heldDates[index].problems = row.heldDates[index].problems.map { "\($0) (cell \(cell))" }
        }
    }

    /// Adds a problem of the row (one no column's value explains, or one the source found).
    mutating func problem(_ message: String) {
        row.problems.append(message)
    }

    /// Ends the row as unreadable (a line that is not JSON): what was decoded of it does not
    /// count, and its completeness is not checked.
    mutating func abandon(_ message: String) {
        row.reset(location: row.location)
        criterion = RowDecoder.PendingCriterion()
        row.problems.append(message)
        isAbandoned = true
    }

    /// The row's own checks once every cell is set (its criterion columns together, then
    /// what the row as a whole needs); then hands it to `grouping`. The row and the decoder
    /// are lent from here, where they live, so neither is copied per row.
    mutating func finish(into grouping: AssessmentGrouping) {
        if !isAbandoned {
            decoder.finishCriterion(criterion, row: &row)
            decoder.finish(&row, assessmentIdGiven: assessmentIdGiven)
        }
        grouping.add(row, decoder: decoder)
    }
}
