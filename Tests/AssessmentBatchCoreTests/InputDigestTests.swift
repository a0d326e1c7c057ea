import Testing
@testable import AssessmentBatchCore

/// The input digest in reports and journals, over files of several read chunks.
struct InputDigestTests {
    @Test(arguments: ["csv", "jsonl"])
    func digestIsTheFilesSHA256(format: String) throws {
        var text = format == "csv" ? "assessmentId,categoryId,criterionId,score,reason\n" : ""
        for id in 1...40_000 {
            text += format == "csv" ? "\(id),1,2,3,\"Begrüßung \"\"gut\"\"\"\n"
                : #"{"assessmentId":\#(id),"categoryId":1,"criterionId":2,"score":3,"reason":"Begrüßung"}"# + "\n"
        }
        let bytes = Array(text.utf8)
        #expect(bytes.count > 1 << 20)  // more than one read chunk
        let batch = AssessmentBatchCore.BatchLoader.load([writeInput(bytes, name: "input.\(format)")])
        #expect(batch.isValid)
        var expected = SHA256(portable: true)
        bytes.withUnsafeBytes { expected.update($0) }
        #expect(batch.inputs.first?.sha256 == expected.finalizeHex())
    }

    @Test func knownFileDigest() {
        let path = writeInput("assessmentId,categoryId,criterionId,score\n1,2,3,4\n")
        // sha256sum of those 50 bytes
        #expect(AssessmentBatchCore.BatchLoader.load([path]).inputs.first?.sha256
            == "00e09c046146179906cbf166c3f74633decce78daf13a2736ee89f78dd6b142f")
    }
}
