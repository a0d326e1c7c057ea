/// `xl/styles.xml`, as far as reading needs it: which cell formats (`s` of a cell, an index
/// into `cellXfs`) show numbers as dates.
struct WorkbookStyles {
    /// Per cell format, whether its number format is a date or time.
    var dateFormatted: [Bool] = []

    func isDate(style: Int) -> Bool {
        style >= 0 && style < dateFormatted.count && dateFormatted[style]
    }

    static func read(_ part: String, from zip: ZipPartReader, limits: WorkbookLimits) throws(WorkbookReadError) -> WorkbookStyles {
        let handler = Handler(part: part)
        var scanner = WorkbookXMLScanner(part: part)
        try zip.stream(part, maxBytes: limits.maxHeldPartBytes) { chunk throws(WorkbookReadError) in
            try scanner.consume(chunk, handler: handler)
            return true
        }
        try scanner.finish(handler: handler)
        var styles = WorkbookStyles()
        styles.dateFormatted = handler.formatIds.map { id in
            if let code = handler.customCodes[id] { return WorkbookDateFormats.isDate(code: code) }
            return WorkbookDateFormats.isBuiltInDate(id)
        }
        return styles
    }

    private final class Handler: WorkbookXMLHandler {
        let part: String
        var customCodes: [Int: String] = [:]
        var formatIds: [Int] = []
        var inCellFormats = false
        var wantsText: Bool { false }

        init(part: String) {
            self.part = part
        }

        func startElement(_ name: UnsafeBufferPointer<UInt8>, _ attributes: WorkbookXMLAttributes, selfClosing: Bool) throws(WorkbookReadError) {
            if name.isName("numFmt") {
                guard let id = try attributes.string("numFmtId", part: part).flatMap({ Int($0) }),
                      let code = try attributes.string("formatCode", part: part) else { return }
                customCodes[id] = code
            } else if name.isName("cellXfs") {
                inCellFormats = true
            } else if name.isName("xf") && inCellFormats {
                formatIds.append(try attributes.string("numFmtId", part: part).flatMap { Int($0) } ?? 0)
            }
        }

        func endElement(_ name: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError) {
            if name.isName("cellXfs") { inCellFormats = false }
        }

        func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError) {}
    }
}
