import XLSX

extension AssessmentIdList {
    /// The ids under the `assessmentId` column of a workbook's first sheet (its header is the
    /// first row with a value), in sheet order.
    static func readWorkbook(path: String) throws(IdListError) -> [Int] {
        var column: Int?
        var headerRow: Int?
        var ids: [Int] = []
        var problem: IdListError?
        do {
            _ = try WorkbookReader.read(path: path) { row in
                guard problem == nil else { return }
                guard let known = column else {
                    if headerRow == nil {
                        headerRow = row.number
                        column = row.cells.first { $0.kind == .text && Column(header: $0.string) == .assessmentId }?.column
                        if column == nil {
                            problem = IdListError(path: path, line: row.number, message: "the sheet has no assessmentId column in its header (its first row with a value)")
                        }
                    }
                    return
                }
                guard let cell = row.cells.first(where: { $0.column == known }) else { return }
                let reference = row.reference(cell)
                let id: Int? = switch cell.kind {
                case .number: WorkbookRowSource.wholeNumber(cell.bytes)
                case .text: Int(cell.string.trimmingWhitespace())
                default: nil
                }
                guard let id, id > 0 else {
                    let shown = cell.kind == .text ? "\"\(cell.string)\"" : cell.string
                    problem = IdListError(path: path, line: row.number, message: "assessmentId must be a positive integer, got \(shown) (cell \(reference))")
                    return
                }
                ids.append(id)
            }
        } catch {
            throw IdListError(path: path, line: error.row ?? 1, message: error.message)
        }
        if let problem { throw problem }
        guard !ids.isEmpty else { throw IdListError(path: path, line: headerRow ?? 1, message: "the file names no assessment ids") }
        return ids
    }
}
