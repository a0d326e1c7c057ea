import StrictJSON
/// A change to one optional field of a PATCH body.
enum FieldChange<T: Sendable>: Sendable {
    case keep
    case set(T)
}

/// One item of `criteria` in a PATCH body.
struct CriterionUpdate: Sendable {
    var position: Int
    var categoryId: Int
    var criterionId: Int
    var score: Int?
    var reason: String?
}

/// A validated PATCH body (shape and types only; scorecard checks happen against the store).
struct AssessmentUpdate: Sendable {
    var aiSummary: FieldChange<String> = .keep
    var supervisorAssessment: FieldChange<String?> = .keep
    var assessmentDate: FieldChange<SimDate?> = .keep
    var discussionDate: FieldChange<SimDate?> = .keep
    var criteria: [CriterionUpdate] = []
    var state: AssessmentState?
}

/// Strict parsing of `PATCH /quality/assessment/{id}` bodies. Every message starts with the
/// JSON path of the offending value.
enum PatchParser {
    static let allowedStates: [AssessmentState] = [.reviewedBySupervisor, .discussedWithAssessee]
    static let topLevelKeys = ["aiSummary", "supervisorAssessment", "assessmentDate", "discussionDate", "criteria", "state"]
    static let criterionKeys = ["categoryId", "criterionId", "score", "reason"]

    static func parse(_ bytes: [UInt8]) -> Result<AssessmentUpdate, BadRequest> {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            return .failure(BadRequest("request body is required (a JSON object)"))
        }
        let root: JSONValue
        do {
            root = try bytes.withUnsafeBytes { buffer throws(JSONSyntaxError) in try JSONParser.parse(buffer) }
        } catch {
            return .failure(BadRequest("malformed JSON at \(error)"))
        }
        guard case .object(let object) = root else {
            return .failure(BadRequest("request body must be a JSON object, not \(root.typeName)"))
        }
        let members = object.members
        if members.isEmpty {
            return .failure(BadRequest("request body has no fields; send at least one of \(topLevelKeys.joined(separator: ", "))"))
        }
        var update = AssessmentUpdate()
        for member in members {
            switch member.key {
            case "aiSummary":
                guard case .string(let text) = member.value else {
                    return .failure(BadRequest("aiSummary must be a string, not \(member.value.typeName)"))
                }
                update.aiSummary = .set(text)
            case "supervisorAssessment":
                switch member.value {
                case .null: update.supervisorAssessment = .set(nil)
                case .string(let text): update.supervisorAssessment = .set(text)
                default: return .failure(BadRequest("supervisorAssessment must be a string or null, not \(member.value.typeName)"))
                }
            case "assessmentDate", "discussionDate":
                let date: SimDate?
                switch member.value {
                case .null: date = nil
                case .string(let text):
                    guard let parsed = SimDate.parseRFC3339(text) else {
                        return .failure(BadRequest(
                            "\(member.key) must be an RFC 3339 date-time with a UTC offset (e.g. 2024-06-12T11:00:00Z), got '\(text)'"))
                    }
                    date = parsed
                default: return .failure(BadRequest("\(member.key) must be a date-time string or null, not \(member.value.typeName)"))
                }
                if member.key == "assessmentDate" { update.assessmentDate = .set(date) } else { update.discussionDate = .set(date) }
            case "state":
                guard case .string(let text) = member.value else {
                    return .failure(BadRequest("state must be a string, not \(member.value.typeName)"))
                }
                guard let state = AssessmentState(rawValue: text), allowedStates.contains(state) else {
                    return .failure(BadRequest("state must be one of reviewedBySupervisor, discussedWithAssessee; got '\(text)'"))
                }
                update.state = state
            case "criteria":
                guard case .array(let items) = member.value else {
                    return .failure(BadRequest("criteria must be an array, not \(member.value.typeName)"))
                }
                if items.isEmpty { return .failure(BadRequest("criteria must not be empty")) }
                var seen: Set<CriterionKey> = []
                for (i, item) in items.enumerated() {
                    switch self.parseCriterion(item, position: i) {
                    case .failure(let message): return .failure(message)
                    case .success(let criterion):
                        let key = CriterionKey(categoryId: criterion.categoryId, criterionId: criterion.criterionId)
                        guard seen.insert(key).inserted else {
                            return .failure(BadRequest(
                                "criteria[\(i)]: criterion \(criterion.criterionId) of category \(criterion.categoryId) appears more than once"))
                        }
                        update.criteria.append(criterion)
                    }
                }
            default:
                return .failure(BadRequest("unknown field '\(member.key)'; allowed: \(topLevelKeys.joined(separator: ", "))"))
            }
        }
        return .success(update)
    }

    private static func parseCriterion(_ item: JSONValue, position i: Int) -> Result<CriterionUpdate, BadRequest> {
        guard case .object(let object) = item else {
            return .failure(BadRequest("criteria[\(i)] must be an object, not \(item.typeName)"))
        }
        let members = object.members
        var categoryId: Int?
        var criterionId: Int?
        var score: Int?
        var reason: String?
        for member in members {
            switch member.key {
            case "categoryId", "criterionId":
                guard let value = member.value.int64Value, value > 0, value <= Int64(Int32.max) else {
                    return .failure(BadRequest("criteria[\(i)].\(member.key) must be a positive integer"))
                }
                if member.key == "categoryId" { categoryId = Int(value) } else { criterionId = Int(value) }
            case "score":
                switch member.value.int64Value {
                case let value? where value >= 0:
                    score = Int(value)
                case _?:
                    return .failure(BadRequest("criteria[\(i)].score must not be negative"))
                case nil:
                    return .failure(BadRequest("criteria[\(i)].score must be a non-negative integer, not \(member.value.typeName)"))
                }
            case "reason":
                guard case .string(let text) = member.value else {
                    return .failure(BadRequest("criteria[\(i)].reason must be a string, not \(member.value.typeName)"))
                }
                reason = text
            default:
                return .failure(BadRequest("criteria[\(i)]: unknown field '\(member.key)'; allowed: \(criterionKeys.joined(separator: ", "))"))
            }
        }
        guard let categoryId else { return .failure(BadRequest("criteria[\(i)].categoryId is required")) }
        guard let criterionId else { return .failure(BadRequest("criteria[\(i)].criterionId is required")) }
        return .success(CriterionUpdate(position: i, categoryId: categoryId, criterionId: criterionId, score: score, reason: reason))
    }
}

/// A 400 message.
struct BadRequest: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}
