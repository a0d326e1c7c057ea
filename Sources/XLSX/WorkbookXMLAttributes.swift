/// The attributes of one start tag, parsed only when asked for (a cell needs two or three).
struct WorkbookXMLAttributes {
    let bytes: UnsafeBufferPointer<UInt8>

    /// The raw value (entities not decoded) of the attribute with this local name.
    func raw(_ localName: StaticString) -> UnsafeBufferPointer<UInt8>? {
        var found: UnsafeBufferPointer<UInt8>?
        forEach { name, value in
            if found == nil && name.isName(localName) { found = value }
        }
        return found
    }

    /// The value with entities decoded, as a `String`; nil when absent or undecodable.
    func string(_ localName: StaticString, part: String) throws(WorkbookReadError) -> String? {
        guard let raw = raw(localName) else { return nil }
        var out: [UInt8] = []
        try WorkbookXMLScanner.decodeEntities(raw, into: &out, part: part)
        return String(decoding: out, as: UTF8.self)
    }

    /// Calls `body` with each attribute's local name and raw value.
    func forEach(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) {
        var index = 0
        let count = bytes.count
        while index < count {
            while index < count && WorkbookXMLScanner.isSpace(bytes[index]) { index += 1 }
            let nameStart = index
            while index < count && bytes[index] != UInt8(ascii: "=") && !WorkbookXMLScanner.isSpace(bytes[index]) { index += 1 }
            let nameEnd = index
            while index < count && WorkbookXMLScanner.isSpace(bytes[index]) { index += 1 }
            guard index < count && bytes[index] == UInt8(ascii: "=") else { return }
            index += 1
            while index < count && WorkbookXMLScanner.isSpace(bytes[index]) { index += 1 }
            guard index < count else { return }
            let quote = bytes[index]
            guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { return }
            index += 1
            let valueStart = index
            while index < count && bytes[index] != quote { index += 1 }
            let name = WorkbookXMLScanner.localName(UnsafeBufferPointer(rebasing: bytes[nameStart..<nameEnd]))
            body(name, UnsafeBufferPointer(rebasing: bytes[valueStart..<index]))
            index += 1
        }
    }
}
