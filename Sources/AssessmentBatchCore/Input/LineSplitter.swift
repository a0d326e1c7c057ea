#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits JSONL into lines, stitching across chunks.
///
/// `\n` ends a line and one trailing `\r` is dropped (the text comes without the file's byte
/// order mark: `forEachUTF8Chunk` drops it);
/// lines of only spaces, tabs and CRs are skipped (their numbers still count). Lines inside one
/// chunk are handed on without copying; a line crossing chunks is assembled in a carry buffer
/// that never grows past `InputLimits.maxLineBytes`. Call `finish` once at the end of the input
/// (it also resets the splitter); after an error the splitter must not be fed again.
public struct LineSplitter: ~Copyable {
    /// The limits checked on every line.
    public let limits: InputLimits
    private var carry: [UInt8] = []
    /// The number of the line being read.
    private var line = 1
    /// The number of the line the next byte fed is on.
    public var currentLine: Int { line }

    /// Creates a splitter.
    public init(limits: InputLimits = InputLimits()) {
        self.limits = limits
    }

    /// Splits the next chunk, calling `onLine` with each complete line's bytes (without `\n`
    /// or trailing `\r`, valid only during the call) and its 1-based number.
    ///
    /// - Throws: `InputSyntaxError` for a line over `maxLineBytes`, or whatever `onLine` throws.
    public mutating func consume(
        _ bytes: UnsafeRawBufferPointer,
        onLine: (UnsafeRawBufferPointer, Int) throws -> Void
    ) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var p = 0
        let end = bytes.count
        while p < end {
            guard let newline = memchr(base + p, 0x0A, end - p) else {
                try appendToCarry(UnsafeRawBufferPointer(start: base + p, count: end - p))
                return
            }
            let lineEnd = newline - UnsafeMutableRawPointer(mutating: base)
            if carry.isEmpty {
                try Self.deliver(UnsafeRawBufferPointer(start: base + p, count: lineEnd - p), line, limits, onLine)
            } else {
                try appendToCarry(UnsafeRawBufferPointer(start: base + p, count: lineEnd - p))
                try carry.withUnsafeBytes { [line, limits] bytes in try Self.deliver(bytes, line, limits, onLine) }
                carry.removeAll(keepingCapacity: carry.capacity <= 1 << 16)
            }
            line += 1
            p = lineEnd + 1
        }
    }

    /// Ends the input: hands on a last line that has no `\n`, then resets the splitter.
    ///
    /// - Throws: `InputSyntaxError` for a line over `maxLineBytes`, or whatever `onLine` throws.
    public mutating func finish(onLine: (UnsafeRawBufferPointer, Int) throws -> Void) throws {
        if !carry.isEmpty {
            try carry.withUnsafeBytes { [line, limits] bytes in try Self.deliver(bytes, line, limits, onLine) }
        }
        carry = []
        line = 1
    }

    private mutating func appendToCarry(_ bytes: some Collection<UInt8>) throws(InputSyntaxError) {
        guard carry.count + bytes.count <= limits.maxLineBytes else {
            throw Self.tooLong(line, limits)
        }
        carry.append(contentsOf: bytes)
    }

    // Static helpers: a non-mutating method on a noncopyable struct, called from a mutating
    // one, would get a bitwise copy of the whole struct per call.
    private static func tooLong(_ line: Int, _ limits: InputLimits) -> InputSyntaxError {
        InputSyntaxError(line: line, message: "line longer than \(limits.maxLineBytes) bytes")
    }

    /// Hands on one line (without its `\n`), dropping a trailing `\r` and skipping blank lines.
    private static func deliver(
        _ bytes: UnsafeRawBufferPointer,
        _ line: Int,
        _ limits: InputLimits,
        _ onLine: (UnsafeRawBufferPointer, Int) throws -> Void
    ) throws {
        guard bytes.count <= limits.maxLineBytes else { throw tooLong(line, limits) }
        var count = bytes.count
        if count > 0 && bytes[count - 1] == 0x0D {
            count -= 1
        }
        var index = 0
        while index < count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x09 || byte == 0x0D else { break }
            index += 1
        }
        guard index < count, let base = bytes.baseAddress else { return }
        try onLine(UnsafeRawBufferPointer(start: base, count: count), line)
    }
}
