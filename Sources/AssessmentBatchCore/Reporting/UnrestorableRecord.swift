import StrictJSON

/// One line of `not-restorable.jsonl`, the one place that line is encoded and decoded:
/// `{"assessmentId":N,"fields":{"state":"aiReady",…},"unscored":[[C,N],…],"emptyReason":[[C,N],…]}`,
/// criteria as `[categoryId, criterionId]` pairs (a batch of unscored criteria has two entries
/// per criterion: spelled out, the file would be six times larger), each member present only
/// when it has entries.
enum UnrestorableRecord {
    /// The line of `values` (all of one assessment), with its line break.
    static func encode(assessmentId: Int, _ values: [UnrestorableValue]) -> [UInt8] {
        var fields: [UnrestorableValue] = []
        var unscored: [(Int32, Int32)] = []
        var emptyReasons: [(Int32, Int32)] = []
        for value in values {
            switch value.criterion {
            case let (part, categoryId, criterionId)? where part == "score": unscored.append((categoryId, criterionId))
            case let (_, categoryId, criterionId)?: emptyReasons.append((categoryId, criterionId))
            case nil: fields.append(value)
            }
        }
        var json = JSONStreamWriter(capacity: 64 + 12 * values.count)
        json.beginObject()
        json.key("assessmentId")
        json.int(assessmentId)
        if !fields.isEmpty {
            json.key("fields")
            json.beginObject()
            for value in fields {
                json.key(value.field)
                json.string(value.value)
            }
            json.endObject()
        }
        for (name, pairs) in [("unscored", unscored), ("emptyReason", emptyReasons)] where !pairs.isEmpty {
            json.key(name)
            json.beginArray()
            for (categoryId, criterionId) in pairs {
                json.beginArray()
                json.int(categoryId)
                json.int(criterionId)
                json.endArray()
            }
            json.endArray()
        }
        json.endObject()
        json.bytes.append(UInt8(ascii: "\n"))
        return json.bytes
    }

    /// The assessment of a line written by ``encode(assessmentId:_:)``, read from the start
    /// the encoder gives every line, without parsing the rest (a run may hold millions of
    /// values); nil when the line does not start so.
    static func assessmentId(of line: [UInt8]) -> Int? {
        let prefix = #"{"assessmentId":"#.utf8
        guard line.starts(with: prefix) else { return nil }
        var value = 0
        var digits = 0
        for byte in line.dropFirst(prefix.count) {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { break }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// The assessment and values of a line written by ``encode(assessmentId:_:)``; nil for
    /// anything else.
    static func decode(_ line: [UInt8]) -> (assessmentId: Int, values: [UnrestorableValue])? {
        guard let object = line.withUnsafeBytes({ try? JSONParser.parse($0) })?.objectValue,
              let assessmentId = object["assessmentId"]?.intValue else { return nil }
        var values: [UnrestorableValue] = []
        for member in object["fields"]?.objectValue?.members ?? [] {
            guard let value = member.value.stringValue else { return nil }
            values.append(UnrestorableValue(assessmentId: assessmentId, field: member.key, value: value))
        }
        for (name, make) in [("unscored", UnrestorableValue.unscored), ("emptyReason", UnrestorableValue.emptyReason)] {
            for pair in object[name]?.arrayValue ?? [] {
                guard let ids = pair.arrayValue, ids.count == 2, let categoryId = ids[0].intValue, let criterionId = ids[1].intValue
                else { return nil }
                values.append(make(CriterionKey(categoryId: categoryId, criterionId: criterionId), assessmentId))
            }
        }
        return (assessmentId, values)
    }
}
