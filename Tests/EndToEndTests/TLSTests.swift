import AssessmentSimulator
import Foundation
import Testing

/// HTTPS against the simulator with a CA made for the test: a CA passed with --ca-bundle is
/// trusted; an unknown CA or a certificate for another host name stops the run before any
/// request (and so any token) leaves.
@Suite(.serialized, .enabled(if: TestCertificates.available, Comment(rawValue: TestCertificates.skipNote)))
struct TLSTests {
    private func apply(_ simulator: RunningSimulator, baseURL: String? = nil, extra: [String], dir: String) async -> ProcessResult {
        await runTool(["apply", "in.csv", "--base-url", baseURL ?? simulator.baseURL, "--out", "run", "--concurrency", "2"] + extra,
                      environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
    }

    @Test func httpsWithTheCAInCABundleApplies() async throws {
        let certificates = try TestCertificates()
        let files = try certificates.serverFiles(named: "server", for: ["127.0.0.1"])
        try await withSimulator(tls: files) { simulator in
            #expect(simulator.baseURL.hasPrefix("https://127.0.0.1:"))
            let dir = scratchDirectory()
            let (csv, ids) = scoreChangesCSV(simulator, count: 5)
            write(csv, to: "\(dir)/in.csv")
            let result = await apply(simulator, extra: ["--ca-bundle", certificates.caPath], dir: dir)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let applied = try report(in: "\(dir)/run").int("counts", "applied")
            #expect(applied == ids.count)
            #expect(ids.map { simulator.appliedPatchCount(for: $0) } == Array(repeating: 1, count: ids.count))
        }
    }

    @Test(arguments: [true, false])
    func untrustedCertificateStopsBeforeAnyRequest(preflight: Bool) async throws {
        let certificates = try TestCertificates()
        let files = try certificates.serverFiles(named: "server", for: ["127.0.0.1"])
        try await withSimulator(tls: files) { simulator in
            let dir = scratchDirectory()
            write(scoreChangesCSV(simulator, count: 5).csv, to: "\(dir)/in.csv")
            let result = await apply(simulator, extra: preflight ? [] : ["--no-preflight"], dir: dir)
            #expect(result.status == 3)
            #expect(result.stderr.contains("the server's TLS certificate is not trusted ("), "stderr: \(result.stderr)")
            #expect(result.stderr.contains("pass --ca-bundle FILE with the CA that signed it"))
            #expect(simulator.apiRequestCount == 0)
            #expect(!result.stderr.contains(simulator.token))
        }
    }

    @Test func certificateForAnotherHostNameIsRefused() async throws {
        let certificates = try TestCertificates()
        let files = try certificates.serverFiles(named: "elsewhere", for: ["elsewhere.test"])
        try await withSimulator(tls: files) { simulator in
            let dir = scratchDirectory()
            write(scoreChangesCSV(simulator, count: 5).csv, to: "\(dir)/in.csv")
            let result = await apply(simulator, extra: ["--ca-bundle", certificates.caPath, "--no-preflight"], dir: dir)
            #expect(result.status == 3)
            #expect(result.stderr.contains("the server's TLS certificate is not valid for this host name ("), "stderr: \(result.stderr)")
            #expect(simulator.apiRequestCount == 0)
        }
    }

    @Test func unreadableCABundleIsNamed() async throws {
        let certificates = try TestCertificates()
        let files = try certificates.serverFiles(named: "server", for: ["127.0.0.1"])
        try await withSimulator(tls: files) { simulator in
            let dir = scratchDirectory()
            write(scoreChangesCSV(simulator, count: 2).csv, to: "\(dir)/in.csv")
            let result = await apply(simulator, extra: ["--ca-bundle", "\(dir)/no-such-ca.pem"], dir: dir)
            #expect(result.status == 3)
            #expect(result.stderr.contains("cannot use the CA bundle ("), "stderr: \(result.stderr)")
            #expect(simulator.apiRequestCount == 0)
        }
    }
}
