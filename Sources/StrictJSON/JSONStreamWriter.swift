/// Writes RFC 8259 text front to back, compact or 2-space pretty, without building a tree: the
/// one way this package writes JSON (PATCH bodies, journal and undo lines, reports, plans, the
/// simulator's answers). It places every comma, colon, line break and indent itself, so no
/// caller splices JSON text by hand, and a long document can be flushed piece by piece.
///
/// Pretty output matches ``JSONWriter``: each member and element on its own line,
/// `"key": value`, empty containers as `{}` and `[]`.
///
/// The writing methods are `@inlinable` (so their state is `@usableFromInline`): a caller in
/// another module, such as the simulator answering thousands of PATCHes a second, gets them
/// specialized and inlined instead of a generic call per value.
public struct JSONStreamWriter {
    /// The text written so far (or since the last ``takeBytes()``).
    public var bytes: [UInt8]
    public let pretty: Bool
    /// Indent levels added to every line: a value rendered to be placed `baseDepth` levels
    /// deep in a larger pretty text (see ``prerendered(_:)``).
    public let baseDepth: Int
    /// Open containers, innermost last.
    public var depth: Int { openContainers }
    @usableFromInline var openContainers = 0
    /// Bit `d` tells whether the container at depth `d + 1` has a member or element yet
    /// (a bit mask, not an array: a PATCH body must not allocate for its punctuation).
    @usableFromInline var hasItems: UInt64 = 0
    /// The same for containers nested deeper than 64.
    @usableFromInline var deeperHasItems: [Bool] = []
    /// A key was just written: its value follows without a separator.
    @usableFromInline var afterKey = false

    @inlinable
    public init(pretty: Bool = false, baseDepth: Int = 0, capacity: Int = 0) {
        self.pretty = pretty
        self.baseDepth = baseDepth
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: - Containers

    @inlinable
    public mutating func beginObject() {
        beforeValue()
        bytes.append(UInt8(ascii: "{"))
        push()
    }

    @inlinable
    public mutating func endObject() {
        close(UInt8(ascii: "}"))
    }

    @inlinable
    public mutating func beginArray() {
        beforeValue()
        bytes.append(UInt8(ascii: "["))
        push()
    }

    @inlinable
    public mutating func endArray() {
        close(UInt8(ascii: "]"))
    }

    /// Starts a member of the open object; its value is written next. Disfavored so that a
    /// literal name takes the `StaticString` overload below (no escaping scan).
    @inlinable
    @_disfavoredOverload
    public mutating func key(_ name: String) {
        separate()
        JSONWriter.appendEscaped(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(UInt8(ascii: " ")) }
        afterKey = true
    }

    /// Starts a member whose name needs no escaping (ASCII letters and digits).
    @inlinable
    public mutating func key(_ name: StaticString) {
        if pretty {
            separate()
            bytes.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { bytes.append(contentsOf: $0) }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(UInt8(ascii: ":"))
            bytes.append(UInt8(ascii: " "))
        } else {
            // `,"name":` assembled on the stack and appended at once: keys are the most frequent
            // piece of a compact answer, and each append to the array has a fixed cost.
            let comma = openContainers > 0 && markItem()
            let count = name.utf8CodeUnitCount
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count + 4) { buffer in
                var at = 0
                if comma {
                    buffer[0] = UInt8(ascii: ",")
                    at = 1
                }
                buffer[at] = UInt8(ascii: "\"")
                (buffer.baseAddress! + at + 1).initialize(from: name.utf8Start, count: count)
                buffer[at + 1 + count] = UInt8(ascii: "\"")
                buffer[at + 2 + count] = UInt8(ascii: ":")
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<(at + 3 + count)]))
            }
        }
        afterKey = true
    }

    // MARK: - Values

    @inlinable
    public mutating func string(_ text: String) {
        beforeValue()
        JSONWriter.appendEscaped(text, into: &bytes)
    }

    /// A string value whose characters `append` adds itself: printable ASCII other than `"`
    /// and `\`, so nothing needs escaping (a formatted date, say). It saves building a
    /// `String` for a value that is written many times a second.
    @inlinable
    public mutating func asciiString(_ append: (inout [UInt8]) -> Void) {
        beforeValue()
        bytes.append(UInt8(ascii: "\""))
        append(&bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A number given as valid JSON number text (kept exactly).
    @inlinable
    public mutating func number(_ text: String) {
        beforeValue()
        bytes.append(contentsOf: text.utf8)
    }

    @inlinable
    public mutating func int<Integer: BinaryInteger>(_ value: Integer) {
        beforeValue()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in  // UInt64.max has 20
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    @inlinable
    public mutating func bool(_ value: Bool) {
        beforeValue()
        let text: StaticString = value ? "true" : "false"
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inlinable
    public mutating func null() {
        beforeValue()
        let text: StaticString = "null"
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A whole tree, members in their order.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let text): number(text)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    /// A value rendered earlier by a writer with the same `pretty` and a `baseDepth` equal to
    /// this writer's current depth (kept on disk in between, say).
    @inlinable
    public mutating func prerendered(_ text: some Collection<UInt8>) {
        beforeValue()
        bytes.append(contentsOf: text)
    }

    /// Hands over the text written so far and starts an empty buffer (to flush a long
    /// document to a file as it grows).
    public mutating func takeBytes() -> [UInt8] {
        var taken: [UInt8] = []
        taken.reserveCapacity(bytes.capacity)
        swap(&taken, &bytes)
        return taken
    }

    // MARK: - Punctuation

    @inlinable
    @inline(__always)
    mutating func beforeValue() {
        if afterKey {
            afterKey = false
            return
        }
        separate()
    }

    /// The comma before every item but a container's first, and in pretty text its line.
    @inlinable
    @inline(__always)
    mutating func separate() {
        guard openContainers > 0 else { return }
        if markItem() { bytes.append(UInt8(ascii: ",")) }
        if pretty { newline(baseDepth + openContainers) }
    }

    /// Marks the innermost container as having an item; returns whether it had one already.
    @inlinable
    @inline(__always)
    mutating func markItem() -> Bool {
        if openContainers <= 64 {
            let bit: UInt64 = 1 << UInt64(openContainers - 1)
            defer { hasItems |= bit }
            return hasItems & bit != 0
        }
        defer { deeperHasItems[openContainers - 65] = true }
        return deeperHasItems[openContainers - 65]
    }

    @inlinable
    @inline(__always)
    mutating func push() {
        openContainers += 1
        if openContainers <= 64 {
            hasItems &= ~(1 << UInt64(openContainers - 1))
        } else {
            deeperHasItems.append(false)
        }
    }

    @inlinable
    @inline(__always)
    mutating func close(_ bracket: UInt8) {
        precondition(openContainers > 0 && !afterKey, "JSONStreamWriter: unbalanced container or a key without a value")
        let hadItems: Bool
        if openContainers <= 64 {
            hadItems = hasItems & (1 << UInt64(openContainers - 1)) != 0
        } else {
            hadItems = deeperHasItems.removeLast()
        }
        openContainers -= 1
        if hadItems && pretty { newline(baseDepth + openContainers) }
        bytes.append(bracket)
    }

    @inlinable
    mutating func newline(_ indent: Int) {
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }
}
