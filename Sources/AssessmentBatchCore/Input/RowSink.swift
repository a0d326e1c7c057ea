/// Where every row source puts its rows: the seam between reading a format and grouping.
///
/// A source calls `row(line:_:)` once per data row and fills the row's cells in the closure;
/// the row is then checked on its own and handed to grouping. Problems that make a whole file
/// unusable go to `fileProblem`. Sources know nothing of grouping, and grouping nothing of
/// formats, so a new format (a workbook reader) is one more `RowSource` writing here.
final class RowSink {
    /// The reused row being filled.
    @exclusivity(unchecked) private var cells: RowCells
    private let grouping: AssessmentGrouping
    private let log: DiagnosticLog
    /// The index of the input being read.
    private(set) var input = 0
    /// Data rows of the input being read.
    private(set) var rows = 0

    init(decoder: RowDecoder, grouping: AssessmentGrouping, log: DiagnosticLog) {
        cells = RowCells(decoder: decoder)
        self.grouping = grouping
        self.log = log
    }

    /// Starts reading input number `input`.
    func begin(input: Int) {
        self.input = input
        rows = 0
    }

    /// Decodes one data row at `line` (the file's line, or the sheet's row number): `fill`
    /// sets its cells, then the row is finished and grouped.
    func row(line: Int, _ fill: (inout RowCells) -> Void) {
        rows += 1
        cells.begin(at: SourceLocation(input: input, line: line))
        fill(&cells)
        cells.finish(into: grouping)
    }

    /// Records a problem that makes the input being read unusable (line 0: the file itself).
    func fileProblem(line: Int, _ message: String) {
        log.fileProblem(input, line: line, message)
    }

    /// Whether the input being read already has such a problem.
    var hasFileProblems: Bool { log.hasFileProblems(input) }

    /// Whether texts are read under the formula rule reversed (a CSV/TSV sheet `export` wrote).
    var unescapesFormulas: Bool {
        get { cells.decoder.unescapesFormulas }
        set { cells.decoder.unescapesFormulas = newValue }
    }

    /// The texts every kept reason comes from, once all rows are in.
    func reasons() -> TextTable {
        cells.decoder.texts.table()
    }
}
