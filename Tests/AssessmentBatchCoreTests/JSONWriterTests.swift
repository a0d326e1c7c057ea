import Testing

@testable import AssessmentBatchCore

struct JSONWriterTests {
    @Test func escapesQuotesBackslashesAndControlCharacters() {
        var out: [UInt8] = []
        JSONWriter.appendEscaped("a\"b\\c/d\u{1}\u{1F}\u{7F}é😀\n\r\t\u{8}\u{C}\u{0}", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"a\\\"b\\\\c/d\\u0001\\u001f\u{7F}é😀\\n\\r\\t\\b\\f\\u0000\"")
    }

    @Test func appendsAfterExistingBytes() {
        var out = Array("x=".utf8)
        JSONWriter.appendEscaped("", into: &out)
        JSONWriter.appendEscaped("plain", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x=\"\"\"plain\"")
    }

    @Test func compactKeepsMemberOrder() {
        var object = JSONObject()
        object.append("z", .number("1"))
        object.append("a", .array([.bool(true), .null, .string("s")]))
        object.append("m", .object(JSONObject()))
        #expect(JSONWriter.string(.object(object)) == "{\"z\":1,\"a\":[true,null,\"s\"],\"m\":{}}")
    }

    @Test func prettyUsesTwoSpaces() {
        let value: JSONValue = [
            "name": "x",
            "list": [1, ["k": false], []],
            "empty": [:],
            "n": .number("-1.50e+3"),
        ]
        let expected = """
            {
              "name": "x",
              "list": [
                1,
                {
                  "k": false
                },
                []
              ],
              "empty": {},
              "n": -1.50e+3
            }
            """
        #expect(JSONWriter.string(value, pretty: true) == expected)
        #expect(JSONWriter.string([], pretty: true) == "[]")
        #expect(JSONWriter.string("top", pretty: true) == "\"top\"")
    }

    @Test func writeAppendsIntoBuffer() {
        var out = Array("{\"line\":".utf8)
        JSONWriter.write(["a", 2], into: &out)
        out.append(UInt8(ascii: "}"))
        #expect(String(decoding: out, as: UTF8.self) == "{\"line\":[\"a\",2]}")
    }

    @Test func numbersAreWrittenVerbatim() {
        #expect(JSONWriter.string(.number("123456789012345678901234567890")) == "123456789012345678901234567890")
        #expect(JSONWriter.string(JSONValue(integer: Int64.min)) == "-9223372036854775808")
        #expect(JSONValue(integer: UInt64.max).description == "18446744073709551615")
    }

    @Test func objectEqualityIsOrdered() {
        let ab: JSONObject = ["a": 1, "b": 2]
        let ba: JSONObject = ["b": 2, "a": 1]
        #expect(ab == ["a": 1, "b": 2])
        #expect(ab != ba)
        #expect(ab != ["a": 1])
        #expect(ab != ["a": 1, "b": 3])
        #expect(ab.count == 2 && !ab.isEmpty && JSONObject().isEmpty)
    }

    @Test func accessorsReturnNilForOtherKinds() {
        let number: JSONValue = 5
        #expect(number.stringValue == nil && number.boolValue == nil && number.arrayValue == nil)
        #expect(number.objectValue == nil && !number.isNull && number.intValue == 5)
        #expect(JSONValue.bool(true).boolValue == true)
        #expect(JSONValue.number("1.0").intValue == nil)
        #expect(JSONValue.string("5").intValue == nil)
    }
}
