import Foundation
import Testing
@testable import AssessmentBatchCore

/// Lines from many threads arrive whole, in a 0600 file, and are all there once `sync` or
/// `appendDurably` returns (the order against sends is shown by DurabilityTests with strace).
struct DurableLogTests {
    @Test func concurrentDurableAppendsAllArriveWhole() throws {
        let path = temporaryDirectory() + "/log.jsonl"
        let log = try DurableLog(path: path)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for line in 0..<50 {
                try? log.appendDurably(Array("{\"worker\":\(worker),\"line\":\(line),\"pad\":\"\(String(repeating: "x", count: 200))\"}\n".utf8))
            }
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 400)
        var seen = Set<String>()
        for line in lines {
            #expect(line.hasPrefix("{\"worker\":") && line.hasSuffix("\"}"))
            seen.insert(String(line.prefix(30)))
        }
        #expect(seen.count == 400)
    }

    @Test func syncWaitsForEveryEarlierAppendAndTheFileIsPrivate() throws {
        let path = temporaryDirectory() + "/journal.jsonl"
        let log = try DurableLog(path: path)
        for index in 0..<100 { try log.append(Array("line \(index)\n".utf8)) }
        try log.sync()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == (0..<100).map { "line \($0)\n" }.joined())
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func reopeningAppends() throws {
        let path = temporaryDirectory() + "/undo.jsonl"
        try DurableLog(path: path).appendDurably(Array("first\n".utf8))
        try DurableLog(path: path).appendDurably(Array("second\n".utf8))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first\nsecond\n")
    }
}
