@testable import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import StrictJSON
import Testing

/// The one version constant reaches every place that names it: `--version`, `report.json`,
/// the journal, the metrics file's build-info series, and the image tag of the Kubernetes sample
/// (the one copy a person must change with it; this test says so).
@Suite struct VersionTests {
    @Test func theVersionIsAPlainDottedTriple() {
        // scripts/package names the .deb after it; Debian versions must start with a digit.
        let parts = toolVersion.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        #expect(parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
    }

    @Test func theKubernetesSampleRunsThisVersion() throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples/nightly/kubernetes-cronjob.yaml").path
        let text = try #require(read(sample))
        let images = text.split(separator: "\n").filter { $0.contains("image: ") }
        // The tool's two containers (prune, apply); the token-copying init container is busybox, pinned.
        let tool = images.filter { $0.contains("/assessment-batch:") }
        #expect(tool.count == 2)
        for image in tool {
            #expect(image.hasSuffix("/assessment-batch:\(toolVersion)"), "\(image)")
        }
        #expect(images.filter { !$0.contains("/assessment-batch:") }.map { $0.trimmingCharacters(in: .whitespaces) } == ["image: busybox:1.36"])
    }

    @Test func theMetricsFileCarriesItAsBuildInfo() {
        let text = MetricsFile.render(report: nil, exitCode: 0, startedAt: Date(timeIntervalSince1970: 100),
                                      finishedAt: Date(timeIntervalSince1970: 101), previousLastSuccess: nil)
        #expect(text.hasSuffix("""
            # HELP assessment_batch_build_info The version of assessment-batch that wrote this file; always 1.
            # TYPE assessment_batch_build_info gauge
            assessment_batch_build_info{version="\(toolVersion)"} 1

            """))
    }

    @Test func aRunCarriesItEverywhere() async throws {
        try await withSimulator(assessments: 10) { simulator in
            let dir = scratchDirectory()
            let (csv, _) = scoreChangesCSV(simulator, count: 2)
            write(csv, to: "\(dir)/in.csv")
            let version = await runTool(["--version"], environment: [:], directory: dir)
            #expect(version.stdout == toolVersion + "\n")

            let result = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run", "--metrics-file", "m.prom"],
                                       environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(result.status == 0, "\(result.stderr)")
            let report = try report(in: "\(dir)/run")
            #expect(report["tool"]?.stringValue == "assessment-batch")
            #expect(report["version"]?.stringValue == toolVersion)
            let metrics = try #require(read("\(dir)/m.prom"))
            #expect(metrics.contains("\nassessment_batch_build_info{version=\"\(toolVersion)\"} 1\n"))
            let journal = try #require(read("\(dir)/run/journal.jsonl"))
            #expect(journal.contains("\"tool\":\"assessment-batch \(toolVersion)\""))
        }
    }
}
