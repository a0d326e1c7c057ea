import SharedSupport
import Foundation
import Testing
@testable import AssessmentBatchCore

struct SourceListTests {
    /// Runs of lines, gaps and switches between inputs read back exactly, by index and in order.
    @Test func keepsEveryLocationInOrder() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            var expected: [AssessmentBatchCore.SourceLocation] = []
            var list = SourceList()
            var line = Int.random(in: 1...5, using: &rng)
            var input = 0
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: input = Int.random(in: 0...2, using: &rng)
                case 1: line += Int.random(in: 2...4, using: &rng)
                case 2: line = Int.random(in: 1...50, using: &rng)
                default: line += 1
                }
                let location = AssessmentBatchCore.SourceLocation(input: input, line: line)
                expected.append(location)
                list.append(location)
            }
            #expect(Array(list) == expected)
            #expect(list.indices.map { list[$0] } == expected)
            #expect(list.count == expected.count)
            #expect(list == SourceList(expected))
        }
    }
}
