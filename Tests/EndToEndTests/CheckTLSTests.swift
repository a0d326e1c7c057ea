import AssessmentSimulator
import Foundation
import Testing

/// `check` over HTTPS: the TLS line names the CA bundle it verified against, and an unknown CA
/// fails that line before any request (and so the token) leaves.
@Suite(.serialized, .enabled(if: TestCertificates.available, Comment(rawValue: TestCertificates.skipNote)))
struct CheckTLSTests {
    private func check(_ simulator: RunningSimulator, _ extra: [String], dir: String) async -> ProcessResult {
        writePrivate(simulator.token, to: "\(dir)/token")
        return await runTool(["check", "--base-url", simulator.baseURL, "--token-file", "token", "--config", "/dev/null"] + extra,
                             environment: [:], directory: dir)
    }

    @Test func anUnknownCAFailsTheTLSLine() async throws {
        let certificates = try TestCertificates()
        let files = try certificates.serverFiles(named: "server", for: ["127.0.0.1"])
        try await withSimulator(tls: files) { simulator in
            let dir = scratchDirectory()
            let result = await check(simulator, [], dir: dir)
            #expect(result.status == 3)
            let tls = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("tls: ") })
            #expect(tls.hasPrefix("tls: FAILED: the server's TLS certificate is not trusted ("), "\(result.stdout)")
            #expect(tls.contains("pass --ca-bundle FILE with the CA that signed it (verified against the system's"))
            #expect(result.stdout.contains("connect: ok: connected to 127.0.0.1:\(simulator.port)\n"))
            #expect(simulator.apiRequestCount == 0)
            #expect(!result.stdout.contains(simulator.token) && !result.stderr.contains(simulator.token))
        }
    }

    @Test func theCABundleOfTheProfileIsNamedAndTrusted() async throws {
        let certificates = try TestCertificates()
        let files = try certificates.serverFiles(named: "server", for: ["127.0.0.1"])
        try await withSimulator(tls: files) { simulator in
            let home = scratchDirectory()
            writePrivate(simulator.token, to: "\(home)/tls.token")
            try FileManager.default.createDirectory(atPath: "\(home)/.config/assessment-batch", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: certificates.caPath, toPath: "\(home)/ca.pem")
            write("default-profile: tls\nprofiles:\n  tls:\n    base-url: \(simulator.baseURL)\n    token-file: ~/tls.token\n    ca-bundle: ~/ca.pem\n",
                  to: "\(home)/.config/assessment-batch/config.yaml")
            let result = await runTool(["check"], environment: ["HOME": home], directory: home)
            #expect(result.status == 0, "\(result.stdout)")
            #expect(result.stdout.contains("tls: ok: certificate of 127.0.0.1 verified against the CA bundle \(home)/ca.pem (ca-bundle)\n"))
            #expect(!result.stdout.contains(simulator.token))
        }
    }
}
