import StrictJSON
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error in the simulator's configuration or seed file.
public struct SimulatorError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { self.message }
}

/// Reads a seed file (format in docs/simulator.md) strictly: unknown keys, wrong types, dangling
/// references and invalid scores are errors naming the JSON path.
enum SeedFileLoader {
    static func readFile(_ path: String) throws(SimulatorError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw SimulatorError("cannot open seed file \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 65_536, file) }
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if n < 65_536 {
                if ferror(file) != 0 { throw SimulatorError("cannot read seed file \(path)") }
                break
            }
        }
        return bytes
    }

    static func load(path: String) throws(SimulatorError) -> SeedData {
        var bytes = try self.readFile(path)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let root: JSONValue
        do {
            root = try bytes.withUnsafeBytes { buffer throws(JSONSyntaxError) in try JSONParser.parse(buffer) }
        } catch {
            throw SimulatorError("seed file \(path): malformed JSON at \(error)")
        }
        do {
            return try self.decode(root)
        } catch {
            throw SimulatorError("seed file \(path): \(error.message)")
        }
    }

    // MARK: Typed access helpers

    struct Object {
        let members: [(key: String, value: JSONValue)]
        let path: String

        init(_ value: JSONValue, path: String, allowed: Set<String>) throws(SimulatorError) {
            guard case .object(let object) = value else {
                throw SimulatorError("\(path) must be an object, not \(value.typeName)")
            }
            let members = object.members
            for member in members where !allowed.contains(member.key) {
                throw SimulatorError("\(path): unknown key '\(member.key)'")
            }
            self.members = members
            self.path = path
        }

        func value(_ key: String) -> JSONValue? {
            for member in self.members where member.key == key { return member.value }
            return nil
        }

        func int(_ key: String) throws(SimulatorError) -> Int {
            guard let value = try self.optionalInt(key) else { throw SimulatorError("\(self.path).\(key) is required") }
            return value
        }

        func optionalInt(_ key: String) throws(SimulatorError) -> Int? {
            switch self.value(key) {
            case nil, .null?: return nil
            case let other?:
                guard let v = other.int64Value else {
                    throw SimulatorError("\(self.path).\(key) must be an integer, not \(other.typeName)")
                }
                return Int(v)
            }
        }

        func string(_ key: String) throws(SimulatorError) -> String {
            guard let value = try self.optionalString(key) else { throw SimulatorError("\(self.path).\(key) is required") }
            return value
        }

        func optionalString(_ key: String) throws(SimulatorError) -> String? {
            switch self.value(key) {
            case nil, .null?: return nil
            case .string(let v)?: return v
            case let other?: throw SimulatorError("\(self.path).\(key) must be a string, not \(other.typeName)")
            }
        }

        func bool(_ key: String, default defaultValue: Bool) throws(SimulatorError) -> Bool {
            switch self.value(key) {
            case nil: return defaultValue
            case .bool(let v)?: return v
            case let other?: throw SimulatorError("\(self.path).\(key) must be a boolean, not \(other.typeName)")
            }
        }

        func date(_ key: String) throws(SimulatorError) -> SimDate? {
            guard let text = try self.optionalString(key) else { return nil }
            guard let date = SimDate.parseRFC3339(text) else {
                throw SimulatorError("\(self.path).\(key) must be an RFC 3339 date-time with offset, got '\(text)'")
            }
            return date
        }

        func array(_ key: String, required: Bool = false) throws(SimulatorError) -> [JSONValue] {
            switch self.value(key) {
            case nil:
                if required { throw SimulatorError("\(self.path).\(key) is required") }
                return []
            case .array(let elements)?: return elements
            case let other?: throw SimulatorError("\(self.path).\(key) must be an array, not \(other.typeName)")
            }
        }

        func enumValue<E: RawRepresentable>(_ key: String, _: E.Type, default defaultValue: E? = nil) throws(SimulatorError) -> E
        where E.RawValue == String {
            guard let text = try self.optionalString(key) else {
                if let defaultValue { return defaultValue }
                throw SimulatorError("\(self.path).\(key) is required")
            }
            guard let value = E(rawValue: text) else { throw SimulatorError("\(self.path).\(key): invalid value '\(text)'") }
            return value
        }
    }

    static func intArray(_ values: [JSONValue], path: String) throws(SimulatorError) -> [Int] {
        var result: [Int] = []
        for (i, value) in values.enumerated() {
            guard let v = value.int64Value else { throw SimulatorError("\(path)[\(i)] must be an integer") }
            result.append(Int(v))
        }
        return result
    }

    // MARK: Decoding

    static func decode(_ root: JSONValue) throws(SimulatorError) -> SeedData {
        let top = try Object(root, path: "$", allowed: ["teams", "tokens", "scorecards", "assessments", "$comment"])

        var teams: [SimTeam] = []
        for (i, value) in try top.array("teams").enumerated() {
            let o = try Object(value, path: "teams[\(i)]", allowed: ["id", "name", "members"])
            let id = try o.int("id")
            guard !teams.contains(where: { $0.id == id }) else { throw SimulatorError("teams[\(i)]: duplicate team id \(id)") }
            teams.append(
                SimTeam(
                    id: id, name: try o.optionalString("name") ?? "Team \(id)",
                    members: Set(try intArray(try o.array("members"), path: "teams[\(i)].members"))))
        }

        var tokens: [(token: String, user: SimUser)] = []
        for (i, value) in try top.array("tokens").enumerated() {
            let o = try Object(value, path: "tokens[\(i)]", allowed: ["token", "userId", "name", "permissions", "teams"])
            let token = try o.string("token")
            guard !token.isEmpty else { throw SimulatorError("tokens[\(i)].token must not be empty") }
            var permissions: Set<SimPermission> = []
            for (k, p) in try o.array("permissions").enumerated() {
                guard case .string(let name) = p, let permission = SimPermission(rawValue: name) else {
                    throw SimulatorError("tokens[\(i)].permissions[\(k)]: unknown permission")
                }
                permissions.insert(permission)
            }
            let userId = try o.int("userId")
            tokens.append(
                (token, SimUser(
                    id: userId, name: try o.optionalString("name") ?? "User \(userId)", permissions: permissions,
                    teams: try intArray(try o.array("teams"), path: "tokens[\(i)].teams"))))
        }

        var scorecards: [ScorecardEntry] = []
        var scorecardIndex: [Int: Int] = [:]
        for (i, value) in try top.array("scorecards", required: true).enumerated() {
            let path = "scorecards[\(i)]"
            let o = try Object(
                value, path: path,
                allowed: [
                    "id", "baseId", "revision", "name", "state", "categories", "assignment", "liveCoach", "createdAt",
                    "modifiedAt", "createdBy", "modifiedBy",
                ])
            let id = try o.int("id")
            guard scorecardIndex[id] == nil else { throw SimulatorError("\(path): duplicate scorecard id \(id)") }
            var categories: [SimScorecardCategory] = []
            for (c, categoryValue) in try o.array("categories", required: true).enumerated() {
                let cpath = "\(path).categories[\(c)]"
                let co = try Object(categoryValue, path: cpath, allowed: ["categoryId", "label", "order", "criteria"])
                let categoryId = try co.int("categoryId")
                guard !categories.contains(where: { $0.categoryId == categoryId }) else {
                    throw SimulatorError("\(cpath): duplicate categoryId \(categoryId)")
                }
                var criteria: [SimScorecardCriterion] = []
                for (k, criterionValue) in try co.array("criteria", required: true).enumerated() {
                    let kpath = "\(cpath).criteria[\(k)]"
                    let ko = try Object(
                        criterionValue, path: kpath,
                        allowed: [
                            "id", "label", "description", "maxPoints", "scoringType", "autoGenerateByAi", "assessmentPrompt",
                            "makeOrBreakForCategory", "makeOrBreakForAssessment",
                        ])
                    let criterionId = try ko.int("id")
                    guard !criteria.contains(where: { $0.id == criterionId }) else {
                        throw SimulatorError("\(kpath): duplicate criterion id \(criterionId) in category")
                    }
                    let maxPoints = try ko.int("maxPoints")
                    guard maxPoints >= 1 else { throw SimulatorError("\(kpath).maxPoints must be at least 1") }
                    criteria.append(
                        SimScorecardCriterion(
                            id: criterionId, label: try ko.string("label"), description: try ko.optionalString("description") ?? "",
                            maxPoints: maxPoints, scoringType: try ko.enumValue("scoringType", ScoringType.self),
                            autoGenerateByAi: try ko.bool("autoGenerateByAi", default: true),
                            assessmentPrompt: try ko.optionalString("assessmentPrompt") ?? "",
                            makeOrBreakForCategory: try ko.bool("makeOrBreakForCategory", default: false),
                            makeOrBreakForAssessment: try ko.bool("makeOrBreakForAssessment", default: false)))
                }
                guard !criteria.isEmpty else { throw SimulatorError("\(cpath).criteria must not be empty") }
                categories.append(
                    SimScorecardCategory(
                        categoryId: categoryId, label: try co.string("label"), order: try co.optionalInt("order") ?? (c + 1),
                        criteria: criteria))
            }
            guard !categories.isEmpty else { throw SimulatorError("\(path).categories must not be empty") }
            let created = try o.date("createdAt") ?? SimDate(seconds: SeedGenerator.baseEpoch)
            let createdBy = try o.optionalInt("createdBy") ?? SimulatorUsers.demoAdmin
            let scorecard = SimScorecard(
                id: id, baseId: try o.optionalInt("baseId") ?? id, revision: try o.optionalInt("revision") ?? 1,
                name: try o.string("name"), state: try o.enumValue("state", ScorecardState.self, default: .active),
                categories: categories, createdBy: createdBy, modifiedBy: try o.optionalInt("modifiedBy") ?? createdBy,
                created: created, modified: try o.date("modifiedAt") ?? created, assignment: o.value("assignment") ?? .null,
                liveCoach: o.value("liveCoach") ?? .object(JSONObject([("enabled", .bool(false)), ("threshold", .number("85"))])))
            scorecardIndex[id] = scorecards.count
            scorecards.append(ScorecardEntry(scorecard))
        }

        var records: [AssessmentRecord] = []
        var seenIds: Set<Int> = []
        for (i, value) in try top.array("assessments", required: true).enumerated() {
            let path = "assessments[\(i)]"
            let o = try Object(
                value, path: path,
                allowed: [
                    "id", "scorecardId", "state", "assessedUser", "assessedByUser", "ticketId", "worklogId", "aiSummary",
                    "supervisorAssessment", "assessmentDate", "discussionDate", "createdAt", "modifiedAt", "deletedAt",
                    "criteria", "editingHistory", "general", "worklog", "aiUsage", "time", "customerExperience",
                ])
            let id = try o.int("id")
            guard seenIds.insert(id).inserted else { throw SimulatorError("\(path): duplicate assessment id \(id)") }
            let scorecardId = try o.int("scorecardId")
            guard let index = scorecardIndex[scorecardId] else {
                throw SimulatorError("\(path).scorecardId \(scorecardId) is not a scorecard in this file")
            }
            let entry = scorecards[index]
            var values = [CriterionValue](
                repeating: CriterionValue(score: nil, reason: nil, state: .unscored, lastEditedByUserId: nil, lastEditedAt: nil),
                count: entry.flat.count)
            var seenCriteria: Set<CriterionKey> = []
            for (k, criterionValue) in try o.array("criteria").enumerated() {
                let kpath = "\(path).criteria[\(k)]"
                let ko = try Object(
                    criterionValue, path: kpath,
                    allowed: ["categoryId", "criterionId", "score", "reason", "state", "lastEditedByUserId", "lastEditedAt"])
                let key = CriterionKey(categoryId: try ko.int("categoryId"), criterionId: try ko.int("criterionId"))
                guard let position = entry.index[key] else {
                    throw SimulatorError(
                        "\(kpath): criterion \(key.criterionId) in category \(key.categoryId) is not in scorecard \(scorecardId)")
                }
                guard seenCriteria.insert(key).inserted else { throw SimulatorError("\(kpath): criterion listed twice") }
                let score = try ko.optionalInt("score")
                if let score, !entry.flat[position].criterion.accepts(score: score) {
                    throw SimulatorError("\(kpath).score \(score) is out of range for criterion \(key.criterionId)")
                }
                let editor = try ko.optionalInt("lastEditedByUserId")
                let defaultState: CriterionState = editor != nil ? .humanVerified : (score != nil ? .aiGenerated : .unscored)
                let state = try ko.enumValue("state", CriterionState.self, default: defaultState)
                if state == .unscored, score != nil { throw SimulatorError("\(kpath): an unscored criterion cannot have a score") }
                values[position] = CriterionValue(
                    score: score, reason: try ko.optionalString("reason"), state: state, lastEditedByUserId: editor,
                    lastEditedAt: try ko.date("lastEditedAt"))
            }
            var history: [SimHistoryEntry] = []
            for (h, historyValue) in try o.array("editingHistory").enumerated() {
                let hpath = "\(path).editingHistory[\(h)]"
                let ho = try Object(historyValue, path: hpath, allowed: ["userId", "timestamp", "field", "oldValue", "newValue"])
                func simValue(_ key: String) throws(SimulatorError) -> SimValue {
                    switch ho.value(key) {
                    case nil, .null?: return .null
                    case .string(let s)?: return .string(s)
                    case let other?:
                        guard let v = other.int64Value else {
                            throw SimulatorError("\(hpath).\(key) must be null, an integer or a string, not \(other.typeName)")
                        }
                        return .int(Int(v))
                    }
                }
                guard let time = try ho.date("timestamp") else { throw SimulatorError("\(hpath).timestamp is required") }
                history.append(
                    SimHistoryEntry(
                        userId: try ho.int("userId"), field: try ho.string("field"), oldValue: try simValue("oldValue"),
                        newValue: try simValue("newValue"), time: time))
            }
            let state = try o.enumValue("state", AssessmentState.self)
            guard let created = try o.date("createdAt") else { throw SimulatorError("\(path).createdAt is required") }
            let modified = try o.date("modifiedAt") ?? created
            var deletedAt = try o.date("deletedAt")
            if state == .deleted, deletedAt == nil { deletedAt = modified }
            var extras = AssessmentExtras()
            var hasExtras = false
            for key in ["general", "worklog", "aiUsage", "time", "customerExperience"] {
                guard let v = o.value(key) else { continue }
                guard case .object = v else { throw SimulatorError("\(path).\(key) must be an object") }
                hasExtras = true
                switch key {
                case "general": extras.general = v
                case "worklog": extras.worklog = v
                case "aiUsage": extras.aiUsage = v
                case "time": extras.time = v
                default: extras.customerExperience = v
                }
            }
            records.append(
                AssessmentRecord(
                    id: id, scorecardIndex: index, state: state, assessedUser: try o.int("assessedUser"),
                    assessedByUser: try o.optionalInt("assessedByUser"), ticketId: try o.int("ticketId"),
                    worklogId: try o.optionalInt("worklogId") ?? id * 10, aiSummary: try o.optionalString("aiSummary") ?? "",
                    supervisorAssessment: try o.optionalString("supervisorAssessment"), assessmentDate: try o.date("assessmentDate"),
                    discussionDate: try o.date("discussionDate"), createdAt: created, modifiedAt: modified, deletedAt: deletedAt,
                    criteria: values, totals: computeTotals(entry, values), history: history, extras: hasExtras ? extras : nil))
        }
        records.sort { $0.id < $1.id }
        return SeedData(scorecards: scorecards, assessments: records, teams: teams, extraTokens: tokens)
    }
}
