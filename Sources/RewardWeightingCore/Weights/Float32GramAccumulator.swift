import CRewardWeightingSIMD

/// Computes the Gram matrix `G = M·Mᵀ` of K float32 gradient vectors of length D that arrive in slices, with
/// memory that does not grow with D: the streamed form of ``GramMatrix/init(gradients:field:)`` for projected
/// gradients too long for one message (D up to 2²⁴ and beyond).
///
/// A slice holds components `[offset, offset + n)` of all K vectors, objective-major: the n float32 values of
/// objective 0, then those of objective 1, …, as little-endian bytes (`4·K·n` bytes; the layout of
/// `M[:, offset:offset+n].tobytes()` for a C-ordered NumPy array). Slices come in order and may have any length.
///
/// **Arithmetic.** Each product of two float32 values is exact in Float64. Products are summed in Float64 over
/// blocks of ``blockLength`` components (by absolute component index), in 8 lanes (component `p` goes to lane
/// `p mod 8`, which is what SIMD does); each block's lanes are added in a fixed order and the block sums are
/// added with Neumaier compensation. Every step depends only on the component index, never on where slices
/// begin or end, so **the result is a function of M alone**: any slicing, any machine with IEEE arithmetic, in
/// this process or in a worker, gives the same matrix bit for bit. The error is at most about
/// `(blockLength/8)·u·Σ_p |x_p y_p|` with `u = 2⁻⁵³` (about 6·10⁻¹⁴ relative to `Σ|x_p y_p|`), far below the
/// float32 rounding of the gradients themselves. O(K²·D) time, O(K²) memory.
///
/// **Speed.** The inner loop is memory-bound only with wide vectors: on x86-64 CPUs with AVX2 and FMA it runs a
/// C kernel compiled for them (``Kernel/avx2FMA``, chosen at run time), elsewhere the portable Swift loop
/// (``Kernel/portable``, SSE2 on x86-64). Both perform the same operations lane for lane: a product of two
/// float32 values is exact in Float64, so a fused multiply-add rounds as a multiply then an add, and the two
/// give bit-identical matrices.
///
/// An accumulator that threw must be discarded.
public struct Float32GramAccumulator: Sendable {
    /// The components per compensated block: 4096.
    public static let blockLength = 4096

    /// The implementation of the inner loop. Every kernel gives the same matrix, bit for bit.
    public enum Kernel: String, Sendable, CaseIterable {
        /// The Swift loop: eight Float64 lanes per pair, in the instructions of the build's target.
        case portable
        /// A C loop with AVX2 and fused multiply-adds, for K ≤ ``maximumVectorObjectives``; larger K use the
        /// portable loop. Available on x86-64 CPUs that have both.
        case avx2FMA

        /// Whether this machine can run the kernel.
        public var isAvailable: Bool {
            switch self {
            case .portable: true
            case .avx2FMA: VectorInstructions.hasAVX2FMA
            }
        }

        /// The fastest kernel this machine runs: the default of every accumulator.
        public static var fastest: Kernel { VectorInstructions.hasAVX2FMA ? .avx2FMA : .portable }
    }

    /// The largest K the ``Kernel/avx2FMA`` loop takes (its widened rows live on the stack).
    public static let maximumVectorObjectives = 64

    /// The inner loop this accumulator runs.
    public let kernel: Kernel

    /// K, the number of vectors.
    public let objectives: Int
    /// D, the length of each vector.
    public let dimension: Int
    /// The components of each vector received so far: the next slice's offset.
    public private(set) var componentsReceived = 0

    /// The current block's partial sums, one 8-lane accumulator per pair `i ≤ j` (``pairIndex(_:_:)``).
    private var block: [SIMD8<Double>]
    /// The finished blocks' sums and their Neumaier compensations, per pair.
    private var totals: [Double]
    private var compensations: [Double]

    /// An accumulator for K vectors of length D.
    /// - Parameter kernel: the inner loop; ``Kernel/fastest`` unless a test or benchmark compares them. An
    ///   unavailable kernel is replaced by ``Kernel/portable``.
    /// - Throws: ``ValidationError`` `outOfRange` (field `field.num_objectives` or `field.dimension`) when K or
    ///   D is below 1.
    public init(
        objectives: Int, dimension: Int, field: String = "gradients", kernel: Kernel = .fastest
    ) throws(ValidationError) {
        guard objectives >= 1 else {
            throw ValidationError(
                code: .outOfRange, field: "\(field).num_objectives", reason: "is \(objectives); K must be at least 1")
        }
        guard dimension >= 1 else {
            throw ValidationError(
                code: .outOfRange, field: "\(field).dimension", reason: "is \(dimension); D must be at least 1")
        }
        self.objectives = objectives
        self.dimension = dimension
        self.kernel =
            kernel.isAvailable && objectives <= Self.maximumVectorObjectives ? kernel : .portable
        let pairs = objectives * (objectives + 1) / 2
        self.block = [SIMD8<Double>](repeating: .zero, count: pairs)
        self.totals = [Double](repeating: 0, count: pairs)
        self.compensations = [Double](repeating: 0, count: pairs)
    }

    /// Whether all D components of every vector have been received.
    public var isComplete: Bool { self.componentsReceived == self.dimension }

    /// Adds the next slice: components `[offset, offset + n)` of the K vectors, objective-major, as
    /// `4·K·n` little-endian float32 bytes (this runs on little-endian hosts: x86-64, arm64).
    /// - Parameter field: the slice's name in error messages.
    /// - Throws: ``ValidationError``: `outOfRange` (field `field.offset`) unless `offset` is
    ///   ``componentsReceived``; `dimensionMismatch` (field `field.float32_values`) for no bytes, a length that is
    ///   not a multiple of `4·K`, or components past D; `nonFinite` (field `field.float32_values`, naming the
    ///   objective and the component) for a NaN or infinity.
    public mutating func append(
        offset: Int, float32LittleEndian bytes: UnsafeRawBufferPointer, field: String = "slice"
    ) throws(ValidationError) {
        guard offset == self.componentsReceived else {
            throw ValidationError(
                code: .outOfRange, field: "\(field).offset",
                reason: "is \(offset); the next slice starts at component \(self.componentsReceived)")
        }
        let k = self.objectives
        let bytesPerComponent = 4 * k
        guard !bytes.isEmpty, bytes.count % bytesPerComponent == 0 else {
            throw ValidationError(
                code: .dimensionMismatch, field: "\(field).float32_values",
                reason: "has \(bytes.count) bytes; a slice holds K·n float32 values, a positive multiple of "
                    + "4·K = \(bytesPerComponent) bytes")
        }
        let count = bytes.count / bytesPerComponent
        guard count <= self.dimension - offset else {
            throw ValidationError(
                code: .dimensionMismatch, field: "\(field).float32_values",
                reason: "has components \(offset)..<\(offset + count); the vectors have D = \(self.dimension)")
        }
        guard let base = bytes.baseAddress else { return }
        let rowBytes = 4 * count
        var start = 0
        while start < count {
            let component = offset + start
            let blockEnd = (component / Self.blockLength + 1) * Self.blockLength
            let end = Swift.min(count, blockEnd - offset)
            self.block.withUnsafeMutableBufferPointer { lanes in
                Self.accumulate(
                    rows: base + 4 * start, rowBytes: rowBytes, objectives: k, count: end - start,
                    firstLane: component & 7, into: lanes, kernel: self.kernel)
            }
            start = end
            if (offset + start) % Self.blockLength == 0 {
                self.foldBlock()
            }
        }
        // Products of finite float32 values cannot overflow Float64, so a diagonal lane that is not finite
        // means a NaN or an infinity in this slice.
        for i in 0..<k
        where !self.block[Self.pairIndex(i, i, objectives: k)].isFiniteInEveryLane
            || !self.totals[Self.pairIndex(i, i, objectives: k)].isFinite
        {
            for p in 0..<count {
                let value = bytes.loadUnaligned(fromByteOffset: i * rowBytes + 4 * p, as: Float.self)
                if !value.isFinite {
                    throw ValidationError(
                        code: .nonFinite, field: "\(field).float32_values", row: i, column: offset + p,
                        reason: "objective \(i), component \(offset + p) is \(value); every value must be finite")
                }
            }
        }
        self.componentsReceived = offset + count
    }

    /// The Gram matrix of the D components received.
    /// - Throws: ``ValidationError`` `dimensionMismatch` (field `field`) unless all D components were received.
    public func gram(field: String = "slices") throws(ValidationError) -> GramMatrix {
        guard self.isComplete else {
            throw ValidationError(
                code: .dimensionMismatch, field: field,
                reason: "carried \(self.componentsReceived) of the D = \(self.dimension) components")
        }
        var finished = self
        if self.dimension % Self.blockLength != 0 {
            finished.foldBlock()
        }
        let k = self.objectives
        var entries = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in i..<k {
                let pair = Self.pairIndex(i, j, objectives: k)
                let value = finished.totals[pair] + finished.compensations[pair]
                entries[i * k + j] = value
                entries[j * k + i] = value
            }
        }
        return try GramMatrix(rowMajor: entries, dimension: k, field: field)
    }

    /// The index of pair `i ≤ j` in the upper triangle, row by row.
    private static func pairIndex(_ i: Int, _ j: Int, objectives k: Int) -> Int {
        i * k - i * (i - 1) / 2 + (j - i)
    }

    /// Adds the current block's lanes (in a fixed order) to the totals with Neumaier compensation, and clears it.
    private mutating func foldBlock() {
        for pair in self.block.indices {
            let lanes = self.block[pair]
            let sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
            let total = self.totals[pair]
            let t = total + sum
            if abs(total) >= abs(sum) {
                self.compensations[pair] += (total - t) + sum
            } else {
                self.compensations[pair] += (sum - t) + total
            }
            self.totals[pair] = t
            self.block[pair] = .zero
        }
    }

    /// For every pair `i ≤ j`, `lanes[pair][(firstLane + c) mod 8] += x_ic·x_jc` for `c < count`, in order, in
    /// Float64: scalar until lane 0, then eight components at a time, then scalar again (the same per-lane
    /// operations either way). One pass: each row's eight components are loaded and converted once, then
    /// every pair is updated, so the K rows are read once per block rather than once per pair. The eight-wide
    /// middle runs in `kernel`.
    /// - Parameter rows: component 0 of row 0; row `i` starts `i·rowBytes` bytes later.
    @inline(__always)
    private static func accumulate(
        rows: UnsafeRawPointer, rowBytes: Int, objectives k: Int, count: Int, firstLane: Int,
        into lanes: UnsafeMutableBufferPointer<SIMD8<Double>>, kernel: Kernel
    ) {
        /// One component `c` of every pair, into `lane`.
        func scalar(_ c: Int, lane: Int) {
            var pair = 0
            for i in 0..<k {
                let x = Double(rows.loadUnaligned(fromByteOffset: i * rowBytes + 4 * c, as: Float.self))
                for j in i..<k {
                    lanes[pair][lane] +=
                        x * Double(rows.loadUnaligned(fromByteOffset: j * rowBytes + 4 * c, as: Float.self))
                    pair += 1
                }
            }
        }
        var c = 0
        var lane = firstLane
        while lane != 0, c < count {
            scalar(c, lane: lane)
            c += 1
            lane = (lane + 1) & 7
        }
        if kernel == .avx2FMA {
            let middle = (count - c) & ~7
            if middle > 0 {
                lanes.baseAddress!.withMemoryRebound(to: Double.self, capacity: 8 * lanes.count) { doubles in
                    rw_simd_gram_f32_avx2_fma(rows + 4 * c, rowBytes, Int32(k), middle, doubles)
                }
                c += middle
            }
        }
        withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: k) { converted in
            while c + 8 <= count {
                for i in 0..<k {
                    let xs = rows.loadUnaligned(fromByteOffset: i * rowBytes + 4 * c, as: SIMD8<Float>.self)
                    converted[i] = SIMD8(lowHalf: SIMD4<Double>(xs.lowHalf), highHalf: SIMD4<Double>(xs.highHalf))
                }
                var pair = 0
                for i in 0..<k {
                    let x = converted[i]
                    for j in i..<k {
                        lanes[pair] += x * converted[j]
                        pair += 1
                    }
                }
                c += 8
            }
        }
        lane = 0
        while c < count {
            scalar(c, lane: lane)
            c += 1
            lane += 1
        }
    }
}

extension SIMD8<Double> {
    fileprivate var isFiniteInEveryLane: Bool {
        (0..<8).allSatisfy { self[$0].isFinite }
    }
}
