/// Stands for the `.xlsx` row source until the workbook reader (the other half of issue 20)
/// plugs in its own: says at line 1 that this build cannot read the file.
struct PendingWorkbookRowSource: RowSource {
    static let noRowsMessage = "the workbook has no data rows (a header and at least one row are required)"

    mutating func read(_ input: inout InputDescription, into rows: RowSink) {
        rows.fileProblem(line: 1, "reading .xlsx needs the workbook reader")
    }
}
