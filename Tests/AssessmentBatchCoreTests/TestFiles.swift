import Foundation
@testable import AssessmentBatchCore

/// A fresh temporary directory per test, removed by the OS's tmp cleaner.
func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "assessment-batch-tests-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `text` (or raw bytes) to a new file named `name` and returns its path.
func writeInput(_ text: String, name: String = "input.csv") -> String {
    writeInput(Array(text.utf8), name: name)
}

func writeInput(_ bytes: [UInt8], name: String) -> String {
    let path = temporaryDirectory() + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

/// Loads one file written from `text`.
func load(_ text: String, name: String = "input.csv", options: LoadOptions = LoadOptions()) -> LoadedBatch {
    BatchLoader.load([writeInput(text, name: name)], options: options)
}

extension LoadedBatch {
    /// Diagnostics as `line: message`, without the temporary path.
    var problems: [String] { diagnostics.map { "\($0.line): \($0.message)" } }
}
