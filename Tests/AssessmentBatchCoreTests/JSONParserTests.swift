import Testing

@testable import AssessmentBatchCore

extension ReaderTestSupport {
    static func parseJSON(_ bytes: [UInt8], maxDepth: Int = 64, maxStringBytes: Int = 1 << 20) -> Result<JSONValue, JSONSyntaxError> {
        bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONSyntaxError) -> JSONValue in
                try JSONParser.parse(buffer, maxDepth: maxDepth, maxStringBytes: maxStringBytes)
            }
        }
    }

    /// What `JSONParser.forEachMember` sees, rebuilt as a value: the object from its members,
    /// `nil` for a non-object.
    static func scanJSON(_ bytes: [UInt8], maxDepth: Int = 64, maxStringBytes: Int = 1 << 20) -> Result<JSONValue?, JSONSyntaxError> {
        bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONSyntaxError) -> JSONValue? in
                var object = JSONObject()
                let isObject = try JSONParser.forEachMember(of: buffer, maxDepth: maxDepth, maxStringBytes: maxStringBytes) { key, value in
                    let member: JSONValue
                    switch value {
                    case .string(let text): member = .string(String(decoding: text, as: UTF8.self))
                    case .number(let text): member = .number(String(decoding: text, as: UTF8.self))
                    case .bool(let flag): member = .bool(flag)
                    case .null: member = .null
                    case .container(let container): member = container
                    }
                    object.append(String(decoding: key, as: UTF8.self), member)
                }
                return isObject ? .object(object) : nil
            }
        }
    }

    /// `forEachMember` agrees with `parse`: the same error, or the same object's members.
    static func expectScanMatchesParse(_ bytes: [UInt8], maxDepth: Int = 64, maxStringBytes: Int = 1 << 20, _ comment: Comment? = nil) {
        let scanned = scanJSON(bytes, maxDepth: maxDepth, maxStringBytes: maxStringBytes)
        switch parseJSON(bytes, maxDepth: maxDepth, maxStringBytes: maxStringBytes) {
        case .failure(let error):
            #expect(scanned == .failure(error), comment)
        case .success(let value):
            #expect(scanned == .success(value.objectValue == nil ? JSONValue?.none : value), comment)
        }
    }
}

extension JSONParserTests {
    /// One input the parser must reject, with the expected error.
    struct Rejection: Sendable, CustomTestStringConvertible {
        var input: [UInt8]
        var column: Int
        var message: String
        var maxStringBytes = 1 << 20

        init(_ input: String, _ column: Int, _ message: String, maxStringBytes: Int = 1 << 20) {
            self.init(Array(input.utf8), column, message, maxStringBytes: maxStringBytes)
        }

        init(_ input: [UInt8], _ column: Int, _ message: String, maxStringBytes: Int = 1 << 20) {
            self.input = input
            self.column = column
            self.message = message
            self.maxStringBytes = maxStringBytes
        }

        var testDescription: String { String(decoding: input, as: UTF8.self).debugDescription }

        static let all: [Rejection] = [
            .init("", 1, "expected a JSON value, found end of input"),
            .init("   ", 4, "expected a JSON value, found end of input"),
            .init("{\"a\":1,}", 8, "trailing comma in object"),
            .init("[1,2,]", 6, "trailing comma in array"),
            .init("[1,2 , ]", 8, "trailing comma in array"),
            .init("{'a':1}", 2, "single-quoted strings are not allowed"),
            .init("['a']", 2, "single-quoted strings are not allowed"),
            .init("// c\n1", 1, "comments are not allowed"),
            .init("[1 /* x */]", 4, "comments are not allowed"),
            .init("1 // x", 3, "comments are not allowed"),
            .init("NaN", 1, "NaN and Infinity are not allowed"),
            .init("[Infinity]", 2, "NaN and Infinity are not allowed"),
            .init("-Infinity", 2, "NaN and Infinity are not allowed"),
            .init("01", 1, "leading zeros are not allowed"),
            .init("[-01]", 3, "leading zeros are not allowed"),
            .init("+1", 1, "numbers must not start with '+'"),
            .init(".5", 1, "numbers must start with a digit"),
            .init("1.", 3, "expected a digit after '.', found end of input"),
            .init("1.e5", 3, "expected a digit after '.', found 'e'"),
            .init("1e", 3, "expected a digit in the exponent, found end of input"),
            .init("[1e+]", 5, "expected a digit in the exponent, found ']'"),
            .init("-", 2, "expected a digit after '-', found end of input"),
            .init("- 1", 2, "expected a digit after '-', found byte 0x20"),
            .init("1.5.3", 4, "expected end of input after the JSON value, found '.'"),
            .init("\"a\u{01}b\"", 3, "unescaped control character 0x01 in string"),
            .init("\"a\nb\"", 3, "unescaped control character 0x0A in string"),
            .init("\"a\\n\tb\"", 5, "unescaped control character 0x09 in string"),
            .init("\"abc", 1, "unterminated string"),
            .init("[\"a\\\"", 2, "unterminated string"),
            .init("\"\\", 2, "unterminated string"),
            .init("\"\\x\"", 2, "invalid escape '\\x' in string"),
            .init("\"\\'\"", 2, "invalid escape '\\'' in string"),
            .init("\"\\u12G4\"", 2, "\\u escape needs four hex digits"),
            .init("\"\\u12\"", 2, "\\u escape needs four hex digits"),
            .init("\"\\u12", 2, "\\u escape needs four hex digits"),
            .init("\"\\uD800\"", 2, "unpaired surrogate in \\u escape"),
            .init("\"\\udc00\"", 2, "unpaired surrogate in \\u escape"),
            .init("\"x\\uD800\\u0041\"", 3, "unpaired surrogate in \\u escape"),
            .init("\"\\uD800\\n\"", 2, "unpaired surrogate in \\u escape"),
            .init("\"\\uD83D\\uD83D\"", 2, "unpaired surrogate in \\u escape"),
            .init([0x5B, 0x22, 0xFF, 0x22, 0x5D], 2, "invalid UTF-8 in string"),
            .init([0x22, 0x5C, 0x6E, 0xC3, 0x22], 1, "invalid UTF-8 in string"),
            .init([0x22, 0xED, 0xA0, 0x80, 0x22], 1, "invalid UTF-8 in string"),
            .init("{\"score\":1,\"score\":2}", 12, "duplicate key \"score\""),
            .init("{\"a\":{\"b\":1,\"b\\n\":2,\"b\\n\":3}}", 21, "duplicate key \"b\\n\""),
            .init("{\"a\" 1}", 6, "expected ':' after object key, found '1'"),
            .init("{a:1}", 2, "expected a string key, found 'a'"),
            .init("{,}", 2, "expected a string key, found ','"),
            .init("{\"a\":1 \"b\":2}", 8, "expected ',' or '}', found '\"'"),
            .init("{\"a\":1", 7, "expected ',' or '}', found end of input"),
            .init("{\"a\":", 6, "expected a JSON value, found end of input"),
            .init("{\"a\":}", 6, "expected a JSON value, found '}'"),
            .init("[1 2]", 4, "expected ',' or ']', found '2'"),
            .init("[1", 3, "expected ',' or ']', found end of input"),
            .init("[1,,2]", 4, "expected a JSON value, found ','"),
            .init("[,1]", 2, "expected a JSON value, found ','"),
            .init("[}", 2, "expected a JSON value, found '}'"),
            .init("tru", 1, "invalid literal"),
            .init("[nul]", 2, "invalid literal"),
            .init("fals", 1, "invalid literal"),
            .init("True", 1, "expected a JSON value, found 'T'"),
            .init("truex", 5, "expected end of input after the JSON value, found 'x'"),
            .init("{} {}", 4, "expected end of input after the JSON value, found '{'"),
            .init("1 2", 3, "expected end of input after the JSON value, found '2'"),
            .init("[]]", 3, "expected end of input after the JSON value, found ']'"),
            .init("\u{A0}1", 1, "expected a JSON value, found byte 0xC2"),
            .init("\u{0C}1", 1, "expected a JSON value, found byte 0x0C"),
            .init("1\u{0}", 2, "expected end of input after the JSON value, found byte 0x00"),
            .init("\"abcdefghijk\"", 1, "string longer than 10 bytes", maxStringBytes: 10),
            .init("[\"\\nabcdefghij\"]", 2, "string longer than 10 bytes", maxStringBytes: 10),
            .init("{\"abcdefghijk\":1}", 2, "string longer than 10 bytes", maxStringBytes: 10),
            .init("[12345678901]", 2, "number longer than 10 bytes", maxStringBytes: 10),
            .init(String(repeating: "[", count: 65), 65, "nesting deeper than 64 levels"),
            .init(String(repeating: "{\"a\":", count: 65), 321, "nesting deeper than 64 levels"),
        ]
    }
}

struct JSONParserTests {
    @Test(arguments: Rejection.all)
    func rejects(_ rejection: Rejection) {
        let result = ReaderTestSupport.parseJSON(rejection.input, maxStringBytes: rejection.maxStringBytes)
        #expect(result == .failure(JSONSyntaxError(column: rejection.column, message: rejection.message)))
        ReaderTestSupport.expectScanMatchesParse(rejection.input, maxStringBytes: rejection.maxStringBytes)
    }

    static let canonical: [(input: String, compact: String)] = [
        ("null", "null"),
        ("true", "true"),
        (" false ", "false"),
        ("0", "0"),
        ("-0", "-0"),
        ("-0.0e-0", "-0.0e-0"),
        ("1.5e-10", "1.5e-10"),
        ("1E+2", "1E+2"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
        ("-98765432109876543210.123456789012345678901234567890e-999", "-98765432109876543210.123456789012345678901234567890e-999"),
        ("\"\"", "\"\""),
        ("\"é😀\"", "\"é😀\""),
        ("[]", "[]"),
        ("{}", "{}"),
        ("[ ]", "[]"),
        ("{ \n }", "{}"),
        ("[1,[2,[3,[]]],{}]", "[1,[2,[3,[]]],{}]"),
        ("{\"b\":1,\"a\":[true,null,{\"c\":\"d\"}],\"B\":-1}", "{\"b\":1,\"a\":[true,null,{\"c\":\"d\"}],\"B\":-1}"),
        (" \t\r\n{ \"a\" : 1 , \"b\" : [ 1 , 2 ] } \n", "{\"a\":1,\"b\":[1,2]}"),
        ("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0001\\u001F\"", "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\""),
        ("\"\\u00e9\\u00E9\\u20AC\\uD83D\\uDE00\\u0000\"", "\"éé€😀\\u0000\""),
        ("{\"\":\"\",\"a\\u0000b\":0}", "{\"\":\"\",\"a\\u0000b\":0}"),
    ]

    @Test(arguments: canonical.indices)
    func roundTrips(_ index: Int) throws {
        let (input, compact) = Self.canonical[index]
        let value = try ReaderTestSupport.parseJSON(Array(input.utf8)).get()
        #expect(JSONWriter.string(value) == compact)
        #expect(try ReaderTestSupport.parseJSON(Array(compact.utf8)).get() == value)
        let pretty = JSONWriter.string(value, pretty: true)
        #expect(try ReaderTestSupport.parseJSON(Array(pretty.utf8)).get() == value)
        ReaderTestSupport.expectScanMatchesParse(Array(input.utf8))
        ReaderTestSupport.expectScanMatchesParse(Array(pretty.utf8))
    }

    @Test func memberScanKeepsEscapedKeysAndChecksDuplicatesAndDepth() throws {
        let line = #"{"a\u0062":"x\ny","ab":1}"#
        #expect(ReaderTestSupport.scanJSON(Array(line.utf8)) == .failure(JSONSyntaxError(column: 19, message: #"duplicate key "ab""#)))
        ReaderTestSupport.expectScanMatchesParse(Array(line.utf8))
        let escapedThenPlain = #"{"sc\u006Fre":"\u00e9","n":[1,{"b":null}],"t":true,"f":false,"z":null}"#
        ReaderTestSupport.expectScanMatchesParse(Array(escapedThenPlain.utf8))
        #expect(try ReaderTestSupport.scanJSON(Array(escapedThenPlain.utf8)).get()?.objectValue?["score"] == .string("é"))
        // Many keys switch the duplicate check to a set; a late duplicate is still found.
        let many = "{" + (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        ReaderTestSupport.expectScanMatchesParse(Array((many + "}").utf8))
        ReaderTestSupport.expectScanMatchesParse(Array((many + ",\"k3\":0}").utf8))
        for depth in 0...3 {
            ReaderTestSupport.expectScanMatchesParse(Array(#"{"a":{"b":[1]}}"#.utf8), maxDepth: depth, "depth \(depth)")
        }
    }

    @Test func keepsStructureAndOrder() throws {
        let value = try JSONParser.parse(
            "{\"assessmentId\": 901, \"criteria\": [{\"categoryId\": 1, \"score\": 5, \"reason\": \"gut\"}], \"state\": null}"
        )
        let object = try #require(value.objectValue)
        #expect(object.keys == ["assessmentId", "criteria", "state"])
        #expect(object["assessmentId"] == .number("901"))
        #expect(object["assessmentId"]?.intValue == 901)
        #expect(object["state"]?.isNull == true)
        #expect(object["missing"] == nil)
        let criterion = try #require(object["criteria"]?.arrayValue?.first?.objectValue)
        #expect(criterion["reason"]?.stringValue == "gut")
        #expect(criterion.members.map(\.key) == ["categoryId", "score", "reason"])
        #expect(
            value
                == [
                    "assessmentId": 901, "criteria": [["categoryId": 1, "score": 5, "reason": "gut"]],
                    "state": nil,
                ]
        )
    }

    @Test func hugeNumbersKeepEveryDigit() throws {
        let text = "123456789012345678901234567890"
        let value = try JSONParser.parse("{\"n\": \(text), \"f\": 0.1000000000000000000000000001}")
        #expect(value.objectValue?["n"] == .number(text))
        #expect(value.objectValue?["n"]?.intValue == nil)
        #expect(value.objectValue?["f"]?.numberText == "0.1000000000000000000000000001")
        #expect(JSONWriter.string(value) == "{\"n\":\(text),\"f\":0.1000000000000000000000000001}")
    }

    @Test func unicodeEscapesAndSurrogates() throws {
        #expect(try JSONParser.parse("\"\\u00e9\"") == .string("é"))
        #expect(try JSONParser.parse("\"\\uD83D\\uDE00!\"") == .string("😀!"))
        #expect(try JSONParser.parse("\"\\udbff\\udfff\"") == .string("\u{10FFFF}"))
        #expect(try JSONParser.parse("\"a\\u0000b\"") == .string("a\u{0}b"))
        #expect(try JSONParser.parse("\"Grüße \\\"x\\\"\"") == .string("Grüße \"x\""))
    }

    @Test func deepNestingFailsCleanly() {
        let opens = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(ReaderTestSupport.parseJSON(opens) == .failure(JSONSyntaxError(column: 65, message: "nesting deeper than 64 levels")))
        let balanced = opens + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000)
        #expect(ReaderTestSupport.parseJSON(balanced) == .failure(JSONSyntaxError(column: 65, message: "nesting deeper than 64 levels")))
        // Even with the depth limit lifted the parser itself never recurses.
        #expect(
            ReaderTestSupport.parseJSON(opens, maxDepth: 1_000_000)
                == .failure(JSONSyntaxError(column: 100_001, message: "expected a JSON value, found end of input"))
        )
        let objects = Array(String(repeating: "{\"a\":", count: 100_000).utf8)
        #expect(ReaderTestSupport.parseJSON(objects, maxDepth: 1_000_000) == .failure(JSONSyntaxError(column: 500_001, message: "expected a JSON value, found end of input")))
    }

    @Test func depthLimitIsInclusive() throws {
        let text = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        var value = try JSONParser.parse(text)
        var depth = 0
        while let inner = value.arrayValue {
            depth += 1
            value = inner.first ?? .null
        }
        #expect(depth == 64)
        #expect(throws: JSONSyntaxError(column: 3, message: "nesting deeper than 2 levels")) {
            try JSONParser.parse("[[[]]]", maxDepth: 2)
        }
    }

    @Test func manyKeysDuplicateDetected() {
        let members = (0..<5_000).map { "\"k\($0)\":\($0)" }
        let valid = "{" + members.joined(separator: ",") + "}"
        #expect(throws: Never.self) { try JSONParser.parse(valid) }
        let duplicate = "{" + members.joined(separator: ",") + ",\"k4321\":1}"
        #expect(throws: JSONSyntaxError(column: duplicate.utf8.count - 9, message: "duplicate key \"k4321\"")) {
            try JSONParser.parse(duplicate)
        }
    }

    @Test func duplicateKeysAreComparedByBytes() throws {
        #expect(throws: JSONSyntaxError(column: 8, message: "duplicate key \"a\"")) {
            try JSONParser.parse("{\"a\":1,\"\\u0061\":2}")
        }
        #expect(throws: JSONSyntaxError(column: 14, message: "duplicate key \"a\"")) {
            try JSONParser.parse("{\"a\":{\"b\":1},\"a\":2}")
        }
        // Same first and last eight bytes (same fingerprint), different keys.
        let similar = try JSONParser.parse("{\"abcdefghXabcdefgh\":1,\"abcdefghYabcdefgh\":2}")
        #expect(similar.objectValue?.keys == ["abcdefghXabcdefgh", "abcdefghYabcdefgh"])
        // Canonically equivalent but different code points are different JSON keys.
        let accents = try JSONParser.parse("{\"é\":1,\"e\\u0301\":2}")
        #expect(accents.objectValue?.count == 2)
        // The same key in sibling and nested objects is fine.
        let nested = try JSONParser.parse("[{\"a\":1},{\"a\":{\"a\":2,\"b\":{\"a\":3}},\"b\":4}]")
        #expect(JSONWriter.string(nested) == "[{\"a\":1},{\"a\":{\"a\":2,\"b\":{\"a\":3}},\"b\":4}]")
    }

    /// 100 nested objects of 20 keys each: more key fingerprints than the parser keeps on the
    /// stack, and every object past the size where duplicates are found with a hash set.
    @Test func deepWideObjects() throws {
        func build(depth: Int, duplicateAtBottom: Bool) -> String {
            var text = ""
            for level in 0..<depth {
                text += "{" + (0..<19).map { "\"k\($0)\":\(level)," }.joined() + "\"child\":"
            }
            text += duplicateAtBottom ? "{\"x\":1,\"y\":2,\"x\":3}" : "{\"x\":1}"
            text += String(repeating: "}", count: depth)
            return text
        }
        let value = try JSONParser.parse(build(depth: 100, duplicateAtBottom: false), maxDepth: 200)
        var object = try #require(value.objectValue)
        var levels = 1
        while let child = object["child"]?.objectValue, child.count == 20 {
            #expect(child["k18"] == JSONValue(integer: levels))
            object = child
            levels += 1
        }
        #expect(levels == 100)
        #expect(throws: JSONSyntaxError.self) {
            try JSONParser.parse(build(depth: 100, duplicateAtBottom: true), maxDepth: 200)
        }
        let bigObject = "{" + (0..<100).map { "\"key\($0)\":\($0)" }.joined(separator: ",") + ",\"key57\":0}"
        #expect(throws: JSONSyntaxError(column: bigObject.utf8.count - 9, message: "duplicate key \"key57\"")) {
            try JSONParser.parse(bigObject)
        }
    }

    @Test func errorDescription() {
        #expect(JSONSyntaxError(column: 7, message: "trailing comma in array").description == "column 7: trailing comma in array")
    }
}
