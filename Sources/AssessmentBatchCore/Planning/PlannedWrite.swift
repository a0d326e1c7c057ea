import StrictJSON

/// One assessment a plan writes: the PATCH exactly as it will be sent, the live value the plan
/// saw of every value the PATCH sets, and the context a reviewer needs (assessed user, ticket,
/// scorecard, category and criterion names). `plan` writes it into `plan.json`, the review
/// page shows it, and `apply --plan` reads it back and sends it after checking that what the
/// plan saw still holds.
public struct PlannedWrite: Sendable {
    /// The PATCH body as an update (with its source rows); no guards, no `…Before` values.
    public var update: AssessmentUpdate
    /// The live value at plan time of each value the PATCH sets.
    public var saw: ExpectedValues
    public var assessedUser: Int?
    public var ticketId: Int?
    /// The live scorecard revision at plan time.
    public var scorecardId: Int?
    /// The live state at plan time.
    public var liveState: String?
    public var categoryNames: [Int: String] = [:]
    public var criterionNames: [CriterionKey: String] = [:]
    /// What the undo file will not be able to put back: the field, the value it held, and how
    /// a reviewer reads the field (a criterion by its category's and its own name).
    public var notRestorable: [(field: String, was: String, label: String)] = []

    public var assessmentId: Int { update.assessmentId }

    /// The plan's write of `update`, from what preflight read.
    init(update: AssessmentUpdate, seen: PreflightSeen, unrestorable: [UnrestorableValue]) {
        var body = update
        body.expected = nil
        body.fields.scorecardId = nil
        body.fields.expectedModifiedAt = nil
        self.update = body
        let live = seen.live
        assessedUser = live.assessedUser
        ticketId = live.ticketId
        scorecardId = live.scorecardId
        liveState = live.state?.name
        func text(_ value: String?) -> SeenValue<String> { value.map { $0.isEmpty ? .empty : .value($0) } ?? .empty }
        var saw = ExpectedValues()
        // Every assessment-level value the PATCH writes, as the server held it (an empty text is empty).
        for field in FieldDescriptor.written where body.fields[field.column] != nil {
            saw[field.column] = live.fields[field.column].flatMap { $0.isEmpty ? nil : SeenValue.value($0) } ?? .empty
        }
        for criterion in body.criteria {
            let current = live.criteria[criterion.key]
            var expectation = CriterionExpectation(key: criterion.key)
            if criterion.score != nil {
                // Scores are whole numbers; a fractional live score is kept as its rounding.
                expectation.score = current?.score.map { .value(Int($0.rounded())) } ?? .empty
            }
            if criterion.reason != nil { expectation.reason = text(current?.reason) }
            saw.criteria.append(expectation)
            if let scorecard = seen.scorecard {
                if let name = scorecard.categoryLabels[criterion.categoryId] { categoryNames[criterion.categoryId] = name }
                if let label = scorecard.categories[criterion.categoryId]?[criterion.criterionId]?.label, !label.isEmpty {
                    criterionNames[criterion.key] = label
                }
            }
        }
        self.saw = saw
        notRestorable = unrestorable.map { value in
            var label = value.field
            if let (part, categoryId, criterionId) = value.criterion {
                let category = categoryNames[Int(categoryId)] ?? "category \(categoryId)"
                let criterion = criterionNames[CriterionKey(categoryId: Int(categoryId), criterionId: Int(criterionId))] ?? "criterion \(criterionId)"
                label = "\(category) / \(criterion) \(part)"
            }
            return (field: value.field, was: value.value, label: label)
        }
    }

    /// The update `apply --plan` checks and sends: the plan's body, guarded by the scorecard
    /// revision and by every value the plan saw (a value that moved since is a `conflict`).
    public var guardedUpdate: AssessmentUpdate {
        var guarded = update
        guarded.fields.scorecardId = scorecardId
        guarded.expected = saw
        guarded.expected?.madeBy = "plan"
        return guarded
    }

    /// The PATCH body's bytes, exactly as `apply` sends them.
    public var patchBody: [UInt8] {
        var bytes: [UInt8] = []
        update.appendPatchBody(to: &bytes)
        return bytes
    }

    // MARK: - plan.json

    /// The members this write adds to its `plan.json` entry.
    func appendMembers(to object: inout JSONObject) {
        object.append("assessedUser", assessedUser.map { .number(String($0)) } ?? .null)
        object.append("ticketId", ticketId.map { .number(String($0)) } ?? .null)
        object.append("scorecardId", scorecardId.map { .number(String($0)) } ?? .null)
        object.append("liveState", liveState.map { .string($0) } ?? .null)
        let body = patchBody
        // The body was written by this tool's own writer: it always parses.
        object.append("patch", (try? body.withUnsafeBytes { try JSONParser.parse($0, maxDepth: 8, maxStringBytes: 1 << 30) }) ?? .null)
        object.append("saw", Self.json(saw))
        object.append("criterionNames", .array(update.criteria.map { criterion in
            var item = JSONObject()
            item.append("categoryId", .number(String(criterion.categoryId)))
            item.append("criterionId", .number(String(criterion.criterionId)))
            item.append("category", categoryNames[criterion.categoryId].map { .string($0) } ?? .null)
            item.append("criterion", criterionNames[criterion.key].map { .string($0) } ?? .null)
            return .object(item)
        }))
        object.append("notRestorableValues", .array(notRestorable.map { value in
            var item = JSONObject()
            item.append("field", .string(value.field))
            item.append("was", .string(value.was))
            item.append("label", .string(value.label))
            return .object(item)
        }))
    }

    private static func json(_ saw: ExpectedValues) -> JSONValue {
        var object = JSONObject()
        for field in FieldDescriptor.written {
            switch saw[field.column] {
            case .value(let value)?: object.append(field.name, value.json)
            case .empty?: object.append(field.name, .null)
            case nil: break
            }
        }
        if !saw.criteria.isEmpty {
            object.append("criteria", .array(saw.criteria.map { expectation in
                var item = JSONObject()
                item.append("categoryId", .number(String(expectation.key.categoryId)))
                item.append("criterionId", .number(String(expectation.key.criterionId)))
                if let score = expectation.score {
                    if case .value(let value) = score { item.append("score", .number(String(value))) } else { item.append("score", .null) }
                }
                if let reason = expectation.reason {
                    if case .value(let value) = reason { item.append("reason", .string(value)) } else { item.append("reason", .null) }
                }
                return .object(item)
            }))
        }
        return .object(object)
    }

    /// Reads a write back from its `plan.json` entry; `inputs` is how many inputs the plan has.
    init(entry: JSONObject, inputs: Int) throws(PlanFormatError) {
        guard let id = entry["assessmentId"]?.intValue, id > 0 else { throw PlanFormatError("an entry has no assessmentId") }
        func fail(_ message: String) -> PlanFormatError { PlanFormatError("assessment \(id): \(message)") }
        var sources = SourceList()
        for pair in entry["sources"]?.arrayValue ?? [] {
            guard let items = pair.arrayValue, items.count == 2, let input = items[0].intValue, let line = items[1].intValue,
                  (0..<inputs).contains(input), line > 0
            else { throw fail("\"sources\" must list [input, line] pairs") }
            sources.append(SourceLocation(input: input, line: line))
        }
        guard let patch = entry["patch"]?.objectValue else { throw fail("no \"patch\" object") }
        var update = AssessmentUpdate(assessmentId: id, sources: sources)
        var criteria: [CriterionUpdate] = []
        for member in patch.members {
            switch (member.key, member.value) {
            case ("aiSummary", .string(let text)): update.fields.aiSummary = text
            case ("supervisorAssessment", .string(let text)): update.fields.supervisorAssessment = text
            case ("assessmentDate", .string(let text)):
                guard case .success(let date) = Timestamp.parse(text) else { throw fail("patch assessmentDate \(text) is not a date-time") }
                update.fields.assessmentDate = date
            case ("discussionDate", .string(let text)):
                guard case .success(let date) = Timestamp.parse(text) else { throw fail("patch discussionDate \(text) is not a date-time") }
                update.fields.discussionDate = date
            case ("state", .string(let text)):
                let state = AssessmentState(name: text)
                guard state.isSettable else { throw fail("patch state \(text) cannot be set") }
                update.fields.state = state
            case ("criteria", .array(let items)):
                for item in items {
                    guard let object = item.objectValue, let categoryId = object["categoryId"]?.intValue,
                          let criterionId = object["criterionId"]?.intValue
                    else { throw fail("a patch criterion needs categoryId and criterionId") }
                    criteria.append(CriterionUpdate(categoryId: categoryId, criterionId: criterionId,
                                                    score: object["score"]?.intValue, reason: object["reason"]?.stringValue))
                }
            default: throw fail("patch member \"\(member.key)\" is not part of a PATCH body")
            }
        }
        update.criteria = CriterionList(criteria)
        self.update = update
        // What goes out must be byte for byte the body the plan shows.
        var stored: [UInt8] = []
        JSONWriter.write(.object(patch), into: &stored)
        var sent: [UInt8] = []
        update.appendPatchBody(to: &sent)
        guard sent == stored else { throw fail("the patch does not read back as the body it would send") }

        func number(_ key: String) -> Int? { entry[key]?.intValue }
        assessedUser = number("assessedUser")
        ticketId = number("ticketId")
        scorecardId = number("scorecardId")
        liveState = entry["liveState"]?.stringValue
        saw = try Self.saw(entry["saw"]?.objectValue, update: update, fail: fail)
        for item in entry["criterionNames"]?.arrayValue ?? [] {
            guard let object = item.objectValue, let categoryId = object["categoryId"]?.intValue,
                  let criterionId = object["criterionId"]?.intValue else { continue }
            if let name = object["category"]?.stringValue { categoryNames[categoryId] = name }
            if let name = object["criterion"]?.stringValue { criterionNames[CriterionKey(categoryId: categoryId, criterionId: criterionId)] = name }
        }
        notRestorable = (entry["notRestorableValues"]?.arrayValue ?? []).compactMap { item in
            guard let field = item.objectValue?["field"]?.stringValue, let was = item.objectValue?["was"]?.stringValue else { return nil }
            return (field: field, was: was, label: item.objectValue?["label"]?.stringValue ?? field)
        }
    }

    /// The `saw` object read back; every value the patch sets must have one.
    private static func saw(_ object: JSONObject?, update: AssessmentUpdate,
                            fail: (String) -> PlanFormatError) throws(PlanFormatError) -> ExpectedValues {
        guard let object else { throw fail("no \"saw\" object") }
        var saw = ExpectedValues()
        for field in FieldDescriptor.written where update.fields[field.column] != nil {
            switch object[field.name] {
            case .null?:
                saw[field.column] = .empty
            case .string(let text)?:
                switch field.kind {
                case .text:
                    saw[field.column] = text.isEmpty ? .empty : .value(.text(text))
                case .dateTime:
                    guard case .success(let date) = Timestamp.parse(text) else { throw fail("\"saw\" \(field.name) is not a date-time") }
                    saw[field.column] = .value(.date(date))
                case .state:
                    saw[field.column] = .value(.state(AssessmentState(name: text)))
                case .positiveInteger:
                    throw fail("\"saw\" \(field.name) is not a number")
                }
            default:
                throw fail("\"saw\" has no \(field.name)")
            }
        }
        var seenCriteria: [CriterionKey: JSONObject] = [:]
        for item in object["criteria"]?.arrayValue ?? [] {
            guard let entry = item.objectValue, let categoryId = entry["categoryId"]?.intValue, let criterionId = entry["criterionId"]?.intValue
            else { throw fail("a \"saw\" criterion needs categoryId and criterionId") }
            seenCriteria[CriterionKey(categoryId: categoryId, criterionId: criterionId)] = entry
        }
        for criterion in update.criteria {
            guard let entry = seenCriteria[criterion.key] else { throw fail("\"saw\" has no \(criterion.key)") }
            var expectation = CriterionExpectation(key: criterion.key)
            if criterion.score != nil {
                switch entry["score"] {
                case .number?:
                    guard let score = entry["score"]?.intValue else { throw fail("\"saw\" \(criterion.key) score is not a whole number") }
                    expectation.score = .value(score)
                case .null?: expectation.score = .empty
                default: throw fail("\"saw\" has no \(criterion.key) score")
                }
            }
            if criterion.reason != nil {
                switch entry["reason"] {
                case .string(let value)?: expectation.reason = value.isEmpty ? .empty : .value(value)
                case .null?: expectation.reason = .empty
                default: throw fail("\"saw\" has no \(criterion.key) reason")
                }
            }
            saw.criteria.append(expectation)
        }
        return saw
    }
}
