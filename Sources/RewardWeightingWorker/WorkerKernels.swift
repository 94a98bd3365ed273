import Foundation
import GRPCCore
import NIOCore
import NIOPosix
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
    private let timeout: Duration?
    private let streamTimeout: Duration

    /// Kernels over `client`, each call with `timeout` (nil: no deadline, which saves a task and a timer per
    /// call), and each streamed call (whose length is the trainer's upload) with `streamTimeout`.
    ///
    /// A deadline is an event-loop timer that cancels the call, and the call's `grpc-timeout` header, so that
    /// the worker stops its kernel too. It is not grpc-swift's `CallOptions.timeout`, whose sleeping task keeps
    /// ≈ 1 KB per call on Linux until the deadline passes, long after the call was answered (see
    /// ``ScheduledDeadlineTransport``, which does the same on the serving side).
    /// - Parameter waitForReady: whether a call waits (within its timeout) for the connection to the worker to
    ///   be established, rather than fail `UNAVAILABLE` at once while it is not: for a worker known to be up
    ///   (a supervised one that announced it is ready), so that a client still backing off from an attempt
    ///   made before the worker listened does not refuse calls.
    public init(
        client: GRPCClient<Transport>, timeout: Duration? = .seconds(30), streamTimeout: Duration = .seconds(600),
        waitForReady: Bool = false
    ) {
        self.worker = Rewardweighting_V1_KernelWorker.Client(wrapping: client)
        self.timeout = timeout
        self.streamTimeout = streamTimeout
        var options = CallOptions.defaults
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
        return try await self.calling { [worker, options, request] metadata in
            try await worker.hypervolumeImprovement(request, metadata: metadata, options: options).value
        }
    }

    public func hypervolume(of points: ObjectiveMatrix, reference: ObjectiveVector) async throws(KernelError) -> Double
    {
        var request = Rewardweighting_V1_PointSetRequest()
        request.points = Self.matrix(points)
        request.reference = reference.values
        return try await self.calling { [worker, options, request] metadata in
            try await worker.hypervolume(request, metadata: metadata, options: options).value
        }
    }

    public func contributions(
        of points: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> [Double] {
        var request = Rewardweighting_V1_PointSetRequest()
        request.points = Self.matrix(points)
        request.reference = reference.values
        return try await self.calling { [worker, options, request] metadata in
            try await worker.contributions(request, metadata: metadata, options: options).values
        }
    }

    public func gram(ofGradients gradients: ObjectiveMatrix) async throws(KernelError) -> GramMatrix {
        var request = Rewardweighting_V1_GramRequest()
        request.gradients.numObjectives = Int32(gradients.count)
        request.gradients.dimension = Int32(gradients.dimension)
        request.gradients.values = gradients.storage
        let reply = try await self.calling { [worker, options, request] metadata in
            try await worker.gram(request, metadata: metadata, options: options).gram
        }
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
        // grpc-swift ends the call with its own status when the request producer throws: keep the producer's
        // error (a refused slice, the trainer's stream failing) to report it instead.
        let producerError = ProducerError()
        let reply = try await self.calling(
            timeout: self.streamTimeout, preferring: { producerError.value.withLock { $0 } }
        ) { [worker, options] metadata in
            try await worker.float32Gram(metadata: metadata, options: options) { writer in
                var shape = Rewardweighting_V1_Float32GramRequest()
                shape.shape.numObjectives = Int32(clamping: objectives)
                shape.shape.dimension = Int64(dimension)
                try await writer.write(shape)
                do throws(KernelError) {
                    try await slices(Self.forwarding(to: writer))
                } catch {
                    producerError.value.withLock { $0 = error }
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
        let values = try await self.calling { [worker, options, request] metadata in
            try await worker.mirrorDescentStep(request, metadata: metadata, options: options).values
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

    /// Runs one call within `timeout` (by default the kernels' `timeout`), mapping its status to a
    /// ``KernelError`` (the message's `field: reason` kept). `call` gets the metadata to send: the deadline's
    /// `grpc-timeout`, if any.
    private func calling<Result: Sendable>(
        timeout: Duration? = nil, preferring earlier: () -> KernelError? = { nil },
        _ call: @escaping @Sendable (Metadata) async throws -> Result
    ) async throws(KernelError) -> Result {
        do {
            guard let timeout = timeout ?? self.timeout else { return try await call([:]) }
            return try await Self.within(timeout, call)
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

    /// Runs `call` in a task that an event-loop timer cancels `timeout` from now; a call cancelled that way
    /// fails with `DEADLINE_EXCEEDED`, whatever the cancelled call threw.
    private static func within<Result: Sendable>(
        _ timeout: Duration, _ call: @escaping @Sendable (Metadata) async throws -> Result
    ) async throws -> Result {
        let metadata: Metadata = [GRPCTimeoutHeader.name: .string(GRPCTimeoutHeader.value(for: timeout))]
        let task = Task { try await call(metadata) }
        let expired = DeadlineExpiry()
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: GRPCTimeoutHeader.timeAmount(timeout))
        {
            expired.value.store(true, ordering: .relaxed)
            task.cancel()
        }
        defer { timer.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        } catch  where expired.value.load(ordering: .relaxed) {
            throw RPCError(code: .deadlineExceeded, message: "the call's deadline passed")
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

/// Whether a call's deadline timer fired.
private final class DeadlineExpiry: Sendable {
    let value = Atomic(false)
}

/// The streamed Gram producer's own error, kept to report instead of the status grpc-swift ends the call with.
private final class ProducerError: Sendable {
    let value = Mutex<KernelError?>(nil)
}
