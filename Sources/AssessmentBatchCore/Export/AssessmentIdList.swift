/// A problem with an `--ids` file, at a line (0 for the whole file).
public struct IdListError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var message: String

    public var description: String { "\(path):\(line): \(message)" }
}

/// Reads the assessment ids `export --ids FILE` selects: one id per line, or any CSV/TSV/JSONL
/// or `.xlsx` file with an `assessmentId` column (a failures file, an earlier sheet), in file order
/// without repeats.
public enum AssessmentIdList {
    public static func read(path: String) throws(IdListError) -> [Int] {
        if InputFormat(path: path) == .xlsx {
            var seen = Set<Int>()
            return try readWorkbook(path: path).filter { seen.insert($0).inserted }
        }
        var bytes: [UInt8]
        do {
            bytes = try readWholeFile(path: path, limit: 1 << 30)
        } catch {
            throw IdListError(path: path, line: 0, message: "\(error)")
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var ids: [Int] = []
        if InputFormat(path: path) == .jsonl {
            try readJSONL(bytes, path: path, into: &ids)
        } else {
            let firstLine = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).first ?? []
            let first = String(decoding: firstLine, as: UTF8.self).trimmingWhitespace()
            if Int(first) != nil || first.isEmpty {
                try readPlain(bytes, path: path, into: &ids)
            } else {
                try readCSV(bytes, path: path, into: &ids)
            }
        }
        guard !ids.isEmpty else { throw IdListError(path: path, line: 1, message: "the file names no assessment ids") }
        var seen = Set<Int>()
        return ids.filter { seen.insert($0).inserted }
    }

    private static func id(_ text: String, path: String, line: Int) throws(IdListError) -> Int {
        guard let id = Int(text.trimmingWhitespace()), id > 0 else {
            throw IdListError(path: path, line: line, message: "assessmentId must be a positive integer, got \"\(text)\"")
        }
        return id
    }

    private static func readPlain(_ bytes: [UInt8], path: String, into ids: inout [Int]) throws(IdListError) {
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let text = String(decoding: line, as: UTF8.self).trimmingWhitespace()
            if text.isEmpty { continue }
            ids.append(try id(text, path: path, line: index + 1))
        }
    }

    private static func readCSV(_ bytes: [UInt8], path: String, into ids: inout [Int]) throws(IdListError) {
        let delimiter = InputFormat(path: path) == .tsv
            ? UInt8(ascii: "\t") : bytes.withUnsafeBytes { CSVParser.detectDelimiter(in: UnsafeRawBufferPointer(rebasing: $0.prefix(64 << 10))) }
        var parser = CSVParser(delimiter: delimiter)
        var column: Int?
        var found: [(line: Int, text: String)] = []
        var headerProblem: IdListError?
        let onRecord: (borrowing CSVRecord) -> Void = { record in
            guard let known = column else {
                if headerProblem == nil {
                    column = (0..<record.count).first { Column(header: record.string($0)) == .assessmentId }
                    if column == nil {
                        headerProblem = IdListError(path: path, line: record.line,
                                                    message: "the file is neither one id per line nor a sheet with an assessmentId column")
                    }
                }
                return
            }
            if known < record.count && !record.isEmpty(known) { found.append((record.line, record.string(known))) }
        }
        do {
            try bytes.withUnsafeBytes { buffer in
                try parser.consume(buffer, onRecord: onRecord)
                try parser.finish(onRecord: onRecord)
            }
        } catch let error as InputSyntaxError {
            throw IdListError(path: path, line: error.line, message: error.message)
        } catch {
            throw IdListError(path: path, line: 0, message: "\(error)")
        }
        if let headerProblem { throw headerProblem }
        for (line, text) in found { ids.append(try id(text, path: path, line: line)) }
    }

    private static func readJSONL(_ bytes: [UInt8], path: String, into ids: inout [Int]) throws(IdListError) {
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            let value = Array(line).withUnsafeBytes { try? JSONParser.parse($0) }
            guard let object = value?.objectValue else {
                throw IdListError(path: path, line: index + 1, message: "each line must be a JSON object with an assessmentId")
            }
            guard let member = object.members.first(where: { Column(header: $0.key) == .assessmentId })?.value else {
                throw IdListError(path: path, line: index + 1, message: "the line has no assessmentId")
            }
            if case .null = member { continue }
            let text = member.intValue.map(String.init) ?? member.stringValue ?? "\(member)"
            ids.append(try id(text, path: path, line: index + 1))
        }
    }
}
