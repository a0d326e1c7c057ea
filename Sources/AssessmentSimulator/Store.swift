import Synchronization

/// A token's user with the members of its teams resolved.
struct Principal: Sendable {
    var token: String
    var user: SimUser
    var teamMembers: Set<Int>

    func has(_ permission: SimPermission) -> Bool { self.user.permissions.contains(permission) }

    func canEdit(_ record: AssessmentRecord) -> Bool {
        guard record.state != .deleted, record.assessedUser != self.user.id else { return false }
        if self.has(.qualityDoAssessmentsAll) { return true }
        return self.has(.qualityDoAssessmentsTeam) && self.teamMembers.contains(record.assessedUser)
    }

    func canView(assessedUser: Int) -> Bool {
        if self.has(.qualityViewAssessmentAll) { return true }
        if assessedUser == self.user.id,
            self.has(.qualityViewAssessmentOwn) || self.has(.qualityViewAssessmentTeamMate)
        {
            return true
        }
        return self.has(.qualityViewAssessmentTeamMate) && self.teamMembers.contains(assessedUser)
    }

    var canViewAnything: Bool {
        self.has(.qualityViewAssessmentAll) || self.has(.qualityViewAssessmentTeamMate) || self.has(.qualityViewAssessmentOwn)
    }
}

/// Outcome of a PATCH against the store.
enum PatchOutcome: Sendable {
    case applied(AssessmentRecord)
    case notFound
    case forbidden
    case conflict(AssessmentState)
    case invalid(String)
}

/// The simulator's data: scorecards (fixed), assessments (mutable) and the tokens.
///
/// All reads and writes go through one `Mutex`; handler work under the lock is short and
/// synchronous, so concurrent PATCHes to one assessment serialise and each is atomic. The
/// accessors are synchronous and safe to call from any thread (tests use them to assert the
/// store value by value).
public final class SimulatorStore: Sendable {
    let seed: SeedData
    let scorecards: [ScorecardEntry]
    let scorecardIndexByID: [Int: Int]
    let indexByID: [Int: Int]
    let principals: [String: Principal]
    let teams: [SimTeam]
    /// The token of the demo admin in effect (the `--token` value).
    public let adminToken: String
    private let records: Mutex<[AssessmentRecord]>

    init(seed: SeedData, adminToken: String) {
        self.seed = seed
        self.scorecards = seed.scorecards
        var scorecardIndex: [Int: Int] = [:]
        for (i, entry) in seed.scorecards.enumerated() { scorecardIndex[entry.scorecard.id] = i }
        self.scorecardIndexByID = scorecardIndex
        var index: [Int: Int] = [:]
        index.reserveCapacity(seed.assessments.count)
        for (i, record) in seed.assessments.enumerated() { index[record.id] = i }
        self.indexByID = index
        self.teams = seed.teams
        self.adminToken = adminToken
        var users: [(String, SimUser)] = [
            (adminToken, SimUser(
                id: SimulatorUsers.demoAdmin, name: "Demo Admin",
                permissions: [
                    .qualityViewAssessmentAll, .qualityDoAssessmentsAll, .qualityDeleteAssessment, .qualityManageScorecards,
                    .qualityDeleteScorecard,
                ], teams: [])),
            (SimulatorTokens.teamLead, SimUser(
                id: SimulatorUsers.teamLead, name: "Team Lead", permissions: [.qualityViewAssessmentAll, .qualityDoAssessmentsTeam],
                teams: [SimulatorUsers.teamLeadTeam])),
            (SimulatorTokens.viewOnly, SimUser(id: SimulatorUsers.viewer, name: "Viewer", permissions: [.qualityViewAssessmentAll], teams: [])),
        ]
        users.append(contentsOf: seed.extraTokens.map { ($0.token, $0.user) })
        var principals: [String: Principal] = [:]
        for (token, user) in users where principals[token] == nil {
            var members: Set<Int> = []
            for team in seed.teams where user.teams.contains(team.id) { members.formUnion(team.members) }
            principals[token] = Principal(token: token, user: user, teamMembers: members)
        }
        self.principals = principals
        self.records = Mutex(seed.assessments)
    }

    func principal(forToken token: String) -> Principal? { self.principals[token] }

    var adminPrincipal: Principal { self.principals[self.adminToken]! }

    // MARK: Public synchronous accessors

    /// The assessment with this id (deleted ones included), or nil.
    public func assessment(id: Int) -> SimAssessment? {
        guard let index = self.indexByID[id] else { return nil }
        let record = self.records.withLock { $0[index] }
        return record.view(self.scorecards[record.scorecardIndex])
    }

    /// All assessment ids, ascending (deleted ones included).
    public func assessmentIDs() -> [Int] {
        self.seed.assessments.map(\.id)
    }

    /// All assessments, ascending by id.
    public func allAssessments() -> [SimAssessment] {
        let snapshot = self.records.withLock { $0 }
        return snapshot.map { $0.view(self.scorecards[$0.scorecardIndex]) }
    }

    /// One scorecard revision by id (any state), or nil.
    public func scorecard(id: Int) -> SimScorecard? {
        self.scorecardIndexByID[id].map { self.scorecards[$0].scorecard }
    }

    /// All scorecard revisions in store order.
    public func allScorecards() -> [SimScorecard] {
        self.scorecards.map(\.scorecard)
    }

    /// What `canEdit` would say for this token, or nil for an unknown assessment or token.
    public func canEdit(assessmentID: Int, token: String) -> Bool? {
        guard let principal = self.principal(forToken: token), let index = self.indexByID[assessmentID] else { return nil }
        let record = self.records.withLock { $0[index] }
        return principal.canEdit(record)
    }

    /// Edits an assessment outside the API, as a supervisor working in the UI would: `body`
    /// changes a copy of the current value; the fields that differ afterwards (`state`,
    /// `aiSummary`, `supervisorAssessment`, `assessmentDate`, `discussionDate`, `assessedByUser`
    /// and each criterion's `score`, `reason`, `state`, `lastEditedByUserId`, `lastEditedAt`)
    /// are written, an `editingHistory` entry by `userId` is appended per changed value, totals
    /// are recomputed and `modifiedAt` advances. Other fields are ignored. Not atomic with respect
    /// to a concurrent PATCH of the same assessment (the diff is applied to the then-current
    /// value).
    @discardableResult
    public func modifyAssessment(
        id: Int, by userId: Int = SimulatorUsers.demoAdmin, _ body: (inout SimAssessment) -> Void
    ) throws(SimulatorError) -> SimAssessment {
        guard let before = self.assessment(id: id), let index = self.indexByID[id] else {
            throw SimulatorError("no assessment \(id)")
        }
        var after = before
        body(&after)
        func date(_ text: String?, _ name: String) throws(SimulatorError) -> SimDate? {
            guard let text else { return nil }
            guard let date = SimDate.parseRFC3339(text) else { throw SimulatorError("\(name): not an RFC 3339 date-time: \(text)") }
            return date
        }
        let assessmentDate = try date(after.assessmentDate, "assessmentDate")
        let discussionDate = try date(after.discussionDate, "discussionDate")
        var criterionDates: [SimDate?] = []
        for criterion in after.criteria { criterionDates.append(try date(criterion.lastEditedAt, "lastEditedAt")) }
        let entry = self.scorecards[self.seed.assessments[index].scorecardIndex]
        let now = SimDate.nowMilliseconds()
        return self.records.withLock { records in
            var record = records[index]
            let stamp = SimDate(milliseconds: max(now, record.modifiedAt.milliseconds + 1))
            func note(_ field: String, _ old: SimValue, _ new: SimValue) {
                if old != new { record.history.append(SimHistoryEntry(userId: userId, field: field, oldValue: old, newValue: new, time: stamp)) }
            }
            if after.state != before.state {
                note("state", .string(record.state.rawValue), .string(after.state.rawValue))
                record.state = after.state
                if after.state == .deleted, record.deletedAt == nil { record.deletedAt = stamp }
            }
            if after.aiSummary != before.aiSummary {
                note("aiSummary", .string(record.aiSummary), .string(after.aiSummary))
                record.aiSummary = after.aiSummary
            }
            if after.supervisorAssessment != before.supervisorAssessment {
                note("supervisorAssessment", .optional(record.supervisorAssessment), .optional(after.supervisorAssessment))
                record.supervisorAssessment = after.supervisorAssessment
            }
            if after.assessmentDate != before.assessmentDate {
                note("assessmentDate", .optional(record.assessmentDate?.rfc3339), .optional(assessmentDate?.rfc3339))
                record.assessmentDate = assessmentDate
            }
            if after.discussionDate != before.discussionDate {
                note("discussionDate", .optional(record.discussionDate?.rfc3339), .optional(discussionDate?.rfc3339))
                record.discussionDate = discussionDate
            }
            if after.assessedByUser != before.assessedByUser { record.assessedByUser = after.assessedByUser }
            for (k, criterion) in after.criteria.enumerated() where k < before.criteria.count && criterion != before.criteria[k] {
                guard let position = entry.index[CriterionKey(categoryId: criterion.categoryId, criterionId: criterion.criterionId)]
                else { continue }
                let prefix = "criteria.\(criterion.categoryId).\(criterion.criterionId)."
                var value = record.criteria[position]
                note(prefix + "score", .optional(value.score), .optional(criterion.score))
                note(prefix + "reason", .optional(value.reason), .optional(criterion.reason))
                value.score = criterion.score
                value.reason = criterion.reason
                value.state = criterion.state
                value.lastEditedByUserId = criterion.lastEditedByUserId
                value.lastEditedAt = criterionDates[k]
                record.criteria[position] = value
            }
            record.totals = computeTotals(entry, record.criteria)
            record.modifiedAt = stamp
            records[index] = record
            return record.view(entry)
        }
    }

    /// Sets an assessment's state as a supervisor's manual edit would (see `modifyAssessment`).
    @discardableResult
    public func setState(_ state: AssessmentState, ofAssessment id: Int, by userId: Int = SimulatorUsers.demoAdmin)
        throws(SimulatorError) -> SimAssessment
    {
        try self.modifyAssessment(id: id, by: userId) { $0.state = state }
    }

    /// Restores every assessment to its seed value.
    public func reset() {
        self.records.withLock { $0 = self.seed.assessments }
    }

    // MARK: Internal access for the handlers

    func record(id: Int) -> AssessmentRecord? {
        guard let index = self.indexByID[id] else { return nil }
        return self.records.withLock { $0[index] }
    }

    func snapshot() -> [AssessmentRecord] {
        self.records.withLock { $0 }
    }

    /// Filters under the lock and returns (total, page).
    func list(
        principal: Principal, states: Set<AssessmentState>?, user: Int?, scorecardBaseId: Int?, offset: Int, limit: Int
    ) -> (total: Int, page: [AssessmentRecord]) {
        self.records.withLock { records in
            var total = 0
            var page: [AssessmentRecord] = []
            page.reserveCapacity(min(limit, 512))
            for record in records {
                if record.state == .deleted { continue }
                if let states, !states.contains(record.state) { continue }
                if let user, record.assessedUser != user { continue }
                if let scorecardBaseId, self.scorecards[record.scorecardIndex].scorecard.baseId != scorecardBaseId { continue }
                if !principal.canView(assessedUser: record.assessedUser) { continue }
                if total >= offset, page.count < limit { page.append(record) }
                total += 1
            }
            return (total, page)
        }
    }

    /// Validates and applies a PATCH atomically. Check order: 404 (unknown or deleted), 403 (no
    /// edit permission), 400 (body shape, from `parsed`), 409 (state refuses edits), 400
    /// (unknown category/criterion, score out of range).
    func applyPatch(
        id: Int, principal: Principal, parsed: Result<AssessmentUpdate, BadRequest>, nowMilliseconds: Int64
    ) -> PatchOutcome {
        guard let index = self.indexByID[id] else { return .notFound }
        return self.records.withLock { records in
            var record = records[index]
            if record.state == .deleted { return .notFound }
            if !principal.canEdit(record) { return .forbidden }
            let update: AssessmentUpdate
            switch parsed {
            case .failure(let bad): return .invalid(bad.message)
            case .success(let value): update = value
            }
            if record.state.refusesEdits { return .conflict(record.state) }
            let entry = self.scorecards[record.scorecardIndex]
            var positions: [Int] = []
            positions.reserveCapacity(update.criteria.count)
            for item in update.criteria {
                guard entry.scorecard.categories.contains(where: { $0.categoryId == item.categoryId }) else {
                    return .invalid(
                        "criteria[\(item.position)].categoryId \(item.categoryId) is not a category of scorecard \(entry.scorecard.id)")
                }
                guard let position = entry.index[CriterionKey(categoryId: item.categoryId, criterionId: item.criterionId)] else {
                    return .invalid(
                        "criteria[\(item.position)].criterionId \(item.criterionId) is not a criterion of category \(item.categoryId) in scorecard \(entry.scorecard.id)"
                    )
                }
                if let score = item.score {
                    let criterion = entry.flat[position].criterion
                    if !criterion.accepts(score: score) {
                        let allowed =
                            criterion.scoringType == .numericScale ? "0…\(criterion.maxPoints)" : "0 or \(criterion.maxPoints)"
                        return .invalid(
                            "criteria[\(item.position)].score \(score) is out of range for \(criterion.scoringType.rawValue) criterion \(criterion.id) (allowed: \(allowed))"
                        )
                    }
                }
                positions.append(position)
            }

            // Everything is valid: apply.
            let userId = principal.user.id
            let stamp = SimDate(milliseconds: max(nowMilliseconds, record.modifiedAt.milliseconds + 1))
            func note(_ field: String, _ old: SimValue, _ new: SimValue) {
                if old != new { record.history.append(SimHistoryEntry(userId: userId, field: field, oldValue: old, newValue: new, time: stamp)) }
            }
            for (item, position) in zip(update.criteria, positions) {
                var value = record.criteria[position]
                if let score = item.score {
                    note("criteria.\(item.categoryId).\(item.criterionId).score", .optional(value.score), .int(score))
                    value.score = score
                }
                if let reason = item.reason {
                    note("criteria.\(item.categoryId).\(item.criterionId).reason", .optional(value.reason), .string(reason))
                    value.reason = reason
                }
                value.state = .humanVerified
                value.lastEditedByUserId = userId
                value.lastEditedAt = stamp
                record.criteria[position] = value
            }
            if case .set(let text) = update.aiSummary {
                note("aiSummary", .string(record.aiSummary), .string(text))
                record.aiSummary = text
            }
            if case .set(let text) = update.supervisorAssessment {
                note("supervisorAssessment", .optional(record.supervisorAssessment), .optional(text))
                record.supervisorAssessment = text
            }
            if case .set(let date) = update.assessmentDate, !Self.sameInstant(record.assessmentDate, date) {
                note("assessmentDate", .optional(record.assessmentDate?.rfc3339), .optional(date?.rfc3339))
                record.assessmentDate = date
            }
            if case .set(let date) = update.discussionDate, !Self.sameInstant(record.discussionDate, date) {
                note("discussionDate", .optional(record.discussionDate?.rfc3339), .optional(date?.rfc3339))
                record.discussionDate = date
            }
            let target = update.state ?? (record.state == .aiReady ? .reviewOngoing : record.state)
            if target != record.state {
                note("state", .string(record.state.rawValue), .string(target.rawValue))
                record.state = target
            }
            record.assessedByUser = userId
            record.modifiedAt = stamp
            record.totals = computeTotals(entry, record.criteria)
            records[index] = record
            return .applied(record)
        }
    }

    private static func sameInstant(_ a: SimDate?, _ b: SimDate?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return x.sameInstant(as: y)
        default: return false
        }
    }
}

extension SimValue {
    static func optional(_ value: String?) -> SimValue { value.map { .string($0) } ?? .null }
    static func optional(_ value: Int?) -> SimValue { value.map { .int($0) } ?? .null }
}
