import StrictJSON
import HTTPTypes
import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The per-request context: only the channel (needed to sleep on its event loop and to drop
/// the connection).
struct SimContext: InitializableFromSource {
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.channel = source.channel
    }
}

/// Shared state of one running simulator.
final class SimulatorCore: Sendable {
    static let basePath = "/api/mind"
    static let maxBodyBytes = 1 << 20

    let store: SimulatorStore
    let faults: FaultInjector
    let stats: RequestStats

    init(store: SimulatorStore, faults: FaultInjector) {
        self.store = store
        self.faults = faults
        self.stats = RequestStats()
    }

    /// `POST /__sim/reset`: seed data, statistics and the fault stream start over.
    func reset() {
        self.store.reset()
        self.stats.reset()
        self.faults.reset()
    }
}

/// An API route under the base path.
enum APIRoute {
    case listAssessments
    case assessment(Int?)
    case listScorecards
    case scorecard(Int?)
    case unmatched

    init(subpath: Substring) {
        let assessmentPrefix = "/quality/assessment"
        let scorecardPrefix = "/quality/scorecard"
        if subpath == assessmentPrefix {
            self = .listAssessments
        } else if subpath == scorecardPrefix {
            self = .listScorecards
        } else if subpath.hasPrefix(assessmentPrefix + "/") {
            let segment = subpath.dropFirst(assessmentPrefix.count + 1)
            self = segment.contains("/") || segment.isEmpty ? .unmatched : .assessment(APIRoute.parseID(segment))
        } else if subpath.hasPrefix(scorecardPrefix + "/") {
            let segment = subpath.dropFirst(scorecardPrefix.count + 1)
            self = segment.contains("/") || segment.isEmpty ? .unmatched : .scorecard(APIRoute.parseID(segment))
        } else {
            self = .unmatched
        }
    }

    /// A decimal id without sign; nil for anything else (served as 404).
    static func parseID(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    var template: String {
        switch self {
        case .listAssessments: return SimulatorCore.basePath + "/quality/assessment"
        case .assessment: return SimulatorCore.basePath + "/quality/assessment/{id}"
        case .listScorecards: return SimulatorCore.basePath + "/quality/scorecard"
        case .scorecard: return SimulatorCore.basePath + "/quality/scorecard/{id}"
        case .unmatched: return "(unmatched)"
        }
    }

    var allowedMethods: [HTTPRequest.Method] {
        switch self {
        case .assessment: return [.get, .patch]
        case .listAssessments, .listScorecards, .scorecard: return [.get]
        case .unmatched: return []
        }
    }
}

/// A response about to be sent (status 0 = drop the connection).
struct SimReply {
    var status: Int
    var body: [UInt8]
    var extraHeaders: [(HTTPField.Name, String)] = []

    static func json(_ status: Int, _ writer: JSONStreamWriter) -> SimReply {
        SimReply(status: status, body: writer.bytes)
    }

    static func error(_ status: Int, _ message: String) -> SimReply {
        var writer = JSONStreamWriter(capacity: message.utf8.count + 40)
        writer.errorBody(message)
        return SimReply(status: status, body: writer.bytes)
    }
}

/// The simulator's HTTP responder: control endpoints, fault layer, API routes.
struct SimResponder: HTTPResponder {
    typealias Context = SimContext
    let core: SimulatorCore

    func respond(to request: Request, context: SimContext) async throws -> Response {
        let path = request.uri.path
        if path == "/__sim" || path.hasPrefix("/__sim/") {
            return self.response(self.control(request, path: path))
        }
        let base = SimulatorCore.basePath
        guard path.hasPrefix(base), path.utf8.count == base.utf8.count || path.dropFirst(base.count).hasPrefix("/") else {
            return self.response(.error(404, "no such path: \(path)"))
        }
        var request = request
        let route = APIRoute(subpath: path.dropFirst(base.count))
        let method = request.method
        if method == .patch, case .assessment(let id?) = route { self.core.stats.recordPatch(id: id) }

        let decision = self.core.faults.decide()
        if decision.latencyNanos > 0 {
            try? await context.channel.eventLoop.scheduleTask(in: .nanoseconds(decision.latencyNanos)) {}.futureResult.get()
        }
        let reply: SimReply
        switch decision.action {
        case .authFailure:
            reply = .error(401, "token rejected (simulated by --auth-fail-after)")
        case .rateLimited:
            var limited = SimReply.error(429, "rate limit exceeded")
            limited.extraHeaders.append((.retryAfter, "1"))
            reply = limited
        case .reset:
            self.core.stats.record(method: method.rawValue, path: route.template, status: 0)
            await Self.dropConnection(context.channel)
            return Response(status: .internalServerError)
        case .serverError(let status):
            reply = .error(status, status == 500 ? "internal server error (simulated)" : "service unavailable (simulated)")
        case .proceed:
            reply = await self.handleAPI(&request, route: route, method: method, postApplyError: decision.postApplyError)
        }
        self.core.stats.record(method: method.rawValue, path: route.template, status: reply.status)
        return self.response(reply)
    }

    private func response(_ reply: SimReply) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in reply.extraHeaders { headers[name] = value }
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    /// Resets the TCP connection (SO_LINGER 0, then close) without writing a response.
    static func dropConnection(_ channel: any Channel) async {
        if let provider = channel as? any SocketOptionProvider {
            try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close().get()
    }

    // MARK: API

    private func handleAPI(_ request: inout Request, route: APIRoute, method: HTTPRequest.Method, postApplyError: Bool) async -> SimReply {
        guard !route.allowedMethods.isEmpty else {
            return .error(404, "no such API path: \(request.uri.path)")
        }
        guard route.allowedMethods.contains(method) else {
            var reply = SimReply.error(405, "method \(method.rawValue) not allowed")
            reply.extraHeaders.append((.allow, route.allowedMethods.map(\.rawValue).joined(separator: ", ")))
            return reply
        }
        guard let principal = self.authenticate(request) else {
            var reply = SimReply.error(401, "missing or invalid bearer token")
            reply.extraHeaders.append((.wwwAuthenticate, "Bearer"))
            return reply
        }
        let query: [(String, String)]
        switch Self.parseQuery(request.uri.query) {
        case .success(let items): query = items
        case .failure(let bad): return .error(400, bad.message)
        }
        switch route {
        case .listAssessments:
            return self.listAssessments(principal, query)
        case .assessment(let id):
            guard let id else { return .error(404, "assessment not found") }
            if method == .patch {
                let body: [UInt8]
                do {
                    guard let collected = try await Self.collectBody(&request) else {
                        return .error(413, "request body larger than \(SimulatorCore.maxBodyBytes) bytes")
                    }
                    body = collected
                } catch {
                    return .error(400, "could not read the request body")
                }
                self.core.stats.recordPatchBody(id: id, body: body)
                return self.patchAssessment(principal, id: id, body: body, postApplyError: postApplyError)
            }
            return self.getAssessment(principal, id: id, query)
        case .listScorecards:
            return self.listScorecards(principal, query)
        case .scorecard(let id):
            guard let id, let index = self.core.store.scorecardIndexByID[id],
                self.core.store.scorecards[index].scorecard.state != .deleted
            else { return .error(404, "scorecard not found") }
            var writer = JSONStreamWriter(capacity: 4096)
            writer.scorecard(self.core.store.scorecards[index].scorecard, canEdit: principal.has(.qualityManageScorecards))
            return .json(200, writer)
        case .unmatched:
            return .error(404, "no such API path")
        }
    }

    private func authenticate(_ request: Request) -> Principal? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: " \t")
        return self.core.store.principal(forToken: token)
    }

    /// Collects the body; nil when it exceeds the limit.
    static func collectBody(_ request: inout Request) async throws -> [UInt8]? {
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            if bytes.count + buffer.readableBytes > SimulatorCore.maxBodyBytes { return nil }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }

    static func parseQuery(_ query: String?) -> Result<[(String, String)], BadRequest> {
        guard let query, !query.isEmpty else { return .success([]) }
        var items: [(String, String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = percentDecode(pieces[0]), let value = percentDecode(pieces.count > 1 ? pieces[1] : "") else {
                return .failure(BadRequest("malformed percent-encoding in query string"))
            }
            items.append((key, value))
        }
        return .success(items)
    }

    static func percentDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        func hex(_ byte: UInt8?) -> UInt8? {
            guard let byte else { return nil }
            switch byte {
            case 0x30...0x39: return byte - 0x30
            case 0x41...0x46: return byte - 0x41 + 10
            case 0x61...0x66: return byte - 0x61 + 10
            default: return nil
            }
        }
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = hex(iterator.next()), let low = hex(iterator.next()) else { return nil }
                bytes.append(high << 4 | low)
            } else if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The last value of a query parameter.
    static func value(_ query: [(String, String)], _ name: String) -> String? {
        query.last(where: { $0.0 == name })?.1
    }

    /// A non-negative decimal integer parameter.
    static func intParameter(_ query: [(String, String)], _ name: String) -> Result<Int?, BadRequest> {
        guard let text = value(query, name) else { return .success(nil) }
        guard let value = APIRoute.parseID(text[...]), value <= Int(Int32.max) else {
            return .failure(BadRequest("query parameter \(name) must be an integer between 0 and 2147483647, got '\(text)'"))
        }
        return .success(value)
    }

    static func stateSet<S: RawRepresentable>(_ text: String, allowed: [S], name: String) -> Result<Set<S>?, BadRequest>
    where S.RawValue == String {
        if text.isEmpty { return .success(nil) }
        var result: Set<S> = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = piece.trimmingCharacters(in: " ")
            guard let value = S(rawValue: trimmed), allowed.contains(value) else {
                return .failure(BadRequest(
                    "query parameter \(name): unknown value '\(trimmed)'; allowed: \(allowed.map(\.rawValue).joined(separator: ", "))"))
            }
            result.insert(value)
        }
        return .success(result)
    }

    private func listAssessments(_ principal: Principal, _ query: [(String, String)]) -> SimReply {
        var states: Set<AssessmentState>?
        if let text = Self.value(query, "state") {
            let allowed = AssessmentState.allCases.filter { $0 != .deleted }
            switch Self.stateSet(text, allowed: allowed, name: "state") {
            case .success(let set): states = set
            case .failure(let bad): return .error(400, bad.message)
            }
        }
        var numbers: [String: Int] = [:]
        for name in ["user", "scorecardId", "limit", "offset"] {
            switch Self.intParameter(query, name) {
            case .success(let value?): numbers[name] = value
            case .success(nil): break
            case .failure(let bad): return .error(400, bad.message)
            }
        }
        let limit = numbers["limit"] ?? 100
        guard (1...500).contains(limit) else { return .error(400, "query parameter limit must be between 1 and 500") }
        let offset = numbers["offset"] ?? 0
        guard principal.canViewAnything else { return .error(403, "no permission to view quality assessments") }
        if let user = numbers["user"], !principal.canView(assessedUser: user) {
            return .error(403, "no permission to view assessments of user \(user)")
        }
        let (total, page) = self.core.store.list(
            principal: principal, states: states, user: numbers["user"], scorecardBaseId: numbers["scorecardId"], offset: offset,
            limit: limit)
        var writer = JSONStreamWriter(capacity: 256 + page.count * 1400)
        writer.beginObject()
        writer.key("assessments")
        writer.beginArray()
        for record in page {
            writer.assessment(record, self.core.store.scorecards[record.scorecardIndex], canEdit: principal.canEdit(record), full: false)
        }
        writer.endArray()
        writer.key("total")
        writer.int(total)
        writer.endObject()
        return .json(200, writer)
    }

    private func getAssessment(_ principal: Principal, id: Int, _ query: [(String, String)]) -> SimReply {
        var full = true
        if let format = Self.value(query, "format") {
            switch format {
            case "full": full = true
            case "summary": full = false
            default: return .error(400, "query parameter format must be full or summary, got '\(format)'")
            }
        }
        guard let record = self.core.store.record(id: id), record.state != .deleted else {
            return .error(404, "assessment \(id) not found")
        }
        guard principal.canView(assessedUser: record.assessedUser) else {
            return .error(403, "no permission to view assessment \(id)")
        }
        var writer = JSONStreamWriter(capacity: 4096)
        writer.assessment(record, self.core.store.scorecards[record.scorecardIndex], canEdit: principal.canEdit(record), full: full)
        return .json(200, writer)
    }

    private func patchAssessment(_ principal: Principal, id: Int, body: [UInt8], postApplyError: Bool) -> SimReply {
        let parsed = PatchParser.parse(body)
        let outcome = self.core.store.applyPatch(
            id: id, principal: principal, parsed: parsed, nowMilliseconds: SimDate.nowMilliseconds())
        switch outcome {
        case .notFound:
            return .error(404, "assessment \(id) not found")
        case .forbidden:
            return .error(403, "user \(principal.user.id) may not edit assessment \(id)")
        case .invalid(let message):
            return .error(400, message)
        case .conflict(let state):
            return .error(409, "assessment \(id) is in state \(state.rawValue) and cannot be edited")
        case .applied(let record):
            self.core.stats.recordApplied(id: id)
            if postApplyError { return .error(503, "service unavailable (simulated after applying the update)") }
            var writer = JSONStreamWriter(capacity: 4096)
            writer.assessment(record, self.core.store.scorecards[record.scorecardIndex], canEdit: principal.canEdit(record), full: true)
            return .json(200, writer)
        }
    }

    private func listScorecards(_ principal: Principal, _ query: [(String, String)]) -> SimReply {
        var states: Set<ScorecardState> = [.active]
        if let text = Self.value(query, "state") {
            switch Self.stateSet(text, allowed: ScorecardState.allCases, name: "state") {
            case .success(let set): states = set ?? [.active]
            case .failure(let bad): return .error(400, bad.message)
            }
        }
        var writer = JSONStreamWriter(capacity: 16_384)
        writer.beginArray()
        for entry in self.core.store.scorecards where states.contains(entry.scorecard.state) {
            writer.scorecard(entry.scorecard, canEdit: principal.has(.qualityManageScorecards))
        }
        writer.endArray()
        return .json(200, writer)
    }

    // MARK: Control endpoints

    private func control(_ request: Request, path: String) -> SimReply {
        switch (path, request.method) {
        case ("/__sim/state", .get):
            return self.stateDump()
        case ("/__sim/stats", .get):
            return self.statsDump()
        case ("/__sim/reset", .post):
            self.core.reset()
            var writer = JSONStreamWriter(capacity: 32)
            writer.beginObject()
            writer.key("success")
            writer.bool(true)
            writer.endObject()
            return .json(200, writer)
        case ("/__sim/state", _), ("/__sim/stats", _):
            var reply = SimReply.error(405, "method \(request.method.rawValue) not allowed")
            reply.extraHeaders.append((.allow, "GET"))
            return reply
        case ("/__sim/reset", _):
            var reply = SimReply.error(405, "method \(request.method.rawValue) not allowed")
            reply.extraHeaders.append((.allow, "POST"))
            return reply
        default:
            return .error(404, "no such control endpoint: \(path)")
        }
    }

    private func stateDump() -> SimReply {
        let store = self.core.store
        let admin = store.adminPrincipal
        let records = store.snapshot()
        var writer = JSONStreamWriter(capacity: 1024 + records.count * 3000)
        writer.beginObject()
        writer.key("assessments")
        writer.beginArray()
        for record in records {
            writer.assessment(record, store.scorecards[record.scorecardIndex], canEdit: admin.canEdit(record), full: true)
        }
        writer.endArray()
        writer.key("scorecards")
        writer.beginArray()
        for entry in store.scorecards {
            writer.scorecard(entry.scorecard, canEdit: true)
        }
        writer.endArray()
        writer.key("teams")
        writer.beginArray()
        for team in store.teams {
            writer.beginObject()
            writer.key("id")
            writer.int(team.id)
            writer.key("name")
            writer.string(team.name)
            writer.key("members")
            writer.beginArray()
            for member in team.members.sorted() { writer.int(member) }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.key("tokens")
        writer.beginArray()
        for principal in store.principals.values.sorted(by: { $0.user.id < $1.user.id }) {
            writer.beginObject()
            writer.key("token")
            writer.string(principal.token)
            writer.key("userId")
            writer.int(principal.user.id)
            writer.key("name")
            writer.string(principal.user.name)
            writer.key("permissions")
            writer.beginArray()
            for permission in principal.user.permissions.map(\.rawValue).sorted() { writer.string(permission) }
            writer.endArray()
            writer.key("teams")
            writer.beginArray()
            for team in principal.user.teams { writer.int(team) }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return .json(200, writer)
    }

    private func statsDump() -> SimReply {
        let (counts, patches, applied) = self.core.stats.snapshot()
        var writer = JSONStreamWriter(capacity: 4096)
        writer.beginObject()
        writer.key("requests")
        writer.beginArray()
        let keys = counts.keys.sorted { ($0.path, $0.method, $0.status) < ($1.path, $1.method, $1.status) }
        var total = 0
        for key in keys {
            writer.beginObject()
            writer.key("method")
            writer.string(key.method)
            writer.key("path")
            writer.string(key.path)
            writer.key("status")
            writer.int(key.status)
            writer.key("count")
            writer.int(counts[key]!)
            writer.endObject()
            total += counts[key]!
        }
        writer.endArray()
        writer.key("totalRequests")
        writer.int(total)
        for (name, map) in [("patchesByAssessment", patches), ("appliedPatchesByAssessment", applied)] {
            writer.key(name)
            writer.beginObject()
            for id in map.keys.sorted() {
                writer.key(String(id))
                writer.int(map[id]!)
            }
            writer.endObject()
        }
        writer.endObject()
        return .json(200, writer)
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = self[...]
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
