import RewardWeightingCore

/// Where the service's numerical kernels run: in this process (``InProcessKernels``) or, behind the same
/// protocol, in a companion worker process.
///
/// Every kernel the service needs is here, each taking all of its inputs (a backend keeps no state between
/// calls), so that a kernel can run in another process and a crashed or slow one cannot corrupt a run:
///
/// | kernel | used by |
/// |---|---|
/// | ``hypervolumeImprovement(adding:to:reference:)`` | `ReportCheckpoint`: ΔHV of the checkpoint against the run's Pareto buffer |
/// | ``hypervolume(of:reference:)`` | read models: the hypervolume of a run's front |
/// | ``contributions(of:reference:)`` | read models: each front point's exclusive contribution |
/// | ``gram(ofGradients:)`` | `ReportGradients` with projected gradients: `G = P·Pᵀ` |
/// | ``gram(ofFloat32Gradients:dimension:slices:)`` | `ReportProjectedGradients`: `G = M·Mᵀ` of float32 vectors streamed in slices |
/// | ``mirrorDescentStep(from:influence:stepSize:rule:)`` | callers that batch weight updates; the policy itself runs this O(K) step in-process, as part of applying an event |
///
/// The policy never calls a backend: the service asks the policy what a report needs measured, obtains it
/// here, and hands the result to the policy (``RewardWeightingPolicy/KernelMeasurements``), so replaying a log
/// uses the results recorded in it and calls no kernel.
public protocol KernelBackend: Sendable {
    /// `ΔHV(v, B) = max(0, HV(B ∪ {v}; r) − HV(B; r))` (``Hypervolume/improvement(adding:to:reference:)``).
    func hypervolumeImprovement(
        adding candidate: ObjectiveVector, to buffer: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> Double

    /// `HV(P; r)` (``Hypervolume/volume(of:reference:)``).
    func hypervolume(of points: ObjectiveMatrix, reference: ObjectiveVector) async throws(KernelError) -> Double

    /// Every point's exclusive contribution `HV(P) − HV(P without i)`, in input order
    /// (``Hypervolume/contributions(of:reference:)``).
    func contributions(of points: ObjectiveMatrix, reference: ObjectiveVector) async throws(KernelError) -> [Double]

    /// The Gram matrix `G_ij = ⟨g_i, g_j⟩` of K gradient vectors of one length (``GramMatrix/init(gradients:field:)``).
    /// - Parameter gradients: the K vectors as the rows of a K×D matrix.
    func gram(ofGradients gradients: ObjectiveMatrix) async throws(KernelError) -> GramMatrix

    /// The Gram matrix of K float32 vectors of length D that `slices` writes in order
    /// (``RewardWeightingCore/Float32GramAccumulator``: the result depends on the vectors only, not on the
    /// slicing or the backend). Memory does not grow with D.
    /// - Parameter slices: the producer; it writes every slice and returns. An error it throws ends the call.
    /// - Throws: ``KernelError``: `invalidArgument` for a shape or a slice the kernel refuses (fields `header.…`,
    ///   `slice.offset`, `slice.float32_values`, `slices`), `unavailable` when the backend could not be reached
    ///   or went away mid-stream, or the error `slices` threw.
    func gram(
        ofFloat32Gradients objectives: Int, dimension: Int,
        slices: @escaping @Sendable (Float32GradientSliceWriter) async throws(KernelError) -> Void
    ) async throws(KernelError) -> GramMatrix

    /// One mirror-descent step `w ← softmax(log w + τ·I)` with `rule`'s bounds, from the weights alone
    /// (``MirrorDescent/step(from:influence:stepSize:)-(WeightVector,_,_)``).
    func mirrorDescentStep(
        from weights: WeightVector, influence: [Double], stepSize: Double, rule: MirrorDescent
    ) async throws(KernelError) -> WeightVector
}
