extension AssessmentUpdate {
    /// The PATCH body, compact JSON appended to `out`: only the fields the input sets, in the
    /// API's documented order (streamed, without building a JSON tree).
    func appendPatchBody(to out: inout [UInt8]) {
        var json = JSONStreamWriter()
        swap(&json.bytes, &out)
        defer { swap(&json.bytes, &out) }
        json.beginObject()
        if let text = fields.aiSummary {
            json.key("aiSummary")
            json.string(text)
        }
        if let text = fields.supervisorAssessment {
            json.key("supervisorAssessment")
            json.string(text)
        }
        if let date = fields.assessmentDate {
            json.key("assessmentDate")
            json.string(date.description)
        }
        if let date = fields.discussionDate {
            json.key("discussionDate")
            json.string(date.description)
        }
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
        if let state = fields.state {
            json.key("state")
            json.string(state.rawValue)
        }
        json.endObject()
    }
}
