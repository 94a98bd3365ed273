import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import Logging
import RewardWeightingAPI
import RewardWeightingServer
import RewardWeightingTestSupport
import Testing

/// The generated client over HTTP/2.
typealias Trainer = Rewardweighting_V1_TrainerService.Client<HTTP2ClientTransport.Posix>

/// Tests log nothing.
let quietLogger = Logger(label: "RewardWeightingServerTests") { _ in SwiftLogNoOpLogHandler() }

/// A directory of its own under the system's temporary directory (created), for a test's files.
struct TemporaryDirectory {
    let url: URL

    init() {
        self.url = FileManager.default.temporaryDirectory
            .appendingPathComponent("rw-server-tests-\(UUID().uuidString)", isDirectory: true)
        try? FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
    }

    /// A database file in the directory.
    func database(_ name: String = "runs") -> String { self.url.appendingPathComponent("\(name).sqlite").path }

    func remove() { try? FileManager.default.removeItem(at: self.url) }
}

/// Starts the real server in-process on 127.0.0.1, port 0, over the SQLite file `database`, calls `body` with a
/// generated client connected to it over HTTP/2, then shuts the server down gracefully and waits for it to stop.
func withServer<Result: Sendable>(
    database: String,
    maxMessageBytes: Int = RewardWeightingServer.Configuration.defaultMaxReceiveMessageBytes,
    _ body: (Trainer) async throws -> Result
) async throws -> Result {
    try await withServerClient(database: database, maxMessageBytes: maxMessageBytes) { client in
        try await body(Trainer(wrapping: client))
    }
}

/// ``withServer(database:maxMessageBytes:_:)`` with the connected `GRPCClient` itself, for clients of other
/// services (`BenchmarkService`, served when `enableBenchmarkService`).
func withServerClient<Result: Sendable>(
    database: String,
    maxMessageBytes: Int = RewardWeightingServer.Configuration.defaultMaxReceiveMessageBytes,
    enableBenchmarkService: Bool = false,
    _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
) async throws -> Result {
    try await withServerClient(
        configuration: .init(
            host: "127.0.0.1", port: 0, httpPort: 0, databasePath: database, maxReceiveMessageBytes: maxMessageBytes,
            enableBenchmarkService: enableBenchmarkService)
    ) { client, _ in try await body(client) }
}

/// Starts the real server in-process with `configuration` (bind it to 127.0.0.1, ports 0), calls `body` with a
/// `GRPCClient` connected to it over HTTP/2 and the bound HTTP port, then shuts the server down gracefully and
/// waits for it to stop.
func withServerClient<Result: Sendable>(
    configuration: RewardWeightingServer.Configuration,
    _ body: (GRPCClient<HTTP2ClientTransport.Posix>, Int) async throws -> Result
) async throws -> Result {
    let server = try RewardWeightingServer(configuration: configuration, logger: quietLogger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let result: Result
        do {
            let port = try #require(try await server.listeningAddress.ipv4?.port)
            let httpPort = try await server.httpListeningPort
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
            result = try await withGRPCClient(transport: transport) { client in try await body(client, httpPort) }
        } catch {
            await server.beginGracefulShutdown()
            try? await group.waitForAll()
            throw error
        }
        await server.beginGracefulShutdown()
        try await group.waitForAll()
        return result
    }
}

/// Expects `body` to fail with `code` and a message that names `field`, and with the rich error details that name
/// it too: a `google.rpc.ErrorInfo` whose metadata `field` is the field's path, and for `INVALID_ARGUMENT` a
/// `google.rpc.BadRequest` violation of the same field whose description is the message's reason.
func expectStatus(
    _ code: RPCError.Code, naming field: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    let error = await #expect(throws: RPCError.self, sourceLocation: sourceLocation) { try await body() }
    guard let error else { return }
    #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    #expect(
        error.message.contains(field), "message \"\(error.message)\" does not name \(field)",
        sourceLocation: sourceLocation)
    let status: GoogleRPCStatus?
    do {
        status = try error.unpackGoogleRPCStatus()
    } catch {
        Issue.record("the status details do not decode: \(error)", sourceLocation: sourceLocation)
        return
    }
    guard let status else {
        Issue.record("no grpc-status-details-bin trailer: \(error)", sourceLocation: sourceLocation)
        return
    }
    #expect(status.code == code && status.message == error.message, sourceLocation: sourceLocation)
    let info = status.details.compactMap(\.errorInfo).first
    let path = info?.metadata["field"] ?? ""
    // `field` may go on into the message (`request: the message has`): the path is the part before the colon.
    let named = String(field.prefix { $0 != ":" })
    #expect(path.contains(named), "ErrorInfo names \(path), not \(named)", sourceLocation: sourceLocation)
    #expect(info?.domain == "rewardweighting.v1", sourceLocation: sourceLocation)
    if code == .invalidArgument {
        let violations = status.details.compactMap(\.badRequest).flatMap(\.violations)
        #expect(violations.count == 1, sourceLocation: sourceLocation)
        #expect(violations.first?.field == path, sourceLocation: sourceLocation)
        #expect(
            violations.first.map { "\($0.field): \($0.violationDescription)" } == error.message,
            sourceLocation: sourceLocation)
    }
}

// MARK: - Requests

/// The math objectives of the paper: accuracy (max), mean response length (min), clarity (max).
func mathObjectives() -> [Rewardweighting_V1_Objective] {
    [("accuracy", .maximize), ("response_length", .minimize), ("clarity", .maximize)].map { name, direction in
        var objective = Rewardweighting_V1_Objective()
        objective.name = name
        objective.direction = direction
        return objective
    }
}

/// A gradient-method run: η = 1e-6, μ = 1e-5, polynomial schedule (power 1.03) over `totalSteps`, initial
/// weights [0.5, 0.25, 0.25].
func gradientRun(_ runID: String, totalSteps: Int64 = 100) -> Rewardweighting_V1_CreateRunRequest {
    var request = Rewardweighting_V1_CreateRunRequest()
    request.runID = runID
    request.config.objectives = mathObjectives()
    request.config.method = .gradient
    request.config.initialWeights = [0.5, 0.25, 0.25]
    request.config.gradient.learningRate = 1e-6
    request.config.gradient.mu = 1e-5
    request.config.gradient.schedule.kind = .polynomial
    request.config.gradient.schedule.totalSteps = totalSteps
    request.config.gradient.schedule.power = 1.03
    return request
}

/// A hypervolume-method run with the paper's meta-reward and initial weights [0.5, 0.25, 0.25].
func hypervolumeRun(_ runID: String) -> Rewardweighting_V1_CreateRunRequest {
    var request = Rewardweighting_V1_CreateRunRequest()
    request.runID = runID
    request.config.objectives = mathObjectives()
    request.config.method = .hypervolume
    request.config.initialWeights = [0.5, 0.25, 0.25]
    request.config.hypervolume.metaReward = .tanh
    return request
}

func scalarizeRequest(_ runID: String, step: Int64, rewards: [Double], k: Int32 = 3)
    -> Rewardweighting_V1_ScalarizeRequest
{
    var request = Rewardweighting_V1_ScalarizeRequest()
    request.runID = runID
    request.step = step
    request.rewards.numObjectives = k
    request.rewards.values = rewards
    return request
}

func gramRequest(_ runID: String, step: Int64, gram: [Double], k: Int32 = 3)
    -> Rewardweighting_V1_ReportGradientsRequest
{
    var request = Rewardweighting_V1_ReportGradientsRequest()
    request.runID = runID
    request.step = step
    var matrix = Rewardweighting_V1_GramMatrix()
    matrix.numObjectives = k
    matrix.values = gram
    request.gram = matrix
    return request
}

func checkpointRequest(_ runID: String, step: Int64, scores: [Double]) -> Rewardweighting_V1_ReportCheckpointRequest {
    var request = Rewardweighting_V1_ReportCheckpointRequest()
    request.runID = runID
    request.step = step
    request.scores = scores
    return request
}

/// K random gradient vectors of dimension `dimension`, scaled by `scale`.
func randomGradients(_ generator: inout SplitMix64, k: Int = 3, dimension: Int = 4, scale: Double = 0.3) -> [[Double]] {
    (0..<k).map { _ in (0..<dimension).map { _ in scale * generator.symmetric() } }
}

/// `G_ij = ⟨g_i, g_j⟩`, row-major.
func gram(of gradients: [[Double]]) -> [Double] {
    gradients.flatMap { gi in gradients.map { gj in zip(gi, gj).reduce(0) { $0 + $1.0 * $1.1 } } }
}

// MARK: - Trainer sessions

/// One trainer call.
enum TrainerCall: Sendable {
    case scalarize(Rewardweighting_V1_ScalarizeRequest)
    case gradients(Rewardweighting_V1_ReportGradientsRequest)
    case checkpoint(Rewardweighting_V1_ReportCheckpointRequest)

    var step: Int64 {
        switch self {
        case .scalarize(let request): request.step
        case .gradients(let request): request.step
        case .checkpoint(let request): request.step
        }
    }
}

/// The reply to a ``TrainerCall``.
enum TrainerReply: Equatable, Sendable {
    case scalarize(Rewardweighting_V1_ScalarizeResponse)
    case gradients(Rewardweighting_V1_ReportGradientsResponse)
    case checkpoint(Rewardweighting_V1_ReportCheckpointResponse)

    /// The reply without its position in the run's log, for comparing runs whose logs differ in length.
    var withoutSequence: TrainerReply {
        switch self {
        case .scalarize(var reply):
            reply.sequence = 0
            return .scalarize(reply)
        case .gradients(var reply):
            reply.sequence = 0
            return .gradients(reply)
        case .checkpoint(var reply):
            reply.sequence = 0
            return .checkpoint(reply)
        }
    }
}

/// What a trainer sends over `steps` of run `runID`, in the reference code's order: a checkpoint of the initial
/// model at step 0; per step its Gram matrix (gradient runs), a Scalarize call of 6 responses, and every fifth
/// step a checkpoint. `seed` varies the payloads.
func trainerCalls(
    _ runID: String, steps: ClosedRange<Int64>, seed: UInt64, gradients: Bool = true
) -> [TrainerCall] {
    var generator = SplitMix64(seed: seed)
    var calls: [TrainerCall] = []
    if steps.lowerBound <= 1 {
        calls.append(.checkpoint(checkpointRequest(runID, step: 0, scores: [0.3, 900, 0.2])))
    }
    for t in steps {
        if gradients {
            calls.append(.gradients(gramRequest(runID, step: t, gram: gram(of: randomGradients(&generator)))))
        }
        let rewards = (0..<18).map { _ in 0.5 + 0.5 * generator.symmetric() }
        calls.append(.scalarize(scalarizeRequest(runID, step: t, rewards: rewards)))
        if t % 5 == 0 {
            let scores = [
                0.3 + 0.01 * Double(t) + 0.02 * generator.symmetric(), 900 - 4 * Double(t) + 30 * generator.symmetric(),
                0.2 + 0.005 * Double(t) + 0.02 * generator.symmetric(),
            ]
            calls.append(.checkpoint(checkpointRequest(runID, step: t, scores: scores)))
        }
    }
    return calls
}

extension Trainer {
    /// Performs one trainer call.
    func perform(_ call: TrainerCall) async throws -> TrainerReply {
        switch call {
        case .scalarize(let request): .scalarize(try await self.scalarize(request))
        case .gradients(let request): .gradients(try await self.reportGradients(request))
        case .checkpoint(let request): .checkpoint(try await self.reportCheckpoint(request))
        }
    }

    /// Performs the calls in order.
    func perform(_ calls: [TrainerCall]) async throws -> [TrainerReply] {
        var replies: [TrainerReply] = []
        for call in calls { replies.append(try await self.perform(call)) }
        return replies
    }

    /// The run as `GetRun` returns it, without the timestamps (which differ between equivalent runs).
    func run(_ runID: String) async throws -> Rewardweighting_V1_Run {
        var request = Rewardweighting_V1_GetRunRequest()
        request.runID = runID
        var run = try await self.getRun(request).run
        run.clearCreatedAt()
        run.state.clearUpdatedAt()
        return run
    }

    /// Every event `WatchRun` streams from `fromSequence` (0: live only) until the stream ends with OK (the run
    /// is archived).
    /// - Parameter received: told (and finished) when the first event arrives: the stream is open, so every
    ///   event recorded after that reaches it live.
    func watchUntilEnd(
        _ runID: String, fromSequence: Int64, received: AsyncStream<Void>.Continuation? = nil
    ) async throws -> [Rewardweighting_V1_DecisionEvent] {
        var request = Rewardweighting_V1_WatchRunRequest()
        request.runID = runID
        request.fromSequence = fromSequence
        return try await self.watchRun(request) { response in
            var events: [Rewardweighting_V1_DecisionEvent] = []
            for try await event in response.messages {
                events.append(event)
                if events.count == 1 { received?.finish() }
            }
            return events
        }
    }

    /// The first `count` events of the run's log (from sequence 1), superseded ones included.
    func events(_ runID: String, count: Int) async throws -> [Rewardweighting_V1_DecisionEvent] {
        var request = Rewardweighting_V1_WatchRunRequest()
        request.runID = runID
        request.fromSequence = 1
        return try await self.watchRun(request) { response in
            var events: [Rewardweighting_V1_DecisionEvent] = []
            guard count > 0 else { return events }
            for try await event in response.messages {
                events.append(event)
                if events.count == count { break }
            }
            return events
        }
    }
}
