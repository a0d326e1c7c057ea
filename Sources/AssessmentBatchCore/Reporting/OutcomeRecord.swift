import StrictJSON

/// One assessment's outcome as a JSON object, the one place it is encoded and decoded: a line
/// of `journal.jsonl` and an element of `report.json`'s `outcomes` (which adds where the
/// assessment's rows are). Members in this order: `assessmentId`, [`sourceLines`,
/// [`sourceInputs`]], `status`, `errorKind`, `httpStatus`, `attempts`, `error`.
enum OutcomeRecord {
    /// Where the rows are, as `report.json` lists them.
    enum Sources {
        /// Not written (the journal: the input rows are known from the input).
        case none
        /// `sourceLines` only (a run of one input).
        case lines
        /// `sourceLines` and `sourceInputs`, the input path of each line.
        case linesAndInputs([String])
    }

    /// Writes `outcome` as one object into `json`.
    static func encode(_ outcome: AssessmentOutcome, sources: Sources, into json: inout JSONStreamWriter) {
        json.beginObject()
        json.key("assessmentId")
        if let id = outcome.assessmentId { json.int(id) } else { json.null() }
        switch sources {
        case .none:
            break
        case .lines:
            writeLines(outcome, into: &json)
        case .linesAndInputs(let inputs):
            writeLines(outcome, into: &json)
            json.key("sourceInputs")
            json.beginArray()
            for source in outcome.sources { json.string(inputs[source.input]) }
            json.endArray()
        }
        json.key("status")
        json.string(outcome.status.rawValue)
        json.key("errorKind")
        if let kind = outcome.errorKind { json.string(kind.rawValue) } else { json.null() }
        json.key("httpStatus")
        if let status = outcome.httpStatus { json.int(status) } else { json.null() }
        json.key("attempts")
        json.int(outcome.attempts)
        json.key("error")
        if let error = outcome.error { json.string(error) } else { json.null() }
        json.endObject()
    }

    private static func writeLines(_ outcome: AssessmentOutcome, into json: inout JSONStreamWriter) {
        json.key("sourceLines")
        json.beginArray()
        for source in outcome.sources { json.int(source.line) }
        json.endArray()
    }

    /// The outcome an object written by ``encode(_:sources:into:)`` records (its sources left
    /// empty); nil when it is not one.
    static func decode(_ object: JSONObject) -> AssessmentOutcome? {
        guard let id = object["assessmentId"]?.intValue,
              let status = object["status"]?.stringValue.flatMap(AssessmentOutcome.Status.init(rawValue:))
        else { return nil }
        return AssessmentOutcome(
            assessmentId: id, sources: [], status: status,
            errorKind: object["errorKind"]?.stringValue.flatMap(ErrorKind.init(rawValue:)),
            httpStatus: object["httpStatus"]?.intValue, attempts: object["attempts"]?.intValue ?? 0,
            error: object["error"]?.stringValue)
    }
}
