import RewardWeightingCore
import RewardWeightingKernels

/// A ``KernelBackend`` that times every call of another one (`rw_kernel_seconds{kernel}`).
struct MeasuredKernels: KernelBackend {
    let backend: any KernelBackend
    let metrics: ServiceMetrics

    func hypervolumeImprovement(
        adding candidate: ObjectiveVector, to buffer: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> Double {
        try await self.timed("hypervolume_improvement") { () async throws(KernelError) in
            try await self.backend.hypervolumeImprovement(adding: candidate, to: buffer, reference: reference)
        }
    }

    func hypervolume(of points: ObjectiveMatrix, reference: ObjectiveVector) async throws(KernelError) -> Double {
        try await self.timed("hypervolume") { () async throws(KernelError) in
            try await self.backend.hypervolume(of: points, reference: reference)
        }
    }

    func contributions(
        of points: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> [Double] {
        try await self.timed("contributions") { () async throws(KernelError) in
            try await self.backend.contributions(of: points, reference: reference)
        }
    }

    func gram(ofGradients gradients: ObjectiveMatrix) async throws(KernelError) -> GramMatrix {
        try await self.timed("gram") { () async throws(KernelError) in
            try await self.backend.gram(ofGradients: gradients)
        }
    }

    func gram(
        ofFloat32Gradients objectives: Int, dimension: Int,
        slices: @escaping @Sendable (Float32GradientSliceWriter) async throws(KernelError) -> Void
    ) async throws(KernelError) -> GramMatrix {
        try await self.timed("float32_gram") { () async throws(KernelError) in
            try await self.backend.gram(ofFloat32Gradients: objectives, dimension: dimension, slices: slices)
        }
    }

    func mirrorDescentStep(
        from weights: WeightVector, influence: [Double], stepSize: Double, rule: MirrorDescent
    ) async throws(KernelError) -> WeightVector {
        try await self.timed("mirror_descent_step") { () async throws(KernelError) in
            try await self.backend.mirrorDescentStep(
                from: weights, influence: influence, stepSize: stepSize, rule: rule)
        }
    }

    private func timed<T>(
        _ kernel: String, _ body: () async throws(KernelError) -> T
    ) async throws(KernelError) -> T {
        let start = ContinuousClock.now
        defer { self.metrics.kernel(kernel, duration: ContinuousClock.now - start) }
        return try await body()
    }
}
