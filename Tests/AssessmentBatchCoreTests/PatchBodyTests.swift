import SharedSupport
import Foundation
import Testing
@testable import AssessmentBatchCore

/// The PATCH body of `update` as text.
func patchBody(_ update: AssessmentUpdate) -> String {
    var bytes: [UInt8] = []
    update.appendPatchBody(to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
}

struct PatchBodyTests {
    @Test func onlyTheFieldsTheFileSetsInTheDocumentedOrder() {
        let batch = load(#"""
            assessmentId;categoryId;criterionId;score;reason;state;discussionDate;aiSummary
            901;1;2;5;"Great ""intro""";reviewedBySupervisor;2024-06-13T11:00:00+02:00;
            901;2;6;;Added context;;;Zusammenfassung: höflich
            902;1;2;0;;;;

            """#)
        #expect(batch.isValid)
        #expect(patchBody(batch.updates[0]) == #"""
            {"aiSummary":"Zusammenfassung: höflich","discussionDate":"2024-06-13T09:00:00Z","criteria":[{"categoryId":1,"criterionId":2,"score":5,"reason":"Great \"intro\""},{"categoryId":2,"criterionId":6,"reason":"Added context"}],"state":"reviewedBySupervisor"}
            """#)
        #expect(patchBody(batch.updates[1]) == """
            {"criteria":[{"categoryId":1,"criterionId":2,"score":0}]}
            """)
    }

    @Test func guardsAreNeverSent() {
        let batch = load("assessmentId,scorecardId,expectedModifiedAt,supervisorAssessment\n901,7,2024-06-12T11:00:00Z,ok\n")
        #expect(patchBody(batch.updates[0]) == #"{"supervisorAssessment":"ok"}"#)
    }

    @Test func multiLineReasonsAndControlCharactersAreEscaped() {
        let batch = load("assessmentId,categoryId,criterionId,reason\r\n901,1,2,\"Zeile 1\r\nZeile 2\ttab\"\r\n")
        #expect(patchBody(batch.updates[0]) == #"{"criteria":[{"categoryId":1,"criterionId":2,"reason":"Zeile 1\r\nZeile 2\ttab"}]}"#)
    }
}

struct ExcelExportTests {
    /// What Excel on a German Windows writes for "CSV UTF-8 (durch Trennzeichen getrennt)".
    @Test func germanExcelExportReadsExactly() {
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        bytes += Array("""
            assessmentId;categoryId;criterionId;score;reason;supervisorAssessment\r
            901;1;1;4;"Begrüßung freundlich; Name genannt";"Gespräch ruhig geführt,\r
            Rückfragen gut"\r
            901;1;2;0;"Kein ""Danke"" am Ende";\r
            ;;;;;\r

            """.utf8)
        let batch = BatchLoader.load([writeInput(bytes, name: "Kalibrierung März.csv")])
        #expect(batch.inputs[0].hasByteOrderMark)
        #expect(batch.inputs[0].delimiter == UInt8(ascii: ";"))
        #expect(batch.inputs[0].lineEnding == "\r\n")
        #expect(batch.problems == ["5: assessmentId is missing"])
        let update = batch.updates.first
        #expect(update?.fields.supervisorAssessment == "Gespräch ruhig geführt,\r\nRückfragen gut")
        #expect(update?.criteria == [
            CriterionUpdate(categoryId: 1, criterionId: 1, score: 4, reason: "Begrüßung freundlich; Name genannt"),
            CriterionUpdate(categoryId: 1, criterionId: 2, score: 0, reason: "Kein \"Danke\" am Ende"),
        ])
    }

    @Test func tabSeparatedByExtensionAndByDetection() {
        let text = "assessmentId\tcategoryId\tcriterionId\tscore\n901\t1\t2\t3\n"
        for name in ["x.tsv", "x.csv"] {
            let batch = load(text, name: name)
            #expect(batch.isValid)
            #expect(batch.inputs[0].delimiter == UInt8(ascii: "\t"))
            #expect(batch.updates.first?.criteria.first?.score == 3)
        }
    }
}

struct TimestampTests {
    @Test(arguments: [
        ("2024-06-12T11:00:00Z", "2024-06-12T11:00:00Z"),
        ("2024-06-12t11:00:00z", "2024-06-12T11:00:00Z"),
        ("2024-06-12 13:30:00+02:30", "2024-06-12T11:00:00Z"),
        ("2024-06-12T11:00:00.5-01:00", "2024-06-12T12:00:00.5Z"),
        ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
        ("2024-02-29T00:00:00+01:00", "2024-02-28T23:00:00Z"),
        // The fraction keeps exactly the digits written, trailing zeros included.
        ("2024-06-12T11:00:00.120Z", "2024-06-12T11:00:00.120Z"),
        ("2024-06-12T11:00:00.000000001Z", "2024-06-12T11:00:00.000000001Z"),
        ("2024-06-12T13:00:00.123456789+02:00", "2024-06-12T11:00:00.123456789Z"),
        ("2024-06-12T11:00:00.0Z", "2024-06-12T11:00:00.0Z"),
    ])
    func parsesAndNormalisesToUTC(text: String, utc: String) throws {
        let timestamp = try Timestamp.parse(text).get()
        #expect(timestamp.description == utc)
    }

    @Test func writesDatesWithMilliseconds() {
        #expect(Timestamp(Date(timeIntervalSince1970: 1_764_039_730.1239)).description == "2025-11-25T03:02:10.123Z")
        #expect(Timestamp(Date(timeIntervalSince1970: 0)).description == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(Date(timeIntervalSince1970: -0.25)).description == "1969-12-31T23:59:59.750Z")
    }

    @Test func equalityIsByInstant() throws {
        #expect(try Timestamp.parse("2024-06-12T13:00:00+02:00").get() == Timestamp.parse("2024-06-12T11:00:00Z").get())
        #expect(try Timestamp.parse("2024-06-12T11:00:00.000Z").get() == Timestamp.parse("2024-06-12T11:00:00Z").get())
        #expect(try Timestamp.parse("2024-06-12T11:00:00.001Z").get() != Timestamp.parse("2024-06-12T11:00:00Z").get())
    }

    @Test func daylightSavingTimeInNamedZones() throws {
        let berlin = try #require(Timestamp.Zone("Europe/Berlin"))
        #expect(try Timestamp.parse("2024-01-15T12:00:00", zone: berlin).get().description == "2024-01-15T11:00:00Z")
        #expect(try Timestamp.parse("2024-07-15T12:00:00", zone: berlin).get().description == "2024-07-15T10:00:00Z")
        #expect(Timestamp.Zone("Mars/Olympus") == nil)
        #expect(Timestamp.Zone("+25:00") == nil)
    }
}

struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ], [false, true])
    func knownDigests(vector: (text: String, hex: String), portable: Bool) {
        var digest = SHA256(portable: portable)
        Array(vector.text.utf8).withUnsafeBytes { digest.update($0) }
        #expect(digest.finalizeHex() == vector.hex)
    }

    /// libcurl's OpenSSL build brings libcrypto along: the fast path is the one in use.
    @Test func libcryptoDoesTheWork() {
        #if os(Linux)
        #expect(SHA256().usesLibcrypto)
        #endif
        #expect(!SHA256(portable: true).usesLibcrypto)
    }

    @Test(arguments: [false, true])
    func chunkingDoesNotChangeTheDigest(portable: Bool) {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var whole = SHA256(portable: true)
        bytes.withUnsafeBytes { whole.update($0) }
        var pieces = SHA256(portable: portable)
        var offset = 0
        for size in [1, 63, 64, 65, 127, 3000] where offset < bytes.count {
            let end = min(bytes.count, offset + size)
            bytes[offset..<end].withUnsafeBytes { pieces.update($0) }
            offset = end
        }
        bytes[offset...].withUnsafeBytes { pieces.update($0) }
        #expect(pieces.finalizeHex() == whole.finalizeHex())
    }

    /// A copy goes on on its own, as a value does (libcrypto's context is copied on write).
    @Test(arguments: [false, true])
    func copiesAreIndependent(portable: Bool) {
        var first = SHA256(portable: portable)
        Array("ab".utf8).withUnsafeBytes { first.update($0) }
        var second = first
        Array("c".utf8).withUnsafeBytes { first.update($0) }
        Array("d".utf8).withUnsafeBytes { second.update($0) }
        #expect(first.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var abd = SHA256(portable: true)
        Array("abd".utf8).withUnsafeBytes { abd.update($0) }
        #expect(second.finalizeHex() == abd.finalizeHex())
    }
}

struct SourceListTests {
    /// Runs of lines, gaps and switches between inputs read back exactly, by index and in order.
    @Test func keepsEveryLocationInOrder() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            var expected: [AssessmentBatchCore.SourceLocation] = []
            var list = SourceList()
            var line = Int.random(in: 1...5, using: &rng)
            var input = 0
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: input = Int.random(in: 0...2, using: &rng)
                case 1: line += Int.random(in: 2...4, using: &rng)
                case 2: line = Int.random(in: 1...50, using: &rng)
                default: line += 1
                }
                let location = AssessmentBatchCore.SourceLocation(input: input, line: line)
                expected.append(location)
                list.append(location)
            }
            #expect(Array(list) == expected)
            #expect(list.indices.map { list[$0] } == expected)
            #expect(list.count == expected.count)
            #expect(list == SourceList(expected))
        }
    }
}

struct ColumnTests {
    @Test func ordinalIsThePositionInAllCases() {
        #expect(Column.allCases.map(\.ordinal) == Array(Column.allCases.indices))
    }

    @Test func headerBytesMatchLikeStrings() {
        for name in Column.allCases.map(\.rawValue) + ["ASSESSMENTID", " score ", "Reason", "scor", "", "criteria"] {
            var text = name
            let fromBytes = text.withUTF8 { Column(header: $0) }
            #expect(fromBytes == Column(header: name), "\(name)")
        }
    }
}
