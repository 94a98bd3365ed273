import GRPCCore
import Logging
import RewardWeightingAPI
import RewardWeightingCore
import RewardWeightingKernels
import RewardWeightingPolicy
import RewardWeightingService
import RewardWeightingStore
import ServiceLifecycle

/// The gRPC `rewardweighting.v1.TrainerService`: a thin edge over ``RunCoordinator``.
///
/// Each handler maps the request to validated core values (``ConfigMapping``, ``MatrixMapping``; a value that
/// cannot be built is `INVALID_ARGUMENT` naming its field), calls the coordinator, and maps the decision back
/// (``DecisionMapping``, ``RunMapping``) or its ``ServiceError`` to the status of the same name
/// (``ErrorMapping``). No policy decision is made here.
///
/// A request message larger than ``maxRequestMessageBytes`` never reaches a handler: it is answered
/// `RESOURCE_EXHAUSTED` before it is decoded (see ``registerMethods(with:)``).
public struct TrainerServiceImplementation: Rewardweighting_V1_TrainerService.SimpleServiceProtocol {
    /// The longest `ArchiveRun` reason accepted, in UTF-8 bytes.
    public static let maximumArchiveReasonBytes = 1024

    /// The largest request message accepted, in bytes.
    public let maxRequestMessageBytes: Int
    /// Who may call (``Authenticator``): every call's `authorization` and `rw-tenant` metadata become the
    /// ``Principal`` the coordinator acts for.
    public let authenticator: Authenticator
    /// Each tenant's request rate (``TenantRateLimiter``), checked right after authentication.
    public let rateLimiter: TenantRateLimiter
    private let coordinator: RunCoordinator
    private let logger: Logger

    /// A service over `coordinator`.
    /// - Parameters:
    ///   - maxRequestMessageBytes: the largest request message accepted (larger ones get `RESOURCE_EXHAUSTED`);
    ///     default 16 MiB.
    ///   - authenticator: who may call; open (every caller the default tenant's admin) by default.
    ///   - rateLimiter: each tenant's request rate; no limit by default.
    public init(
        coordinator: RunCoordinator, logger: Logger,
        maxRequestMessageBytes: Int = RewardWeightingServer.Configuration.defaultMaxReceiveMessageBytes,
        authenticator: Authenticator = .open, rateLimiter: TenantRateLimiter = .unlimited
    ) {
        self.rateLimiter = rateLimiter
        self.coordinator = coordinator
        self.logger = logger
        self.maxRequestMessageBytes = maxRequestMessageBytes
        self.authenticator = authenticator
    }

    /// The principal of the call being handled (``CallPrincipal``). A handler called without one (not through
    /// ``registerMethods(with:)``) acts for ``Principal/open`` only when the server is open.
    private func caller() throws(RPCError) -> Principal {
        if let principal = CallPrincipal.current { return principal }
        guard !self.authenticator.requiresTokens else {
            throw ErrorMapping.rpcError(
                code: .unauthenticated, field: "authorization", reason: "the call was not authenticated")
        }
        return .open
    }

    // MARK: - Runs

    /// `CreateRun`: idempotent by run id (the same config returns the run with `created = false`).
    public func createRun(
        request: Rewardweighting_V1_CreateRunRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_CreateRunResponse {
        let principal = try self.caller()
        guard request.hasConfig else {
            throw ErrorMapping.invalidArgument(
                field: "config", reason: "is required")
        }
        let config = try ConfigMapping.runConfig(runID: request.runID, request.config)
        let (run, created) = try await self.serving { try await self.coordinator.createRun(config, as: principal) }
        let front = try await self.serving { try await self.coordinator.front(of: run) }
        var response = Rewardweighting_V1_CreateRunResponse()
        response.run = RunMapping.proto(run, front: front)
        response.created = created
        return response
    }

    /// `GetRun`.
    public func getRun(
        request: Rewardweighting_V1_GetRunRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_GetRunResponse {
        let principal = try self.caller()
        let run = try await self.serving { try await self.coordinator.getRun(request.runID, as: principal) }
        let front = try await self.serving {
            try await self.coordinator.front(of: run, contributions: request.includeContributions)
        }
        var response = Rewardweighting_V1_GetRunResponse()
        response.run = RunMapping.proto(run, front: front)
        return response
    }

    /// `ListRuns`, in run-id order, optionally filtered by status and method (in the store, so pages are full).
    public func listRuns(
        request: Rewardweighting_V1_ListRunsRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_ListRunsResponse {
        let principal = try self.caller()
        var filter = RunFilter()
        switch request.status {
        case .unspecified: filter.status = nil
        case .active: filter.status = .active
        case .archived: filter.status = .archived
        case .UNRECOGNIZED(let value): throw ConfigMapping.unknownEnumValue(value, field: "status")
        }
        switch request.method {
        case .unspecified: filter.method = nil
        case .fixed: filter.method = .fixed
        case .hypervolume: filter.method = .hypervolume
        case .gradient: filter.method = .gradient
        case .UNRECOGNIZED(let value): throw ConfigMapping.unknownEnumValue(value, field: "method")
        }
        let page = try await self.serving {
            try await self.coordinator.listRuns(
                pageSize: Int(request.pageSize), pageToken: request.pageToken, filter: filter, as: principal)
        }
        var response = Rewardweighting_V1_ListRunsResponse()
        for run in page.runs {
            let front = try await self.serving { try await self.coordinator.front(of: run) }
            response.runs.append(RunMapping.proto(run, front: front))
        }
        if let next = page.nextPageToken { response.nextPageToken = next }
        return response
    }

    /// `ArchiveRun`: logs the archive event with its reason; archiving an archived run changes nothing.
    public func archiveRun(
        request: Rewardweighting_V1_ArchiveRunRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_ArchiveRunResponse {
        let principal = try self.caller()
        guard request.reason.utf8.count <= Self.maximumArchiveReasonBytes else {
            throw ErrorMapping.invalidArgument(
                field: "reason",
                reason: "has \(request.reason.utf8.count) bytes; at most \(Self.maximumArchiveReasonBytes) are allowed")
        }
        let archived = try await self.serving {
            try await self.coordinator.archive(runID: request.runID, reason: request.reason, as: principal)
        }
        let front = try await self.serving { try await self.coordinator.front(of: archived.run) }
        var response = Rewardweighting_V1_ArchiveRunResponse()
        response.state = RunMapping.state(archived.run, front: front)
        response.sequence = Int64(archived.sequence)
        return response
    }

    // MARK: - Trainer calls

    /// `Scalarize`: `r_pareto·(w·r)` for each response of the batch.
    public func scalarize(
        request: Rewardweighting_V1_ScalarizeRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_ScalarizeResponse {
        let principal = try self.caller()
        let rewards = try MatrixMapping.rewards(request.rewards, isSet: request.hasRewards)
        let groupIDs = request.groupIds.isEmpty ? nil : request.groupIds.map { Int($0) }
        let recorded = try await self.serving(fieldPaths: ["rewards": "rewards.num_objectives"]) {
            try await self.coordinator.recordScalarization(
                runID: request.runID, step: Int(request.step), rewards: rewards, groupIDs: groupIDs,
                validation: request.validation, as: principal)
        }
        var response = DecisionMapping.response(recorded.result)
        response.sequence = Int64(recorded.sequence)
        return response
    }

    /// `ReportGradients`: a Gram matrix, or projected gradients that the service turns into one.
    public func reportGradients(
        request: Rewardweighting_V1_ReportGradientsRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_ReportGradientsResponse {
        let principal = try self.caller()
        let learningRate = request.hasLearningRate ? request.learningRate : nil
        let recorded: (decision: GradientDecision, sequence: Int)
        switch request.gradients {
        case .gram(let matrix):
            let gram = try MatrixMapping.gram(matrix)
            let report: GradientReport
            do throws(ValidationError) {
                report = try GradientReport(step: Int(request.step), gram: gram, learningRate: learningRate)
            } catch {
                throw ErrorMapping.rpcError(error)
            }
            recorded = try await self.serving(fieldPaths: ["gram": "gram.num_objectives", "method": "run_id"]) {
                try await self.coordinator.recordGradients(runID: request.runID, report: report, as: principal)
            }
        case .projected(let vectors):
            let gradients = try MatrixMapping.projectedGradients(vectors)
            recorded = try await self.serving(
                fieldPaths: ["gram": "projected.num_objectives", "gradients": "projected.values", "method": "run_id"]
            ) {
                try await self.coordinator.recordGradients(
                    runID: request.runID, step: Int(request.step), projectedGradients: gradients,
                    learningRate: learningRate, as: principal)
            }
        case nil:
            throw ErrorMapping.invalidArgument(
                field: "gradients", reason: "exactly one of gram or projected is required")
        }
        var response = DecisionMapping.response(recorded.decision)
        response.sequence = Int64(recorded.sequence)
        return response
    }

    /// `ReportProjectedGradients`: the header, then float32 slices that go to the kernel backend as they arrive
    /// (nothing but the current slice is held); then the call is `ReportGradients` with the computed G.
    public func reportProjectedGradients(
        request: RPCAsyncSequence<Rewardweighting_V1_ReportProjectedGradientsRequest, any Error>,
        context: ServerContext
    ) async throws -> Rewardweighting_V1_ReportGradientsResponse {
        let principal = try self.caller()
        let messages = StreamedMessages(request)
        guard case .header(let header)? = try await messages.next()?.part else {
            throw ErrorMapping.invalidArgument(
                field: "header", reason: "the first message of the stream must carry the header")
        }
        let learningRate = header.hasLearningRate ? header.learningRate : nil
        let recorded = try await self.serving(
            fieldPaths: [
                "gram": "header.num_objectives", "method": "header.run_id", "run_id": "header.run_id",
                "step": "header.step", "learning_rate": "header.learning_rate",
            ]
        ) {
            try await self.coordinator.recordGradients(
                runID: header.runID, step: Int(header.step), float32Gradients: Int(header.numObjectives),
                dimension: Int(header.dimension), learningRate: learningRate,
                slices: { writer throws(KernelError) in
                    while let message = try await messages.nextSlice() {
                        try await writer.write(
                            Float32GradientSlice(
                                offset: Int(clamping: message.offset),
                                float32LittleEndian: Array(message.float32Values)))
                    }
                }, as: principal)
        }
        var response = DecisionMapping.response(recorded.decision)
        response.sequence = Int64(recorded.sequence)
        return response
    }

    /// `ReportCheckpoint`: the reply carries the buffer as it was right after this checkpoint (also for a
    /// retry answered from the log).
    public func reportCheckpoint(
        request: Rewardweighting_V1_ReportCheckpointRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_ReportCheckpointResponse {
        let principal = try self.caller()
        let report: CheckpointReport
        do throws(ValidationError) {
            report = try CheckpointReport(step: Int(request.step), scores: request.scores)
        } catch {
            throw ErrorMapping.rpcError(error)
        }
        let recorded = try await self.serving {
            try await self.coordinator.recordCheckpoint(runID: request.runID, report: report, as: principal)
        }
        var response = DecisionMapping.response(recorded.decision, buffer: RunMapping.buffer(recorded.front))
        response.sequence = Int64(recorded.sequence)
        return response
    }

    /// `ResumeRun`: rewinds the run to `from_step` and logs the resumed event; later events stay in the log,
    /// flagged superseded.
    public func resumeRun(
        request: Rewardweighting_V1_ResumeRunRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_ResumeRunResponse {
        let principal = try self.caller()
        let resumed = try await self.serving {
            try await self.coordinator.resume(runID: request.runID, fromStep: Int(request.fromStep), as: principal)
        }
        let front = try await self.serving { try await self.coordinator.front(of: resumed.run) }
        var response = Rewardweighting_V1_ResumeRunResponse()
        response.state = RunMapping.state(resumed.run, front: front)
        response.supersededEvents = Int64(resumed.supersededEvents)
        response.sequence = Int64(resumed.sequence)
        return response
    }

    // MARK: - Watching

    /// `WatchRun`: the logged events from `from_sequence` (none for 0), then the live ones. The stream ends
    /// with OK once the run is archived, and with `UNAVAILABLE` (naming the sequence to resume from) when the
    /// server shuts down gracefully.
    public func watchRun(
        request: Rewardweighting_V1_WatchRunRequest, response: RPCWriter<Rewardweighting_V1_DecisionEvent>,
        context: ServerContext
    ) async throws {
        let principal = try self.caller()
        let runID = request.runID
        guard request.fromSequence >= 0 else {
            throw ErrorMapping.invalidArgument(
                field: "from_sequence", reason: "is \(request.fromSequence); it must be at least 0")
        }
        // 0: live events only (those committed after the subscription, which the run's actor takes atomically).
        let fromSequence = request.fromSequence == 0 ? nil : Int(request.fromSequence)
        let stream = try await self.serving {
            try await self.coordinator.watch(runID: runID, fromSequence: fromSequence, as: principal)
        }
        var nextSequence = fromSequence
        // The stream's read of the run's log, for the buffer hypervolumes of checkpoints older than the state keeps.
        var bufferHypervolumes = WatchedBufferHypervolumes()
        do {
            for try await stored in stream.cancelOnGracefulShutdown() {
                let hypervolume = try? await self.coordinator.bufferHypervolume(
                    after: stored, as: principal, tracking: &bufferHypervolumes)
                try await response.write(DecisionMapping.event(stored, hypervolume: hypervolume ?? nil))
                nextSequence = stored.sequence + 1
            }
        } catch let error as ServiceError {
            throw ErrorMapping.rpcError(error)
        }
        let run = try? await self.coordinator.getRun(runID, as: principal)
        if let run, run.status == .archived {
            return
        }
        // A live watch that saw no event resumes after the log as it is now.
        let resumeFrom = nextSequence ?? (run.map { $0.eventCount + 1 } ?? 0)
        throw ErrorMapping.rpcError(
            code: .unavailable, field: "from_sequence",
            reason: "the server is shutting down; watch again with from_sequence = \(resumeFrom)")
    }

    // MARK: - Errors

    /// Runs a coordinator call, turning its ``ServiceError`` into the status of the same name.
    /// - Parameter fieldPaths: domain field names to report under their request paths (see
    ///   ``ErrorMapping/rpcError(_:fieldPaths:)``).
    private func serving<T>(
        fieldPaths: [String: String] = [:], _ body: () async throws -> T
    ) async throws(RPCError) -> T {
        do {
            return try await body()
        } catch let error as ServiceError {
            if error.code == .internal {
                self.logger.error("internal error", metadata: ["error": "\(error)", "cause": "\(error.cause as Any)"])
            }
            throw ErrorMapping.rpcError(error, fieldPaths: fieldPaths)
        } catch let error as RPCError {
            throw error
        } catch is CancellationError {
            throw RPCError(code: .cancelled, message: "the call was cancelled")
        } catch {
            self.logger.error("unexpected error", metadata: ["error": "\(error)"])
            throw RPCError(code: .internalError, message: "internal: \(error)")
        }
    }
}
