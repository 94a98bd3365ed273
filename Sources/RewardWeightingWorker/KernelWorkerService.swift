import GRPCCore
import Logging
import RewardWeightingAPI
import RewardWeightingCore
import RewardWeightingKernels

/// The `KernelWorker` service (`worker.proto`): the core's kernels for callers in another process. Stateless:
/// each call decodes its inputs, runs one kernel of ``InProcessKernels`` and answers with the result and the
/// kernel's time. Handlers run on Swift's concurrency pool, not on the transport's event loops.
///
/// A call's deadline (and its cancellation by the caller) reaches the kernel: the hypervolume kernels stop
/// between points of their outer loops and the call ends `DEADLINE_EXCEEDED`, so a runaway kernel does not keep
/// a core busy after its caller gave up.
public struct KernelWorkerService: Rewardweighting_V1_KernelWorker.SimpleServiceProtocol {
    /// The most values (points × K, or K × D) one request may carry.
    public let maximumValues: Int
    private let logger: Logger

    /// The default cap on one request's values: 2²⁶ (512 MiB of doubles).
    public static let defaultMaximumValues = 1 << 26

    /// A service that refuses requests of more than `maximumValues` values with `RESOURCE_EXHAUSTED`, and logs
    /// each call (kernel and time) at debug level.
    public init(maximumValues: Int = Self.defaultMaximumValues, logger: Logger = Logger(label: "rw-worker")) {
        self.maximumValues = maximumValues
        self.logger = logger
    }

    public func hypervolumeImprovement(
        request: Rewardweighting_V1_HypervolumeImprovementRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_KernelValueResponse {
        let k = request.candidate.count
        let buffer = try self.points(request.buffer, dimension: k, field: "buffer")
        let candidate = try Self.vector(request.candidate, field: "candidate")
        let reference = try Self.vector(request.reference, field: "reference")
        return try await self.timed(
            { () async throws(KernelError) in
                try await Self.kernels(for: context).hypervolumeImprovement(
                    adding: candidate, to: buffer, reference: reference)
            },
            reply: Self.valueResponse)
    }

    public func hypervolume(
        request: Rewardweighting_V1_PointSetRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_KernelValueResponse {
        let (points, reference) = try self.pointSet(request)
        return try await self.timed(
            { () async throws(KernelError) in
                try await Self.kernels(for: context).hypervolume(of: points, reference: reference)
            },
            reply: Self.valueResponse)
    }

    public func contributions(
        request: Rewardweighting_V1_PointSetRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_KernelValuesResponse {
        let (points, reference) = try self.pointSet(request)
        return try await self.timed { () async throws(KernelError) in
            try await Self.kernels(for: context).contributions(of: points, reference: reference)
        } reply: { values, seconds in
            var response = Rewardweighting_V1_KernelValuesResponse()
            response.values = values
            response.kernelSeconds = seconds
            return response
        }
    }

    public func gram(
        request: Rewardweighting_V1_GramRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_GramResponse {
        let gradients = request.gradients
        guard gradients.numObjectives >= 1, gradients.dimension >= 1 else {
            throw Self.invalid("gradients", "needs num_objectives ≥ 1 and dimension ≥ 1")
        }
        try self.checkSize(gradients.values.count, field: "gradients.values")
        guard gradients.values.count == Int(gradients.numObjectives) * Int(gradients.dimension) else {
            throw Self.invalid(
                "gradients.values",
                "has \(gradients.values.count) values; K·D = \(Int(gradients.numObjectives) * Int(gradients.dimension))"
            )
        }
        let matrix: ObjectiveMatrix
        do throws(ValidationError) {
            matrix = try ObjectiveMatrix(
                rowMajor: gradients.values, dimension: Int(gradients.dimension), field: "gradients.values")
        } catch {
            throw Self.invalid(error.field, error.reason)
        }
        return try await self.timed(
            { () async throws(KernelError) in try await Self.kernels(for: context).gram(ofGradients: matrix) },
            reply: Self.gramResponse)
    }

    public func float32Gram(
        request: RPCAsyncSequence<Rewardweighting_V1_Float32GramRequest, any Error>, context: ServerContext
    ) async throws -> Rewardweighting_V1_GramResponse {
        var messages = request.makeAsyncIterator()
        guard case .shape(let shape)? = try await messages.next()?.part else {
            throw Self.invalid("shape", "the first message of the stream must carry the shape")
        }
        var accumulator: Float32GramAccumulator
        do throws(ValidationError) {
            accumulator = try Float32GramAccumulator(
                objectives: Int(shape.numObjectives), dimension: Int(shape.dimension), field: "header")
        } catch {
            throw Self.invalid(error.field, error.reason)
        }
        let clock = ContinuousClock()
        var kernelTime = Duration.zero
        while let message = try await messages.next() {
            if context.cancellation.isCancelled {
                throw RPCError(
                    code: .deadlineExceeded, message: "kernel: the call was cancelled or its deadline passed")
            }
            guard case .slice(let slice) = message.part else {
                throw Self.invalid("shape", "only the first message of the stream carries the shape")
            }
            let start = clock.now
            let appended = slice.float32Values.withUnsafeBytes { bytes in
                Result { () throws(ValidationError) in
                    try accumulator.append(offset: Int(clamping: slice.offset), float32LittleEndian: bytes)
                }
            }
            kernelTime += start.duration(to: clock.now)
            if case .failure(let error) = appended { throw Self.invalid(error.field, error.reason) }
        }
        let start = clock.now
        let gram: GramMatrix
        do throws(ValidationError) {
            gram = try accumulator.gram()
        } catch {
            throw Self.invalid(error.field, error.reason)
        }
        kernelTime += start.duration(to: clock.now)
        let seconds = Self.seconds(kernelTime)
        self.logger.debug("kernel call", metadata: ["kernel": "float32Gram", "seconds": "\(seconds)"])
        return Self.gramResponse(gram, seconds: seconds)
    }

    public func mirrorDescentStep(
        request: Rewardweighting_V1_MirrorDescentStepRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_KernelValuesResponse {
        let weights: WeightVector
        let rule: MirrorDescent
        do throws(ValidationError) {
            weights = try WeightVector(normalized: request.weights, field: "weights")
            rule = try MirrorDescent(
                minWeight: request.hasMinWeight ? request.minWeight : nil,
                maxWeight: request.hasMaxWeight ? request.maxWeight : nil)
        } catch {
            throw Self.invalid(error.field, error.reason)
        }
        return try await self.timed { () async throws(KernelError) in
            try await Self.kernels(for: context).mirrorDescentStep(
                from: weights, influence: request.influence, stepSize: request.stepSize, rule: rule)
        } reply: { weights, seconds in
            var response = Rewardweighting_V1_KernelValuesResponse()
            response.values = weights.values
            response.kernelSeconds = seconds
            return response
        }
    }

    // MARK: - Helpers

    /// The in-process kernels, stopping when `context`'s RPC is cancelled (its deadline passed, the caller
    /// went away, the worker is shutting down).
    private static func kernels(for context: ServerContext) -> InProcessKernels {
        let cancellation = context.cancellation
        return InProcessKernels(stoppingWhen: { cancellation.isCancelled })
    }

    /// The points and reference point of a request, the points' K taken from the reference.
    private func pointSet(
        _ request: Rewardweighting_V1_PointSetRequest
    ) throws(RPCError) -> (ObjectiveMatrix, ObjectiveVector) {
        let reference = try Self.vector(request.reference, field: "reference")
        return (try self.points(request.points, dimension: reference.dimension, field: "points"), reference)
    }

    private static func gramResponse(_ gram: GramMatrix, seconds: Double) -> Rewardweighting_V1_GramResponse {
        var response = Rewardweighting_V1_GramResponse()
        response.gram.numObjectives = Int32(gram.dimension)
        response.gram.values = gram.entries
        response.kernelSeconds = seconds
        return response
    }

    private static func valueResponse(_ value: Double, seconds: Double) -> Rewardweighting_V1_KernelValueResponse {
        var response = Rewardweighting_V1_KernelValueResponse()
        response.value = value
        response.kernelSeconds = seconds
        return response
    }

    private func checkSize(_ count: Int, field: String) throws(RPCError) {
        guard count <= self.maximumValues else {
            throw RPCError(
                code: .resourceExhausted,
                message: "\(field): has \(count) values; this worker takes at most \(self.maximumValues) per "
                    + "request (its maximumValues limit)")
        }
    }

    private func points(
        _ matrix: Rewardweighting_V1_RewardMatrix, dimension: Int, field: String
    ) throws(RPCError) -> ObjectiveMatrix {
        try self.checkSize(matrix.values.count, field: "\(field).values")
        guard Int(matrix.numObjectives) == dimension else {
            throw Self.invalid(
                "\(field).num_objectives", "is \(matrix.numObjectives); the reference has K = \(dimension)")
        }
        do throws(ValidationError) {
            return try ObjectiveMatrix(rowMajor: matrix.values, dimension: dimension, field: "\(field).values")
        } catch {
            throw Self.invalid(error.field, error.reason)
        }
    }

    private static func vector(_ values: [Double], field: String) throws(RPCError) -> ObjectiveVector {
        do throws(ValidationError) {
            return try ObjectiveVector(values, field: field)
        } catch {
            throw Self.invalid(error.field, error.reason)
        }
    }

    private static func invalid(_ field: String, _ reason: String) -> RPCError {
        RPCError(code: .invalidArgument, message: "\(field): \(reason)")
    }

    /// Runs `kernel`, measuring its time, and builds the reply; a kernel's refusal is `INVALID_ARGUMENT`.
    private func timed<Value, Reply>(
        _ kernel: () async throws(KernelError) -> Value, reply: (Value, Double) -> Reply,
        function: String = #function
    ) async throws(RPCError) -> Reply {
        let clock = ContinuousClock()
        let start = clock.now
        let value: Value
        do throws(KernelError) {
            value = try await kernel()
        } catch {
            let code: RPCError.Code =
                switch error.code {
                case .invalidArgument: .invalidArgument
                case .deadlineExceeded: .deadlineExceeded
                case .resourceExhausted: .resourceExhausted
                default: .internalError
                }
            throw RPCError(code: code, message: error.message)
        }
        let seconds = Self.seconds(start.duration(to: clock.now))
        self.logger.debug(
            "kernel call", metadata: ["kernel": "\(function.prefix { $0 != "(" })", "seconds": "\(seconds)"])
        return reply(value, seconds)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
