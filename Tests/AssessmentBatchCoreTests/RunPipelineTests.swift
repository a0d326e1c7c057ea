import CurlHTTP
import Foundation
import Logging
import Testing
@testable import AssessmentBatchCore

/// The whole pipeline against a scripted transport: a wrong base URL fails nothing, a
/// transient failure of the API-root check stops nothing, and a file of the run that cannot
/// be written makes the exit 3.
@Suite struct RunPipelineTests {
    /// A scratch directory with `in.csv` of two assessments.
    private func scratch() throws -> (directory: String, input: String) {
        let directory = NSTemporaryDirectory() + "pipeline-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let input = directory + "/in.csv"
        try "assessmentId,categoryId,criterionId,score\n901,1,2,3\n902,1,2,4\n".write(toFile: input, atomically: true, encoding: .utf8)
        return (directory, input)
    }

    private func apply(_ input: String, out: String, transport: ScriptedTransport, maxAttempts: Int = 6,
                       preflight: Bool = false) -> ApplyJobResult {
        let configuration = ServerConfiguration(baseURL: "https://acme.enneo.ai/api/mind", token: "t0ken", concurrency: 1,
                                                retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: 0.001, maxDelay: 0.002),
                                                transportFactory: transport.factory())
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return ApplyJob.apply(ApplyJobOptions(paths: [input], outDirectory: out, configuration: configuration, preflight: preflight),
                              logger: logger)
    }

    /// A file of the run that fails with "No space left on device": its temporary name is a
    /// link to /dev/full (a full disk that even root cannot write to).
    private func fillDisk(at path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path + ".partial", withDestinationPath: "/dev/full")
    }

    private static let scorecards = ScriptedTransport.Step.answer(200, body: #"[{"id": 1}]"#)

    @Test(arguments: [ScriptedTransport.Step.answer(500, body: #"{"error": "busy"}"#), .answer(503), .answer(429),
                      .fail(.timeout), .fail(.reset)])
    func aTransientFailureOfTheCheckLetsTheRunGoOn(failure: ScriptedTransport.Step) throws {
        let (directory, input) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // One attempt each: the check fails, the PATCHes are refused on their own.
        let transport = ScriptedTransport([failure], then: .answer(422, body: #"{"error": "score out of range"}"#))
        let result = apply(input, out: directory + "/run", transport: transport, maxAttempts: 1)
        #expect(result.exitStatus == .failures)
        #expect(transport.requests.map { "\($0.method) \($0.url)" } == [
            "GET https://acme.enneo.ai/api/mind/quality/scorecard",
            "PATCH https://acme.enneo.ai/api/mind/quality/assessment/901",
            "PATCH https://acme.enneo.ai/api/mind/quality/assessment/902",
        ])
        let report = try #require(result.report)
        #expect(report.abortReason == nil)
        #expect(report.outcomes.map(\.error) == ["HTTP 422: score out of range", "HTTP 422: score out of range"])
    }

    @Test func aDefiniteAnswerOfAnotherServerStillStopsTheRun() throws {
        let (directory, input) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let transport = ScriptedTransport([.answer(404, body: "no such path")], then: .answer(200))
        let result = apply(input, out: directory + "/run", transport: transport, maxAttempts: 1)
        #expect(result.exitStatus == .aborted)
        #expect(transport.requests.count == 1)
        #expect(result.report?.counts.notAttempted == 2)
    }

    @Test(arguments: ["report.json", "in.failures.csv", "report.html"])
    func aFileThatCannotBeWrittenMakesTheExit3(file: String) throws {
        let (directory, input) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try fillDisk(at: "\(directory)/run/\(file)")
        let transport = ScriptedTransport([Self.scorecards], then: .answer(422, body: #"{"error": "no"}"#))
        let result = apply(input, out: directory + "/run", transport: transport)
        #expect(result.exitStatus == .aborted)
        let report = try #require(result.report)
        #expect(report.exitStatus == .aborted)
        #expect(report.filesNotWritten == ["cannot write \(directory)/run/\(file): No space left on device"])
        // The other files are written and tell the same: exit 3 and the file that failed.
        for other in ["report.json", "report.html", "in.failures.csv"] where other != file {
            #expect(FileManager.default.fileExists(atPath: "\(directory)/run/\(other)"), "\(other)")
        }
        if file != "report.json" {
            let json = try String(contentsOfFile: "\(directory)/run/report.json", encoding: .utf8)
            #expect(json.contains("\n  \"exitCode\": 3,\n"))
            #expect(json.contains("\"filesNotWritten\": [\n    \"cannot write \(directory)/run/\(file): No space left on device\"\n  ]"))
        }
        if file != "report.html" {
            let page = try String(contentsOfFile: "\(directory)/run/report.html", encoding: .utf8)
            #expect(page.contains("aborted (exit 3)"))
        }
    }

    @Test func aJournalThatCannotBeWrittenStopsBeforeSending() throws {
        let (directory, input) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/run", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory + "/run/journal.jsonl", withDestinationPath: "/dev/full")
        let transport = ScriptedTransport([Self.scorecards], then: .answer(200))
        let result = apply(input, out: directory + "/run", transport: transport)
        #expect(result.exitStatus == .aborted)
        #expect(transport.requests.isEmpty)
        #expect(result.report == nil)
    }

    @Test func aRunDirectoryThatCannotBeCreatedStopsBeforeSending() throws {
        let (directory, input) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A path component that is a regular file: no one, root included, can make the directory.
        let transport = ScriptedTransport([Self.scorecards], then: .answer(200))
        let result = apply(input, out: input + "/run", transport: transport)
        #expect(result.exitStatus == .aborted)
        #expect(transport.requests.isEmpty)
        #expect(result.runDirectory == nil)
    }

    @Test func aWrongBaseURLStopsBeforePreflightAndLeavesEveryAssessmentNotAttempted() throws {
        let directory = NSTemporaryDirectory() + "pipeline-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/in.csv"
        try "assessmentId,categoryId,criterionId,score\n901,1,2,3\n902,1,2,4\n".write(toFile: input, atomically: true, encoding: .utf8)
        let transport = ScriptedTransport([], then: .answer(200, headers: [("Content-Type", "text/html")], body: "<html></html>"))
        let configuration = ServerConfiguration(baseURL: "https://acme.enneo.ai", token: "t0ken", concurrency: 2,
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

    /// Assessment `id` as the API answers it: state aiReady, criterion 1/2 scored `score`.
    private static func live(_ id: Int, score: Int) -> ScriptedTransport.Step {
        .answer(200, body: #"{"id":\#(id),"scorecardId":42,"state":"aiReady","canEdit":true,"modifiedAt":"2026-01-01T00:00:00Z","#
            + #""data":{"categories":[{"categoryId":1,"criteria":[{"id":2,"score":\#(score),"reason":"r","state":"aiGenerated"}]}]}}"#)
    }

    private static let scorecard42 = ScriptedTransport.Step.answer(200, body:
        #"{"id":42,"categories":[{"categoryId":1,"criteria":[{"id":2,"maxPoints":5,"scoringType":"numericScale"}]}]}"#)

    private func run(_ input: String, out: String, transport: ScriptedTransport, strict: Bool = false, preflight: Bool = true,
                     resumed: [Int: AssessmentOutcome] = [:]) -> ApplyJobResult {
        let configuration = ServerConfiguration(baseURL: "https://acme.enneo.ai/api/mind", token: "t0ken", concurrency: 1,
                                                retry: RetryPolicy(maxAttempts: 1), transportFactory: transport.factory())
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return ApplyJob.apply(ApplyJobOptions(paths: [input], outDirectory: out, configuration: configuration, preflight: preflight,
                                              strict: strict, resumed: resumed), logger: logger)
    }

    @Test(arguments: [false, true])
    func strictStopsEveryWriteWhenPreflightRefusesOne(strict: Bool) throws {
        let (directory, input) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 901 is writable, 902 does not exist; with one worker the answers come in this order.
        let transport = ScriptedTransport([Self.scorecards, Self.live(901, score: 1), Self.scorecard42,
                                           .answer(404, body: #"{"error": "not found"}"#), Self.live(901, score: 3)])
        let result = run(input, out: directory + "/run", transport: transport, strict: strict)
        #expect(result.exitStatus == (strict ? .invalidInput : .failures))
        #expect(transport.requests.map { "\($0.method) \($0.url.dropFirst(30))" } == [
            "GET /quality/scorecard", "GET /quality/assessment/901", "GET /quality/scorecard/42", "GET /quality/assessment/902",
        ] + (strict ? [] : ["PATCH /quality/assessment/901"]))
        let report = try #require(result.report)
        #expect(report.outcomes.map(\.status) == (strict ? [.notAttempted, .failed] : [.applied, .failed]))
        #expect(report.outcomes[1].error == "assessment 902 does not exist or was deleted (HTTP 404: not found)")
        if strict { #expect(report.outcomes[0].error == "not sent: --strict and preflight found problems") }
    }

    @Test func aResumedRunSendsOnlyWhatIsNotFinished() throws {
        let (directory, input) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let transport = ScriptedTransport([Self.scorecards, Self.live(902, score: 4)])
        let done = AssessmentOutcome(assessmentId: 901, sources: [], status: .applied, httpStatus: 200, attempts: 1)
        let failedBefore = AssessmentOutcome(assessmentId: 902, sources: [], status: .failed, errorKind: .transient, attempts: 6)
        let result = run(input, out: directory + "/run", transport: transport, preflight: false, resumed: [901: done, 902: failedBefore])
        #expect(result.exitStatus == .success)
        #expect(transport.requests.map { "\($0.method) \($0.url.dropFirst(30))" } == ["GET /quality/scorecard", "PATCH /quality/assessment/902"])
        let report = try #require(result.report)
        #expect(report.outcomes.map(\.assessmentId) == [901, 902])
        #expect(report.outcomes.map(\.status) == [.applied, .applied])
        #expect(report.outcomes.map { $0.sources.map(\.line) } == [[2], [3]])
    }

    @Test func anUndoFileThatCannotBeWrittenSendsNothing() throws {
        let (directory, input) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/run", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory + "/run/undo.jsonl", withDestinationPath: "/dev/full")
        let transport = ScriptedTransport([Self.scorecards, Self.live(901, score: 1), Self.scorecard42, Self.live(902, score: 1)])
        let result = run(input, out: directory + "/run", transport: transport)
        #expect(result.exitStatus == .aborted)
        #expect(!transport.requests.contains { $0.method == "PATCH" })
        let report = try #require(result.report)
        #expect(report.outcomes.map(\.status) == [.notAttempted, .notAttempted])
        guard case .localFailure(let message)? = report.abortReason else {
            Issue.record("expected localFailure, got \(String(describing: report.abortReason))")
            return
        }
        #expect(message.contains("undo.jsonl: No space left on device"))
    }
}
