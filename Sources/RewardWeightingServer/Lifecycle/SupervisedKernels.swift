import RewardWeightingCore
import RewardWeightingKernels

/// The kernels of a spawned worker (``WorkerSupervisor``): each call waits briefly while the worker is
/// (re)starting, goes to the worker once it is ready, and runs in-process if the supervisor gave up on it.
///
/// While the worker is down (between a crash and its restart), a call fails with
/// ``KernelError/Code/unavailable`` after ``restartWait``: the trainer's call is `UNAVAILABLE` and nothing is
/// stored; the Python client retries it.
struct SupervisedKernels: KernelBackend {
    /// How long a call waits for a worker that is not ready: 2 s.
    static let restartWait = Duration.seconds(2)

    let worker: any KernelBackend
    let state: WorkerSupervisor.State
    private let local = InProcessKernels()

    init(worker: any KernelBackend, state: WorkerSupervisor.State) {
        self.worker = worker
        self.state = state
    }

    /// The worker once it is ready (its calls wait for the connection), in-process once the supervisor gave up.
    /// - Throws: ``KernelError/Code/unavailable`` when the worker is still not ready after ``restartWait``.
    private func backend() async throws(KernelError) -> any KernelBackend {
        if !self.state.isReady { await self.state.waitUntilSettled(timeout: Self.restartWait) }
        if self.state.gaveUp { return self.local }
        guard self.state.isReady else {
            throw KernelError(
                code: .unavailable, field: "kernel", reason: "the kernel worker is restarting; retry the call")
        }
        return self.worker
    }

    func hypervolumeImprovement(
        adding candidate: ObjectiveVector, to buffer: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> Double {
        try await self.backend().hypervolumeImprovement(adding: candidate, to: buffer, reference: reference)
    }

    func hypervolume(of points: ObjectiveMatrix, reference: ObjectiveVector) async throws(KernelError) -> Double {
        try await self.backend().hypervolume(of: points, reference: reference)
    }

    func contributions(of points: ObjectiveMatrix, reference: ObjectiveVector) async throws(KernelError) -> [Double] {
        try await self.backend().contributions(of: points, reference: reference)
    }

    func gram(ofGradients gradients: ObjectiveMatrix) async throws(KernelError) -> GramMatrix {
        try await self.backend().gram(ofGradients: gradients)
    }

    func gram(
        ofFloat32Gradients objectives: Int, dimension: Int,
        slices: @escaping @Sendable (Float32GradientSliceWriter) async throws(KernelError) -> Void
    ) async throws(KernelError) -> GramMatrix {
        try await self.backend().gram(ofFloat32Gradients: objectives, dimension: dimension, slices: slices)
    }

    func mirrorDescentStep(
        from weights: WeightVector, influence: [Double], stepSize: Double, rule: MirrorDescent
    ) async throws(KernelError) -> WeightVector {
        try await self.backend().mirrorDescentStep(from: weights, influence: influence, stepSize: stepSize, rule: rule)
    }
}
