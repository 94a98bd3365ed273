import RewardWeightingCore
import RewardWeightingKernels
import Synchronization

/// Several kernel workers (`--kernels dns:///a:p,b:p`) behind one backend: calls go round-robin, and a call
/// that finds its worker unreachable (``KernelError/Code/unavailable``) goes to the next one, each worker tried
/// once; when none answers, the call is `unavailable`. Every worker gives the same results, bit for bit. A
/// streamed Gram matrix goes to the next worker only while no slice has been read from its producer (the
/// slices cannot be read twice); after that, its worker's failure is the call's.
final class PooledKernels: KernelBackend {
    private let workers: [any KernelBackend]
    private let next = Atomic<Int>(0)

    init(_ workers: [any KernelBackend]) {
        precondition(!workers.isEmpty, "a pool needs a worker")
        self.workers = workers
    }

    private func run<Result>(
        _ call: (any KernelBackend) async throws(KernelError) -> Result
    ) async throws(KernelError) -> Result {
        let first = self.next.wrappingAdd(1, ordering: .relaxed).oldValue
        var last: KernelError?
        for offset in 0..<self.workers.count {
            let worker = self.workers[(first &+ offset) % self.workers.count]
            do {
                return try await call(worker)
            } catch  where error.code == .unavailable {
                last = error
            }
        }
        throw last ?? KernelError(code: .unavailable, field: "kernel", reason: "no kernel worker is reachable")
    }

    func hypervolumeImprovement(
        adding candidate: ObjectiveVector, to buffer: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> Double {
        try await self.run { worker throws(KernelError) in
            try await worker.hypervolumeImprovement(adding: candidate, to: buffer, reference: reference)
        }
    }

    func hypervolume(of points: ObjectiveMatrix, reference: ObjectiveVector) async throws(KernelError) -> Double {
        try await self.run { worker throws(KernelError) in
            try await worker.hypervolume(of: points, reference: reference)
        }
    }

    func contributions(of points: ObjectiveMatrix, reference: ObjectiveVector) async throws(KernelError) -> [Double] {
        try await self.run { worker throws(KernelError) in
            try await worker.contributions(of: points, reference: reference)
        }
    }

    func gram(ofGradients gradients: ObjectiveMatrix) async throws(KernelError) -> GramMatrix {
        try await self.run { worker throws(KernelError) in try await worker.gram(ofGradients: gradients) }
    }

    func gram(
        ofFloat32Gradients objectives: Int, dimension: Int,
        slices: @escaping @Sendable (Float32GradientSliceWriter) async throws(KernelError) -> Void
    ) async throws(KernelError) -> GramMatrix {
        let producer = ProducerStart(slices)
        let first = self.next.wrappingAdd(1, ordering: .relaxed).oldValue
        var last: KernelError?
        for offset in 0..<self.workers.count {
            let worker = self.workers[(first &+ offset) % self.workers.count]
            do {
                return try await worker.gram(ofFloat32Gradients: objectives, dimension: dimension, slices: producer.run)
            } catch  where error.code == .unavailable && !producer.started {
                last = error
            }
        }
        throw last ?? KernelError(code: .unavailable, field: "kernel", reason: "no kernel worker is reachable")
    }

    func mirrorDescentStep(
        from weights: WeightVector, influence: [Double], stepSize: Double, rule: MirrorDescent
    ) async throws(KernelError) -> WeightVector {
        try await self.run { worker throws(KernelError) in
            try await worker.mirrorDescentStep(from: weights, influence: influence, stepSize: stepSize, rule: rule)
        }
    }
}
