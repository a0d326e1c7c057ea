/// How `export` writes text into CSV/TSV: UTF-8 (the default) or a Windows code page for an
/// Excel that does not read UTF-8. JSONL is always UTF-8.
public enum ExportEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"

    /// Accepts the usual spellings (`utf8`, `UTF-8`, `cp1252`, `windows-1252`).
    public init?(name: String) {
        switch name.lowercased() {
        case "utf-8", "utf8": self = .utf8
        case "windows-1252", "cp1252", "win1252": self = .windows1252
        default: return nil
        }
    }

    /// What starts the file: UTF-8's byte order mark, which Excel needs to read UTF-8.
    var preamble: [UInt8] {
        switch self {
        case .utf8: [0xEF, 0xBB, 0xBF]
        case .windows1252: []
        }
    }

    /// `utf8` in this encoding; nil with the first character it cannot hold.
    func encode(_ utf8: [UInt8]) -> Result<[UInt8], UnencodableCharacter> {
        switch self {
        case .utf8:
            return .success(utf8)
        case .windows1252:
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count)
            for scalar in String(decoding: utf8, as: UTF8.self).unicodeScalars {
                guard let byte = Self.windows1252Byte(scalar) else { return .failure(UnencodableCharacter(scalar: scalar)) }
                out.append(byte)
            }
            return .success(out)
        }
    }

    /// Windows-1252's byte for `scalar`: Latin-1 where the code page agrees with it, and the
    /// 27 characters it places in 0x80–0x9F.
    static func windows1252Byte(_ scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        if value < 0x80 || (value >= 0xA0 && value <= 0xFF) { return UInt8(value) }
        return windows1252High[value]
    }

    private static let windows1252High: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87, 0x02C6: 0x88,
        0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91, 0x2019: 0x92, 0x201C: 0x93,
        0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98, 0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B,
        0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]
}

/// A character the chosen encoding cannot hold.
public struct UnencodableCharacter: Error, Sendable {
    public var scalar: Unicode.Scalar
}

/// The sheet `export` writes: one row per criterion of each assessment's scorecard revision,
/// ids and names first, then the editable values each beside its `…Before`, then context.
enum ExportSheet {
    /// The columns, in order: reads left to right in a spreadsheet as "which assessment, which
    /// criterion, what it is worth, what it says now".
    /// The assessment-level fields follow the criterion's values, in table order, each
    /// beside its `…Before` (see `FieldDescriptor.export`).
    static let columns: [Column] = [
        .assessmentId, .assessedUser, .ticketId, .canEdit, .scorecardId, .categoryId, .categoryName, .criterionId, .criterionName,
        .scoringType, .maxPoints, .score, .scoreBefore, .reason, .reasonBefore,
    ] + FieldDescriptor.table.flatMap { field in field.export == .none ? [] : [field.column] + (field.before.map { [$0] } ?? []) }

    /// One cell.
    enum Cell {
        case empty
        case text(String)
        case number(Int)
        case decimal(String)
        case bool(Bool)
    }

    /// The rows of one assessment, each a cell per column of `columns`.
    static func rows(_ live: LiveAssessment, id: Int, scorecard: Scorecard) -> [[Cell]] {
        func text(_ value: String?) -> Cell { value.map { $0.isEmpty ? .empty : .text($0) } ?? .empty }
        func cell(_ value: FieldValue?) -> Cell {
            switch value {
            case nil: .empty
            case .integer(let integer)?: .number(integer)
            case let value?: text(value.plain)
            }
        }
        func score(_ value: Double?) -> Cell {
            guard let value else { return .empty }
            if let whole = Int(exactly: value) { return .number(whole) }
            return .decimal(String(value))
        }
        var rows: [[Cell]] = []
        let keys: [CriterionKey?] = scorecard.criterionOrder.isEmpty ? [nil] : scorecard.criterionOrder
        for (position, key) in keys.enumerated() {
            var row = [Cell](repeating: .empty, count: columns.count)
            func set(_ column: Column, _ cell: Cell) {
                row[columnIndex[column.ordinal]] = cell
            }
            set(.assessmentId, .number(id))
            set(.assessedUser, live.assessedUser.map { .number($0) } ?? .empty)
            set(.ticketId, live.ticketId.map { .number($0) } ?? .empty)
            set(.canEdit, live.canEdit.map { .bool($0) } ?? .empty)
            set(.scorecardId, .number(scorecard.id))
            if let key {
                let criterion = scorecard.categories[key.categoryId]?[key.criterionId]
                let current = live.criteria[key]
                set(.categoryId, .number(key.categoryId))
                set(.categoryName, text(scorecard.categoryLabels[key.categoryId]))
                set(.criterionId, .number(key.criterionId))
                set(.criterionName, text(criterion?.label))
                set(.scoringType, text(criterion?.scoringType.rawValue))
                set(.maxPoints, criterion.map { .number($0.maxPoints) } ?? .empty)
                set(.score, score(current?.score))
                set(.scoreBefore, score(current?.score))
                set(.reason, text(current?.reason))
                set(.reasonBefore, text(current?.reason))
            }
            if position == 0 {
                for (index, field) in FieldDescriptor.table.enumerated() where field.export != .none {
                    let cell = cell(live.fields[field: index])
                    if let before = field.before { set(before, cell) }
                    // A `.beforeOnly` field's own cell (`state`) stays empty: it is a request.
                    if field.export == .valueAndBefore { set(field.column, cell) }
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// Position in `columns` by `Column.ordinal`.
    private static let columnIndex: [Int] = {
        var index = [Int](repeating: -1, count: Column.allCases.count)
        for (position, column) in columns.enumerated() { index[column.ordinal] = position }
        return index
    }()

    /// The header line.
    static func header(format: InputFormat, delimiter: UInt8) -> [UInt8] {
        var out: [UInt8] = []
        if format != .jsonl { FailuresWriter.appendCSVRecord(columns.map(\.rawValue), delimiter: delimiter, lineEnding: "\r\n", into: &out) }
        return out
    }

    /// Appends one RFC 4180 field, quoted only when it holds the delimiter, a quote or a line break.
    private static func appendField(_ text: String, delimiter: UInt8, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else {
                out.append(contentsOf: bytes)
                return
            }
            out.append(UInt8(ascii: "\""))
            for byte in bytes {
                out.append(byte)
                if byte == UInt8(ascii: "\"") { out.append(byte) }
            }
            out.append(UInt8(ascii: "\""))
        }
    }

    /// Rows as CSV/TSV records (CRLF, texts under the formula rule) or JSONL lines (every key on
    /// every line, null where empty: a `…Before` key must be there to count).
    static func render(_ rows: [[Cell]], format: InputFormat, delimiter: UInt8, into out: inout [UInt8]) {
        if format == .xlsx { return ExportWorkbook.encode(rows, into: &out) }
        for row in rows {
            switch format {
            case .csv, .tsv:
                // Straight into the bytes: an export renders about ten cells per row for every row.
                for (index, cell) in row.enumerated() {
                    if index > 0 { out.append(delimiter) }
                    switch cell {
                    case .empty: break
                    case .text(let text): appendField(FormulaGuard.escaped(text), delimiter: delimiter, into: &out)
                    case .number(let number): out.append(contentsOf: String(number).utf8)  // small ints are stored inline
                    case .decimal(let text): out.append(contentsOf: text.utf8)
                    case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
                    }
                }
                out.append(contentsOf: [0x0D, 0x0A])
            case .jsonl:
                var object = JSONObject()
                for (column, cell) in zip(columns, row) {
                    switch cell {
                    case .empty: object.append(column.rawValue, .null)
                    case .text(let text): object.append(column.rawValue, .string(text))
                    case .number(let number): object.append(column.rawValue, .number(String(number)))
                    case .decimal(let text): object.append(column.rawValue, .number(text))
                    case .bool(let flag): object.append(column.rawValue, .bool(flag))
                    }
                }
                JSONWriter.write(.object(object), into: &out)
                out.append(UInt8(ascii: "\n"))
            case .xlsx:
                break  // encoded above
            }
        }
    }
}
