import XLSX

/// The failures file of an `.xlsx` input: `<stem>.failures.xlsx`, the input's columns first
/// (header cells as spelled, values as read), then `error`, `errorKind` and `sourceLine`
/// (replacing any from an earlier run), so `apply` on it retries exactly those rows.
///
/// Values go back as text cells in Text-formatted columns, except whole numbers in the id and
/// score columns, which go back as number cells (as `export` writes them); either reads the
/// same. No protection: this sheet is for fixing what was refused.
enum FailuresWorkbook {
    /// The sheet's name.
    static let sheetName = "failures"

    /// Columns whose whole-number texts are written as number cells.
    private static let numberColumns: Set<String> = Set(
        [Column.assessmentId, .categoryId, .criterionId, .score, .scoreBefore, .scorecardId, .maxPoints, .assessedUser, .ticketId]
            .map { $0.rawValue.lowercased() })

    /// Writes the failures of `input` into `file`'s temporary path; `file.commit()` puts it in place.
    static func write(_ input: InputDescription, failures: [Int: RowFailure], to file: OutputFile) throws -> Int {
        try write(header: input.header, rows: { try inputRows(input, $0) }, failures: failures, to: file.temporaryPath)
    }

    /// Each data row of the `.xlsx` input with its sheet row number and cell texts, read again
    /// by the workbook reader (`WorkbookRowTexts`).
    private static func inputRows(_ input: InputDescription, _ body: (Int, [String]) throws -> Void) throws {
        var failure: (any Error)?
        try WorkbookRowTexts.forEachRow(of: input) { number, values in
            guard failure == nil else { return }
            do { try body(number, values) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Writes the rows of `rows` whose sheet row number has a failure into `path` (mode 0600;
    /// the caller moves it into place) and returns how many it wrote.
    /// - Parameters:
    ///   - header: the input's header cells as spelled.
    ///   - rows: calls its argument with each data row's sheet row number and cell texts, in
    ///     sheet order (the reader's row source).
    static func write(header: [String], rows: ((Int, [String]) throws -> Void) throws -> Void,
                      failures: [Int: RowFailure], to path: String) throws -> Int {
        let writtenNames = Set(Column.written.map { $0.rawValue.lowercased() })
        let kept = header.indices.filter { !writtenNames.contains(header[$0].trimmingWhitespace().lowercased()) }
        let numeric = kept.map { numberColumns.contains(header[$0].trimmingWhitespace().lowercased()) }
        var columns = zip(kept, numeric).map { index, isNumber in
            let name = header[index]
            let kind: WriteColumn.Kind
            if !isNumber {
                kind = .text
            } else {
                let lowered = name.trimmingWhitespace().lowercased()
                kind = lowered == Column.score.rawValue.lowercased() || lowered == Column.scoreBefore.rawValue.lowercased() ? .number : .identifier
            }
            return WriteColumn(name: name, width: min(max(Double(name.count) + 3, 10), 40), kind: kind)
        }
        columns += [
            WriteColumn(name: Column.error.rawValue, width: 60, kind: .text),
            WriteColumn(name: Column.errorKind.rawValue, width: 14, kind: .text),
            WriteColumn(name: Column.sourceLine.rawValue, width: 11, kind: .identifier),
        ]
        let writer = try WorkbookWriter(path: path, sheetName: sheetName, columns: columns, protected: false)
        try rows { line, values in
            guard let failure = failures[line] else { return }
            var cells: [WriteCell] = []
            cells.reserveCapacity(columns.count)
            for (position, index) in kept.enumerated() {
                let value = index < values.count ? values[index] : ""
                if value.isEmpty {
                    cells.append(.empty)
                } else if numeric[position], let number = Int(value), String(number) == value {
                    cells.append(.number(number))
                } else if numeric[position], isPlainDecimal(value) {
                    cells.append(.decimal(value))  // a score of 4.5 as read: the number it was
                } else {
                    cells.append(.text(value))
                }
            }
            cells += [.text(failure.message), .text(failure.kind.rawValue), .number(line)]
            try writer.append(WriteRow(cells: cells))
        }
        try writer.finish()
        return writer.rowCount
    }

    /// `4.5`, `-0.25`: digits with one point inside, as a number cell holds them (no exponent,
    /// no leading zeros beyond one, nothing that would not read back as the same text).
    private static func isPlainDecimal(_ text: String) -> Bool {
        func isDigit(_ character: Character) -> Bool { character.isASCII && character.isNumber }
        let body = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let whole = parts.first, let fraction = parts.last, !whole.isEmpty, !fraction.isEmpty,
              whole.allSatisfy(isDigit), fraction.allSatisfy(isDigit) else { return false }
        return (whole == "0" || whole.first != "0") && fraction.last != "0"
    }
}
