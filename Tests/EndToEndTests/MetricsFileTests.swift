@testable import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import StrictJSON
import Testing

/// `--metrics-file`: parsed by the Prometheus client library's own text parser, its values
/// equal `report.json`'s; a failed run keeps the earlier success time; every run writes it.
@Suite(.serialized)
struct MetricsFileTests {
    /// Parses a metrics file with `prometheus_client`'s parser; every family must be a gauge
    /// with help text. Returns `name{label=value}` → value.
    private func parse(_ path: String) throws -> [String: Double] {
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                assert family.type == "gauge", family.name
                assert family.documentation, family.name
                for sample in family.samples:
                    key = sample.name + "".join("{%s=%s}" % item for item in sorted(sample.labels.items()))
                    assert key not in out, key
                    out[key] = sample.value
            print(json.dumps(out))
            """
        let result = runCommand("python3", ["-c", script, path])
        #expect(result.status == 0, "\(result.stderr)")
        let value = try Array(result.stdout.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        let object = try #require(value.objectValue)
        var metrics: [String: Double] = [:]
        for member in object.members {
            if case .number(let text) = member.value { metrics[member.key] = Double(text) }
        }
        return metrics
    }

    /// The series every run writes, whatever happened.
    private func expectEverySeries(_ metrics: [String: Double]) {
        for name in ["last_run_timestamp_seconds", "last_success_timestamp_seconds", "run_duration_seconds", "exit_code", "rows", "retries"] {
            #expect(metrics["assessment_batch_\(name)"] != nil, "\(name)")
        }
        for outcome in ["applied", "unchanged", "failed", "notAttempted"] {
            #expect(metrics["assessment_batch_assessments{outcome=\(outcome)}"] != nil, "\(outcome)")
        }
        for kind in ErrorKind.allCases {
            #expect(metrics["assessment_batch_failures{kind=\(kind.rawValue)}"] != nil, "\(kind)")
        }
        for status in MetricsFile.fixedStatuses {
            #expect(metrics["assessment_batch_requests{status=\(status)}"] != nil, "\(status)")
        }
    }

    /// The metrics agree with the run's report.json.
    private func expectAgree(_ metrics: [String: Double], report: JSONObject) {
        #expect(metrics["assessment_batch_rows"] == report.int("counts", "rows").map(Double.init))
        for outcome in ["applied", "unchanged", "failed", "notAttempted"] {
            #expect(metrics["assessment_batch_assessments{outcome=\(outcome)}"] == report.int("counts", outcome).map(Double.init), "\(outcome)")
        }
        for kind in ErrorKind.allCases {
            #expect(metrics["assessment_batch_failures{kind=\(kind.rawValue)}"] == Double(report.int("counts", "failedByKind", kind.rawValue) ?? 0))
        }
        let statuses = report["http"]?.objectValue?["statusCounts"]?.objectValue?.members ?? []
        for status in statuses {
            #expect(metrics["assessment_batch_requests{status=\(status.key)}"] == status.value.intValue.map(Double.init), "\(status.key)")
        }
        #expect(metrics["assessment_batch_retries"] == report.int("http", "retries").map(Double.init))
        #expect(metrics["assessment_batch_exit_code"] == report.int("exitCode").map(Double.init))
    }

    @Test func everyRunWritesMetricsThatAgreeWithItsReport() async throws {
        guard pythonHas("prometheus_client") else { return skipNote("MetricsFileTests needs python3 with prometheus_client (pip install prometheus_client)") }
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 4)
            var csv = "assessmentId,categoryId,criterionId,score\n"
            for (assessment, scorecard) in targets {
                let (categoryId, criterion) = criteria(of: scorecard)[0]
                csv += "\(assessment.id),\(categoryId),\(criterion.id),\(newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score))\n"
            }
            write(csv, to: "\(dir)/in.csv")
            let metricsPath = "\(dir)/assessment_batch.prom"
            let environment = ["ENNEO_TOKEN": simulator.token]
            let startedAt = Date().timeIntervalSince1970

            let success = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run1", "--metrics-file", metricsPath],
                                        environment: environment, directory: dir)
            #expect(success.status == 0, "\(success.stderr)")
            let first = try parse(metricsPath)
            expectEverySeries(first)
            expectAgree(first, report: try report(in: "\(dir)/run1"))
            #expect(first["assessment_batch_assessments{outcome=applied}"] == 4)
            let succeededAt = try #require(first["assessment_batch_last_success_timestamp_seconds"])
            #expect(succeededAt == first["assessment_batch_last_run_timestamp_seconds"])
            // Written by this run (to the millisecond), not carried over.
            #expect(succeededAt >= startedAt - 0.001 && succeededAt <= Date().timeIntervalSince1970 + 0.001)
            let mode = try FileManager.default.attributesOfItem(atPath: metricsPath)[.posixPermissions] as? Int
            #expect(mode == 0o644)
            #expect(!FileManager.default.fileExists(atPath: metricsPath + ".partial"))

            // A run with failures replaces the file but keeps the time of the last success.
            write(csv + "99999,1,1,1\n", to: "\(dir)/in.csv")
            let failed = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run2", "--metrics-file", metricsPath],
                                       environment: environment, directory: dir)
            #expect(failed.status == 1)
            let second = try parse(metricsPath)
            expectEverySeries(second)
            expectAgree(second, report: try report(in: "\(dir)/run2"))
            #expect(second["assessment_batch_failures{kind=rejected}"] == 1)
            #expect(second["assessment_batch_last_success_timestamp_seconds"] == succeededAt)
            #expect((second["assessment_batch_last_run_timestamp_seconds"] ?? 0) > succeededAt)

            // An aborted run (token rejected) still writes it.
            let aborted = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run3", "--metrics-file", metricsPath],
                                        environment: ["ENNEO_TOKEN": "wrong"], directory: dir)
            #expect(aborted.status == 3)
            let third = try parse(metricsPath)
            expectEverySeries(third)
            expectAgree(third, report: try report(in: "\(dir)/run3"))
            #expect(third["assessment_batch_exit_code"] == 3)
            #expect((third["assessment_batch_requests{status=401}"] ?? 0) >= 1)
            #expect(third["assessment_batch_last_success_timestamp_seconds"] == succeededAt)

            // Invalid input (exit 2) and a missing token (exit 2, before any job) write it too.
            write("assessmentId,score\nabc,1\n", to: "\(dir)/bad.csv")
            let invalid = await runTool(["apply", "bad.csv", "--base-url", simulator.baseURL, "--metrics-file", metricsPath],
                                        environment: environment, directory: dir)
            #expect(invalid.status == 2)
            let fourth = try parse(metricsPath)
            expectEverySeries(fourth)
            #expect(fourth["assessment_batch_exit_code"] == 2)
            #expect(fourth["assessment_batch_assessments{outcome=applied}"] == 0)
            #expect(fourth["assessment_batch_last_success_timestamp_seconds"] == succeededAt)
            let noToken = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--metrics-file", metricsPath],
                                        environment: [:], directory: dir)
            #expect(noToken.status == 2)
            #expect(try parse(metricsPath)["assessment_batch_last_success_timestamp_seconds"] == succeededAt)
        }
    }

    @Test func withoutAnEarlierSuccessTheLastSuccessIsZero() {
        let text = MetricsFile.render(report: nil, exitCode: 2, startedAt: Date(timeIntervalSince1970: 100),
                                      finishedAt: Date(timeIntervalSince1970: 101.5), previousLastSuccess: nil)
        #expect(text.contains("\nassessment_batch_last_success_timestamp_seconds 0\n"))
        #expect(text.contains("\nassessment_batch_run_duration_seconds 1.500\n"))
        #expect(MetricsFile.lastSuccess(inText: text) == nil)
        #expect(MetricsFile.lastSuccess(inText: "# HELP x\nassessment_batch_last_success_timestamp_seconds 1795761802.250\n") == 1_795_761_802.25)
    }

    @Test func aStatusOutsideTheFixedSetIsWrittenAfterIt() {
        var statistics = HTTPStatistics.Snapshot()
        statistics.statusCounts = ["200": 3, "418": 2, "transport": 1]
        let report = RunReport(command: "apply", startedAt: Date(timeIntervalSince1970: 100), finishedAt: Date(timeIntervalSince1970: 110),
                               baseURL: nil, inputs: [], options: JSONObject(), outcomes: [], statistics: statistics, failuresFiles: [],
                               abortReason: nil, exitStatus: .success, unrestorable: nil)
        let text = MetricsFile.render(report: report, exitCode: 0, startedAt: report.startedAt, finishedAt: report.finishedAt,
                                      previousLastSuccess: 50)
        let requests = text.split(separator: "\n").filter { $0.hasPrefix("assessment_batch_requests{") }
        #expect(requests.count == MetricsFile.fixedStatuses.count + 1)
        #expect(requests.first == #"assessment_batch_requests{status="200"} 3"#)
        #expect(requests.last == #"assessment_batch_requests{status="418"} 2"#)
        #expect(requests.contains(#"assessment_batch_requests{status="transport"} 1"#))
        #expect(text.contains("\nassessment_batch_last_success_timestamp_seconds 110.000\n"), "a run that exits 0 is the last success")
    }
}
