/// A reader of one input format: turns a file into rows for the grouping stage.
///
/// `CSVRowSource` (CSV and TSV) and `JSONLRowSource` are the two text formats; a workbook
/// reader is added as a third conformance that reads its cells into the same `RowSink`
/// (`RowCells.set(_:_:cell:)` names the cell in messages; `SheetHeader` maps a header row to
/// columns), without touching decoding checks or grouping.
protocol RowSource {
    /// Reads the file `input` names, filling in what it learns of the file (encoding, header,
    /// delimiter, line ending, digest) and handing each data row to `rows`; a problem that
    /// makes the whole file unusable goes to `rows.fileProblem`.
    mutating func read(_ input: inout InputDescription, into rows: RowSink)

    /// What a file of this format without any data row is told.
    static var noRowsMessage: String { get }
}
