/// The package parts around the worksheets: content types, relationships and the workbook,
/// as ECMA-376 Part 1 requires them for a workbook with `count` sheets and no shared strings.
enum WriteParts {
    private static let declaration: StaticString = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"

    /// `[Content_Types].xml`.
    static func contentTypes(sheets count: Int) -> [UInt8] {
        var xml = WriteXML()
        xml.raw(declaration)
        xml.raw(#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#)
        xml.raw(#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#)
        xml.raw(#"<Default Extension="xml" ContentType="application/xml"/>"#)
        xml.raw(#"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#)
        for sheet in 1...max(count, 1) {
            xml.raw(#"<Override PartName="/xl/worksheets/sheet"#)
            xml.number(sheet)
            xml.raw(#".xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#)
        }
        xml.raw(#"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#)
        xml.raw("</Types>")
        return xml.bytes
    }

    /// `_rels/.rels`: the package's one relationship, to the workbook.
    static let packageRelationships: [UInt8] = {
        var xml = WriteXML()
        xml.raw(declaration)
        xml.raw(#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#)
        xml.raw(#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#)
        xml.raw("</Relationships>")
        return xml.bytes
    }()

    /// `xl/_rels/workbook.xml.rels`: sheet N is `rIdN`, the styles come after them.
    static func workbookRelationships(sheets count: Int) -> [UInt8] {
        var xml = WriteXML()
        xml.raw(declaration)
        xml.raw(#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#)
        for sheet in 1...max(count, 1) {
            xml.raw(#"<Relationship Id="rId"#)
            xml.number(sheet)
            xml.raw(#"" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet"#)
            xml.number(sheet)
            xml.raw(#".xml"/>"#)
        }
        xml.raw(#"<Relationship Id="rId"#)
        xml.number(max(count, 1) + 1)
        xml.raw(#"" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#)
        xml.raw("</Relationships>")
        return xml.bytes
    }

    /// `xl/workbook.xml`; `filter` is the first sheet's filtered block (`A1:Y900`), named as
    /// Excel names it (`_xlnm._FilterDatabase`) so the filter buttons work on opening.
    static func workbook(sheetNames: [String], filter: String?) -> [UInt8] {
        var xml = WriteXML()
        xml.raw(declaration)
        xml.raw(#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#)
        xml.raw(#"<bookViews><workbookView activeTab="0"/></bookViews><sheets>"#)
        for (index, name) in sheetNames.enumerated() {
            xml.raw(#"<sheet name=""#)
            xml.attribute(name)
            xml.raw(#"" sheetId=""#)
            xml.number(index + 1)
            xml.raw(#"" r:id="rId"#)
            xml.number(index + 1)
            xml.raw(#""/>"#)
        }
        xml.raw("</sheets>")
        if let filter, let first = sheetNames.first {
            let absolute = filter.split(separator: ":").map { absoluteReference(String($0)) }.joined(separator: ":")
            xml.raw(#"<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">"#)
            let quoted = String(first.flatMap { $0 == "'" ? ["'", "'"] : [$0] })
            xml.text("'" + quoted + "'!" + absolute)
            xml.raw("</definedName></definedNames>")
        }
        xml.raw("</workbook>")
        return xml.bytes
    }

    /// `D17` → `$D$17`.
    private static func absoluteReference(_ reference: String) -> String {
        guard let digit = reference.firstIndex(where: \.isNumber) else { return "$" + reference }
        return "$" + reference[..<digit] + "$" + reference[digit...]
    }
}
