import Foundation
import XLSX

/// `export --output FILE.xlsx`: the sheet of ``ExportSheet`` as a workbook with guard rails.
///
/// The workers store each assessment's rows in the spool in a compact binary form (see
/// ``encode(_:into:)``); the one writing thread decodes them in selection order and streams
/// them to ``WorkbookWriter``, which needs the row numbers the CSV path never knows.
enum ExportWorkbook {
    /// The data sheet's name.
    static let sheetName = "assessments"

    /// The columns of ``ExportSheet/columns`` with their widths and number formats: ids and
    /// `maxPoints` as whole numbers, scores as numbers, everything else as Text.
    static let columns: [WriteColumn] = ExportSheet.columns.map { column in
        let kind: WriteColumn.Kind
        switch column {
        case .assessmentId, .assessedUser, .ticketId, .scorecardId, .categoryId, .criterionId, .maxPoints: kind = .identifier
        case .score, .scoreBefore: kind = .number
        default: kind = .text
        }
        let width: Double
        switch column {
        case .reason, .reasonBefore, .aiSummary, .aiSummaryBefore, .supervisorAssessment, .supervisorAssessmentBefore: width = 40
        case .categoryName, .criterionName: width = 28
        case .assessmentDate, .assessmentDateBefore, .discussionDate, .discussionDateBefore: width = 26
        case .state, .stateBefore: width = 24
        default: width = Double(max(column.rawValue.count, 6)) + 3  // the header fits beside its filter button
        }
        return WriteColumn(name: column.rawValue, width: width, kind: kind)
    }

    private static func position(_ column: Column) -> Int {
        ExportSheet.columns.firstIndex(of: column)!
    }

    private static let score = position(.score)
    private static let categoryId = position(.categoryId)
    private static let canEdit = position(.canEdit)
    private static let scoringType = position(.scoringType)
    private static let maxPoints = position(.maxPoints)
    private static let stateBefore = position(.stateBefore)
    /// What a reviewer may change on a criterion row.
    private static let criterionEditable = [position(.score), position(.reason)]
    /// What a reviewer may change on an assessment's first row, which carries its texts and dates.
    private static let assessmentEditable = [Column.state, .aiSummary, .supervisorAssessment, .assessmentDate, .discussionDate].map(position)

    /// The drop-down on `state`: the transitions a file may ask for.
    static let stateValidation = WriteValidation(
        rule: .list(AssessmentState.settable.map(\.name)), errorTitle: "state",
        error: "state must be \(AssessmentState.settable.map(\.name).joined(separator: " or ")), or empty to leave the state as it is.",
        prompt: "Empty leaves the state as it is; pick a state to move the assessment to it.")

    /// The validation on a criterion's `score`: what preflight would accept for it.
    static func scoreValidation(scoringType: String?, maxPoints: Int) -> WriteValidation {
        if scoringType == ScoringType.metNotMet.rawValue {
            return WriteValidation(
                rule: .list(["0", String(maxPoints)]), errorTitle: "score",
                error: "This criterion is met or not met: score must be 0 (not met) or \(maxPoints) (met).",
                prompt: "0 (not met) or \(maxPoints) (met)")
        }
        return WriteValidation(
            rule: .wholeNumber(minimum: 0, maximum: maxPoints), errorTitle: "score",
            error: "score must be a whole number from 0 to \(maxPoints) (this criterion's maxPoints).",
            prompt: "A whole number from 0 to \(maxPoints)")
    }

    // MARK: - The spool's form

    /// Tags of the binary form: one byte per cell, then the payload of text, number and decimal.
    private enum Tag: UInt8 {
        case empty = 0, text, number, decimal, falseValue, trueValue
    }

    /// Appends `rows` (one assessment's) in the spool's form: a row count, then per row a tag
    /// per cell, texts as a length and their UTF-8 bytes, numbers as eight bytes.
    static func encode(_ rows: [[ExportSheet.Cell]], into out: inout [UInt8]) {
        appendLength(rows.count, into: &out)
        for row in rows {
            for cell in row {
                switch cell {
                case .empty: out.append(Tag.empty.rawValue)
                case .text(let text):
                    out.append(Tag.text.rawValue)
                    appendLength(text.utf8.count, into: &out)
                    out.append(contentsOf: text.utf8)
                case .number(let number):
                    out.append(Tag.number.rawValue)
                    withUnsafeBytes(of: Int64(number).littleEndian) { out.append(contentsOf: $0) }
                case .decimal(let text):
                    out.append(Tag.decimal.rawValue)
                    appendLength(text.utf8.count, into: &out)
                    out.append(contentsOf: text.utf8)
                case .bool(let flag):
                    out.append(flag ? Tag.trueValue.rawValue : Tag.falseValue.rawValue)
                }
            }
        }
    }

    /// LEB128.
    private static func appendLength(_ value: Int, into out: inout [UInt8]) {
        var rest = UInt(value)
        while rest >= 0x80 {
            out.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }

    /// A piece of the spool that does not decode: a bug, never the server's data.
    struct DamagedPiece: Error, CustomStringConvertible {
        var description: String { "internal error: an assessment's rows could not be read back from the export spool" }
    }

    /// Reads one piece written by ``encode(_:into:)`` and hands each row to `body` as the
    /// workbook row it becomes.
    static func decode(_ piece: [UInt8], _ body: (WriteRow) throws -> Void) throws {
        var cursor = 0
        func byte() throws(DamagedPiece) -> UInt8 {
            guard cursor < piece.count else { throw DamagedPiece() }
            defer { cursor += 1 }
            return piece[cursor]
        }
        func length() throws(DamagedPiece) -> Int {
            var value = 0
            var shift = 0
            while true {
                let next = try byte()
                value |= Int(next & 0x7F) << shift
                if next < 0x80 { return value }
                shift += 7
                guard shift < 63 else { throw DamagedPiece() }
            }
        }
        func text() throws(DamagedPiece) -> String {
            let count = try length()
            guard count >= 0, cursor + count <= piece.count else { throw DamagedPiece() }
            defer { cursor += count }
            return String(decoding: piece[cursor..<(cursor + count)], as: UTF8.self)
        }
        let rowCount = try length()
        let columnCount = ExportSheet.columns.count
        // The state stands on the assessment's first row only, and holds for all its rows.
        var state: String?
        for index in 0..<rowCount {
            var cells = [WriteCell](repeating: .empty, count: columnCount)
            var editable: Bool?
            var scoring: String?
            var points: Int?
            for column in 0..<columnCount {
                guard let tag = Tag(rawValue: try byte()) else { throw DamagedPiece() }
                switch tag {
                case .empty: break
                case .text:
                    let value = try text()
                    cells[column] = .text(value)
                    if column == scoringType { scoring = value }
                    if column == stateBefore { state = value }
                case .number:
                    guard cursor + 8 <= piece.count else { throw DamagedPiece() }
                    var raw: Int64 = 0
                    withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: piece[cursor..<(cursor + 8)]) }
                    cursor += 8
                    let number = Int(Int64(littleEndian: raw))
                    cells[column] = .number(number)
                    if column == maxPoints { points = number }
                case .decimal: cells[column] = .decimal(try text())
                case .falseValue, .trueValue:
                    cells[column] = .text(tag == .trueValue ? "true" : "false")
                    if column == canEdit { editable = tag == .trueValue }
                }
            }
            try body(row(cells, first: index == 0, editable: editable, scoringType: scoring, maxPoints: points, state: state))
        }
        guard cursor == piece.count else { throw DamagedPiece() }
    }

    /// The workbook row of one sheet row: locked and shaded when the assessment cannot be
    /// edited (`canEdit` false, or a state preflight refuses); otherwise `score` and `reason`
    /// unlocked on a criterion row, the assessment's values on its first row, with the
    /// validations that go with them.
    static func row(_ cells: [WriteCell], first: Bool, editable: Bool?, scoringType: String?, maxPoints: Int?, state: String?) -> WriteRow {
        if editable == false || state.map({ !AssessmentState(name: $0).isEditable }) == true {
            return WriteRow(cells: cells, shaded: true)
        }
        var unlocked: [Int] = []
        var validations: [(column: Int, validation: WriteValidation)] = []
        if case .number = cells[categoryId] {
            unlocked += criterionEditable
            if let maxPoints, maxPoints >= 0 {
                validations.append((score, scoreValidation(scoringType: scoringType, maxPoints: maxPoints)))
            }
        }
        if first {
            unlocked += assessmentEditable
            validations.append((assessmentEditable[0], stateValidation))
        }
        return WriteRow(cells: cells, unlocked: unlocked, validations: validations)
    }

    // MARK: - Writing

    /// Writes the workbook of the spooled assessments in selection order (an assessment a
    /// shifting list showed twice, once) atomically with mode 0600; returns how many
    /// assessments it wrote.
    static func write(_ options: ExportJobOptions, spool: IndexedSpool, slots: AssessmentSlots, now: Date = Date()) throws -> Int {
        let file = try OutputFile(path: options.output)
        var written = Set<Int>()
        do {
            let writer = try WorkbookWriter(path: file.temporaryPath, sheetName: sheetName, columns: columns, protected: true)
            for slot in 0..<slots.count {
                guard let piece = try spool.piece(at: slot), let id = slots.id(at: slot, waiting: false), written.insert(id).inserted else { continue }
                try decode(piece) { row in try writer.append(row) }
            }
            try writer.finish(about: about(options, assessments: written.count, rows: writer.rowCount, now: now))
        } catch let error as WriteError {
            // Named by the file the user asked for, not its temporary name.
            throw WriteError(path: options.output, message: error.message)
        }
        try file.commit(replacing: options.force)
        return written.count
    }

    /// The `about` sheet: where the sheet came from and how to use it.
    static func about(_ options: ExportJobOptions, assessments: Int, rows: Int, now: Date) -> [(label: String, value: String)] {
        var selection: [String] = []
        if let ids = options.selection.ids {
            selection.append("\(ids.count) assessment\(ids.count == 1 ? "" : "s") named by --id/--ids")
        } else {
            if let states = options.selection.states { selection.append("--state \(states.joined(separator: ","))") }
            if let user = options.selection.user { selection.append("--user \(user)") }
            if let base = options.selection.scorecardBaseId { selection.append("--scorecard \(base)") }
            if selection.isEmpty { selection.append("every assessment the token can list") }
        }
        let stamp = ISO8601DateFormatter().string(from: now)
        let name = (options.output as NSString).lastPathComponent
        return [
            ("written by", "assessment-batch export"),
            ("server", options.configuration.baseURL),
            ("selection", selection.joined(separator: " ")),
            ("exported at", stamp),
            ("assessments", String(assessments)),
            ("rows", "\(rows) (one per criterion of each assessment's scorecard revision)"),
            ("", ""),
            ("what to edit", "The tinted cells: score and reason on each criterion's row; state, aiSummary, supervisorAssessment, assessmentDate and discussionDate on each assessment's first row. Everything else is locked (the sheet is protected without a password). Grey rows are assessments this token cannot edit."),
            ("score", "Each score cell accepts only what its criterion allows: a whole number from 0 to maxPoints, or 0 or maxPoints for a met/not-met criterion."),
            ("state", "Empty leaves the state as it is; pick reviewedBySupervisor or discussedWithAssessee from the list to move the assessment."),
            ("…Before columns", "The values at export time. Leave them as they are: apply writes only what differs from them, and reports a value someone else changed since this export as a conflict instead of overwriting it."),
            ("dates", "assessmentDate and discussionDate are text: keep an offset (2025-03-01T09:30:00+01:00) or pass --timezone."),
            ("to apply", "Save as .xlsx (keep the name or choose another), then: assessment-batch plan \(name) shows what would change; assessment-batch apply \(name) writes it. Left unedited, the file sends nothing."),
        ]
    }
}
