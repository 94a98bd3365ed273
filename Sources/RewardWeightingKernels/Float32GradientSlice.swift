/// One slice of K float32 gradient vectors streamed to ``KernelBackend/gram(ofFloat32Gradients:dimension:slices:)``:
/// components `[offset, offset + n)` of every vector, objective-major, as little-endian bytes
/// (``RewardWeightingCore/Float32GramAccumulator/append(offset:float32LittleEndian:field:)``).
public struct Float32GradientSlice: Hashable, Sendable {
    /// The first component in the slice.
    public var offset: Int
    /// `4·K·n` bytes: the n float32 values of objective 0, then those of objective 1, …
    public var float32LittleEndian: [UInt8]

    /// A slice starting at component `offset`.
    public init(offset: Int, float32LittleEndian: [UInt8]) {
        self.offset = offset
        self.float32LittleEndian = float32LittleEndian
    }
}

/// Where the producer of a streamed Gram matrix writes its slices, in order.
public struct Float32GradientSliceWriter: Sendable {
    private let sink: @Sendable (Float32GradientSlice) async throws(KernelError) -> Void

    /// A writer that hands each slice to `sink`.
    public init(_ sink: @escaping @Sendable (Float32GradientSlice) async throws(KernelError) -> Void) {
        self.sink = sink
    }

    /// Writes the next slice.
    /// - Throws: ``KernelError``: `invalidArgument` for a slice the kernel refuses (out of order, misshapen, a
    ///   NaN or infinity, naming the field), `unavailable` when the backend went away mid-stream.
    public func write(_ slice: Float32GradientSlice) async throws(KernelError) {
        try await self.sink(slice)
    }
}
