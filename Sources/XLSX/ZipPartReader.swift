#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif
internal import ZIPFoundation

/// The zip container of a workbook: says what a file is when it is not a workbook's zip, finds
/// parts by name, and inflates one part at a time as a stream of chunks, counting what comes
/// out so that a part that inflates implausibly is refused while it inflates.
///
/// The directory is read by `ZipDirectoryReader` (see there why not ZIPFoundation's `Archive`);
/// inflating and checksums are ZIPFoundation's (zlib). An instance lives inside one synchronous
/// read and is never shared.
final class ZipPartReader {
    private let directory: ZipDirectoryReader
    private let limits: WorkbookLimits
    /// Entries by part name, lowercased (Open Packaging part names compare without case).
    private let entries: [String: ZipDirectoryReader.Entry]

    private init(directory: ZipDirectoryReader, limits: WorkbookLimits) {
        self.directory = directory
        self.limits = limits
        var entries: [String: ZipDirectoryReader.Entry] = [:]
        for entry in directory.entries where !entry.name.hasSuffix("/") {
            entries[Self.normalised(entry.name)] = entry
        }
        self.entries = entries
    }

    deinit {
        close(directory.descriptor)
    }

    /// Opens `path`, or says what the file is instead of a workbook.
    static func open(path: String, limits: WorkbookLimits) throws(WorkbookReadError) -> ZipPartReader {
        let head: [UInt8]
        do {
            head = try readHead(path: path, count: 512)
        } catch {
            throw WorkbookReadError(.unreadable, "cannot read the file: \(error)")
        }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            throw WorkbookReadError(.compoundFile, "the file is an OLE compound file, not an .xlsx workbook: either an Excel 97–2003 workbook (.xls) or a password-protected (encrypted) workbook, which Excel stores that way. For an .xls, \(WorkbookReadError.saveAsAdvice). For a password-protected workbook, remove the password first (Excel: File > Info > Protect Workbook > Encrypt with Password, clear it; LibreOffice: Save As without \"Save with password\") and save it as .xlsx")
        }
        let isZip = head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06])
        guard isZip else {
            if head.isEmpty {
                throw WorkbookReadError(.notZip, "the file is empty, not an .xlsx workbook (an .xlsx is a zip archive)")
            }
            var what = "the file is not an .xlsx workbook (an .xlsx is a zip archive; this file is not one)"
            if looksLikeText(head) {
                what += ": it looks like text; if it is CSV or TSV, name it .csv or .tsv"
            }
            throw WorkbookReadError(.notZip, "\(what). If a spreadsheet program opens it, \(WorkbookReadError.saveAsAdvice)")
        }
        let descriptor = openReadOnly(path)
        guard descriptor >= 0 else {
            throw WorkbookReadError(.unreadable, "cannot read the file: \(String(cString: strerror(errno)))")
        }
        let directory: ZipDirectoryReader
        do {
            directory = try ZipDirectoryReader(descriptor: descriptor)
        } catch {
            close(descriptor)
            throw WorkbookReadError(.damagedZip, "the file is a damaged or incomplete zip archive, so it cannot be read as an .xlsx workbook (its table of contents is missing or unreadable: was it cut short while downloading or copying?). Copy it again from where it came from, or open it in Excel, which may repair it, and save it as .xlsx")
        }
        let reader = ZipPartReader(directory: directory, limits: limits)
        if let mimetype = try? reader.readWhole("mimetype", maxBytes: 200) {
            let type = String(decoding: mimetype, as: UTF8.self)
            if type.hasPrefix("application/vnd.oasis.opendocument.spreadsheet") {
                throw WorkbookReadError(.openDocument, "the file is an OpenDocument spreadsheet (.ods), not an .xlsx workbook: open it in LibreOffice and use File > Save As > \"Excel 2007-365 (.xlsx)\" (or in Excel: File > Save As > \"Excel Workbook (*.xlsx)\")")
            }
            if type.hasPrefix("application/vnd.oasis.opendocument") {
                throw WorkbookReadError(.openDocument, "the file is an OpenDocument file (\(type)), not a spreadsheet workbook: save the table as .xlsx from the program that made it")
            }
        }
        return reader
    }

    /// Whether the archive holds `part`.
    func contains(_ part: String) -> Bool {
        entries[Self.normalised(part)] != nil
    }

    /// The whole of a small part (workbook, relationships, styles), capped at `maxBytes`.
    func readWhole(_ part: String, maxBytes: UInt64) throws(WorkbookReadError) -> [UInt8] {
        var bytes: [UInt8] = []
        try stream(part, maxBytes: maxBytes) { chunk throws(WorkbookReadError) in
            bytes.append(contentsOf: chunk)
            return true
        }
        return bytes
    }

    /// Inflates `part` and hands it over chunk by chunk until `body` returns false or the part
    /// ends. Refuses the part as soon as more comes out than its compressed size can plausibly
    /// hold or than `maxBytes` (the zip's declared sizes are not trusted), and when the part
    /// is damaged (bad deflate data or checksum).
    func stream(_ part: String, maxBytes: UInt64? = nil,
                _ body: (UnsafeRawBufferPointer) throws(WorkbookReadError) -> Bool) throws(WorkbookReadError) {
        guard let entry = entries[Self.normalised(part)] else {
            throw WorkbookReadError(.notWorkbook, "the workbook has no part \(part)")
        }
        let cap = min(maxBytes ?? limits.maxPartBytes, limits.maxPartBytes)
        let ratioCap = max(limits.ratioFloorBytes, entry.compressedSize.multipliedReportingOverflow(by: limits.ratio).partialValue)
        let tooLarge = WorkbookReadError(.tooLarge, "the workbook's part \(part) inflates to more than \(Self.megabytes(min(cap, ratioCap))) from \(entry.compressedSize) compressed bytes, which no spreadsheet holds: refused as a zip bomb")
        func damaged(_ what: String) -> WorkbookReadError {
            WorkbookReadError(.damagedZip, "the workbook's part \(part) is damaged (\(what)): copy the file again, or open it in Excel, which may repair it, and save it as .xlsx")
        }
        if entry.uncompressedSize > cap || entry.uncompressedSize > ratioCap { throw tooLarge }
        guard entry.flags & 1 == 0 else {
            throw WorkbookReadError(.compoundFile, "the workbook's part \(part) is encrypted with a zip password, which spreadsheet programs do not do: remove the password and save it as .xlsx")
        }
        guard entry.method == 0 || entry.method == 8 else {
            throw damaged("it is compressed with zip method \(entry.method), which spreadsheet programs do not use")
        }
        let start: UInt64
        do {
            start = try directory.dataOffset(of: entry)
        } catch {
            throw damaged(error.what)
        }
        var failure: WorkbookReadError?
        var stopped = false
        do {
            try withoutActuallyEscaping(body) { body in
                var inflated: UInt64 = 0
                // Hands the compressed bytes over in chunks, never past the entry's own: a stream
                // that does not end within them is damage, not a reason to read on. Every chunk
                // is exactly `size` long, zero-padded after the entry's last byte, because
                // ZIPFoundation's inflate loop (0.9.20, Linux) tells zlib a chunk is `size` bytes
                // whatever it holds; zeros are no valid continuation, so a stream that has not
                // ended fails on them or, decoded as more data, runs past the declared size.
                var consumed: UInt64 = 0
                var padded = false
                let directory = directory
                let provide: (Int64, Int) throws -> Data = { _, size in
                    let left = entry.compressedSize - consumed
                    guard left > 0 else { throw ZipDirectoryReader.Damage(what: "its compressed data ends before its content does") }
                    let count = Int(min(UInt64(size), left))
                    var bytes = try directory.read(at: start + consumed, count: count)
                    consumed += UInt64(count)
                    if entry.method == 8 && count < size {
                        bytes += [UInt8](repeating: 0, count: size - count)
                        padded = true
                    }
                    return Data(bytes)
                }
                var checksum: UInt32 = 0
                let consume: (Data) throws -> Void = { data in
                    inflated += UInt64(data.count)
                    if inflated > entry.uncompressedSize {
                        // More than the directory declares: a stream that did not end within its
                        // bytes (decoding the padding), or a directory that lies.
                        failure = damaged(padded ? "its compressed data ends before its content does" : "it inflates beyond the size its directory entry declares")
                        throw StopInflating()
                    }
                    checksum = data.withUnsafeBytes { ZipCRC32.update(checksum, $0) }
                    if inflated > cap || inflated > ratioCap {
                        failure = tooLarge
                        throw StopInflating()
                    }
                    // `Data.withUnsafeBytes` rethrows untyped: the typed error travels as a result.
                    let outcome: Result<Bool, WorkbookReadError> = data.withUnsafeBytes { bytes in
                        do throws(WorkbookReadError) {
                            return .success(try body(bytes))
                        } catch {
                            return .failure(error)
                        }
                    }
                    guard case .success(let more) = outcome else {
                        if case .failure(let error) = outcome { failure = error }
                        throw StopInflating()
                    }
                    if !more {
                        stopped = true
                        throw StopInflating()
                    }
                }
                if entry.method == 8 {
                    _ = try Data.decompress(size: Int64(entry.compressedSize), bufferSize: 256 << 10, skipCRC32: true,
                                            provider: provide, consumer: consume)
                } else {
                    while consumed < entry.compressedSize {
                        try consume(try provide(0, 256 << 10))
                    }
                }
                if checksum != entry.crc32 { throw damaged("its checksum does not match") }
            }
        } catch let error as WorkbookReadError {
            throw error
        } catch is StopInflating {
            if let failure { throw failure }
            if !stopped { throw tooLarge }
        } catch let error as ZipDirectoryReader.Damage {
            throw damaged(error.what)
        } catch {
            throw damaged("its compressed data cannot be inflated")
        }
    }

    /// `/xl/workbook.xml` and `xl/Workbook.xml` name the same part.
    static func normalised(_ part: String) -> String {
        var name = part
        while name.hasPrefix("/") { name.removeFirst() }
        return name.lowercased()
    }

    private static func megabytes(_ bytes: UInt64) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(bytes) bytes"
    }

    private static func looksLikeText(_ head: [UInt8]) -> Bool {
        let sample = head.prefix(512)
        return !sample.isEmpty && sample.allSatisfy { $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
            && String(validating: sample, as: UTF8.self) != nil
    }

    private static func readHead(path: String, count: Int) throws -> [UInt8] {
        let descriptor = openReadOnly(path)
        guard descriptor >= 0 else { throw UnopenableFile(reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, count) }
        guard got >= 0 else { throw UnopenableFile(reason: String(cString: strerror(errno))) }
        return Array(bytes.prefix(got))
    }
}

/// `open(2)` for reading (inside `ZipPartReader`, `open` names its own method).
private func openReadOnly(_ path: String) -> Int32 {
    open(path, O_RDONLY | O_CLOEXEC)
}

/// Why `open` could not look at a file.
private struct UnopenableFile: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// Ends an inflate early from inside ZIPFoundation's consumer closure.
private struct StopInflating: Error {}
