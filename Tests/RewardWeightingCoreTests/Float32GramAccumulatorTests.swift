import Foundation
import RewardWeightingCore
import RewardWeightingTestSupport
import Testing

@Suite("Float32GramAccumulator")
struct Float32GramAccumulatorTests {
    /// K vectors of D random float32 values in [−scale, scale).
    static func vectors(objectives k: Int, dimension d: Int, seed: UInt64, scale: Float = 1) -> [[Float]] {
        var generator = SplitMix64(seed: seed)
        return (0..<k).map { _ in (0..<d).map { _ in Float(generator.symmetric()) * scale } }
    }

    /// The bytes of components `range` of every vector, objective-major (`M[:, range].tobytes()`).
    static func slice(_ vectors: [[Float]], _ range: Range<Int>) -> [UInt8] {
        var bytes: [UInt8] = []
        for vector in vectors {
            for value in vector[range] {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
        }
        return bytes
    }

    /// Feeds the vectors in slices of the given lengths (cycled) and returns G.
    static func gram(
        _ vectors: [[Float]], sliceLengths: [Int], kernel: Float32GramAccumulator.Kernel = .fastest
    ) throws -> GramMatrix {
        let d = vectors[0].count
        var accumulator = try Float32GramAccumulator(objectives: vectors.count, dimension: d, kernel: kernel)
        #expect(accumulator.kernel == kernel || !kernel.isAvailable || vectors.count > 64)
        var offset = 0
        var index = 0
        while offset < d {
            let length = min(sliceLengths[index % sliceLengths.count], d - offset)
            let bytes = Self.slice(vectors, offset..<(offset + length))
            try bytes.withUnsafeBytes { try accumulator.append(offset: offset, float32LittleEndian: $0) }
            offset += length
            index += 1
        }
        return try accumulator.gram()
    }

    @Test("integer-valued vectors give the exact inner products (every partial sum is exact)")
    func exactForIntegers() throws {
        var generator = SplitMix64(seed: 3)
        let d = 3 * Float32GramAccumulator.blockLength + 5
        let vectors: [[Float]] = (0..<3).map { _ in (0..<d).map { _ in Float(generator.integer(100)) } }
        let g = try Self.gram(vectors, sliceLengths: [1000])
        for i in 0..<3 {
            for j in 0..<3 {
                // Σ of products of integers ≤ 10⁴ over 12 293 terms: below 2⁵³, so the plain sum is exact.
                let expected = zip(vectors[i], vectors[j]).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                #expect(g[i, j] == expected)
            }
        }
    }

    @Test(
        "agrees with twice-precision Dot2 (GramMatrix(gradients:)) to 1e-13 of Σ|x·y|",
        arguments: [(2, 1), (3, 7), (3, 4096), (4, 10_000), (6, 20_011)])
    func matchesAccurateDot(objectives k: Int, dimension d: Int) throws {
        let vectors = Self.vectors(objectives: k, dimension: d, seed: UInt64(k * 1000 + d), scale: 1e3)
        let g = try Self.gram(vectors, sliceLengths: [977])
        let reference = try GramMatrix(gradients: vectors.map { $0.map(Double.init) })
        for i in 0..<k {
            for j in 0..<k {
                let magnitude = zip(vectors[i], vectors[j]).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
                #expect(abs(g[i, j] - reference[i, j]) <= 1e-13 * magnitude, "G[\(i), \(j)]")
                #expect(g[i, j] == g[j, i])
            }
        }
    }

    @Test("the result does not depend on how the vectors are sliced: bit-identical for every slicing")
    func slicingIndependent() throws {
        let d = 2 * Float32GramAccumulator.blockLength + 1234
        let vectors = Self.vectors(objectives: 3, dimension: d, seed: 11, scale: 7)
        let whole = try Self.gram(vectors, sliceLengths: [d])
        for lengths in [[1], [7], [8], [4095], [4096, 1], [3, 5000, 13], [4097]] {
            #expect(try Self.gram(vectors, sliceLengths: lengths).entries == whole.entries, "\(lengths)")
        }
    }

    @Test(
        "every kernel this machine runs gives the portable loop's matrix bit for bit (K = 1…8, 65; any slicing)",
        arguments: [1, 2, 3, 4, 5, 6, 7, 8, 65])
    func kernelsAgreeBitForBit(objectives k: Int) throws {
        let d = Float32GramAccumulator.blockLength + 1003
        var vectors = Self.vectors(objectives: k, dimension: d, seed: UInt64(31 + k), scale: 1e3)
        // Magnitudes far apart, subnormals and the largest values, so that every rounding is exercised.
        var generator = SplitMix64(seed: UInt64(k))
        for i in 0..<k {
            for _ in 0..<50 {
                let c = Int(generator.next() % UInt64(d))
                let extremes: [Float] = [.leastNonzeroMagnitude, 0x1p-140, 0x1p100, -0x1p126, 3e-39]
                vectors[i][c] = extremes[Int(generator.next() % 5)]
            }
        }
        let portable = try Self.gram(vectors, sliceLengths: [d], kernel: .portable)
        for kernel in Float32GramAccumulator.Kernel.allCases where kernel.isAvailable {
            for lengths in [[d], [977], [1, 8, 4096], [13]] {
                let g = try Self.gram(vectors, sliceLengths: lengths, kernel: kernel)
                #expect(
                    g.entries.map(\.bitPattern) == portable.entries.map(\.bitPattern), "\(kernel) \(lengths)")
            }
        }
    }

    @Test("the fastest kernel is available, and on x86-64 with AVX2 and FMA it is the vector one")
    func fastestKernel() throws {
        let fastest = Float32GramAccumulator.Kernel.fastest
        #expect(fastest.isAvailable)
        #expect(try Float32GramAccumulator(objectives: 3, dimension: 8).kernel == fastest)
        #expect(try Float32GramAccumulator(objectives: 65, dimension: 8).kernel == .portable)
        #if arch(x86_64) && os(Linux)
            let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            let hasBoth = flags.contains(" avx2") && flags.contains(" fma")
            #expect((fastest == .avx2FMA) == hasBoth)
        #endif
    }

    @Test("slices out of order, of a wrong length or past D are refused, naming the field")
    func refusesMisshapenSlices() throws {
        var accumulator = try Float32GramAccumulator(objectives: 2, dimension: 10)
        let four = Self.slice(Self.vectors(objectives: 2, dimension: 4, seed: 1), 0..<4)
        let error = #expect(throws: ValidationError.self) {
            try four.withUnsafeBytes { try accumulator.append(offset: 2, float32LittleEndian: $0) }
        }
        #expect(error?.field == "slice.offset")
        #expect(error?.reason == "is 2; the next slice starts at component 0")
        let odd = #expect(throws: ValidationError.self) {
            try [UInt8](repeating: 0, count: 12).withUnsafeBytes {
                try accumulator.append(offset: 0, float32LittleEndian: $0)
            }
        }
        #expect(odd?.field == "slice.float32_values")
        try four.withUnsafeBytes { try accumulator.append(offset: 0, float32LittleEndian: $0) }
        try four.withUnsafeBytes { try accumulator.append(offset: 4, float32LittleEndian: $0) }
        #expect(accumulator.componentsReceived == 8)
        let past = #expect(throws: ValidationError.self) {
            try four.withUnsafeBytes { try accumulator.append(offset: 8, float32LittleEndian: $0) }
        }
        #expect(past?.reason == "has components 8..<12; the vectors have D = 10")
        let incomplete = #expect(throws: ValidationError.self) { try accumulator.gram() }
        #expect(incomplete?.reason == "carried 8 of the D = 10 components")
        #expect(throws: ValidationError.self) { try Float32GramAccumulator(objectives: 0, dimension: 1) }
        #expect(throws: ValidationError.self) { try Float32GramAccumulator(objectives: 1, dimension: 0) }
    }

    @Test(
        "a NaN or infinity is refused, naming its objective and component, by every kernel",
        arguments: [Float.nan, .infinity], Float32GramAccumulator.Kernel.allCases)
    func refusesNonFinite(value: Float, kernel: Float32GramAccumulator.Kernel) throws {
        var vectors = Self.vectors(objectives: 3, dimension: 5000, seed: 5)
        vectors[2][4321] = value
        var accumulator = try Float32GramAccumulator(objectives: 3, dimension: 5000, kernel: kernel)
        let first = Self.slice(vectors, 0..<4000)
        try first.withUnsafeBytes { try accumulator.append(offset: 0, float32LittleEndian: $0) }
        let second = Self.slice(vectors, 4000..<5000)
        let error = #expect(throws: ValidationError.self) {
            try second.withUnsafeBytes { try accumulator.append(offset: 4000, float32LittleEndian: $0) }
        }
        #expect(error?.code == .nonFinite)
        #expect(error?.row == 2)
        #expect(error?.column == 4321)
    }

    @Test("float32 values near the largest do not overflow: G stays finite, and exact for powers of two")
    func largestValues() throws {
        // 2¹²⁷ is the largest power of two in float32; its square 2²⁵⁴ times small integers is exact in Float64.
        let d = 9000
        let large = Float(0x1p127)
        let vectors: [[Float]] = [[Float](repeating: large, count: d), [Float](repeating: -1, count: d)]
        let g = try Self.gram(vectors, sliceLengths: [3000])
        #expect(g[0, 0] == 0x1p254 * Double(d))
        #expect(
            try Self.gram([[Float](repeating: .greatestFiniteMagnitude, count: d)], sliceLengths: [d])[0, 0].isFinite)
        let largest = Double(large)
        #expect(g[1, 1] == Double(d))
        #expect(g[0, 1] == -largest * Double(d))
    }
}
