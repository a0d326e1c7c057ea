import AssessmentBatchCore
import AssessmentSimulator
import CurlHTTP
import Foundation
import Logging

/// Runs `export` in-process against `simulator`, with fast retries.
func runExport(
    _ simulator: RunningSimulator, output: String, selection: ExportSelection = ExportSelection(), delimiter: UInt8 = UInt8(ascii: ","),
    encoding: ExportEncoding = .utf8, force: Bool = false, concurrency: Int = 4, pageSize: Int = 500, token: String? = nil,
    control: RunControl = RunControl()
) async -> ExportJobResult {
    try? CurlGlobal.initialize()
    let configuration = ServerConfiguration(
        baseURL: simulator.baseURL, token: token ?? simulator.token, concurrency: concurrency,
        retry: RetryPolicy(maxAttempts: 6, baseDelay: 0.01, maxDelay: 0.2, maxRetryAfter: 1), giveUpAfterSeconds: 30,
        transport: TransportOptions(connectTimeoutMilliseconds: 2000, totalTimeoutMilliseconds: 10_000))
    let options = ExportJobOptions(output: output, format: InputFormat(path: output) ?? .csv, delimiter: delimiter, encoding: encoding,
                                   force: force, selection: selection, configuration: configuration, pageSize: pageSize)
    var logger = Logger(label: "e2e-export")
    logger.logLevel = .critical
    let quietLogger = logger
    return await runBlocking { ExportJob.run(options, logger: quietLogger, control: control) }
}

/// A CSV/TSV sheet as cells, for reading and editing exported files the way a reviewer would.
struct Sheet {
    var header: [String]
    var rows: [[String]]

    /// Reads a sheet written by `export` (BOM dropped).
    init(path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var parser = CSVParser(delimiter: delimiter)
        var records: [[String]] = []
        try bytes.withUnsafeBytes { buffer in
            try parser.consume(buffer) { record in records.append(record.strings()) }
            try parser.finish { record in records.append(record.strings()) }
        }
        header = records.first ?? []
        rows = Array(records.dropFirst())
    }

    func column(_ name: String) -> Int { header.firstIndex(of: name)! }

    func cell(_ row: Int, _ name: String) -> String { rows[row][column(name)] }

    mutating func set(_ row: Int, _ name: String, _ value: String) { rows[row][column(name)] = value }

    /// The row of a criterion of an assessment.
    func row(assessment: Int, categoryId: Int, criterionId: Int) -> Int? {
        rows.firstIndex { $0[column("assessmentId")] == String(assessment) && $0[column("categoryId")] == String(categoryId)
            && $0[column("criterionId")] == String(criterionId) }
    }

    /// The first row of an assessment (where its texts, dates and state stand).
    func firstRow(assessment: Int) -> Int? {
        rows.firstIndex { $0[column("assessmentId")] == String(assessment) }
    }

    var assessmentIds: [Int] {
        var seen = Set<Int>()
        return rows.compactMap { Int($0[column("assessmentId")]) }.filter { seen.insert($0).inserted }
    }

    /// Writes the sheet back as Excel would: BOM, every field quoted, CRLF.
    func write(to path: String, delimiter: String = ",") {
        var text = "\u{FEFF}"
        for record in [header] + rows {
            text += record.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: delimiter) + "\r\n"
        }
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }
}
