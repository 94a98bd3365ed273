import RewardWeightingCore
import RewardWeightingKernels
import RewardWeightingPolicy
import RewardWeightingStore

/// A run's Pareto buffer as a read model: the front after one of its checkpoints, in the objectives' own
/// units, with its hypervolume and, when asked, each point's exclusive contribution — what `ReportCheckpoint`
/// replies, `WatchRun` events and the HTTP front show.
///
/// Which points are on the front is the policy's fold (``WeightingPolicy/paretoBuffer(of:afterStep:)-(RunState,_)``,
/// or from the run's log for a checkpoint older than its state keeps); the volumes are kernel results from the
/// service's ``KernelBackend``.
public struct ParetoFront: Hashable, Sendable {
    /// One point of the front.
    public struct Point: Hashable, Sendable {
        /// The checkpoint's step.
        public let step: Int
        /// Its scores as reported (objectives' own units and directions).
        public let scores: [Double]
        /// The ΔHV the point added when it entered the buffer.
        public let deltaHypervolumeAtEntry: Double
        /// Its exclusive contribution to the front now, `HV(front) − HV(front without it)`, if computed.
        public let contribution: Double?
    }

    /// The reference point in the objectives' own units, if set yet.
    public let referencePoint: [Double]?
    /// The step of the checkpoint that became the reference point (`nil` when the config gave it).
    public let referenceStep: Int?
    /// The front's points, in the order they entered the buffer.
    public let points: [Point]
    /// The front's hypervolume against the reference point, in the maximisation convention (0 without one).
    public let hypervolume: Double
    /// The front's sparsity (``Sparsity``, PGMORL's, in the objectives' own units; 0 below two points): how far
    /// apart its points lie, as morl-baselines reports it next to the hypervolume. Pure and `O(K·n log n)`, so
    /// computed here rather than on the kernel backend.
    public let sparsity: Double

    /// The front of `run` after its checkpoint of `step` (after every checkpoint when `nil`).
    /// - Parameters:
    ///   - contributions: whether to compute each point's exclusive contribution.
    ///   - store: where the run's log is read when the buffer is older than the checkpoints its state keeps.
    /// - Throws: ``ServiceError`` from the kernel backend or the store.
    public static func of(
        _ run: Run, afterStep step: Int? = nil, contributions: Bool = false, kernels: any KernelBackend,
        store: any RunStore
    ) async throws(ServiceError) -> ParetoFront {
        let policy = WeightingPolicy(config: run.config)
        let buffer: ParetoBuffer
        if let kept = policy.paretoBuffer(of: run.state, afterStep: step) {
            buffer = kept
        } else {
            buffer = policy.paretoBuffer(of: try await DecisionHistory.read(of: run, from: store), afterStep: step)
        }
        return try await Self.of(
            buffer, dimension: run.config.dimension, contributions: contributions, kernels: kernels)
    }

    /// The front of `buffer`, a Pareto buffer of a run with K = `dimension`.
    /// - Throws: ``ServiceError`` from the kernel backend.
    static func of(
        _ buffer: ParetoBuffer, dimension: Int, contributions: Bool, kernels: any KernelBackend
    ) async throws(ServiceError) -> ParetoFront {
        var volume = 0.0
        var exclusive: [Double]?
        if let reference = buffer.maximisedReferencePoint {
            let points: ObjectiveMatrix
            let vector: ObjectiveVector
            do throws(ValidationError) {
                points = try ObjectiveMatrix(
                    rows: buffer.maximisedPoints, dimension: dimension, field: "state.pareto_buffer")
                vector = try ObjectiveVector(reference, field: "state.reference_point")
            } catch {
                throw ServiceError(code: .internal, field: error.field, reason: error.reason, cause: error)
            }
            do throws(KernelError) {
                volume = try await kernels.hypervolume(of: points, reference: vector)
                if contributions { exclusive = try await kernels.contributions(of: points, reference: vector) }
            } catch {
                throw ServiceError(error)
            }
        }
        return ParetoFront(
            referencePoint: buffer.referencePoint, referenceStep: buffer.referenceStep,
            points: buffer.points.enumerated().map { index, checkpoint in
                Point(
                    step: checkpoint.step, scores: checkpoint.scores,
                    deltaHypervolumeAtEntry: checkpoint.deltaHypervolume, contribution: exclusive?[index])
            },
            hypervolume: volume,
            sparsity: Self.sparsity(of: buffer.points.map(\.scores), dimension: dimension))
    }

    private static func sparsity(of scores: [[Double]], dimension: Int) -> Double {
        // Stored scores are finite and of the run's K, so the matrix always builds.
        guard let points = try? ObjectiveMatrix(rows: scores, dimension: dimension) else { return 0 }
        return Sparsity.of(points)
    }
}
