import Testing
@testable import XLSX

/// `WriteXML`: the exact bytes of escaped texts and attributes.
@Suite struct WriteXMLTests {
    private func text(_ value: String) -> String {
        var xml = WriteXML()
        xml.text(value)
        return String(decoding: xml.bytes, as: UTF8.self)
    }

    @Test func markupCharactersBecomeEntities() {
        #expect(text("a<b>&c\"d'e") == "a&lt;b&gt;&amp;c\"d'e")
    }

    @Test func controlCharactersAndCarriageReturnsBecomeECMAEscapes() {
        #expect(text("a\u{00}b\u{01}c\u{1F}d\re\tf\ng") == "a_x0000_b_x0001_c_x001F_d_x000D_e\tf\ng")
        #expect(text("\u{FFFE}\u{FFFF}\u{FFFD}") == "_xFFFE__xFFFF_\u{FFFD}")
    }

    @Test func aLiteralEscapeKeepsItsUnderscore() {
        #expect(text("_x000D_") == "_x005F_x000D_")
        #expect(text("a_xabcd_b") == "a_x005F_xabcd_b")
        #expect(text("_x12_ _xA_") == "_x005F_x12_ _x005F_xA_")
        #expect(text("_xGGGG_ _x_ _x12345_ _x000D") == "_xGGGG_ _x_ _x12345_ _x000D")
        #expect(text("__x0041_") == "__x005F_x0041_")
    }

    @Test func nonASCIITextIsUntouched() {
        #expect(text("Grüße 👩‍💻") == "Grüße 👩‍💻")
    }

    @Test func attributesEscapeQuotesAndWhiteSpace() {
        var xml = WriteXML()
        xml.attribute("a\"b<c>&d\te\nf\rg\u{01}h")
        #expect(String(decoding: xml.bytes, as: UTF8.self) == "a&quot;b&lt;c&gt;&amp;d&#9;e&#10;f&#13;gh")
    }

    @Test func numbersAreDecimalDigits() {
        var xml = WriteXML()
        for value in [0, 7, 10, 123_456_789_012, -42, Int.max, Int.min] {
            xml.number(value)
            xml.raw(" ")
        }
        #expect(String(decoding: xml.bytes, as: UTF8.self) == "0 7 10 123456789012 -42 9223372036854775807 -9223372036854775808 ")
    }

    @Test func preserveIsAskedForEdgeSpacesAndBreaks() {
        func needs(_ value: String) -> Bool {
            var value = value
            return value.withUTF8 { WriteXML.needsPreserve($0) }
        }
        #expect(needs(" a"))
        #expect(needs("a "))
        #expect(needs("a\nb"))
        #expect(!needs("a b"))
        #expect(!needs(""))
    }
}
