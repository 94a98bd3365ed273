import Logging
import RewardWeightingCore
import RewardWeightingKernels

/// `--kernels-fallback in-process`: the worker's kernels, and the in-process ones for a call the worker cannot
/// take (``KernelError/Code/unavailable``: no worker reachable). The results are the same bit for bit, so a
/// trainer cannot tell; every fallback is logged at notice level. A streamed Gram matrix falls back only while
/// no slice has been read from its producer (the slices cannot be read twice).
struct FallbackKernels: KernelBackend {
    let primary: any KernelBackend
    let logger: Logger
    private let local = InProcessKernels()

    init(primary: any KernelBackend, logger: Logger) {
        self.primary = primary
        self.logger = logger
    }

    private func run<Result>(
        _ kernel: String, _ call: (any KernelBackend) async throws(KernelError) -> Result
    ) async throws(KernelError) -> Result {
        do {
            return try await call(self.primary)
        } catch  where error.code == .unavailable {
            self.logger.notice(
                "no kernel worker reachable; running the kernel in-process (kernelsFallback)",
                metadata: ["kernel": "\(kernel)", "reason": "\(error.reason)"])
            return try await call(self.local)
        }
    }

    func hypervolumeImprovement(
        adding candidate: ObjectiveVector, to buffer: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> Double {
        try await self.run("hypervolume_improvement") { backend throws(KernelError) in
            try await backend.hypervolumeImprovement(adding: candidate, to: buffer, reference: reference)
        }
    }

    func hypervolume(of points: ObjectiveMatrix, reference: ObjectiveVector) async throws(KernelError) -> Double {
        try await self.run("hypervolume") { backend throws(KernelError) in
            try await backend.hypervolume(of: points, reference: reference)
        }
    }

    func contributions(of points: ObjectiveMatrix, reference: ObjectiveVector) async throws(KernelError) -> [Double] {
        try await self.run("contributions") { backend throws(KernelError) in
            try await backend.contributions(of: points, reference: reference)
        }
    }

    func gram(ofGradients gradients: ObjectiveMatrix) async throws(KernelError) -> GramMatrix {
        try await self.run("gram") { backend throws(KernelError) in try await backend.gram(ofGradients: gradients) }
    }

    func gram(
        ofFloat32Gradients objectives: Int, dimension: Int,
        slices: @escaping @Sendable (Float32GradientSliceWriter) async throws(KernelError) -> Void
    ) async throws(KernelError) -> GramMatrix {
        let producer = ProducerStart(slices)
        do {
            return try await self.primary.gram(
                ofFloat32Gradients: objectives, dimension: dimension, slices: producer.run)
        } catch  where error.code == .unavailable && !producer.started {
            self.logger.notice(
                "no kernel worker reachable; running the kernel in-process (kernelsFallback)",
                metadata: ["kernel": "float32_gram", "reason": "\(error.reason)"])
            return try await self.local.gram(ofFloat32Gradients: objectives, dimension: dimension, slices: slices)
        }
    }

    func mirrorDescentStep(
        from weights: WeightVector, influence: [Double], stepSize: Double, rule: MirrorDescent
    ) async throws(KernelError) -> WeightVector {
        try await self.run("mirror_descent_step") { backend throws(KernelError) in
            try await backend.mirrorDescentStep(from: weights, influence: influence, stepSize: stepSize, rule: rule)
        }
    }
}
