import Foundation
import Testing
@testable import AssessmentBatchCore

/// report.html escapes every text and stays small however many assessments failed.
struct HTMLReportTests {
    private func report(outcomes: [AssessmentOutcome], path: String = "in.csv") -> RunReport {
        var input = InputDescription(path: path, format: .csv)
        input.rows = outcomes.count
        var statistics = HTTPStatistics.Snapshot()
        statistics.requests = outcomes.count
        statistics.statusCounts = ["200": outcomes.count]
        statistics.latencies = Array(repeating: 12, count: outcomes.count)
        statistics.timeline = Array(repeating: HTTPStatistics.Second(requests: 10, retries: 1, rateLimited: 1), count: 2_000)
        statistics.latencyHistogram[4] = outcomes.count
        return RunReport(command: "apply", startedAt: Date(timeIntervalSince1970: 1_795_761_802), finishedAt: Date(timeIntervalSince1970: 1_795_761_862),
                         baseURL: "https://x.example/api/mind?<q>", inputs: [input], options: JSONObject(), outcomes: outcomes,
                         statistics: statistics, failuresFiles: [FailuresFile(path: "/runs/r/in.failures.csv", rows: 1, input: path)],
                         abortReason: nil, exitStatus: .failures, unrestorable: nil)
    }

    @Test func everyTextIsEscaped() {
        let hostile = "<script>alert('x')</script> & \"quoted\""
        let page = HTMLReport.render(report(outcomes: [
            AssessmentOutcome(assessmentId: 1, sources: [SourceLocation(input: 0, line: 2)], status: .failed, errorKind: .rejected,
                              httpStatus: 422, attempts: 1, error: hostile),
        ], path: "<img src=x>.csv"), directory: "/runs/<r>")
        #expect(!page.contains("<script") && !page.contains("<img") && !page.contains("?<q>"))
        #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"))
        #expect(page.contains("&lt;img src=x&gt;.csv"))
        #expect(page.contains("<title>assessment-batch apply: &lt;r&gt;</title>"))
        #expect(page.contains("<a href=\"in.failures.csv\">"))
        #expect(HTMLReport.escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&#39;")
    }

    @Test func fiftyThousandFailuresMakeASmallPage() {
        // Messages that differ only by their ids form one group; 200 different messages form
        // 200 groups, of which the largest are shown.
        let outcomes = (0..<50_000).map { index in
            AssessmentOutcome(assessmentId: index, sources: [SourceLocation(input: 0, line: index + 2)], status: .failed,
                              errorKind: index % 2 == 0 ? .rejected : .transient, httpStatus: 422, attempts: 1,
                              error: index % 2 == 0 ? "assessment \(index) does not exist" : "reason \(String(repeating: "x", count: index % 200)) too long")
        }
        let page = HTMLReport.render(report(outcomes: outcomes), directory: "/runs/r")
        #expect(page.utf8.count < 150_000, "\(page.utf8.count) bytes")
        #expect(page.contains("assessment # does not exist</td><td class=\"num\">25000</td>"))
        #expect(page.components(separatedBy: "<tr data-kind=").count - 1 == HTMLReport.groupLimit)
        #expect(page.contains("<li class=\"more\">and 24995 more</li>"))
        // The 2,000-second time line is drawn in at most 300 bars.
        #expect(page.components(separatedBy: "fill=\"#3b7dd8\"><title>").count - 1 <= HTMLReport.timelineLimit)
    }

    @Test func numbersInMessagesGroupTogether() {
        #expect(HTMLReport.pattern(of: "assessment 123 does not exist (HTTP 404)") == "assessment # does not exist (HTTP #)")
        #expect(HTMLReport.pattern(of: "ünïcode 1.5") == "ünïcode #.#")
    }
}
