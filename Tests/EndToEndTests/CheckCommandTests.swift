import AssessmentBatchCore
import AssessmentSimulator
import CurlHTTP
import Foundation
import StrictJSON
import Testing

/// `assessment-batch check`: one line per check on stdout, exit 0, 2 or 3, against a healthy
/// simulator and against each way a set-up goes wrong.
@Suite(.serialized) struct CheckCommandTests {
    /// The status word of each check, in order.
    private func statuses(_ stdout: String) -> [String] {
        stdout.split(separator: "\n").map { line in
            String(line.split(separator: ":", maxSplits: 2)[1].trimmingCharacters(in: .whitespaces))
        }
    }

    private func line(_ stdout: String, _ check: String) -> String? {
        stdout.split(separator: "\n").first { $0.hasPrefix(check + ": ") }.map(String.init)
    }

    @Test func aHealthySimulatorPassesEveryCheck() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            let result = await fixture.run(["check"])
            #expect(result.status == 0, "stdout: \(result.stdout)")
            #expect(result.stdout.split(separator: "\n").map { String($0.split(separator: ":")[0]) }
                == ["configuration", "dns", "connect", "tls", "api root", "token", "can edit", "clock", "rate limit"])
            #expect(statuses(result.stdout) == ["ok", "ok", "ok", "skipped", "ok", "ok", "ok", "ok", "skipped"])
            #expect(line(result.stdout, "configuration") == "configuration: ok: profile alpha (default-profile) from \(fixture.configPath); "
                + "server \(alpha.baseURL) (profile); token from token-file ~/alpha.token of profile 'alpha', mode 0600")
            #expect(line(result.stdout, "connect") == "connect: ok: connected to 127.0.0.1:\(alpha.port)")
            #expect(line(result.stdout, "can edit")?.hasPrefix("can edit: ok: the token can edit assessment ") == true)
            // The same clock on both sides: ok, within the 60 s allowed. How close is not asserted: a
            // loaded machine stretches the probe's round trip by seconds.
            let clock = line(result.stdout, "clock") ?? ""
            #expect(clock.hasPrefix("clock: ok: within ") && clock.contains(" s of the server's Date ("), "\(result.stdout)")
            #expect(result.stderr.isEmpty)
            #expect(beta.apiRequestCount == 0)
            #expect(alpha.requestCount(method: "PATCH", path: "/api/mind/quality/assessment/{id}") == 0, "check never writes")
            expectNoToken(result)

            let other = await fixture.run(["check", "--profile", "beta"])
            #expect(other.status == 0, "stdout: \(other.stdout)")
            #expect(beta.apiRequestCount == 3, "the connection probe, the API root with the token, the list")
        }
    }

    @Test func jsonGivesOneObjectPerCheck() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            let result = await fixture.run(["check", "--log-format", "json"])
            #expect(result.status == 0)
            let objects = try result.stdout.split(separator: "\n").map { line in
                try #require(try Array(line.utf8).withUnsafeBytes { try JSONParser.parse($0) }.objectValue)
            }
            #expect(objects.count == 9)
            #expect(objects.compactMap { $0["check"]?.stringValue } == CheckLine.checks)
            #expect(objects.allSatisfy { $0["timestamp"] != nil && $0["level"] != nil && $0["message"] != nil })
            #expect(objects.first?["status"]?.stringValue == "ok")
            expectNoToken(result)
        }
    }

    @Test func aBaseURLWithoutTheAPIPathFailsTheAPIRootLine() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            let result = await fixture.run(["check", "--base-url", alpha.rootURL])
            #expect(result.status == 3)
            #expect(statuses(result.stdout) == ["ok", "ok", "ok", "skipped", "FAILED", "skipped", "skipped", "skipped", "skipped"])
            #expect(line(result.stdout, "api root") == "api root: FAILED: GET \(alpha.rootURL)/quality/scorecard answered 404 (no such path): "
                + "\(alpha.rootURL) does not look like the enneo API; the base URL should end in /api/mind (e.g. \(alpha.rootURL)/api/mind)")
            expectNoToken(result)
        }
    }

    @Test func aWrongTokenFailsTheTokenLine() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            writePrivate("not-the-s3cret\n", to: "\(fixture.home)/alpha.token")
            let result = await fixture.run(["check"])
            #expect(result.status == 3)
            #expect(statuses(result.stdout) == ["ok", "ok", "ok", "skipped", "skipped", "FAILED", "skipped", "skipped", "skipped"])
            #expect(line(result.stdout, "token")?.hasPrefix("token: FAILED: the server refused the token (HTTP 401") == true)
            #expect(!result.stdout.contains("not-the-s3cret"))
            expectNoToken(result)
        }
    }

    @Test func aTokenThatCannotEditFailsTheCanEditLine() async throws {
        try await withSimulator(assessments: 20) { simulator in
            let dir = scratchDirectory()
            writePrivate(SimulatorTokens.viewOnly, to: "\(dir)/viewer.token")
            let result = await runTool(["check", "--base-url", simulator.baseURL, "--token-file", "viewer.token", "--config", "/dev/null"],
                                       environment: [:], directory: dir)
            #expect(result.status == 3)
            #expect(line(result.stdout, "token")?.hasPrefix("token: ok: ") == true)
            #expect(line(result.stdout, "can edit")?.hasPrefix("can edit: FAILED: the token can read but edit none of the ") == true,
                    "\(result.stdout)")
            #expect(line(result.stdout, "can edit")?.hasSuffix(" assessments it lists (canEdit is false): ask an enneo admin for the permission to do quality assessments") == true)
            #expect(!result.stdout.contains(SimulatorTokens.viewOnly))
        }
    }

    @Test func aClosedPortFailsTheConnectLine() async throws {
        let dir = scratchDirectory()
        writePrivate("s3cret-token\n", to: "\(dir)/token")
        // Nothing listens on port 9 of loopback.
        let result = await runTool(["check", "--base-url", "http://127.0.0.1:9/api/mind", "--token-file", "token", "--config", "/dev/null"],
                                   environment: [:], directory: dir)
        #expect(result.status == 3)
        #expect(statuses(result.stdout) == ["ok", "ok", "FAILED", "skipped", "skipped", "skipped", "skipped", "skipped", "skipped"])
        #expect(line(result.stdout, "connect") == "connect: FAILED: cannot connect to 127.0.0.1:9 (connection refused): check that the server runs "
            + "and the port in the base URL, or a firewall or proxy in between")
        #expect(line(result.stdout, "configuration") == "configuration: ok: no profile (/dev/null names no default-profile); "
            + "server http://127.0.0.1:9/api/mind (--base-url); token from --token-file token, mode 0600")
        expectNoToken(result)
    }

    @Test func aConfigurationProblemIsExit2() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            chmod("\(fixture.home)/beta.token", 0o644)
            let result = await fixture.run(["check", "--profile", "beta"])
            #expect(result.status == 2)
            #expect(line(result.stdout, "configuration") == "configuration: FAILED: token-file \(fixture.home)/beta.token of profile 'beta' can be read "
                + "by its group and others (mode 0644): a token file must be private to its owner; fix it with: chmod 600 \(fixture.home)/beta.token")
            #expect(statuses(result.stdout).dropFirst().allSatisfy { $0 == "skipped" })
            #expect(alpha.apiRequestCount == 0 && beta.apiRequestCount == 0)
            expectNoToken(result)
        }
    }
}

extension CheckCommandTests {
    @Test func aClockFarFromTheServersFailsTheClockLine() async throws {
        try await withSimulator(assessments: 5) { simulator in
            try? CurlGlobal.initialize()
            var check = ConnectionCheck(baseURL: simulator.baseURL, token: simulator.token, transport: TransportOptions(), caBundle: nil)
            check.now = { Date().addingTimeInterval(300) }
            let aheadCheck = check
            let ahead = await runBlocking { aheadCheck.run() }
            let clock = try #require(ahead.first { $0.check == "clock" })
            #expect(clock.status == .failed && clock.exitStatus == .aborted)
            // The Date header has whole seconds: 300 s, give or take the one being rounded.
            #expect(["299", "300", "301"].contains { clock.detail.hasPrefix("this machine's clock is \($0) s ahead of the server's Date (") },
                    "\(clock.detail)")
            #expect(clock.detail.hasSuffix("): set it right (e.g. timedatectl set-ntp true)"))
            #expect(CheckLine.exitStatus(of: ahead) == .aborted)
            check.now = { Date().addingTimeInterval(-120) }
            let behindCheck = check
            let behind = await runBlocking { behindCheck.run() }
            let behindDetail = try #require(behind.first { $0.check == "clock" }?.detail)
            #expect(["119", "120", "121"].contains { behindDetail.hasPrefix("this machine's clock is \($0) s behind the server's Date (") }, "\(behindDetail)")
            check.now = { Date() }
            let inTimeCheck = check
            let inTime = await runBlocking { inTimeCheck.run() }
            #expect(CheckLine.exitStatus(of: inTime) == .success, "\(inTime)")
        }
    }
}

extension CheckCommandTests {
    @Test func rateLimitHeadersAreReportedAndTheRequestsHeldTheToken() async throws {
        let server = try LoopbackHTTPServer { request in
            var response: CannedResponse = request.target.hasPrefix("/api/mind/quality/scorecard")
                ? .json(200, #"[{"id": 1}]"#)
                : .json(200, #"{"assessments": [{"id": 1001, "canEdit": true}], "total": 1}"#)
            response.headers += [(name: "Date", value: "Sun, 06 Dec 2020 03:00:00 GMT"),
                                 (name: "RateLimit-Limit", value: "100"), (name: "RateLimit-Remaining", value: "0")]
            return response
        }
        defer { server.stop() }
        let dir = scratchDirectory()
        writePrivate("s3cret-rate\n", to: "\(dir)/token")
        let result = await runTool(["check", "--base-url", server.root + "/api/mind", "--token-file", "token", "--config", "/dev/null"],
                                   environment: [:], directory: dir)
        #expect(line(result.stdout, "rate limit") == "rate limit: warning: RateLimit-Limit: 100; RateLimit-Remaining: 0: no requests left in this window")
        #expect(line(result.stdout, "can edit") == "can edit: ok: the token can edit assessment 1001 (canEdit on the first of 1 listed)")
        // A Date years before now: the clock line fails, and so the run (exit 3).
        #expect(line(result.stdout, "clock")?.hasPrefix("clock: FAILED: this machine's clock is ") == true)
        #expect(result.status == 3)
        #expect(server.requests.map(\.target)
            == ["/api/mind/quality/scorecard", "/api/mind/quality/scorecard", "/api/mind/quality/assessment?limit=100&offset=0"])
        // The connection is probed without the token; the reads carry it.
        #expect(server.requests.map { $0.header("Authorization") } == [nil, "Bearer s3cret-rate", "Bearer s3cret-rate"])
        #expect(!result.stdout.contains("s3cret") && !result.stderr.contains("s3cret"))
    }
}
