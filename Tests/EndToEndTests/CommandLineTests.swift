import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import Testing

/// The command layer as a user meets it: usage errors and token mistakes exit 2 with one
/// line, no usage banner, and never a byte of the token.
@Suite struct CommandLineTests {
    private func expectOneLine(_ result: ProcessResult, _ line: String, status: Int32 = 2) {
        #expect(result.status == status)
        #expect(result.stderr == line + "\n")
        #expect(!result.stderr.contains("Usage:"))
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: ["validate", "plan", "apply"])
    func aCommandWithoutFilesIsAUsageError(command: String) async {
        let result = await runTool([command], environment: ["ENNEO_TOKEN": "x"], directory: scratchDirectory())
        #expect(result.status == 2)
        #expect(result.stderr.contains("Give at least one input file."))
    }

    @Test(arguments: [
        (["apply", "--concurrency", "0", "in.csv"], "--concurrency must be between 1 and 256."),
        (["apply", "--max-attempts", "0", "in.csv"], "--max-attempts must be at least 1."),
        (["plan", "--format", "xlsx", "in.csv"], "--format must be csv, tsv or jsonl, not 'xlsx'."),
        (["validate", "--delimiter", "|", "in.csv"], "--delimiter must be ',', ';' or 'tab', not '|'."),
        (["apply", "--no-such-flag", "in.csv"], "Unknown option '--no-such-flag'"),
    ])
    func badOptionsExit2WithTheirMessage(arguments: [String], message: String) async {
        let dir = scratchDirectory()
        write("assessmentId,supervisorAssessment\n1001,x\n", to: "\(dir)/in.csv")
        let result = await runTool(arguments, environment: ["ENNEO_TOKEN": "x"], directory: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message))
    }

    @Test func noTokenSaysHowToGiveOne() async {
        let dir = scratchDirectory()
        write("assessmentId,supervisorAssessment\n1001,x\n", to: "\(dir)/in.csv")
        let result = await runTool(["apply", "in.csv"], environment: [:], directory: dir)
        expectOneLine(result, "assessment-batch: No API token: set ENNEO_TOKEN or pass --token-file FILE (a file holding the token alone).")
    }

    @Test func eachTokenFileMistakeHasItsOwnMessage() async throws {
        let dir = scratchDirectory()
        write("assessmentId,supervisorAssessment\n1001,x\n", to: "\(dir)/in.csv")
        writePrivate("  \n", to: "\(dir)/empty-token")
        writePrivate("s3cr3t-first\ns3cr3t-second\n", to: "\(dir)/two-lines")
        try FileManager.default.createDirectory(atPath: "\(dir)/a-directory", withIntermediateDirectories: true)
        let cases: [(String, String)] = [
            ("missing-token", "assessment-batch: --token-file missing-token does not exist: write the API token into that file, or set ENNEO_TOKEN instead."),
            ("empty-token", "assessment-batch: --token-file empty-token is empty: it must hold the API token."),
            ("a-directory", "assessment-batch: --token-file a-directory is a directory: name the file that holds the API token."),
            ("two-lines", "assessment-batch: --token-file two-lines has a line break inside the token: it must hold the token alone on one line."),
        ]
        for (file, message) in cases {
            let result = await runTool(["plan", "in.csv", "--token-file", file], environment: [:], directory: dir)
            expectOneLine(result, message)
            #expect(!result.stderr.contains("s3cr3t"))
            // `check` says the same on its configuration line, and sends nothing.
            let check = await runTool(["check", "--token-file", file, "--config", "/dev/null"], environment: [:], directory: dir)
            #expect(check.status == 2)
            #expect(check.stdout.hasPrefix("configuration: FAILED: " + message.dropFirst("assessment-batch: ".count) + "\n"))
            #expect(!check.stdout.contains("s3cr3t") && !check.stderr.contains("s3cr3t"))
        }
        // A token file others can read: refused by every command that reads it, the token unsaid.
        write("s3cr3t-open\n", to: "\(dir)/open-token")
        chmod("\(dir)/open-token", 0o644)
        for command in [["plan", "in.csv"], ["export", "--output", "x.csv"], ["check", "--config", "/dev/null"]] {
            let result = await runTool(command + ["--token-file", "open-token"], environment: [:], directory: dir)
            #expect(result.status == 2)
            #expect((result.stdout + result.stderr).contains("--token-file open-token can be read by its group and others (mode 0644): "
                + "a token file must be private to its owner; fix it with: chmod 600 open-token"))
            #expect(!result.stdout.contains("s3cr3t") && !result.stderr.contains("s3cr3t"))
        }
        let fromEnvironment = await runTool(["apply", "in.csv"], environment: ["ENNEO_TOKEN": " \t"], directory: dir)
        expectOneLine(fromEnvironment, "assessment-batch: ENNEO_TOKEN is empty: it must hold the API token.")
    }

    @Test func anUnreadableTokenFileSaysSo() async throws {
        guard geteuid() != 0 else {
            print("note: running as root, which reads any file: the unreadable --token-file case is skipped")
            return
        }
        let dir = scratchDirectory()
        write("assessmentId,supervisorAssessment\n1001,x\n", to: "\(dir)/in.csv")
        write("s3cr3t\n", to: "\(dir)/token")
        chmod("\(dir)/token", 0)
        let result = await runTool(["apply", "in.csv", "--token-file", "token"], environment: [:], directory: dir)
        expectOneLine(result, "assessment-batch: --token-file token cannot be read (permission denied?): make it readable by this user (chmod 600 it and own it).")
    }

    @Test func planStrictExits2WhenPreflightWouldRefuseAny() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let editable = try #require(editableAssessments(simulator, count: 1).first).0
            let locked = try #require(simulator.store.allAssessments().first { $0.state == .unprocessed })
            write("assessmentId,supervisorAssessment\n\(editable.id),fine\n\(locked.id),refused\n", to: "\(dir)/in.csv")
            let result = await runTool(["plan", "in.csv", "--strict", "--base-url", simulator.baseURL, "--out", "run"],
                                       environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(result.status == 2)
            #expect(result.stderr.contains("--strict: preflight would refuse some assessments"))
            let relaxed = await runTool(["plan", "in.csv", "--base-url", simulator.baseURL, "--out", "run2"],
                                        environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(relaxed.status == 1)
        }
    }

    @Test func aPatchAnswered409IsRejectedAndSentOnce() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let locked = try #require(simulator.store.allAssessments().first { $0.state == .unprocessed })
            write("assessmentId,supervisorAssessment\n\(locked.id),refused\n", to: "\(dir)/in.csv")
            let result = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/run", preflight: false)
            #expect(result.exitStatus == .failures)
            let outcome = try #require(result.report?.outcomes.first)
            #expect(outcome.errorKind == .rejected)
            #expect(outcome.httpStatus == 409)
            #expect(outcome.attempts == 1)
            #expect(simulator.patchCount(for: locked.id) == 1)
        }
    }

    @Test func aBaseURLWithoutTheAPIPathStopsBeforeAnyAssessment() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 3).map(\.0)
            write("assessmentId,supervisorAssessment\n" + targets.map { "\($0.id),x\n" }.joined(), to: "\(dir)/in.csv")
            for preflight in [true, false] {
                let out = "\(dir)/run-\(preflight)"
                let result = await runJob(["\(dir)/in.csv"], simulator: simulator, out: out, preflight: preflight,
                                          baseURL: simulator.rootURL)
                #expect(result.exitStatus == .aborted)
                #expect(result.report?.counts.notAttempted == 3)
                #expect(result.report?.counts.failed == 0)
                #expect(result.report?.abortReason?.description
                    == "GET \(simulator.rootURL)/quality/scorecard answered 404 (no such path): \(simulator.rootURL) does not look like the enneo API; the base URL should end in /api/mind (e.g. \(simulator.rootURL)/api/mind)")
                let failures = try #require(read("\(out)/in.failures.csv"))
                #expect(failures.split(separator: "\n").dropFirst().allSatisfy { $0.hasSuffix(",notAttempted,2") || $0.contains(",notAttempted,") })
            }
            for target in targets { #expect(simulator.patchCount(for: target.id) == 0) }
            #expect(simulator.requestCount(method: "GET", path: "/api/mind/quality/assessment/{id}") == 0)
        }
    }

    @Test func exportChecksTheAPIRootFirst() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let result = await runTool(["export", "--output", "sheet.csv", "--base-url", simulator.rootURL],
                                       environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(result.status == 3)
            #expect(result.stderr.contains("the base URL should end in /api/mind (e.g. \(simulator.rootURL)/api/mind)"))
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/sheet.csv"))
            #expect(simulator.requestCount(method: "GET", path: "/api/mind/quality/assessment") == 0)
        }
    }
}
