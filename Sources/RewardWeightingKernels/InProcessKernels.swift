import RewardWeightingCore

/// The kernels of `RewardWeightingCore`, called in this process: the embedded default, the backend of the
/// tests, and the fallback when no worker is configured.
///
/// The kernels are exact and deterministic, so this backend and any other give the same results bit for bit.
public struct InProcessKernels: KernelBackend {
    /// The in-process backend.
    public init() {}

    public func hypervolumeImprovement(
        adding candidate: ObjectiveVector, to buffer: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> Double {
        try Self.running { () throws(ValidationError) in
            try Hypervolume.improvement(adding: candidate, to: buffer, reference: reference)
        }
    }

    public func hypervolume(
        of points: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> Double {
        try Self.running { () throws(ValidationError) in try Hypervolume.volume(of: points, reference: reference) }
    }

    public func contributions(
        of points: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> [Double] {
        try Self.running { () throws(ValidationError) in
            try Hypervolume.contributions(of: points, reference: reference)
        }
    }

    public func gram(ofGradients gradients: ObjectiveMatrix) async throws(KernelError) -> GramMatrix {
        try Self.running { () throws(ValidationError) in
            try GramMatrix(gradients: (0..<gradients.count).map { Array(gradients.row($0)) }, field: "gradients")
        }
    }

    private static func running<T>(_ body: () throws(ValidationError) -> T) throws(KernelError) -> T {
        do throws(ValidationError) {
            return try body()
        } catch {
            throw KernelError(error)
        }
    }
}
