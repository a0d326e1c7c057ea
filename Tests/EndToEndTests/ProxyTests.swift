import AssessmentSimulator
import Foundation
import Testing

/// `HTTPS_PROXY` and `NO_PROXY` are honoured as curl honours them: a host name only the proxy
/// can resolve is reached through it, every connection a tunnel of the proxy's.
@Suite(.serialized, .enabled(if: TestCertificates.available, Comment(rawValue: TestCertificates.skipNote)))
struct ProxyTests {
    /// Only the proxy knows this name (`.test` is reserved: no resolver answers it).
    private let hostName = "assessments.test"

    private func withProxiedSimulator(_ body: (RunningSimulator, String, TestCertificates, String) async throws -> Void) async throws {
        let certificates = try TestCertificates()
        let files = try certificates.serverFiles(named: "proxied", for: [hostName])
        try await withSimulator(tls: files) { simulator in
            let dir = scratchDirectory()
            write(scoreChangesCSV(simulator, count: 6).csv, to: "\(dir)/in.csv")
            try await body(simulator, "https://\(hostName):\(simulator.port)/api/mind", certificates, dir)
        }
    }

    private func apply(_ baseURL: String, _ certificates: TestCertificates, token: String, environment: [String: String],
                       dir: String) async -> ProcessResult {
        await runTool(["apply", "in.csv", "--base-url", baseURL, "--ca-bundle", certificates.caPath, "--out", "run",
                       "--concurrency", "3", "--give-up-after", "2", "--max-attempts", "2"],
                      environment: environment.merging(["ENNEO_TOKEN": token]) { $1 }, directory: dir)
    }

    @Test func throughHTTPSProxyEveryConnectionIsATunnel() async throws {
        let proxy = try LoopbackConnectProxy(hosts: [hostName])
        defer { proxy.stop() }
        try await withProxiedSimulator { simulator, baseURL, certificates, dir in
            let result = await apply(baseURL, certificates, token: simulator.token, environment: ["HTTPS_PROXY": proxy.url], dir: dir)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let report = try report(in: "\(dir)/run")
            #expect(report.int("counts", "applied") == 6)
            let tunnels = proxy.tunnels
            #expect(!tunnels.isEmpty)
            #expect(Set(tunnels) == ["\(hostName):\(simulator.port)"])
            #expect(tunnels.count == report.int("http", "newConnections"))
        }
    }

    @Test func withoutTheProxyTheHostCannotBeReached() async throws {
        try await withProxiedSimulator { simulator, baseURL, certificates, dir in
            let result = await apply(baseURL, certificates, token: simulator.token, environment: [:], dir: dir)
            // A host nobody resolves: the run ends as an unreachable server does, at once.
            #expect(result.status == 3)
            #expect(result.stderr.contains("cannot connect to \(hostName):\(simulator.port): host not found (no request of this run got an answer)"),
                    "stderr: \(result.stderr)")
            #expect(simulator.apiRequestCount == 0)
        }
    }

    @Test func noProxyBypassesTheProxy() async throws {
        let proxy = try LoopbackConnectProxy(hosts: [hostName])
        defer { proxy.stop() }
        try await withProxiedSimulator { simulator, baseURL, certificates, dir in
            let result = await apply(baseURL, certificates, token: simulator.token,
                                     environment: ["HTTPS_PROXY": proxy.url, "NO_PROXY": hostName], dir: dir)
            #expect(result.status == 3)
            #expect(proxy.tunnels.isEmpty)
            #expect(simulator.apiRequestCount == 0)
        }
    }
}
