import AssessmentSimulator
import Foundation
import Testing

/// A run that cannot write one of its files never exits 0: exit 3, the file named on stderr,
/// and the metrics file (when it can be written) says 3. Disks are filled portably, as root
/// too: a file's temporary name linked to /dev/full, or a path through a regular file.
@Suite struct UnwritableRunFileTests {
    @Test func aFullDiskForReportJSONExits3AndTheMetricsSay3() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let (csv, _) = scoreChangesCSV(simulator, count: 2)
            write(csv, to: "\(dir)/in.csv")
            try FileManager.default.createDirectory(atPath: "\(dir)/run", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: "\(dir)/run/report.json.partial", withDestinationPath: "/dev/full")
            let result = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run", "--metrics-file", "metrics.prom"],
                                       environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(result.status == 3, "stderr: \(result.stderr)")
            #expect(result.stderr.contains("  not written: cannot write run/report.json: No space left on device\n"), "stderr: \(result.stderr)")
            let metrics = try #require(read("\(dir)/metrics.prom"))
            #expect(metrics.contains("\nassessment_batch_exit_code 3\n"))
            #expect(metrics.contains("\nassessment_batch_assessments{outcome=\"applied\"} 2\n"))
            #expect(read("\(dir)/run/report.html")?.contains("aborted (exit 3)") == true)
        }
    }

    @Test func aMetricsFileThatCannotBeWrittenExits3() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let (csv, _) = scoreChangesCSV(simulator, count: 1)
            write(csv, to: "\(dir)/in.csv")
            let result = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run", "--metrics-file", "in.csv/metrics.prom"],
                                       environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(result.status == 3, "stderr: \(result.stderr)")
            #expect(result.stderr.contains("assessment-batch: cannot write --metrics-file: cannot create in.csv/metrics.prom: Not a directory"),
                    "stderr: \(result.stderr)")
        }
    }

    @Test func aRunDirectoryThatCannotBeCreatedSendsNothing() async throws {
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let (csv, _) = scoreChangesCSV(simulator, count: 1)
            write(csv, to: "\(dir)/in.csv")
            let result = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "in.csv/run", "--metrics-file", "metrics.prom"],
                                       environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(result.status == 3, "stderr: \(result.stderr)")
            #expect(result.stderr.contains("cannot create directory ./in.csv/run: Not a directory"), "stderr: \(result.stderr)")
            #expect(simulator.apiRequestCount == 0)
            #expect(read("\(dir)/metrics.prom")?.contains("\nassessment_batch_exit_code 3\n") == true)
        }
    }
}
