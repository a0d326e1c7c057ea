import Testing
import ZIPFoundation
import Foundation
@testable import XLSX

/// The zip checksum against the standard check value and ZIPFoundation's own, over every split.
@Suite struct ZipCRC32Tests {
    @Test func matchesTheCheckValueAndZIPFoundation() {
        let check = Array("123456789".utf8)
        #expect(check.withUnsafeBytes { ZipCRC32.update(0, $0) } == 0xCBF4_3926)
        // Deterministic bytes of every length up to 40 and a long run, split anywhere.
        var bytes: [UInt8] = []
        var state: UInt32 = 12345
        for _ in 0..<10_007 {
            state = state &* 1_103_515_245 &+ 12345
            bytes.append(UInt8(truncatingIfNeeded: state >> 16))
        }
        for length in Array(0...40) + [10_007] {
            let part = Array(bytes.prefix(length))
            let expected = Data(part).crc32(checksum: 0)
            #expect(part.withUnsafeBytes { ZipCRC32.update(0, $0) } == expected, "length \(length)")
            let split = length / 3
            let first = part[..<split].withUnsafeBytes { ZipCRC32.update(0, $0) }
            #expect(part[split...].withUnsafeBytes { ZipCRC32.update(first, $0) } == expected, "length \(length) split at \(split)")
        }
    }
}
