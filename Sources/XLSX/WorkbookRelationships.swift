/// A `.rels` part: relationship ids to the parts they point at, resolved against the part the
/// relationships belong to (targets may be relative, `worksheets/sheet1.xml`, or absolute,
/// `/xl/worksheets/sheet1.xml`).
struct WorkbookRelationships {
    struct Relationship {
        var type: String
        /// The target part's name, resolved, without a leading `/`; nil for external targets.
        var part: String?
    }

    var byId: [String: Relationship] = [:]

    /// Reads the relationships of `source` (`xl/workbook.xml` → `xl/_rels/workbook.xml.rels`).
    static func read(of source: String, from zip: ZipPartReader, limits: WorkbookLimits) throws(WorkbookReadError) -> WorkbookRelationships {
        let relsPart = relationshipsPart(of: source)
        guard zip.contains(relsPart) else { return WorkbookRelationships() }
        let handler = Handler(base: directory(of: source), part: relsPart)
        var scanner = WorkbookXMLScanner(part: relsPart)
        try zip.stream(relsPart, maxBytes: limits.maxHeldPartBytes) { chunk throws(WorkbookReadError) in
            try scanner.consume(chunk, handler: handler)
            return true
        }
        try scanner.finish(handler: handler)
        return WorkbookRelationships(byId: handler.byId)
    }

    /// `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`; the package's own is `_rels/.rels`.
    static func relationshipsPart(of source: String) -> String {
        let folder = directory(of: source)
        let name = source.split(separator: "/").last.map(String.init) ?? source
        return (folder.isEmpty ? "" : folder + "/") + "_rels/" + (source.isEmpty ? "" : name) + ".rels"
    }

    static func directory(of part: String) -> String {
        var components = part.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if !components.isEmpty { components.removeLast() }
        return components.joined(separator: "/")
    }

    /// Resolves `target` against the folder `base`: `/x/y` is absolute, `../y` climbs.
    static func resolve(_ target: String, base: String) -> String {
        var components = target.hasPrefix("/") ? [] : base.split(separator: "/").map(String.init)
        for piece in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch piece {
            case ".": continue
            case "..": if !components.isEmpty { components.removeLast() }
            default: components.append(String(piece))
            }
        }
        return components.joined(separator: "/")
    }

    private final class Handler: WorkbookXMLHandler {
        let base: String
        let part: String
        var byId: [String: Relationship] = [:]
        var wantsText: Bool { false }

        init(base: String, part: String) {
            self.base = base
            self.part = part
        }

        func startElement(_ name: UnsafeBufferPointer<UInt8>, _ attributes: WorkbookXMLAttributes, selfClosing: Bool) throws(WorkbookReadError) {
            guard name.isName("Relationship") else { return }
            guard let id = try attributes.string("Id", part: part), let target = try attributes.string("Target", part: part) else { return }
            let type = try attributes.string("Type", part: part) ?? ""
            let external = try attributes.string("TargetMode", part: part) == "External"
            // An external target is never fetched: it names no part of this file.
            byId[id] = Relationship(type: type, part: external ? nil : WorkbookRelationships.resolve(target.removingPercentEncodingIfAny, base: base))
        }

        func endElement(_ name: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError) {}
        func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError) {}
    }
}

extension String {
    /// Part names in relationship targets are URIs: `%20` is a space in the zip's entry name.
    var removingPercentEncodingIfAny: String {
        guard contains("%") else { return self }
        var out: [UInt8] = []
        let bytes = Array(utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
