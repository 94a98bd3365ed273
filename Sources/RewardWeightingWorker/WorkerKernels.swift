import Foundation
import GRPCCore
import RewardWeightingAPI
import RewardWeightingCore
import RewardWeightingKernels
import Synchronization

/// The kernels run by a companion worker process (`KernelWorker`, `worker.proto`), behind the service's
/// ``KernelBackend``: the same results, bit for bit, as ``InProcessKernels`` (the worker runs that code), with
/// the inputs and results carried as doubles, exactly.
///
/// A worker that cannot be reached is ``KernelError/Code/unavailable``: nothing was computed, and the caller's
/// call fails with `UNAVAILABLE` (which trainers retry) without storing anything.
public struct WorkerKernels<Transport: ClientTransport>: KernelBackend {
    private let worker: Rewardweighting_V1_KernelWorker.Client<Transport>
    private let options: CallOptions
    private let streamTimeout: Duration

    /// Kernels over `client`, each call with `timeout` (nil: no deadline, which saves grpc-swift's deadline
    /// task, about 40 µs per call here), and each streamed call (whose length is the trainer's upload) with
    /// `streamTimeout`.
    /// - Parameter waitForReady: whether a call waits (within its timeout) for the connection to the worker to
    ///   be established, rather than fail `UNAVAILABLE` at once while it is not: for a worker known to be up
    ///   (a supervised one that announced it is ready), so that a client still backing off from an attempt
    ///   made before the worker listened does not refuse calls.
    public init(
        client: GRPCClient<Transport>, timeout: Duration? = .seconds(30), streamTimeout: Duration = .seconds(600),
        waitForReady: Bool = false
    ) {
        self.worker = Rewardweighting_V1_KernelWorker.Client(wrapping: client)
        self.streamTimeout = streamTimeout
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = waitForReady
        self.options = options
    }

    public func hypervolumeImprovement(
        adding candidate: ObjectiveVector, to buffer: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> Double {
        var request = Rewardweighting_V1_HypervolumeImprovementRequest()
        request.candidate = candidate.values
        request.buffer = Self.matrix(buffer)
        request.reference = reference.values
        return try await self.calling {
            try await self.worker.hypervolumeImprovement(request, options: self.options).value
        }
    }

    public func hypervolume(of points: ObjectiveMatrix, reference: ObjectiveVector) async throws(KernelError) -> Double
    {
        var request = Rewardweighting_V1_PointSetRequest()
        request.points = Self.matrix(points)
        request.reference = reference.values
        return try await self.calling { try await self.worker.hypervolume(request, options: self.options).value }
    }

    public func contributions(
        of points: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> [Double] {
        var request = Rewardweighting_V1_PointSetRequest()
        request.points = Self.matrix(points)
        request.reference = reference.values
        return try await self.calling { try await self.worker.contributions(request, options: self.options).values }
    }

    public func gram(ofGradients gradients: ObjectiveMatrix) async throws(KernelError) -> GramMatrix {
        var request = Rewardweighting_V1_GramRequest()
        request.gradients.numObjectives = Int32(gradients.count)
        request.gradients.dimension = Int32(gradients.dimension)
        request.gradients.values = gradients.storage
        let reply = try await self.calling { try await self.worker.gram(request, options: self.options).gram }
        do throws(ValidationError) {
            return try GramMatrix(rowMajor: reply.values, dimension: Int(reply.numObjectives), field: "gram")
        } catch {
            throw KernelError(code: .internal, field: "gram", reason: "the worker answered \(error.message)")
        }
    }

    public func gram(
        ofFloat32Gradients objectives: Int, dimension: Int,
        slices: @escaping @Sendable (Float32GradientSliceWriter) async throws(KernelError) -> Void
    ) async throws(KernelError) -> GramMatrix {
        var options = self.options
        options.timeout = self.streamTimeout
        // grpc-swift ends the call with its own status when the request producer throws: keep the producer's
        // error (a refused slice, the trainer's stream failing) to report it instead.
        let producerError = Mutex<KernelError?>(nil)
        let reply = try await self.calling(
            preferring: { producerError.withLock { $0 } }
        ) {
            try await self.worker.float32Gram(options: options) { writer in
                var shape = Rewardweighting_V1_Float32GramRequest()
                shape.shape.numObjectives = Int32(clamping: objectives)
                shape.shape.dimension = Int64(dimension)
                try await writer.write(shape)
                do throws(KernelError) {
                    try await slices(Self.forwarding(to: writer))
                } catch {
                    producerError.withLock { $0 = error }
                    throw error
                }
            } onResponse: { response in
                try response.message.gram
            }
        }
        do throws(ValidationError) {
            return try GramMatrix(rowMajor: reply.values, dimension: Int(reply.numObjectives), field: "gram")
        } catch {
            throw KernelError(code: .internal, field: "gram", reason: "the worker answered \(error.message)")
        }
    }

    /// A slice writer that sends each slice to the worker.
    private static func forwarding(
        to writer: RPCWriter<Rewardweighting_V1_Float32GramRequest>
    ) -> Float32GradientSliceWriter {
        Float32GradientSliceWriter { slice throws(KernelError) in
            var message = Rewardweighting_V1_Float32GramRequest()
            message.slice.offset = Int64(slice.offset)
            message.slice.float32Values = Data(slice.float32LittleEndian)
            do {
                try await writer.write(message)
            } catch {
                throw KernelError(
                    code: .unavailable, field: "kernel",
                    reason: "the kernel worker went away during the stream (\(error))")
            }
        }
    }

    public func mirrorDescentStep(
        from weights: WeightVector, influence: [Double], stepSize: Double, rule: MirrorDescent
    ) async throws(KernelError) -> WeightVector {
        var request = Rewardweighting_V1_MirrorDescentStepRequest()
        request.weights = weights.values
        request.influence = influence
        request.stepSize = stepSize
        if let minWeight = rule.minWeight { request.minWeight = minWeight }
        if let maxWeight = rule.maxWeight { request.maxWeight = maxWeight }
        let values = try await self.calling {
            try await self.worker.mirrorDescentStep(request, options: self.options).values
        }
        do throws(ValidationError) {
            return try WeightVector(normalized: values, field: "weights")
        } catch {
            throw KernelError(code: .internal, field: "weights", reason: "the worker answered \(error.message)")
        }
    }

    private static func matrix(_ points: ObjectiveMatrix) -> Rewardweighting_V1_RewardMatrix {
        var matrix = Rewardweighting_V1_RewardMatrix()
        matrix.numObjectives = Int32(points.dimension)
        matrix.values = points.storage
        return matrix
    }

    /// Runs one call, mapping its status to a ``KernelError`` (the message's `field: reason` kept).
    private func calling<Result>(
        preferring earlier: () -> KernelError? = { nil }, _ call: () async throws -> Result
    ) async throws(KernelError) -> Result {
        do {
            return try await call()
        } catch {
            let failure = Self.kernelError(error)
            // The producer's own refusal (a second header, an oversize message) is why the call ended. A
            // producer that failed only because the call ended first (its stream cancelled, `unavailable`)
            // gives way to the worker's answer (a refused slice), unless that answer is itself just "closed".
            if let earlier = earlier(),
                earlier.code != .unavailable || failure.code == .unavailable || failure.code == .internal
            {
                throw earlier
            }
            throw failure
        }
    }

    /// A failed call's error as a ``KernelError``, the worker's `field: reason` kept.
    private static func kernelError(_ error: any Error) -> KernelError {
        if let error = error as? KernelError {
            return error  // the slice producer's own error
        }
        guard let error = error as? RPCError else {
            return KernelError(code: .unavailable, field: "kernel", reason: "the kernel worker call failed: \(error)")
        }
        let (field, reason) = Self.split(error.message)
        switch error.code {
        case .invalidArgument: return KernelError(code: .invalidArgument, field: field, reason: reason)
        case .resourceExhausted: return KernelError(code: .resourceExhausted, field: field, reason: reason)
        case .deadlineExceeded:
            return KernelError(code: .deadlineExceeded, field: "kernel", reason: "the worker did not answer in time")
        case .unavailable, .cancelled, .unknown:
            return KernelError(
                code: .unavailable, field: "kernel", reason: "no kernel worker is reachable (\(error.message))")
        default: return KernelError(code: .internal, field: field, reason: reason)
        }
    }

    private static func split(_ message: String) -> (String, String) {
        guard let colon = message.range(of: ": ") else { return ("kernel", message) }
        return (String(message[..<colon.lowerBound]), String(message[colon.upperBound...]))
    }
}
