/// SplitMix64: a small, fast, seedable PRNG. Every random decision of the simulator (data
/// generation and faults) and the tool's backoff jitter come from one of these, so a seed
/// reproduces the same sequence.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double {
        Double(self.next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in `range` (inclusive).
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(self.next() % width)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        self.unit() < p
    }

    /// An element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T {
        items[Int(self.next() % UInt64(items.count))]
    }

    /// A stateless hash of a value (used to derive stable per-assessment details).
    public static func hash(_ value: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: value)
        return generator.next()
    }
}
