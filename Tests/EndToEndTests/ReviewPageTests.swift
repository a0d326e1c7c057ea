import AssessmentBatchCore
import AssessmentSimulator
import Foundation
import StrictJSON
import Testing

/// The review page `plan` writes: parsed by html5lib (strict), every planned change shown with
/// names, live and new values; texts escaped; bounded size; printable by Chromium.
@Suite(.serialized)
struct ReviewPageTests {
    private func string(_ value: JSONValue?) -> String? { value?.stringValue }

    @Test func everyPlannedChangeIsShownWithNamesLiveAndNewValues() async throws {
        guard pythonHas("html5lib") else { return skipNote("ReviewPageTests needs python3 with html5lib (scripts/test installs it)") }
        try await withSimulator(assessments: 120) { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 3)
            let refused = try #require(simulator.store.allAssessments().first { $0.state == .deleted })
            let script = "<script>alert(\"x\")</script> & 'more'"
            var csv = "assessmentId,categoryId,criterionId,score,reason,aiSummary\n"
            var expected: [Int: [(categoryId: Int, criterion: SimScorecardCriterion, category: String, score: Int, live: SimCriterion?)]] = [:]
            for (index, (assessment, scorecard)) in targets.enumerated() {
                for (categoryId, criterion) in criteria(of: scorecard).prefix(2) {
                    let live = assessment.criterion(categoryId: categoryId, criterionId: criterion.id)
                    let score = newScore(for: criterion, current: live?.score)
                    let category = scorecard.categories.first { $0.categoryId == categoryId }?.label ?? ""
                    let reason = index == 0 ? script : "new reason \(assessment.id)"
                    let summary = index == 1 && expected[assessment.id] == nil ? "\"First line\nsecond line of the summary\"" : ""
                    csv += "\(assessment.id),\(categoryId),\(criterion.id),\(score),\"\(reason.replacingOccurrences(of: "\"", with: "\"\""))\",\(summary)\n"
                    expected[assessment.id, default: []].append((categoryId, criterion, category, score, live))
                }
            }
            csv += "\(refused.id),,,,,\"summary <b>bold</b>\"\n"
            write(csv, to: "\(dir)/in.csv")
            let planned = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/plan", planOnly: true)
            #expect(planned.exitStatus == .failures)
            let page = try parseReviewPage("\(dir)/plan/report.html")
            #expect(page["scripts"]?.intValue == 0)
            #expect(page["external"] == .array([]))
            #expect(page["counts"]?.objectValue?["toWrite"]?.intValue == 3)
            #expect(page["counts"]?.objectValue?["rejected"]?.intValue == 1)
            let articles = try #require(page["articles"]?.objectValue)
            #expect(articles.count == 3)
            for (index, (assessment, _)) in targets.enumerated() {
                let article = try #require(articles[String(assessment.id)]?.objectValue)
                #expect(article["user"]?.stringValue == String(assessment.assessedUser))
                let meta = try #require(article["meta"]?.stringValue)
                #expect(meta.hasPrefix("assessed user \(assessment.assessedUser) · ticket \(assessment.ticketId) · scorecard \(assessment.scorecardId) · state \(assessment.state.rawValue) · input line"))
                let rows = try #require(article["rows"]?.arrayValue).compactMap(\.objectValue)
                var criterionRows = rows.filter { $0["categoryId"]?.stringValue != nil }
                for item in expected[assessment.id] ?? [] {
                    let score = try #require(criterionRows.first { $0["field"]?.stringValue == "score" && $0["criterionId"]?.stringValue == String(item.criterion.id) })
                    #expect(string(score["category"]) == item.category)
                    #expect(string(score["criterion"]) == item.criterion.label)
                    #expect(string(score["live"]) == (item.live?.score.map(String.init) ?? "(unscored)"))
                    #expect(string(score["new"]) == String(item.score))
                    let reason = try #require(criterionRows.first { $0["field"]?.stringValue == "reason" && $0["criterionId"]?.stringValue == String(item.criterion.id) })
                    #expect(string(reason["live"]) == ((item.live?.reason).flatMap { $0.isEmpty ? nil : $0 } ?? "(empty)"))
                    #expect(string(reason["new"]) == (index == 0 ? script : "new reason \(assessment.id)"))
                    criterionRows.removeAll { $0["criterionId"]?.stringValue == String(item.criterion.id) }
                }
                #expect(criterionRows.isEmpty)
                if index == 1 {
                    let summary = try #require(rows.first { $0["field"]?.stringValue == "aiSummary" })
                    #expect(string(summary["live"]) == assessment.aiSummary)
                    #expect(string(summary["new"]) == "First line\nsecond line of the summary")
                }
                if assessment.state == .aiReady {
                    let state = try #require(rows.first { $0["field"]?.stringValue == "state" })
                    #expect(string(state["live"]) == "aiReady")
                    #expect(string(state["new"]) == "reviewOngoing")
                }
            }
            let refusals = try #require(page["refusals"]?.arrayValue).compactMap(\.objectValue)
            #expect(refusals.count == 1)
            #expect(refusals.first?["id"]?.stringValue == String(refused.id))
            #expect(refusals.first?["kind"]?.stringValue == "rejected")
            let html = try #require(read("\(dir)/plan/report.html"))
            #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;more&#39;"))
            #expect(!html.contains("<script"))
            #expect(html.contains("assessment-batch apply --plan "))
        }
    }

    @Test func aChangedTextShowsItsChangedWords() async throws {
        guard pythonHas("html5lib") else { return skipNote("ReviewPageTests needs python3 with html5lib (scripts/test installs it)") }
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let (assessment, _) = try #require(editableAssessments(simulator, count: 1).first)
            _ = try simulator.store.modifyAssessment(id: assessment.id) { $0.supervisorAssessment = "The agent greeted the customer politely.\nGood closing." }
            write("assessmentId,supervisorAssessment\n\(assessment.id),\"The agent greeted the customer warmly.\nGood closing.\"\n", to: "\(dir)/in.csv")
            let planned = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/plan", planOnly: true)
            #expect(planned.exitStatus == .success)
            let page = try parseReviewPage("\(dir)/plan/report.html")
            let article = try #require(page["articles"]?.objectValue?[String(assessment.id)]?.objectValue)
            let row = try #require(article["rows"]?.arrayValue?.compactMap(\.objectValue).first { $0["field"]?.stringValue == "supervisorAssessment" })
            #expect(string(row["live"]) == "The agent greeted the customer politely.\nGood closing.")
            #expect(string(row["new"]) == "The agent greeted the customer warmly.\nGood closing.")
            #expect(row["deleted"] == .array(["politely."]))
            #expect(row["inserted"] == .array(["warmly."]))
        }
    }

    @Test func aPlanOfThousandsStaysWithinTheDocumentedSize() async throws {
        guard pythonHas("html5lib") else { return skipNote("ReviewPageTests needs python3 with html5lib (scripts/test installs it)") }
        try await withSimulator(assessments: 4000, seed: 11) { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 3000)
            var csv = "assessmentId,categoryId,criterionId,score,reason\n"
            for (assessment, scorecard) in targets {
                let (categoryId, criterion) = criteria(of: scorecard)[0]
                let score = newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score)
                csv += "\(assessment.id),\(categoryId),\(criterion.id),\(score),reviewed in calibration \(assessment.id)\n"
            }
            write(csv, to: "\(dir)/in.csv")
            let planned = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/plan", planOnly: true, concurrency: 8)
            #expect(planned.exitStatus == .success)
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(dir)/plan/report.html")
            let size = try #require(attributes[.size] as? Int)
            // docs/sign-off.md: at most 2,000 assessments in full, at most 3 KB each with short texts.
            #expect(size < 8 << 20, "the page has \(size) bytes")
            let page = try parseReviewPage("\(dir)/plan/report.html")
            let shown = page["articles"]?.objectValue?.count ?? 0
            let listed = page["listed"]?.arrayValue?.count ?? 0
            #expect(shown <= 2_000)
            #expect(shown + listed == targets.count)
            let users = Set(targets.map(\.0.assessedUser))
            #expect(page["toc"]?.arrayValue?.count == users.count)
        }
    }

    @Test func chromiumRendersThePageAndPrintsItToPDF() async throws {
        guard let chromium = ["chromium-headless-shell", "chromium", "chromium-browser"].first(where: commandExists) else {
            return skipNote("chromium-headless-shell is not installed (scripts/test installs it)")
        }
        try await withSimulator { simulator in
            let dir = scratchDirectory()
            let targets = editableAssessments(simulator, count: 3)
            var csv = "assessmentId,categoryId,criterionId,score,reason\n"
            for (assessment, scorecard) in targets {
                let (categoryId, criterion) = criteria(of: scorecard)[0]
                csv += "\(assessment.id),\(categoryId),\(criterion.id),\(newScore(for: criterion, current: nil)),checked in print \(assessment.id)\n"
            }
            write(csv, to: "\(dir)/in.csv")
            _ = await runJob(["\(dir)/in.csv"], simulator: simulator, out: "\(dir)/plan", planOnly: true)
            let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(dir)/chromium"]
            let dom = runCommand(chromium, flags + ["--dump-dom", "file://\(dir)/plan/report.html"])
            #expect(dom.status == 0, "\(dom.stderr)")
            for (assessment, _) in targets { #expect(dom.stdout.contains("data-assessment-id=\"\(assessment.id)\"")) }
            let printed = runCommand(chromium, flags + ["--no-pdf-header-footer", "--print-to-pdf=\(dir)/plan.pdf", "file://\(dir)/plan/report.html"])
            #expect(printed.status == 0, "\(printed.stderr)")
            let pdf = try #require(FileManager.default.contents(atPath: "\(dir)/plan.pdf"))
            #expect(pdf.starts(with: Data("%PDF-".utf8)))
            #expect(pdf.count > 2_000)
        }
    }
}
