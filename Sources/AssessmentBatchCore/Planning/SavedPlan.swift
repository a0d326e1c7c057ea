import Foundation
import StrictJSON

/// A plan read back from its run directory for `apply --plan`: its seal checked, every write
/// with the values the plan saw, what the plan decided not to write, and the input rows for the
/// failures file. Nothing of the inputs is read: what is applied is what the plan holds.
public struct SavedPlan: Sendable {
    /// The plan's run directory.
    public var directory: String
    /// `DIR/plan.json`.
    public var path: String
    /// The SHA-256 the plan is sealed with (the review page shows it).
    public var digest: String
    public var baseURL: String?
    /// The inputs as the plan read them (paths, digests, format, header, encoding).
    public var inputs: [InputDescription]
    public var preflightOptions: PreflightOptions
    /// The assessments to write, in the plan's order.
    public var writes: [PlannedWrite]
    /// What the plan decided not to write: unchanged, refused, invalid, not inspected.
    public var decided: [AssessmentOutcome]
    /// `DIR/plan-rows.jsonl`: the input rows for the failures file, checked against the
    /// SHA-256 `plan.json` records; read when the failures file is written.
    public var rowsPath: String

    /// Largest `plan.json` read (a plan of a million rows with long texts stays well below).
    static let sizeLimit = 4 << 30

    /// Reads and checks `directory/plan.json`.
    public static func load(directory: String) throws(PlanFormatError) -> SavedPlan {
        let path = "\(directory)/plan.json"
        let bytes: [UInt8]
        do {
            // Sized to the file: readWholeFile allocates its limit up front.
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            bytes = try readWholeFile(path: path, limit: min(sizeLimit, size ?? sizeLimit))
        } catch {
            throw PlanFormatError("cannot read the plan: \(error) (is \(directory) a run directory of assessment-batch plan?)")
        }
        let digest: String
        switch PlanDigest.verify(bytes) {
        case .success(let recorded): digest = recorded
        case .failure(let error): throw PlanFormatError("\(path) is refused: \(error.message). Nothing was sent; make a new plan.")
        }
        var reader = PlanDocumentReader(path: path)
        do {
            // Untyped on purpose: a Void closure with typed throws here crashes Swift 6.3.1's IRGen.
            try bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) throws -> Void in
                try JSONParser.read(buffer, maxDepth: 16, maxStringBytes: 64 << 20, into: &reader)
            }
        } catch {
            throw PlanFormatError("\(path) is not valid JSON: \(error)")
        }
        if let error = reader.error { throw error }
        let root = reader.root
        guard root["tool"]?.stringValue == "assessment-batch", root["command"]?.stringValue == "plan" else {
            throw PlanFormatError("\(path) was not written by assessment-batch plan")
        }
        let inputs = try Self.inputs(root["inputs"])
        var plan = SavedPlan(directory: directory, path: path, digest: digest, baseURL: root["baseURL"]?.stringValue, inputs: inputs,
                             preflightOptions: PreflightOptions(
                                force: root["preflightOptions"]?.objectValue?["force"]?.boolValue ?? false,
                                allowStateRegression: root["preflightOptions"]?.objectValue?["allowStateRegression"]?.boolValue ?? false),
                             writes: [], decided: [], rowsPath: "\(directory)/\(PlanSourceRows.fileName)")
        plan.writes = reader.writes
        plan.decided = reader.decided
        for item in root["invalid"]?.arrayValue ?? [] {
            guard let entry = item.objectValue else { continue }
            plan.decided.append(AssessmentOutcome(assessmentId: entry["assessmentId"]?.intValue, sources: Self.sources(of: entry), status: .failed,
                                                  errorKind: .invalid, error: entry["error"]?.stringValue ?? "invalid"))
        }
        // The rows file is part of the plan: sealed by the SHA-256 plan.json records of it.
        guard let rows = root["sourceRows"]?.objectValue, rows["file"]?.stringValue == PlanSourceRows.fileName,
              let sealed = rows["sha256"]?.stringValue else {
            throw PlanFormatError("\(path) does not name its \(PlanSourceRows.fileName)")
        }
        let actual: String
        do {
            actual = try sha256(ofFile: plan.rowsPath)
        } catch {
            throw PlanFormatError("\(plan.rowsPath) is refused: \(error). Nothing was sent; make a new plan.")
        }
        guard actual == sealed else {
            throw PlanFormatError("\(plan.rowsPath) is refused: its SHA-256 \(actual) is not the \(sealed) that plan.json records: the file was altered after plan wrote it. Nothing was sent; make a new plan.")
        }
        return plan
    }

    /// An entry's `sources`: `[input, line]` pairs.
    static func sources(of object: JSONObject) -> SourceList {
        SourceList((object["sources"]?.arrayValue ?? []).compactMap { pair in
            guard let items = pair.arrayValue, items.count == 2, let input = items[0].intValue, let line = items[1].intValue else { return nil }
            return SourceLocation(input: input, line: line)
        })
    }

    /// The plan as the batch an apply runs: every write guarded by what the plan saw.
    var batch: LoadedBatch {
        LoadedBatch(inputs: inputs, updates: writes.map(\.guardedUpdate), invalid: [], diagnostics: [], hasFileErrors: false,
                    rowProblems: [:])
    }

    /// The command that applies the plan in `directory`, quoted for a POSIX shell.
    public static func applyCommand(for directory: String) -> String {
        let safe = directory.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "/._-+,:@".unicodeScalars.contains($0)) }
        let quoted = safe ? directory : "'" + directory.replacingOccurrences(of: "'", with: "'\\''") + "'"
        return "assessment-batch apply --plan \(quoted)"
    }

    // MARK: - Inputs

    /// `plan.json`'s `inputs`: what the run report records, plus what a failures file in the
    /// input's own format needs (header, byte order mark, line ending).
    static func inputsJSON(_ inputs: [InputDescription]) -> JSONValue {
        .array(inputs.map { input in
            var object = JSONObject()
            object.append("path", .string(input.path))
            object.append("format", .string(input.format.rawValue))
            if input.format != .jsonl {
                object.append("delimiter", .string(String(UnicodeScalar(input.delimiter))))
                object.append("header", .array(input.header.map { .string($0) }))
            }
            object.append("encoding", .string(input.encoding.name))
            object.append("byteOrderMark", .bool(input.hasByteOrderMark))
            object.append("lineEnding", .string(input.lineEnding))
            object.append("sha256", .string(input.sha256))
            object.append("rows", .number(String(input.rows)))
            return .object(object)
        })
    }

    private static func inputs(_ value: JSONValue?) throws(PlanFormatError) -> [InputDescription] {
        var inputs: [InputDescription] = []
        for item in value?.arrayValue ?? [] {
            guard let object = item.objectValue, let path = object["path"]?.stringValue,
                  let format = object["format"]?.stringValue.flatMap(InputFormat.init(rawValue:))
            else { throw PlanFormatError("plan.json: an input needs a path and a format") }
            var input = InputDescription(path: path, format: format)
            if let delimiter = object["delimiter"]?.stringValue?.utf8.first { input.delimiter = delimiter }
            input.header = (object["header"]?.arrayValue ?? []).map { $0.stringValue ?? "" }
            switch object["encoding"]?.stringValue {
            case "UTF-16BE"?: input.encoding = .utf16(bigEndian: true)
            case "UTF-16LE"?: input.encoding = .utf16(bigEndian: false)
            case "Windows-1252"?: input.encoding = .windows1252
            case "ISO-8859-15"?: input.encoding = .iso885915
            default: input.encoding = .utf8
            }
            input.hasByteOrderMark = object["byteOrderMark"]?.boolValue ?? false
            input.lineEnding = object["lineEnding"]?.stringValue ?? "\n"
            input.sha256 = object["sha256"]?.stringValue ?? ""
            input.rows = object["rows"]?.intValue ?? 0
            inputs.append(input)
        }
        guard !inputs.isEmpty else { throw PlanFormatError("plan.json names no input") }
        return inputs
    }
}
