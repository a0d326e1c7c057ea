import Testing
@testable import AssessmentBatchCore

/// The seam a third input format plugs into: a source that is neither CSV nor JSONL (shaped
/// like a workbook's sheet: a header row, then cells with references) hands its rows to the
/// `RowSink`, and decoding, grouping and messages work as for the other two.
@Suite struct RowSinkTests {
    /// A sheet given as cells, as a workbook reader would yield them.
    private struct SheetSource: RowSource {
        static let noRowsMessage = "the sheet has no data rows"
        var header: [String]
        var rows: [(line: Int, cells: [(column: Int, reference: String, text: String)])]

        mutating func read(_ input: inout InputDescription, into sink: RowSink) {
            input.header = header
            guard let header = SheetHeader(names: header, line: 1, rows: sink) else { return }
            sink.unescapesFormulas = false
            for row in rows {
                sink.row(line: row.line) { cells in
                    header.begin(&cells)
                    for cell in row.cells {
                        var text = cell.text
                        text.withUTF8 { header.set(cell.column, .text($0), into: &cells, cell: cell.reference) }
                    }
                }
            }
        }
    }

    private func load(_ source: SheetSource) -> LoadedBatch {
        BatchLoader.load(["book.xlsx"], options: LoadOptions(format: .csv)) { _ in source }
    }

    @Test func problemsNameTheirCellAndGroupingIsUnchanged() {
        let source = SheetSource(header: ["assessmentId", "categoryId", "criterionId", "score", "state"], rows: [
            (2, [(0, "A2", "901"), (1, "B2", "1"), (2, "C2", "2"), (3, "D2", "x")]),
            (3, [(0, "A3", "902"), (1, "B3", "1"), (2, "C3", "2"), (3, "D3", "5"), (4, "E3", "nope")]),
            (4, [(0, "A4", "903"), (1, "B4", "1"), (2, "C4", "2"), (3, "D4", "4")]),
            (5, [(0, "A5", "904"), (1, "B5", "1"), (2, "C5", "3"), (3, "D5", "2"), (5, "F5", "extra")]),
            (7, [(0, "A7", "903"), (1, "B7", "1"), (2, "C7", "4"), (3, "D7", "1"), (4, "E7", "reviewedBySupervisor")]),
        ])
        let batch = load(source)
        #expect(batch.diagnostics.map(\.description) == [
            #"book.xlsx:2: score must be a whole number ≥ 0, got "x" (cell D2)"#,
            #"book.xlsx:3: state must be reviewedBySupervisor or discussedWithAssessee, got "nope" (cell E3)"#,
            "book.xlsx:5: field 6 has a value but the header has only 5 columns (cell F5)",
        ])
        #expect(batch.inputs.map(\.rows) == [5])
        #expect(batch.updates.map(\.assessmentId) == [903])
        #expect(batch.updates.first.map { Array($0.criteria).map(\.criterionId) } == [2, 4])
        #expect(batch.updates.first?.fields.state == .reviewedBySupervisor)
        #expect(batch.invalid.map(\.assessmentId) == [901, 902, 904])
    }

    @Test func aHeaderProblemStopsTheFileAndAnEmptySheetIsReported() {
        let unknown = load(SheetSource(header: ["assessmentId", "scroe"], rows: [(2, [(0, "A2", "901")])]))
        #expect(unknown.diagnostics.map(\.description) == [#"book.xlsx:1: unknown column "scroe" (did you mean "score"?)"#])
        #expect(unknown.hasFileErrors && unknown.inputs.map(\.rows) == [0])
        let empty = load(SheetSource(header: ["assessmentId", "score"], rows: []))
        #expect(empty.diagnostics.map(\.description) == ["book.xlsx:1: the sheet has no data rows"])
    }
}
