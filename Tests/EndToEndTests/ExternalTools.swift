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
    runProcess("/usr/bin/env", [command] + arguments, stdin: stdin)
}

/// Prints why a check that needs an optional tool was skipped.
func skipNote(_ what: String) {
    print("note: \(what): skipped")
}
