import RewardWeightingCore
import RewardWeightingKernels
import RewardWeightingPolicy

/// A run's Pareto buffer as a read model: the front after one of its checkpoints, in the objectives' own
/// units, with its hypervolume and, when asked, each point's exclusive contribution — what `ReportCheckpoint`
/// replies, `WatchRun` events and the HTTP front show.
///
/// Which points are on the front is the policy's fold (``WeightingPolicy/paretoBuffer(of:afterStep:)``); the
/// volumes are kernel results from the service's ``KernelBackend``.
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
    /// - Parameter contributions: whether to compute each point's exclusive contribution.
    /// - Throws: ``ServiceError`` from the kernel backend.
    public static func of(
        _ run: Run, afterStep step: Int? = nil, contributions: Bool = false, kernels: any KernelBackend
    ) async throws(ServiceError) -> ParetoFront {
        let policy = WeightingPolicy(config: run.config)
        let buffer = policy.paretoBuffer(of: run.state, afterStep: step)
        var volume = 0.0
        var exclusive: [Double]?
        if let reference = buffer.maximisedReferencePoint {
            let points: ObjectiveMatrix
            let vector: ObjectiveVector
            do throws(ValidationError) {
                points = try ObjectiveMatrix(
                    rows: buffer.maximisedPoints, dimension: run.config.dimension, field: "state.pareto_buffer")
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
            sparsity: Self.sparsity(of: buffer.points.map(\.scores), dimension: run.config.dimension))
    }

    private static func sparsity(of scores: [[Double]], dimension: Int) -> Double {
        // Stored scores are finite and of the run's K, so the matrix always builds.
        guard let points = try? ObjectiveMatrix(rows: scores, dimension: dimension) else { return 0 }
        return Sparsity.of(points)
    }

    /// Whether `run`'s state still holds the checkpoint of `step` with these scores (it does not once a resume
    /// superseded it).
    static func holds(_ run: Run, step: Int, scores: [Double]) -> Bool {
        run.state.checkpoint(atStep: step)?.scores == scores
    }
}
