import StrictJSON

/// The `notRestorable` entries of an apply run, held on disk from preflight until the report
/// is written: a batch of unscored criteria lists two per criterion, millions for a big file,
/// so memory holds only where each assessment's entries are. Entries come out in the order of
/// the assessments' indices, whatever order the workers stored them in.
public final class UnrestorableLog: Sendable {
    private let pieces: IndexedSpool

    /// - Parameter count: how many assessments the run may store entries for.
    public init(directory: String, count: Int) throws(FileError) {
        pieces = try IndexedSpool(directory: directory, name: ".not-restorable-spool", count: count)
    }

    /// Stores the entries of the assessment with index `index` (below `count`), already
    /// rendered as elements of the report's array.
    public func store(_ values: [UnrestorableValue], at index: Int) throws(FileError) {
        guard !values.isEmpty else { return }
        var bytes: [UInt8] = []
        for (position, value) in values.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            RunReport.appendElement(value.json, to: &bytes)
        }
        try pieces.store(bytes, at: index)
    }

    /// Calls `body` with the stored entries of each assessment that has some, in index order.
    func forEachPiece(_ body: ([UInt8]) throws -> Void) throws {
        try pieces.forEachPiece(body)
    }
}

extension UnrestorableValue {
    /// The entry in `report.json`.
    var json: JSONValue {
        var object = JSONObject()
        object.append("assessmentId", .number(String(assessmentId)))
        object.append("field", .string(field))
        object.append("value", .string(value))
        return .object(object)
    }
}
