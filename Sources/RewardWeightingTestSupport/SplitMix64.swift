/// SplitMix64 (Steele, Lea & Flood 2014): a small, seeded, platform-independent generator, so that every
/// random test of every module is reproducible. Test-only: no product exports this target.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's state; the next output is a function of it alone.
    public var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { self.state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    public mutating func unit() -> Double { Double(self.next() >> 11) * 0x1p-53 }

    /// Uniform in `[-1, 1)`.
    public mutating func symmetric() -> Double { Double(self.next() >> 11) * 0x1p-52 - 1 }

    /// An integer in `[-bound, bound]`.
    public mutating func integer(_ bound: Int) -> Int { Int(self.next() % UInt64(2 * bound + 1)) - bound }
}
