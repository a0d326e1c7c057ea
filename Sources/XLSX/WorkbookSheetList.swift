/// `xl/workbook.xml`: the sheets in tab order with their relationship ids, and the date system.
struct WorkbookSheetList {
    struct Sheet {
        var name: String
        var relationshipId: String
    }

    var sheets: [Sheet] = []
    /// Dates count days from 1904-01-01 (old Mac Excel) instead of 1899-12-30.
    var date1904 = false

    static func read(_ part: String, from zip: ZipPartReader, limits: WorkbookLimits) throws(WorkbookReadError) -> WorkbookSheetList {
        let handler = Handler(part: part)
        var scanner = WorkbookXMLScanner(part: part)
        try zip.stream(part, maxBytes: limits.maxHeldPartBytes) { chunk throws(WorkbookReadError) in
            try scanner.consume(chunk, handler: handler)
            return true
        }
        try scanner.finish(handler: handler)
        return handler.list
    }

    private final class Handler: WorkbookXMLHandler {
        let part: String
        var list = WorkbookSheetList()
        var wantsText: Bool { false }

        init(part: String) {
            self.part = part
        }

        func startElement(_ name: UnsafeBufferPointer<UInt8>, _ attributes: WorkbookXMLAttributes, selfClosing: Bool) throws(WorkbookReadError) {
            if name.isName("sheet") {
                // `r:id` (relationships namespace); matched by local name like every name here.
                guard let sheetName = try attributes.string("name", part: part), let id = try attributes.string("id", part: part) else {
                    throw WorkbookReadError(.malformed, "\(part) lists a sheet without a name or relationship id")
                }
                list.sheets.append(Sheet(name: sheetName, relationshipId: id))
            } else if name.isName("workbookPr") {
                if let value = try attributes.string("date1904", part: part) {
                    list.date1904 = value == "1" || value.lowercased() == "true"
                }
            }
        }

        func endElement(_ name: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError) {}
        func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError) {}
    }
}
