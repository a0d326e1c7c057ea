import AssessmentSimulator
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 client over one keep-alive loopback connection, written against POSIX
/// sockets so that tests see exactly what goes over the wire: every status, every header, and a
/// connection reset as `.dropped` (nothing is retried behind the test's back).
///
/// It is blocking. Short exchanges are made straight from `async` tests (the simulator must keep
/// answering while cooperative threads are blocked in them); long loops run on a thread of their
/// own through `blocking { … }` so that they do not hold a cooperative thread for seconds. Use one
/// client from one thread at a time.
final class WireClient: @unchecked Sendable {
    enum Failure: Error, Equatable {
        case connect(Int32)
        case dropped
        case timeout
        case malformed(String)
    }

    struct Reply {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            self.headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }

        var text: String { String(decoding: self.body, as: UTF8.self) }

        /// The body as a JSON object; a body that is not one fails the test.
        var object: [String: Any] {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(self.body))) as? [String: Any] else {
                Issue.record("the body is not a JSON object: \(self.text.prefix(200))")
                return [:]
            }
            return object
        }

        /// The body as a JSON array of objects; a body that is not one fails the test.
        var array: [[String: Any]] {
            guard let array = (try? JSONSerialization.jsonObject(with: Data(self.body))) as? [[String: Any]] else {
                Issue.record("the body is not a JSON array of objects: \(self.text.prefix(200))")
                return []
            }
            return array
        }

        /// The `error` message of an error body.
        var errorMessage: String? {
            guard self.object["success"] as? Bool == false else { return nil }
            return self.object["error"] as? String
        }
    }

    let port: Int
    private var fd: Int32 = -1
    /// Connections opened so far.
    private(set) var connects = 0

    init(port: Int) {
        self.port = port
    }

    deinit {
        self.close()
    }

    func close() {
        if self.fd >= 0 {
            Glibc.close(self.fd)
            self.fd = -1
        }
    }

    private func connect() throws(Failure) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .connect(errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(self.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let error = errno
            Glibc.close(fd)
            throw .connect(error)
        }
        self.fd = fd
        self.connects += 1
    }

    /// Sends one request and reads the reply. `.dropped` means the server closed or reset the
    /// connection before a complete reply (the next request opens a new connection).
    func send(
        _ method: String, _ target: String, token: String? = nil, body: String? = nil, headers: [(String, String)] = []
    ) throws(Failure) -> Reply {
        if self.fd < 0 { try self.connect() }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(self.port)\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let bodyBytes = Array((body ?? "").utf8)
        if body != nil { head += "Content-Type: application/json\r\nContent-Length: \(bodyBytes.count)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + bodyBytes
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 {
                self.close()
                throw .dropped
            }
            sent += n
        }
        do {
            let reply = try self.readReply()
            if reply.header("connection")?.lowercased() == "close" { self.close() }
            return reply
        } catch {
            self.close()
            throw error
        }
    }

    private func readReply() throws(Failure) -> Reply {
        var buffer: [UInt8] = []
        var headerEnd: Int?
        var chunk = [UInt8](repeating: 0, count: 65_536)
        func fill() throws(Failure) {
            let n = chunk.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return
            }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { throw .timeout }
            throw .dropped
        }
        while headerEnd == nil {
            try fill()
            if buffer.count >= 4 {
                for i in 0...(buffer.count - 4)
                where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    headerEnd = i
                    break
                }
            }
        }
        let headText = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw .malformed(headText) }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        let bodyStart = headerEnd! + 4
        while buffer.count < bodyStart + length { try fill() }
        return Reply(status: status, headers: headers, body: Array(buffer[bodyStart..<(bodyStart + length)]))
    }
}

/// Runs blocking work on a new thread and waits for it without holding a cooperative thread.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            do {
                continuation.resume(returning: try body())
            } catch {
                continuation.resume(throwing: error)
            }
        }.start()
    }
}

/// Starts a simulator for the duration of `body`.
@discardableResult
func withSimulator<T>(
    _ configuration: SimulatorConfiguration = SimulatorConfiguration(port: 0),
    _ body: (RunningSimulator) async throws -> T
) async throws -> T {
    var configuration = configuration
    configuration.port = 0
    let simulator = try await Simulator.start(configuration)
    do {
        let value = try await body(simulator)
        await simulator.shutdown()
        return value
    } catch {
        await simulator.shutdown()
        throw error
    }
}

/// A simulator on the test fixture seed (see `Fixture`).
@discardableResult
func withFixture<T>(faults: FaultSettings = FaultSettings(), _ body: (RunningSimulator, WireClient) async throws -> T) async throws -> T {
    try await withSimulator(SimulatorConfiguration(port: 0, seed: .file(path: Fixture.path), faults: faults)) { simulator in
        let client = WireClient(port: simulator.port)
        defer { client.close() }
        return try await body(simulator, client)
    }
}

extension WireClient {
    func get(_ path: String, token: String? = SimulatorTokens.demo) throws(Failure) -> Reply {
        try self.send("GET", Simulator.basePath + path, token: token)
    }

    func patch(_ id: Int, _ body: String, token: String? = SimulatorTokens.demo) throws(Failure) -> Reply {
        try self.send("PATCH", Simulator.basePath + "/quality/assessment/\(id)", token: token, body: body)
    }
}

/// Helpers to dig into decoded JSON.
extension Dictionary where Key == String, Value == Any {
    func dict(_ key: String) -> [String: Any] { self[key] as? [String: Any] ?? [:] }
    func list(_ key: String) -> [[String: Any]] { self[key] as? [[String: Any]] ?? [] }
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
    func string(_ key: String) -> String? { self[key] as? String }
    func isNull(_ key: String) -> Bool { self[key] is NSNull }

    /// `data.categories[categoryId].criteria[criterionId]` of a full assessment.
    func criterion(_ categoryId: Int, _ criterionId: Int) -> [String: Any]? {
        for category in self.dict("data").list("categories") where category.int("categoryId") == categoryId {
            return category.list("criteria").first { $0.int("id") == criterionId }
        }
        return nil
    }
}

/// The test seed, written once to a temporary file.
///
/// Scorecard 42 (base 41, revision 2, active), total max 25:
///   category 1: criterion 1 numericScale max 5; criterion 2 metNotMet max 2 makeOrBreakForCategory
///   category 2: criterion 3 metNotMet max 3 makeOrBreakForAssessment; criterion 4 numericScale max 10
///   category 3: criterion 5 numericScale max 4; criterion 6 metNotMet max 1 (not AI, unscored)
/// Scorecard 41 (base 41, revision 1, retired): category 7 with criterion 70 numericScale max 5.
/// Scorecard 60 (base 60, draft) and 61 (base 61, deleted): category 8 / criterion 80.
/// Teams: 1 = users 42…45, 2 = users 50, 51.
enum Fixture {
    static let path: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("assessment-sim-fixture-\(getpid()).json").path
        try! Fixture.json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }()

    /// 901 aiReady: scores 4, 2, 3, 8, 3, – → scored 20, usedMax 24, totalMax 25, 83 %.
    static let json = """
        {
          "teams": [
            {"id": 1, "name": "North", "members": [42, 43, 44, 45]},
            {"id": 2, "name": "South", "members": [50, 51]}
          ],
          "tokens": [
            {"token": "own-viewer", "userId": 43, "permissions": ["qualityViewAssessmentOwn"]},
            {"token": "no-view", "userId": 99, "permissions": []}
          ],
          "scorecards": [
            {"id": 41, "baseId": 41, "revision": 1, "name": "Standard", "state": "retired",
             "createdAt": "2025-01-01T00:00:00Z",
             "categories": [{"categoryId": 7, "label": "Old", "criteria": [
                {"id": 70, "label": "Old criterion", "maxPoints": 5, "scoringType": "numericScale"}]}]},
            {"id": 42, "baseId": 41, "revision": 2, "name": "Standard", "state": "active",
             "createdAt": "2025-02-01T00:00:00Z",
             "categories": [
               {"categoryId": 1, "label": "Opening", "order": 1, "criteria": [
                 {"id": 1, "label": "Greeting", "maxPoints": 5, "scoringType": "numericScale"},
                 {"id": 2, "label": "Identification", "maxPoints": 2, "scoringType": "metNotMet", "makeOrBreakForCategory": true}]},
               {"categoryId": 2, "label": "Compliance", "order": 2, "criteria": [
                 {"id": 3, "label": "Data protection", "maxPoints": 3, "scoringType": "metNotMet", "makeOrBreakForAssessment": true},
                 {"id": 4, "label": "Accuracy", "maxPoints": 10, "scoringType": "numericScale"}]},
               {"categoryId": 3, "label": "Closing", "order": 3, "criteria": [
                 {"id": 5, "label": "Summary", "maxPoints": 4, "scoringType": "numericScale"},
                 {"id": 6, "label": "Closing formula", "maxPoints": 1, "scoringType": "metNotMet", "autoGenerateByAi": false}]}
             ]},
            {"id": 60, "baseId": 60, "name": "Draft card", "state": "draft",
             "categories": [{"categoryId": 8, "label": "Only", "criteria": [{"id": 80, "label": "C", "maxPoints": 1, "scoringType": "metNotMet"}]}]},
            {"id": 61, "baseId": 61, "name": "Deleted card", "state": "deleted",
             "categories": [{"categoryId": 9, "label": "Only", "criteria": [{"id": 90, "label": "C", "maxPoints": 1, "scoringType": "metNotMet"}]}]}
          ],
          "assessments": [
            {"id": 901, "scorecardId": 42, "state": "aiReady", "assessedUser": 42, "ticketId": 5001,
             "aiSummary": "AI summary 901", "createdAt": "2025-06-01T10:00:00Z", "modifiedAt": "2025-06-01T10:05:00Z",
             "criteria": [
               {"categoryId": 1, "criterionId": 1, "score": 4, "reason": "ok greeting"},
               {"categoryId": 1, "criterionId": 2, "score": 2, "reason": "identified"},
               {"categoryId": 2, "criterionId": 3, "score": 3, "reason": "compliant"},
               {"categoryId": 2, "criterionId": 4, "score": 8, "reason": "mostly accurate"},
               {"categoryId": 3, "criterionId": 5, "score": 3, "reason": "short summary"}]},
            {"id": 902, "scorecardId": 42, "state": "reviewOngoing", "assessedUser": 43, "assessedByUser": 12, "ticketId": 5002,
             "createdAt": "2025-06-01T11:00:00Z",
             "criteria": [{"categoryId": 1, "criterionId": 1, "score": 5, "reason": "great", "lastEditedByUserId": 12,
                           "lastEditedAt": "2025-06-01T12:00:00Z"}]},
            {"id": 903, "scorecardId": 42, "state": "reviewedBySupervisor", "assessedUser": 50, "assessedByUser": 12,
             "ticketId": 5003, "supervisorAssessment": "fine", "assessmentDate": "2025-06-02T09:00:00Z",
             "createdAt": "2025-06-01T12:00:00Z"},
            {"id": 904, "scorecardId": 42, "state": "discussedWithAssessee", "assessedUser": 44, "assessedByUser": 12,
             "ticketId": 5004, "discussionDate": "2025-06-03T09:00:00Z", "createdAt": "2025-06-01T13:00:00Z"},
            {"id": 905, "scorecardId": 42, "state": "unprocessed", "assessedUser": 42, "ticketId": 5005, "createdAt": "2025-06-01T14:00:00Z"},
            {"id": 906, "scorecardId": 42, "state": "aiInProgress", "assessedUser": 42, "ticketId": 5006, "createdAt": "2025-06-01T15:00:00Z"},
            {"id": 907, "scorecardId": 42, "state": "error", "assessedUser": 42, "ticketId": 5007, "createdAt": "2025-06-01T16:00:00Z"},
            {"id": 908, "scorecardId": 42, "state": "deleted", "assessedUser": 42, "ticketId": 5008, "createdAt": "2025-06-01T17:00:00Z"},
            {"id": 909, "scorecardId": 42, "state": "aiReady", "assessedUser": 12, "ticketId": 5009, "createdAt": "2025-06-01T18:00:00Z"},
            {"id": 910, "scorecardId": 41, "state": "aiReady", "assessedUser": 44, "ticketId": 5010, "createdAt": "2025-06-01T19:00:00Z",
             "criteria": [{"categoryId": 7, "criterionId": 70, "score": 3}]},
            {"id": 911, "scorecardId": 42, "state": "aiReady", "assessedUser": 51, "ticketId": 5011, "createdAt": "2025-06-01T20:00:00Z"},
            {"id": 912, "scorecardId": 42, "state": "reviewOngoing", "assessedUser": 45, "ticketId": 5012, "createdAt": "2025-06-01T21:00:00Z"}
          ]
        }
        """
}

/// The package root (for `samples/`).
let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
