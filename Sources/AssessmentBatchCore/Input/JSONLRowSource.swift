/// JSONL files as rows: one object per line, either a flat row with the CSV columns as keys or
/// a whole update shaped like the PATCH body with `criteria`.
struct JSONLRowSource: RowSource {
    var encoding: EncodingOption?
    var limits: InputLimits

    static let noRowsMessage = "the file has no rows"

    mutating func read(_ input: inout InputDescription, into rows: RowSink) {
        rows.unescapesFormulas = false
        TextInput.read(&input, option: self.encoding, into: rows) { text, _, digest in
            var splitter = LineSplitter(limits: self.limits)
            do {
                try text.forEachChunk(hashingInto: &digest) { chunk in
                    try splitter.consume(chunk) { line, number in decodeLine(line, number: number, rows: rows) }
                }
            } catch let error as UndecodableText {
                throw InputSyntaxError(line: splitter.currentLine, message: error.message)
            }
            try splitter.finish { line, number in decodeLine(line, number: number, rows: rows) }
        }
    }

    private func decodeLine(_ line: UnsafeRawBufferPointer, number: Int, rows: RowSink) {
        rows.row(line: number) { cells in
            var nestedCriteria: JSONValue?
            do throws(JSONSyntaxError) {
                let isObject = try JSONParser.forEachMember(of: line, maxDepth: limits.maxJSONDepth, maxStringBytes: limits.maxFieldBytes) { key, value in
                    Self.decodeMember(key, value, into: &cells, nestedCriteria: &nestedCriteria)
                }
                guard isObject else {
                    cells.abandon("each line must be a JSON object")
                    return
                }
            } catch {
                // What was decoded before the syntax error does not count.
                cells.abandon("invalid JSON: \(error.message) at column \(error.column)")
                return
            }
            if let nestedCriteria { Self.decodeNestedCriteria(nestedCriteria, into: &cells) }
        }
    }

    /// Decodes one member of a flat row or of a PATCH-shaped update with `criteria`.
    private static func decodeMember(_ key: UnsafeBufferPointer<UInt8>, _ value: JSONMemberValue, into cells: inout RowCells,
                                     nestedCriteria: inout JSONValue?) {
        guard let column = Column(header: key) else {
            let name = String(decoding: key, as: UTF8.self)
            if name.lowercased() == "criteria" {
                switch value {
                case .container(let criteria): nestedCriteria = criteria
                case .null: nestedCriteria = JSONValue.null
                default: nestedCriteria = .string("")  // reported as not an array
                }
            } else {
                cells.problem("unknown key \"\(name)\" (did you mean \"\(Column.closest(to: name).rawValue)\"?)")
            }
            return
        }
        // A Before key counts even when null or empty: the value was empty when the file was made.
        if column.isBefore { cells.row.carriedBefore.insert(column) }
        let raw: RawValue
        switch value {
        case .null: return  // the key is treated as absent
        case .string(let text): raw = .text(text)
        case .number(let text): raw = .number(text)
        case .bool(let flag): raw = .other(flag ? "true" : "false")
        case .container(let container): raw = .other(container.arrayValue != nil ? "an array" : "an object")
        }
        cells.set(column, raw)
    }

    /// The `criteria` array of a PATCH-shaped line.
    private static func decodeNestedCriteria(_ nestedCriteria: JSONValue, into cells: inout RowCells) {
        if !cells.criterion.named.isEmpty {
            cells.problem("a line holds either flat criterion keys (categoryId, criterionId, score, reason) or a criteria array, not both")
            cells.criterion = RowDecoder.PendingCriterion()  // not checked on its own as well
        } else if case .null = nestedCriteria {
        } else if let items = nestedCriteria.arrayValue {
            for (position, item) in items.enumerated() {
                decodeCriterionItem(item, position: position, into: &cells)
            }
        } else {
            cells.problem("criteria must be an array of objects")
        }
    }

    private static func decodeCriterionItem(_ item: JSONValue, position: Int, into cells: inout RowCells) {
        let context = "criteria[\(position)]: "
        guard let object = item.objectValue else {
            cells.problem("\(context)must be an object with categoryId, criterionId, score and/or reason")
            return
        }
        var criterion = RowDecoder.PendingCriterion()
        for (key, value) in object.members {
            guard let column = Column(header: key), [.categoryId, .criterionId, .score, .reason].contains(column) else {
                let closest = Column.closest(to: key, among: [.categoryId, .criterionId, .score, .reason]) ?? .score
                cells.problem("\(context)unknown key \"\(key)\" (did you mean \"\(closest.rawValue)\"?)")
                continue
            }
            var scratch = DecodedRow(location: cells.row.location)
            switch value {
            case .null: continue
            case .string(var text): text.withUTF8 { cells.decoder.set(column, .text($0), row: &scratch, criterion: &criterion) }
            case .number(var text): text.withUTF8 { cells.decoder.set(column, .number($0), row: &scratch, criterion: &criterion) }
            case .bool(let flag): cells.decoder.set(column, .other(flag ? "true" : "false"), row: &scratch, criterion: &criterion)
            case .array: cells.decoder.set(column, .other("an array"), row: &scratch, criterion: &criterion)
            case .object: cells.decoder.set(column, .other("an object"), row: &scratch, criterion: &criterion)
            }
            cells.row.problems.append(contentsOf: scratch.problems.map { context + $0 })
        }
        if criterion.named.isEmpty {
            cells.problem("\(context)a criterion needs categoryId, criterionId and a score or a reason")
            return
        }
        cells.decoder.finishCriterion(criterion, row: &cells.row, context: context)
    }
}
