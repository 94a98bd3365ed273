import Foundation
import GRPCCore
import Logging
import RewardWeightingAPI
import RewardWeightingPolicy
import RewardWeightingServer
import RewardWeightingService
import RewardWeightingStore
import SwiftProtobuf

/// Runs a ``FuzzScript`` against a fresh service and checks what the contract promises for every input.
///
/// Each script gets its own ``InMemoryRunStore``, ``RunCoordinator`` (in-process kernels) and
/// ``TrainerServiceImplementation``; each call's bytes are decoded by the server's own deserializer
/// (`SizeLimitedDeserializer`, as `registerMethods(with:)` installs it) and handed to the handler the
/// transport would call. So an input travels the server's path from request bytes through mapping, validation,
/// limits, the policy, the kernels and the store, back to the response message.
///
/// **The invariants** (a break is a ``FuzzViolation``, which the fuzzer reports as a crash):
/// 1. A call is answered with a response or an `RPCError` whose code is one of ``acceptedRefusals`` and
///    whose message is not empty: never `INTERNAL`, `UNKNOWN`, `UNAVAILABLE`, never another error type, never a
///    trap (which the fuzzer sees itself).
/// 2. Every response serializes, and holds no NaN or ±∞ (``NonFiniteNumbers``).
/// 3. A refused call, a read, and a `validation` Scalarize change no run (version, event counts, status).
///    (ResumeRun and ArchiveRun change their run, and are not retried: a second resume is a new rewind.)
/// 4. A retry of a call that succeeded and records a step (CreateRun, Scalarize, ReportGradients,
///    ReportProjectedGradients, ReportCheckpoint) gets the same answer and appends no event.
/// 5. After the script, for every run: each event and its decision encode to the SQL stores' columns
///    (canonical JSON, which refuses non-finite numbers) and decode back equal; so do the config and state;
///    the state equals the replay of the run's active events, and what a restarted coordinator over the
///    same store loads; `GetRun` (with contributions) answers finite numbers.
public struct FuzzHarness: Sendable {
    /// The status codes a bad request may be answered with.
    public static let acceptedRefusals: Set<RPCError.Code> = [
        .invalidArgument, .notFound, .alreadyExists, .failedPrecondition, .resourceExhausted, .outOfRange,
    ]

    /// The limits of the service under test.
    public let limits: ServiceLimits
    /// The largest request message accepted, in bytes.
    public let maxRequestMessageBytes: Int

    /// A harness whose services have `limits` and accept messages up to `maxRequestMessageBytes`.
    public init(
        limits: ServiceLimits = .default,
        maxRequestMessageBytes: Int = RewardWeightingServer.Configuration.defaultMaxReceiveMessageBytes
    ) {
        self.limits = limits
        self.maxRequestMessageBytes = maxRequestMessageBytes
    }

    /// Runs `script` against a fresh service and checks the invariants.
    /// - Returns: how each call was answered.
    /// - Throws: the first invariant that does not hold.
    public func run(_ script: FuzzScript) async throws(FuzzViolation) -> FuzzOutcome {
        let store = InMemoryRunStore()
        let coordinator = RunCoordinator(store: store, logger: quietLogger, limits: self.limits)
        let service = TrainerServiceImplementation(
            coordinator: coordinator, logger: quietLogger, maxRequestMessageBytes: self.maxRequestMessageBytes)
        var outcome = FuzzOutcome()
        for (index, call) in script.calls.enumerated() {
            let before = try await fingerprint(of: coordinator, call: index)
            let answer = try await self.answer(call, from: service, index: index)
            outcome.count(call.method, answer)
            let after = try await fingerprint(of: coordinator, call: index)
            switch answer {
            case .failure:
                guard before == after else {
                    throw FuzzViolation(call: index, "a refused \(call.method) changed the runs: \(before) → \(after)")
                }
            case .success(let response):
                switch call.method.effect(of: response) {
                case .none:
                    guard before == after else {
                        throw FuzzViolation(call: index, "\(call.method) changed the runs: \(before) → \(after)")
                    }
                    continue
                case .change:
                    continue
                case .recordedStep:
                    break
                }
                let retried = try await self.answer(call, from: service, index: index)
                outcome.retries += 1
                guard case .success(let again) = retried, Self.sameAnswer(response, again, for: call.method) else {
                    throw FuzzViolation(
                        call: index, "a retry of \(call.method) was answered \(retried), not \(response)")
                }
                let afterRetry = try await fingerprint(of: coordinator, call: index)
                guard afterRetry == after else {
                    throw FuzzViolation(
                        call: index, "a retry of \(call.method) changed the runs: \(after) → \(afterRetry)")
                }
            }
        }
        try await self.checkStoredRuns(in: store, coordinator: coordinator, service: service)
        return outcome
    }

    // MARK: - Calls

    private func answer(
        _ call: FuzzScript.Call, from service: TrainerServiceImplementation, index: Int
    ) async throws(FuzzViolation) -> Result<any SwiftProtobuf.Message, RPCError> {
        let result: Result<any SwiftProtobuf.Message, any Error>
        do {
            result = .success(try await self.perform(call, on: service))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let response):
            let nonFinite = NonFiniteNumbers.paths(in: response)
            guard nonFinite.isEmpty else {
                throw FuzzViolation(
                    call: index, "\(call.method) answered non-finite numbers at \(nonFinite): \(response)")
            }
            do {
                let _: [UInt8] = try response.serializedBytes()
            } catch {
                throw FuzzViolation(call: index, "\(call.method)'s response does not serialize: \(error)")
            }
            return .success(response)
        case .failure(let error as RPCError):
            guard Self.acceptedRefusals.contains(error.code), !error.message.isEmpty else {
                throw FuzzViolation(call: index, "\(call.method) was refused with \(error.code): \(error.message)")
            }
            return .failure(error)
        case .failure(let error):
            throw FuzzViolation(call: index, "\(call.method) threw \(type(of: error)), not an RPCError: \(error)")
        }
    }

    private func perform(
        _ call: FuzzScript.Call, on service: TrainerServiceImplementation
    ) async throws -> any SwiftProtobuf.Message {
        typealias Method = Rewardweighting_V1_TrainerService.Method
        switch call.method {
        case .createRun:
            let request = try self.decode(Rewardweighting_V1_CreateRunRequest.self, call, runID: \.runID)
            return try await service.createRun(request: request, context: context(Method.CreateRun.descriptor))
        case .getRun:
            let request = try self.decode(Rewardweighting_V1_GetRunRequest.self, call, runID: \.runID)
            return try await service.getRun(request: request, context: context(Method.GetRun.descriptor))
        case .listRuns:
            let request = try self.decode(Rewardweighting_V1_ListRunsRequest.self, call, runID: nil)
            return try await service.listRuns(request: request, context: context(Method.ListRuns.descriptor))
        case .archiveRun:
            let request = try self.decode(Rewardweighting_V1_ArchiveRunRequest.self, call, runID: \.runID)
            return try await service.archiveRun(request: request, context: context(Method.ArchiveRun.descriptor))
        case .scalarize:
            let request = try self.decode(Rewardweighting_V1_ScalarizeRequest.self, call, runID: \.runID)
            return try await service.scalarize(request: request, context: context(Method.Scalarize.descriptor))
        case .reportGradients:
            let request = try self.decode(Rewardweighting_V1_ReportGradientsRequest.self, call, runID: \.runID)
            return try await service.reportGradients(
                request: request, context: context(Method.ReportGradients.descriptor))
        case .reportCheckpoint:
            let request = try self.decode(Rewardweighting_V1_ReportCheckpointRequest.self, call, runID: \.runID)
            return try await service.reportCheckpoint(
                request: request, context: context(Method.ReportCheckpoint.descriptor))
        case .resumeRun:
            let request = try self.decode(Rewardweighting_V1_ResumeRunRequest.self, call, runID: \.runID)
            return try await service.resumeRun(request: request, context: context(Method.ResumeRun.descriptor))
        case .reportProjectedGradients:
            // As the transport delivers a stream: each message decoded when the handler asks for it; one that
            // does not decode ends the stream with the deserializer's error.
            let (stream, continuation) = AsyncThrowingStream.makeStream(
                of: Rewardweighting_V1_ReportProjectedGradientsRequest.self, throwing: (any Error).self)
            for part in call.messages {
                do {
                    var message = try self.decode(Rewardweighting_V1_ReportProjectedGradientsRequest.self, part)
                    if call.usesSharedRunID, case .header(var header)? = message.part {
                        header.runID = FuzzScript.sharedRunID
                        message.header = header
                    }
                    continuation.yield(message)
                } catch {
                    continuation.finish(throwing: error)
                    break
                }
            }
            continuation.finish()
            return try await service.reportProjectedGradients(
                request: RPCAsyncSequence(wrapping: stream),
                context: context(Method.ReportProjectedGradients.descriptor))
        }
    }

    private func decode<Message: SwiftProtobuf.Message>(_ type: Message.Type, _ bytes: [UInt8]) throws -> Message {
        try SizeLimitedDeserializer<Message>(limit: self.maxRequestMessageBytes).deserialize(bytes)
    }

    /// The call's one request, with the shared run id put at `runID` when the call asks for it.
    private func decode<Message: SwiftProtobuf.Message>(
        _ type: Message.Type, _ call: FuzzScript.Call, runID: WritableKeyPath<Message, String>?
    ) throws -> Message {
        var request = try self.decode(type, call.messages.first ?? [])
        if call.usesSharedRunID, let runID { request[keyPath: runID] = FuzzScript.sharedRunID }
        return request
    }

    /// A retry's answer is the first's: for CreateRun up to `created`, which says whether this call made the run.
    private static func sameAnswer(
        _ first: any SwiftProtobuf.Message, _ retry: any SwiftProtobuf.Message, for method: FuzzScript.Method
    ) -> Bool {
        if method == .createRun, var created = first as? Rewardweighting_V1_CreateRunResponse {
            created.created = false
            return created.isEqualTo(message: retry)
        }
        return first.isEqualTo(message: retry)
    }

    // MARK: - Stored state

    private func checkStoredRuns(
        in store: InMemoryRunStore, coordinator: RunCoordinator, service: TrainerServiceImplementation
    ) async throws(FuzzViolation) {
        let runs: [Run]
        do {
            runs = try await coordinator.listRuns(pageSize: RunCoordinator.maximumPageSize, pageToken: nil).runs
        } catch {
            throw FuzzViolation(call: nil, "listing the runs failed: \(error)")
        }
        let restarted = RunCoordinator(store: store, logger: quietLogger, limits: self.limits)
        for run in runs {
            let name = "run \(String(reflecting: run.runID))"
            let events: [StoredEvent]
            do {
                events = try await store.events(run: run.key, fromSequence: 1, limit: nil)
            } catch {
                throw FuzzViolation(call: nil, "reading the events of \(name) failed: \(error)")
            }
            for stored in events {
                try checkColumns(of: stored, run: name)
            }
            try checkColumn(run.config, as: RunConfig.self, of: name, column: "config")
            try checkColumn(run.state, as: RunState.self, of: name, column: "state")
            let replayed: RunState
            do {
                replayed = try WeightingPolicy.replay(
                    config: run.config, events: events.filter { !$0.isSuperseded }.map(\.event))
            } catch {
                throw FuzzViolation(call: nil, "the events of \(name) do not replay: \(error)")
            }
            guard replayed == run.state else {
                throw FuzzViolation(call: nil, "\(name): its state is not the replay of its events")
            }
            let reloaded: Run
            do {
                reloaded = try await restarted.getRun(run.runID)
            } catch {
                throw FuzzViolation(call: nil, "\(name) does not load after a restart: \(error)")
            }
            guard reloaded.state == run.state, reloaded.version == run.version else {
                throw FuzzViolation(call: nil, "\(name) loads differently after a restart")
            }
            var request = Rewardweighting_V1_GetRunRequest()
            request.runID = run.runID
            request.includeContributions = true
            let response: Rewardweighting_V1_GetRunResponse
            do {
                response = try await service.getRun(
                    request: request, context: context(Rewardweighting_V1_TrainerService.Method.GetRun.descriptor))
            } catch {
                throw FuzzViolation(call: nil, "GetRun of \(name) failed: \(error)")
            }
            let nonFinite = NonFiniteNumbers.paths(in: response)
            guard nonFinite.isEmpty else {
                throw FuzzViolation(call: nil, "GetRun of \(name) answers non-finite numbers at \(nonFinite)")
            }
        }
    }
}

/// An invariant of ``FuzzHarness`` that an input broke.
public struct FuzzViolation: Error, CustomStringConvertible, Sendable {
    /// The index of the call that broke it, or `nil` for the checks after the script.
    public let call: Int?
    /// What did not hold.
    public let message: String

    init(call: Int?, _ message: String) {
        self.call = call
        self.message = message
    }

    public var description: String {
        (self.call.map { "call \($0): " } ?? "after the script: ") + self.message
    }
}

/// How the calls of one or more scripts were answered.
public struct FuzzOutcome: Sendable, Hashable {
    /// The number of calls per method and answer (`OK` or the status code's name), e.g. `scalarize OK`.
    public var answers: [String: Int] = [:]
    /// The retries made of calls that succeeded.
    public var retries = 0
    /// Each call's answer in order, e.g. `scalarize OK` or `scalarize invalidArgument: rewards: …` (one script's;
    /// ``add(_:)`` does not keep them).
    public var transcript: [String] = []

    /// No calls yet.
    public init() {}

    /// The calls of `method` answered with `answer` (`"OK"` or a status code, as in ``answers``).
    public func count(of method: FuzzScript.Method, _ answer: String) -> Int {
        self.answers["\(method) \(answer)"] ?? 0
    }

    /// The sum of both outcomes.
    public mutating func add(_ other: FuzzOutcome) {
        self.answers.merge(other.answers, uniquingKeysWith: +)
        self.retries += other.retries
    }

    mutating func count(_ method: FuzzScript.Method, _ answer: Result<any SwiftProtobuf.Message, RPCError>) {
        switch answer {
        case .success:
            self.answers["\(method) OK", default: 0] += 1
            self.transcript.append("\(method) OK")
        case .failure(let error):
            self.answers["\(method) \(error.code)", default: 0] += 1
            self.transcript.append("\(method) \(error.code): \(error.message.prefix(300))")
        }
    }
}

extension FuzzScript.Method {
    /// What a successful call does to the runs.
    fileprivate enum Effect {
        /// Nothing: a read, or a validation Scalarize.
        case none
        /// Changes a run, and a repeat is a new request (ResumeRun, ArchiveRun).
        case change
        /// Records a step, so that a retry must be answered from the log and append nothing.
        case recordedStep
    }

    fileprivate func effect(of response: any SwiftProtobuf.Message) -> Effect {
        switch self {
        case .createRun, .reportGradients, .reportProjectedGradients, .reportCheckpoint: .recordedStep
        // A validation Scalarize records nothing; its response carries no sequence.
        case .scalarize: (response as? Rewardweighting_V1_ScalarizeResponse)?.sequence ?? 0 > 0 ? .recordedStep : .none
        case .getRun, .listRuns: .none
        case .archiveRun, .resumeRun: .change
        }
    }
}

/// What a call may change: each run's version, event counts and status.
private struct RunFingerprint: Hashable, CustomStringConvertible {
    let key: RunKey
    let version: Int
    let eventCount: Int
    let supersededEventCount: Int
    let status: RunStatus

    var description: String {
        "\(self.key.runID)@v\(self.version) events \(self.eventCount)/\(self.supersededEventCount) \(self.status)"
    }
}

private func fingerprint(of coordinator: RunCoordinator, call: Int) async throws(FuzzViolation) -> [RunFingerprint] {
    do {
        return try await coordinator.listRuns(pageSize: RunCoordinator.maximumPageSize, pageToken: nil).runs.map {
            RunFingerprint(
                key: $0.key, version: $0.version, eventCount: $0.eventCount,
                supersededEventCount: $0.supersededEventCount, status: $0.status)
        }
    } catch {
        throw FuzzViolation(call: call, "listing the runs failed: \(error)")
    }
}

/// An event as the SQL stores write it (``EncodedEvent``) and read it back.
private func checkColumns(of stored: StoredEvent, run name: String) throws(FuzzViolation) {
    do {
        let encoded = try EncodedEvent(stored.event, decision: stored.decision, runID: stored.runID)
        let decoded = try StoredEvent(
            runID: stored.runID, sequence: stored.sequence, step: stored.step, kind: stored.kind.rawValue,
            payload: encoded.payload, decision: encoded.decision, requestDigest: encoded.digest,
            isSuperseded: stored.isSuperseded, createdAt: stored.createdAt)
        guard decoded.event == stored.event, decoded.decision == stored.decision else {
            throw FuzzViolation(call: nil, "event \(stored.sequence) of \(name) reads back differently")
        }
        guard encoded.digest == stored.requestDigest else {
            throw FuzzViolation(call: nil, "event \(stored.sequence) of \(name) has another digest once encoded")
        }
    } catch let violation as FuzzViolation {
        throw violation
    } catch {
        throw FuzzViolation(call: nil, "event \(stored.sequence) of \(name) cannot be stored: \(error)")
    }
}

private func checkColumn<Value: Codable & Equatable>(
    _ value: Value, as type: Value.Type, of name: String, column: String
) throws(FuzzViolation) {
    let decoded: Value
    do {
        let text = try encodeColumn(value, runID: name, column: column)
        decoded = try decodeColumn(type, from: text, runID: name, column: column)
    } catch {
        throw FuzzViolation(call: nil, "the \(column) of \(name) cannot be stored: \(error)")
    }
    guard decoded == value else {
        throw FuzzViolation(call: nil, "the \(column) of \(name) reads back differently")
    }
}

private func context(_ descriptor: MethodDescriptor) -> ServerContext {
    ServerContext(
        descriptor: descriptor, remotePeer: "fuzz", localPeer: "fuzz",
        cancellation: ServerContext.RPCCancellationHandle())
}

private let quietLogger = Logger(label: "RewardWeightingFuzzing") { _ in SwiftLogNoOpLogHandler() }
