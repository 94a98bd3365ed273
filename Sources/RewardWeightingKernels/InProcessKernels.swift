import RewardWeightingCore
import Synchronization

/// The kernels of `RewardWeightingCore`, called in this process: the embedded default, the backend of the
/// tests, and the fallback when no worker is configured.
///
/// The kernels are exact and deterministic, so this backend and any other give the same results bit for bit.
///
/// The hypervolume kernels stop early (``KernelError/Code/deadlineExceeded``, nothing returned) when the stop
/// condition answers true between points of their outer loops: by default when the calling task is cancelled.
public struct InProcessKernels: KernelBackend {
    private let shouldStop: @Sendable () -> Bool

    /// The in-process backend; its kernels stop when the calling task is cancelled.
    public init() {
        self.shouldStop = { Task.isCancelled }
    }

    /// The in-process backend whose kernels also stop when `shouldStop` answers true (e.g. a gRPC call's
    /// cancellation, which its deadline triggers), as well as when the calling task is cancelled.
    public init(stoppingWhen shouldStop: @escaping @Sendable () -> Bool) {
        self.shouldStop = { Task.isCancelled || shouldStop() }
    }

    public func hypervolumeImprovement(
        adding candidate: ObjectiveVector, to buffer: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> Double {
        try Self.unlessStopped(
            try Self.running { () throws(ValidationError) in
                try Hypervolume.improvement(
                    adding: candidate, to: buffer, reference: reference, stoppingWhen: self.shouldStop)
            })
    }

    public func hypervolume(
        of points: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> Double {
        try Self.unlessStopped(
            try Self.running { () throws(ValidationError) in
                try Hypervolume.volume(of: points, reference: reference, stoppingWhen: self.shouldStop)
            })
    }

    public func contributions(
        of points: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> [Double] {
        try Self.unlessStopped(
            try Self.running { () throws(ValidationError) in
                try Hypervolume.contributions(of: points, reference: reference, stoppingWhen: self.shouldStop)
            })
    }

    public func gram(ofGradients gradients: ObjectiveMatrix) async throws(KernelError) -> GramMatrix {
        try Self.running { () throws(ValidationError) in
            try GramMatrix(gradients: (0..<gradients.count).map { Array(gradients.row($0)) }, field: "gradients")
        }
    }

    public func gram(
        ofFloat32Gradients objectives: Int, dimension: Int,
        slices: @escaping @Sendable (Float32GradientSliceWriter) async throws(KernelError) -> Void
    ) async throws(KernelError) -> GramMatrix {
        let accumulator = try Self.running { () throws(ValidationError) in
            try Float32GramAccumulator(objectives: objectives, dimension: dimension, field: "header")
        }
        let state = SharedAccumulator(accumulator)
        try await slices(
            Float32GradientSliceWriter { slice throws(KernelError) in
                try state.append(slice)
            })
        return try Self.running { () throws(ValidationError) in
            try state.accumulator.withLock { accumulator throws(ValidationError) in try accumulator.gram() }
        }
    }

    public func mirrorDescentStep(
        from weights: WeightVector, influence: [Double], stepSize: Double, rule: MirrorDescent
    ) async throws(KernelError) -> WeightVector {
        try Self.running { () throws(ValidationError) in
            try rule.step(from: weights, influence: influence, stepSize: stepSize)
        }
    }

    /// A stopped kernel's nil as ``KernelError/Code/deadlineExceeded``.
    private static func unlessStopped<T>(_ value: T?) throws(KernelError) -> T {
        guard let value else {
            throw KernelError(
                code: .deadlineExceeded, field: "kernel",
                reason: "the kernel stopped before it finished: its call was cancelled or its deadline passed")
        }
        return value
    }

    private static func running<T>(_ body: () throws(ValidationError) -> T) throws(KernelError) -> T {
        do throws(ValidationError) {
            return try body()
        } catch {
            throw KernelError(error)
        }
    }
}

/// A ``Float32GramAccumulator`` that a slice writer appends to.
private final class SharedAccumulator: Sendable {
    let accumulator: Mutex<Float32GramAccumulator>

    init(_ accumulator: Float32GramAccumulator) { self.accumulator = Mutex(accumulator) }

    func append(_ slice: Float32GradientSlice) throws(KernelError) {
        // `withUnsafeBytes` rethrows untyped errors, so the accumulator's error travels as a `Result`.
        let appended = self.accumulator.withLock { accumulator in
            slice.float32LittleEndian.withUnsafeBytes { bytes in
                Result { () throws(ValidationError) in
                    try accumulator.append(offset: slice.offset, float32LittleEndian: bytes)
                }
            }
        }
        if case .failure(let error) = appended { throw KernelError(error) }
    }
}
