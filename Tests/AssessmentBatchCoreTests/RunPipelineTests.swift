import CurlHTTP
import Foundation
import Logging
import Testing
@testable import AssessmentBatchCore

/// The whole pipeline against a scripted transport: a wrong base URL fails nothing.
@Suite struct RunPipelineTests {
    @Test func aWrongBaseURLStopsBeforePreflightAndLeavesEveryAssessmentNotAttempted() throws {
        let directory = NSTemporaryDirectory() + "pipeline-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/in.csv"
        try "assessmentId,categoryId,criterionId,score\n901,1,2,3\n902,1,2,4\n".write(toFile: input, atomically: true, encoding: .utf8)
        let transport = ScriptedTransport([], then: .answer(200, headers: [("Content-Type", "text/html")], body: "<html></html>"))
        let configuration = ApplyConfiguration(baseURL: "https://acme.enneo.ai", token: "t0ken", concurrency: 2,
                                               transportFactory: transport.factory())
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let result = ApplyJob.apply(ApplyJobOptions(paths: [input], outDirectory: directory + "/run", configuration: configuration),
                                    logger: logger)
        #expect(result.exitStatus == .aborted)
        #expect(transport.requests.map(\.url) == ["https://acme.enneo.ai/quality/scorecard"])
        let report = try #require(result.report)
        #expect(report.counts.notAttempted == 2)
        #expect(report.counts.failed == 0)
        guard case .notTheAPI(let message)? = report.abortReason else {
            Issue.record("expected notTheAPI, got \(String(describing: report.abortReason))")
            return
        }
        #expect(message.hasSuffix("; the base URL should end in /api/mind (e.g. https://acme.enneo.ai/api/mind)"))
        let failures = try String(contentsOfFile: directory + "/run/in.failures.csv", encoding: .utf8)
        #expect(failures.contains("901,1,2,3,"))
        #expect(failures.split(separator: "\n").dropFirst().allSatisfy { $0.contains(",notAttempted,") })
    }
}
