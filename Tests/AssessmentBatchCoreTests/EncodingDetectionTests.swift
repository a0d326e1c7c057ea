import Testing

@testable import AssessmentBatchCore

/// Which encoding a file is read in, from its first bytes and `--encoding`.
struct EncodingDetectionTests {
    private func resolved(_ prefix: [UInt8], _ option: EncodingOption?) -> String {
        switch EncodingDetection.resolve(prefix: prefix, option: option) {
        case .success(let (encoding, bom)): "\(encoding.name)\(bom ? " BOM" : "")"
        case .failure(let message): message.text
        }
    }

    @Test func byteOrderMarksDecideWhateverTheOption() {
        for option in [nil] + EncodingOption.allCases {
            #expect(resolved([0xEF, 0xBB, 0xBF, 0x61], option) == "UTF-8 BOM")
            #expect(resolved([0xFF, 0xFE, 0x61, 0x00], option) == "UTF-16LE BOM")
            #expect(resolved([0xFE, 0xFF, 0x00, 0x61], option) == "UTF-16BE BOM")
        }
    }

    @Test func withoutAByteOrderMarkTheOptionDecides() {
        let ascii = Array("assessmentId;score".utf8)
        #expect(resolved(ascii, nil) == "UTF-8")
        #expect(resolved(ascii, .utf8) == "UTF-8")
        #expect(resolved(ascii, .windows1252) == "Windows-1252")
        #expect(resolved(ascii, .iso885915) == "ISO-8859-15")
        #expect(resolved(ascii, .utf16) == "UTF-16LE")
        #expect(resolved([0x00, 0x61, 0x00, 0x62], .utf16) == "UTF-16BE")
        #expect(resolved([], .utf16) == "UTF-16LE")
    }

    @Test func utf16PatternNeedsNULsInEveryOtherByteOnly() {
        #expect(EncodingDetection.utf16Pattern([0x61, 0x00, 0x62, 0x00]) == .littleEndian)
        #expect(EncodingDetection.utf16Pattern([0x00, 0x61, 0x00, 0x62]) == .bigEndian)
        #expect(EncodingDetection.utf16Pattern([0x61, 0x00]) == nil)  // one character says nothing
        #expect(EncodingDetection.utf16Pattern([0x61, 0x00, 0x00, 0x00]) == nil)
        #expect(EncodingDetection.utf16Pattern(Array("abcd".utf8)) == nil)
        #expect(resolved([0x61, 0x00, 0x62, 0x00], .windows1252).hasPrefix("the file looks like UTF-16 (little-endian) without a byte order mark"))
    }

    @Test func encodingOptionNamesAndAliases() {
        #expect(["utf-8", "UTF8", "utf-16", "Windows-1252", "cp1252", "iso-8859-15", "latin-9", "ISO_8859-15"].map { EncodingOption(name: $0) }
                    == [.utf8, .utf8, .utf16, .windows1252, .windows1252, .iso885915, .iso885915, .iso885915])
        #expect(EncodingOption(name: "latin1") == nil)
    }
}
