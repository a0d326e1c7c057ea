import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import StrictJSON
import Testing

/// `report.html` as a browser gets it: it parses, shows report.json's counts, loads nothing
/// from outside, and every text from the input or the server is escaped.
@Suite(.serialized)
struct HTMLReportPageTests {
    /// Checks a page with Python's HTML parser: elements nest and close, no script, no
    /// `src`, no link that leaves the run directory; returns the `data-count` figures, the
    /// links and the page's text.
    private func inspect(_ path: String) throws -> JSONObject {
        let script = """
            import json, sys
            from html.parser import HTMLParser
            VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
            class Page(HTMLParser):
                def __init__(self):
                    super().__init__(convert_charrefs=True)
                    self.stack, self.counts, self.hrefs, self.text, self.problems = [], {}, [], [], []
                def handle_starttag(self, tag, attrs):
                    attrs = dict(attrs)
                    if tag == "script": self.problems.append("script element")
                    if "src" in attrs: self.problems.append("src attribute on " + tag)
                    for name in attrs:
                        if name.startswith("on"): self.problems.append("event handler " + name)
                    if "href" in attrs: self.hrefs.append(attrs["href"])
                    self.current = attrs.get("data-count") if tag == "td" else None
                    if tag not in VOID: self.stack.append(tag)
                def handle_startendtag(self, tag, attrs):
                    if tag not in ("line", "polyline", "rect", "path", "circle"): self.problems.append("self-closing " + tag)
                def handle_endtag(self, tag):
                    if not self.stack or self.stack[-1] != tag:
                        self.problems.append("end tag %s does not close %s" % (tag, self.stack[-1:] or "nothing"))
                    else:
                        self.stack.pop()
                def handle_data(self, data):
                    if getattr(self, "current", None):
                        self.counts[self.current] = int(data.strip())
                        self.current = None
                    self.text.append(data)
            page = Page()
            page.feed(open(sys.argv[1], encoding="utf-8").read())
            page.close()
            if page.stack: page.problems.append("unclosed " + ",".join(page.stack))
            print(json.dumps({"counts": page.counts, "hrefs": page.hrefs, "text": "".join(page.text), "problems": page.problems}))
            """
        let result = runCommand("python3", ["-c", script, path])
        #expect(result.status == 0, "\(result.stderr)")
        let value = try Array(result.stdout.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        return try #require(value.objectValue)
    }

    @Test func thePageShowsTheReportsCountsAndEscapesEveryInputText() async throws {
        guard commandExists("python3") else { return skipNote("HTMLReportPageTests needs python3") }
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 5)
            var csv = "assessmentId,categoryId,criterionId,score,reason\n"
            for (assessment, scorecard) in targets {
                let (categoryId, criterion) = criteria(of: scorecard)[0]
                let score = newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score)
                csv += "\(assessment.id),\(categoryId),\(criterion.id),\(score),<script>alert('x')</script> & \"quoted\"\n"
            }
            csv += "99999,1,1,1,<script>alert(1)</script>\n"
            csv += "88888,1,1,<img src=x onerror=alert(1)>,bad score\n"
            let input = "in<b>&'.csv"
            write(csv, to: "\(dir)/\(input)")
            let result = await runTool(["apply", input, "--base-url", simulator.baseURL, "--out", "run", "--skip-invalid"],
                                       environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("page:     run/report.html"))
            let path = "\(dir)/run/report.html"
            let html = try #require(read(path))
            let report = try report(in: "\(dir)/run")
            let page = try inspect(path)
            #expect(page["problems"]?.arrayValue == [], "\(page["problems"] ?? .null)")
            let counts = try #require(page["counts"]?.objectValue)
            for key in ["rows", "assessments", "applied", "unchanged", "failed", "notAttempted"] {
                #expect(counts[key]?.intValue == report.int("counts", key), "\(key)")
            }
            #expect(report.int("counts", "applied") == 5)
            // Links stay in the run directory: the failures file, the undo file, report.json.
            let hrefs = (page["hrefs"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(hrefs.allSatisfy { !$0.contains("//") && !$0.hasPrefix("/") && !$0.contains(":") }, "\(hrefs)")
            #expect(hrefs.contains("in%3Cb%3E&'.failures.csv") || hrefs.contains("in%3Cb%3E%26'.failures.csv"), "\(hrefs)")
            #expect(hrefs.contains("undo.jsonl") && hrefs.contains("report.json"))
            // URLs only as text (the server's): nothing is loaded or linked from outside.
            #expect(!html.contains("href=\"http") && !html.contains("url("))
            // Input text is only ever escaped.
            #expect(!html.lowercased().contains("<script"))
            #expect(!html.contains("<img") && !html.contains("<b>&"))
            let text = page["text"]?.stringValue ?? ""
            #expect(text.contains("in<b>&'.csv"))
            #expect(text.contains("does not exist"))
            #expect(text.contains("invalid"))
            #expect(html.utf8.count < 100_000)
        }
    }

    @Test func chromiumRendersThePage() async throws {
        guard let browser = ["chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"].first(where: commandExists) else {
            return skipNote("HTMLReportPageTests.chromiumRendersThePage needs chromium-headless-shell (scripts/test installs it)")
        }
        try await withSimulator(faults: FaultSettings(errorRate: 0.2, seed: 5)) { simulator in
            let dir = scratchDirectory()
            var csv = "assessmentId,categoryId,criterionId,score,reason\n"
            for (assessment, scorecard) in editableAssessments(simulator, count: 30) {
                let (categoryId, criterion) = criteria(of: scorecard)[0]
                csv += "\(assessment.id),\(categoryId),\(criterion.id),\(newScore(for: criterion, current: nil)),<script>x</script>\n"
            }
            csv += "99999,1,1,1,unknown\n"
            write(csv, to: "\(dir)/in.csv")
            _ = await runTool(["apply", "in.csv", "--base-url", simulator.baseURL, "--out", "run", "--max-attempts", "2"],
                              environment: ["ENNEO_TOKEN": simulator.token], directory: dir)
            let screenshot = "\(dir)/report.png"
            let shot = await runBlocking {
                runCommand(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(dir)/chromium",
                                     "--screenshot=\(screenshot)", "--window-size=1200,2000",
                                     "file://\(dir)/run/report.html"])
            }
            #expect(shot.status == 0, "\(shot.stderr)")
            let size = (try? FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int) ?? 0
            #expect(size > 10_000, "a blank page would be tiny")
            print("note: screenshot of report.html in \(screenshot)")
        }
    }
}
