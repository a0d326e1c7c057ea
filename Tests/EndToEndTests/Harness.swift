import AssessmentBatchCore
import AssessmentSimulator
import CurlHTTP
import Foundation
import Logging
import Synchronization
import Testing

/// Starts a simulator on a free loopback port for the length of `body`.
func withSimulator<Result>(
    assessments: Int = 60, seed: UInt64 = 7, token: String = SimulatorTokens.demo, faults: FaultSettings = FaultSettings(),
    tls: TLSFiles? = nil, _ body: (RunningSimulator) async throws -> Result
) async throws -> Result {
    let simulator = try await Simulator.start(SimulatorConfiguration(
        host: "127.0.0.1", port: 0, token: token, seed: .generated(assessments: assessments, seed: seed), faults: faults, tls: tls))
    do {
        let result = try await body(simulator)
        await simulator.shutdown()
        return result
    } catch {
        await simulator.shutdown()
        throw error
    }
}

/// Runs blocking work (libcurl workers, a child process) on its own thread, keeping Swift's
/// small cooperative pool free for the simulator.
func runBlocking<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}

/// A temporary directory for one test's inputs and run directory.
func scratchDirectory() -> String {
    let path = NSTemporaryDirectory() + "assessment-batch-e2e-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func write(_ text: String, to path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
}

func read(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

/// Runs `apply` (or `plan`) in-process against `simulator`, with fast retries.
func runJob(
    _ paths: [String], simulator: RunningSimulator, out: String, planOnly: Bool = false, preflight: Bool = true,
    skipInvalid: Bool = false, preflightOptions: PreflightOptions = PreflightOptions(), strict: Bool = false,
    token: String? = nil, concurrency: Int = 4, maxAttempts: Int = 6, giveUpAfter: Double = 30,
    resumed: [Int: AssessmentOutcome] = [:], baseURL: String? = nil, control: RunControl = RunControl(),
    load: LoadOptions = LoadOptions()
) async -> ApplyJobResult {
    try? CurlGlobal.initialize()
    let configuration = ServerConfiguration(
        baseURL: baseURL ?? simulator.baseURL, token: token ?? simulator.token, concurrency: concurrency,
        retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: 0.01, maxDelay: 0.2, maxRetryAfter: 1),
        giveUpAfterSeconds: giveUpAfter,
        transport: TransportOptions(connectTimeoutMilliseconds: 2000, totalTimeoutMilliseconds: 10_000))
    let options = ApplyJobOptions(paths: paths, load: load, skipInvalid: skipInvalid, outDirectory: out, configuration: configuration,
                                  preflight: preflight, preflightOptions: preflightOptions, strict: strict, resumed: resumed)
    var logger = Logger(label: "e2e")
    logger.logLevel = .critical
    let quietLogger = logger
    return await runBlocking {
        planOnly ? ApplyJob.plan(options, logger: quietLogger, control: control) : ApplyJob.apply(options, logger: quietLogger, control: control)
    }
}

/// Assessments of the simulator's seed that the demo token may edit, with their scorecards.
func editableAssessments(_ simulator: RunningSimulator, count: Int) -> [(SimAssessment, SimScorecard)] {
    simulator.store.allAssessments()
        .filter { [.aiReady, .reviewOngoing, .reviewedBySupervisor].contains($0.state) }
        .filter { simulator.store.canEdit(assessmentID: $0.id, token: simulator.token) == true }
        .prefix(count)
        .compactMap { assessment in simulator.store.scorecard(id: assessment.scorecardId).map { (assessment, $0) } }
}

/// A valid score for a criterion that differs from `current` when possible.
func newScore(for criterion: SimScorecardCriterion, current: Int?) -> Int {
    switch criterion.scoringType {
    case .metNotMet: return current == criterion.maxPoints ? 0 : criterion.maxPoints
    case .numericScale: return current == criterion.maxPoints ? max(0, criterion.maxPoints - 1) : criterion.maxPoints
    }
}

/// Criteria of a scorecard as (categoryId, criterion) pairs in order.
func criteria(of scorecard: SimScorecard) -> [(Int, SimScorecardCriterion)] {
    scorecard.categories.flatMap { category in category.criteria.map { (category.categoryId, $0) } }
}

/// The path of a built executable of this package.
func productPath(_ name: String) -> String {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        directory.deleteLastPathComponent()
    }
    return ".build/debug/\(name)"
}

/// The result of running the `assessment-batch` executable.
struct ProcessResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `assessment-batch` with `arguments` and `environment` (PATH kept) and waits for it.
/// `whileRunning` gets the child's pid once it started (to send it signals); `launcher`, when
/// given, runs the tool (e.g. `strace ... --`).
func runTool(_ arguments: [String], environment: [String: String], directory: String, launcher: [String] = [],
             whileRunning: @escaping @Sendable (Int32) -> Void = { _ in }) async -> ProcessResult {
    await runBlocking {
        let tool = productPath("assessment-batch")
        // An empty HOME unless the test gives one: no configuration file of the machine's user
        // (~/.config/assessment-batch/config.yaml) can pick a profile for a test.
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": scratchDirectory()]
        env.merge(environment) { $1 }
        return runProcess(launcher.first ?? tool, launcher.isEmpty ? arguments : Array(launcher.dropFirst()) + [tool] + arguments,
                          environment: env, directory: directory, whileRunning: whileRunning)
    }
}

/// Runs `executable` and waits for it, both outputs collected, each drained on its own thread
/// so a chatty child never blocks on a full pipe. `environment` nil keeps this process's.
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
                stdin: String? = nil, whileRunning: (Int32) -> Void = { _ in }) -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    do { try process.run() } catch { return ProcessResult(status: -1, stdout: "", stderr: "\(error)") }
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    whileRunning(process.processIdentifier)
    let errData = Mutex(Data())
    let group = DispatchGroup()
    group.enter()
    Thread {
        let data = err.fileHandleForReading.readDataToEndOfFile()
        errData.withLock { $0 = data }
        group.leave()
    }.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData.withLock { $0 }, as: UTF8.self))
}

/// The report of a run, parsed.
func report(in directory: String) throws -> JSONObject {
    let text = try #require(read("\(directory)/report.json"))
    let value = try Array(text.utf8).withUnsafeBytes { try JSONParser.parse($0) }
    return try #require(value.objectValue)
}

extension JSONObject {
    func int(_ path: String...) -> Int? {
        var current: JSONValue? = .object(self)
        for key in path { current = current?.objectValue?[key] }
        return current?.intValue
    }
}

/// The element at `index`, or a failed test (not a crash) when the array is shorter.
func element<Element>(_ array: [Element], _ index: Int, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Element {
    try #require(array.indices.contains(index), "only \(array.count) elements, wanted index \(index)", sourceLocation: sourceLocation)
    return array[index]
}

/// A CSV that changes the first criterion of `count` editable assessments, and their ids.
func scoreChangesCSV(_ simulator: RunningSimulator, count: Int) -> (csv: String, ids: [Int]) {
    var csv = "assessmentId,categoryId,criterionId,score,reason\n"
    var ids: [Int] = []
    for (assessment, scorecard) in editableAssessments(simulator, count: count) {
        let (categoryId, criterion) = criteria(of: scorecard)[0]
        let score = newScore(for: criterion, current: assessment.criterion(categoryId: categoryId, criterionId: criterion.id)?.score)
        csv += "\(assessment.id),\(categoryId),\(criterion.id),\(score),changed \(assessment.id)\n"
        ids.append(assessment.id)
    }
    return (csv, ids)
}
