import Foundation
import Testing

@testable import AssessmentBatchCore

struct DetectDelimiterTests {
    static let cases: [(String, Character)] = [
        ("a,b,c\n1;2;3;4;5\n", ","),
        ("a;b;c\n", ";"),
        ("a\tb\tc\n", "\t"),
        ("\"x;y;z\",b\n", ","),
        ("\"x;\"\"y;z\",b\n", ","),
        ("\"a\nb\";c;d\n", ";"),
        ("", ","),
        ("abc\n", ","),
        ("a;b,c\n", ","),
        ("a;b\tc\n", ";"),
        ("a\tb\tc;d\n", "\t"),
        ("\r\n\r\nid;name\n", ";"),
        ("id;name", ";"),
        ("x\"a;b\";c,d,e\n", ","),
    ]

    @Test(arguments: cases.indices)
    func detects(_ index: Int) {
        let (text, expected) = Self.cases[index]
        let detected = Array(text.utf8).withUnsafeBytes { CSVParser.detectDelimiter(in: $0) }
        #expect(detected == expected.asciiValue, "\(text.debugDescription)")
    }
}
