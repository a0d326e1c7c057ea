extension AssessmentUpdate {
    /// The PATCH body, compact JSON appended to `out`: only the fields the input sets, in the
    /// API's documented order (streamed, without building a JSON tree).
    func appendPatchBody(to out: inout [UInt8]) {
        var json = JSONStreamWriter()
        swap(&json.bytes, &out)
        defer { swap(&json.bytes, &out) }
        json.beginObject()
        appendFields(afterCriteria: false, to: &json)
        if !criteria.isEmpty {
            json.key("criteria")
            json.beginArray()
            for criterion in criteria {
                json.beginObject()
                json.key("categoryId")
                json.int(criterion.categoryId)
                json.key("criterionId")
                json.int(criterion.criterionId)
                if let score = criterion.score {
                    json.key("score")
                    json.int(score)
                }
                if let reason = criterion.reason {
                    json.key("reason")
                    json.string(reason)
                }
                json.endObject()
            }
            json.endArray()
        }
        appendFields(afterCriteria: true, to: &json)
        json.endObject()
    }

    /// The written fields that go before (or after) the criteria, in table order.
    private func appendFields(afterCriteria: Bool, to json: inout JSONStreamWriter) {
        for (index, field) in FieldDescriptor.table.enumerated() where field.role == .written(afterCriteria: afterCriteria) {
            guard let value = fields[field: index] else { continue }
            json.key(field.name)
            switch value {
            case .integer(let integer): json.int(integer)
            default: json.string(value.plain)
            }
        }
    }
}
