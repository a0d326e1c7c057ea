import Foundation
import Synchronization

/// Whether `command` is on PATH (optional tools: python3 modules, chromium, systemd-analyze).
func commandExists(_ command: String) -> Bool {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(command)") }
}

/// Whether python3 can import `module`.
func pythonHas(_ module: String) -> Bool {
    commandExists("python3") && runCommand("python3", ["-c", "import \(module)"]).status == 0
}

/// Runs a program found on PATH with `arguments` and waits; both outputs are collected.
func runCommand(_ command: String, _ arguments: [String], stdin: String? = nil) -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [command] + arguments
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    do { try process.run() } catch { return ProcessResult(status: -1, stdout: "", stderr: "\(error)") }
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    // Both pipes are drained on their own threads so a chatty child never blocks.
    let group = DispatchGroup()
    let errData = Mutex(Data())
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

/// Prints why a check that needs an optional tool was skipped.
func skipNote(_ what: String) {
    print("note: \(what): skipped")
}
