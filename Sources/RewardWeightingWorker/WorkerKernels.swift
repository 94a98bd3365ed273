import GRPCCore
import RewardWeightingAPI
import RewardWeightingCore
import RewardWeightingKernels

/// The kernels run by a companion worker process (`KernelWorker`, `worker.proto`), behind the service's
/// ``KernelBackend``: the same results, bit for bit, as ``InProcessKernels`` (the worker runs that code), with
/// the inputs and results carried as doubles, exactly.
///
/// A worker that cannot be reached is ``KernelError/Code/unavailable``: nothing was computed, and the caller's
/// call fails with `UNAVAILABLE` (which trainers retry) without storing anything.
public struct WorkerKernels<Transport: ClientTransport>: KernelBackend {
    private let worker: Rewardweighting_V1_KernelWorker.Client<Transport>
    private let options: CallOptions

    /// Kernels over `client`, each call with `timeout`.
    public init(client: GRPCClient<Transport>, timeout: Duration = .seconds(30)) {
        self.worker = Rewardweighting_V1_KernelWorker.Client(wrapping: client)
        var options = CallOptions.defaults
        options.timeout = timeout
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

    private static func matrix(_ points: ObjectiveMatrix) -> Rewardweighting_V1_RewardMatrix {
        var matrix = Rewardweighting_V1_RewardMatrix()
        matrix.numObjectives = Int32(points.dimension)
        matrix.values = points.storage
        return matrix
    }

    /// Runs one call, mapping its status to a ``KernelError`` (the message's `field: reason` kept).
    private func calling<Result>(_ call: () async throws -> Result) async throws(KernelError) -> Result {
        do {
            return try await call()
        } catch let error as RPCError {
            let (field, reason) = Self.split(error.message)
            switch error.code {
            case .invalidArgument: throw KernelError(code: .invalidArgument, field: field, reason: reason)
            case .resourceExhausted: throw KernelError(code: .resourceExhausted, field: field, reason: reason)
            case .deadlineExceeded:
                throw KernelError(code: .deadlineExceeded, field: "kernel", reason: "the worker did not answer in time")
            case .unavailable, .cancelled, .unknown:
                throw KernelError(
                    code: .unavailable, field: "kernel", reason: "no kernel worker is reachable (\(error.message))")
            default: throw KernelError(code: .internal, field: field, reason: reason)
            }
        } catch {
            throw KernelError(code: .unavailable, field: "kernel", reason: "the kernel worker call failed: \(error)")
        }
    }

    private static func split(_ message: String) -> (String, String) {
        guard let colon = message.range(of: ": ") else { return ("kernel", message) }
        return (String(message[..<colon.lowerBound]), String(message[colon.upperBound...]))
    }
}
