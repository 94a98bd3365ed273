import Foundation
import Logging
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingPostgres
import RewardWeightingPostgresTestSupport
import RewardWeightingService
import RewardWeightingStore
import RewardWeightingTestSupport
import Synchronization

/// The database of one test: a SQLite file in a directory of its own under the system's temporary directory,
/// or, with `RW_TEST_STORE=postgres`, a schema of its own in the PostgreSQL of `RW_TEST_DATABASE_URL`
/// (``PostgresTestDatabase``). Every ``open(watchBufferLimit:)`` is a new store on the same data: a restarted
/// server, or another replica (PostgreSQL: another connection pool).
final class TemporaryDatabase: Sendable {
    /// Whether the suite runs against PostgreSQL (`RW_TEST_STORE=postgres`).
    static var usesPostgres: Bool { ProcessInfo.processInfo.environment["RW_TEST_STORE"] == "postgres" }

    let directory: URL
    var path: String { self.directory.appendingPathComponent("runs.sqlite").path }
    private let schema = Mutex<Task<PostgresTestSchema, any Error>?>(nil)

    init() {
        self.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("rw-service-tests-\(UUID().uuidString)", isDirectory: true)
    }

    /// A store on the database.
    func openStore() async throws -> any TestRunStore {
        guard Self.usesPostgres else { return try SQLiteRunStore(path: self.path) }
        let schema = self.schema.withLock { schema in
            if let schema { return schema }
            let task = Task { try await PostgresTestDatabase.makeSchema() }
            schema = task
            return task
        }
        return try await schema.value.openStore()
    }

    /// A store on the database and a coordinator over it.
    func open(watchBufferLimit: Int = RunCoordinator.defaultWatchBufferLimit) async throws -> (
        RunCoordinator, any TestRunStore
    ) {
        let store = try await self.openStore()
        return (RunCoordinator(store: store, logger: quietLogger, watchBufferLimit: watchBufferLimit), store)
    }

    func remove() {
        try? FileManager.default.removeItem(at: self.directory)
        if let schema = self.schema.withLock({ $0 }) {
            Task { (try? await schema.value)?.drop() }
        }
    }
}

/// A store the tests can close (a restart); closing a PostgreSQL store is left to its schema's drop.
protocol TestRunStore: RunStore {
    func close() throws
}

extension SQLiteRunStore: TestRunStore {}

extension PostgresRunStore: TestRunStore {
    func close() {}
}

/// Tests log nothing.
let quietLogger = Logger(label: "RewardWeightingServiceTests") { _ in SwiftLogNoOpLogHandler() }

/// The math objectives of the paper: accuracy (max), mean response length (min), clarity (max).
let mathObjectives = [
    Objective(name: "accuracy", direction: .maximize),
    Objective(name: "response_length", direction: .minimize),
    Objective(name: "clarity", direction: .maximize),
]

/// A gradient-method config (updates every other step) known to be valid.
func gradientConfig(_ runID: String, accumulationSteps: Int = 2) -> RunConfig {
    let schedule = try! LearningRateSchedule(kind: .polynomial, totalSteps: 40, power: 1.03)
    return try! RunConfig(
        runID: runID, objectives: mathObjectives,
        method: .gradient(
            try! GradientSettings(
                learningRate: 1e-6, mu: 1e-5, schedule: schedule, accumulationSteps: accumulationSteps)),
        initialWeights: [0.5, 0.25, 0.25])
}

/// A hypervolume-method config known to be valid.
func hypervolumeConfig(_ runID: String) -> RunConfig {
    try! RunConfig(runID: runID, objectives: mathObjectives, method: .hypervolume(try! HypervolumeSettings()))
}

/// One trainer call.
enum TrainerCall: Sendable {
    case scalarize(step: Int, rewards: ObjectiveMatrix)
    case gradients(GradientReport)
    case checkpoint(CheckpointReport)
}

/// The reply to a ``TrainerCall``.
enum TrainerReply: Hashable, Sendable {
    case scalarize(ScalarizeResult)
    case gradients(GradientDecision)
    case checkpoint(CheckpointDecision)
}

func gradientReport(_ step: Int, _ rows: [[Double]]) -> GradientReport {
    try! GradientReport(step: step, gram: try! GramMatrix(rows: rows))
}

/// A diagonal Gram matrix, whose influence is exactly its diagonal.
func diagonal(_ values: [Double]) -> [[Double]] {
    values.indices.map { i in values.indices.map { j in i == j ? values[i] : 0 } }
}

/// What a trainer sends over `steps`, in the reference code's order: per step its Gram matrix (whose update
/// scalarises the step's own rewards), a Scalarize call of 6 responses, and every third step a checkpoint
/// (which applies to the later steps). `seed` varies the payloads.
func trainerCalls(steps: ClosedRange<Int>, seed: UInt64) -> [TrainerCall] {
    var generator = SplitMix64(seed: seed)
    var calls: [TrainerCall] = []
    for t in steps {
        let g = (0..<3).map { _ in (0..<4).map { _ in generator.symmetric() } }
        let gram = g.map { gi in g.map { gj in zip(gi, gj).reduce(0) { $0 + $1.0 * $1.1 } } }
        calls.append(.gradients(gradientReport(t, gram)))
        let rewards = (0..<18).map { _ in 0.5 + 0.5 * generator.symmetric() }
        calls.append(.scalarize(step: t, rewards: try! ObjectiveMatrix(rowMajor: rewards, dimension: 3)))
        if t % 3 == 0 {
            let scores = [0.4 + 0.02 * Double(t) + 0.01 * generator.symmetric(), 900 - 5 * Double(t), 0.3]
            calls.append(.checkpoint(try! CheckpointReport(step: t, scores: scores)))
        }
    }
    return calls
}

extension RunCoordinator {
    /// Performs one trainer call.
    func perform(_ call: TrainerCall, runID: String) async throws(ServiceError) -> TrainerReply {
        switch call {
        case .scalarize(let step, let rewards):
            .scalarize(
                try await self.scalarize(runID: runID, step: step, rewards: rewards, groupIDs: nil, validation: false))
        case .gradients(let report):
            .gradients(try await self.reportGradients(runID: runID, report: report))
        case .checkpoint(let report):
            .checkpoint(try await self.reportCheckpoint(runID: runID, report: report))
        }
    }

    /// Performs the calls in order.
    func perform(_ calls: [TrainerCall], runID: String) async throws(ServiceError) -> [TrainerReply] {
        var replies: [TrainerReply] = []
        for call in calls { replies.append(try await self.perform(call, runID: runID)) }
        return replies
    }
}

extension Array where Element == TrainerCall {
    /// The calls of steps `≤ step`.
    func through(step: Int) -> [TrainerCall] {
        self.filter { call in
            switch call {
            case .scalarize(let s, _): s <= step
            case .gradients(let report): report.step <= step
            case .checkpoint(let report): report.step <= step
            }
        }
    }

    /// The calls of steps `> step`.
    func after(step: Int) -> [TrainerCall] {
        let kept = self.through(step: step).count
        return Array(self[kept...])
    }
}

/// A log handler that keeps the messages, to check what the service logged.
struct RecordingLogHandler: LogHandler {
    final class Records: Sendable {
        private let messages = Mutex<[(Logger.Level, String)]>([])
        func append(_ level: Logger.Level, _ message: String) { self.messages.withLock { $0.append((level, message)) } }
        /// The messages logged at `level`.
        func messages(at level: Logger.Level) -> [String] {
            self.messages.withLock { $0.filter { $0.0 == level }.map(\.1) }
        }
    }

    let records: Records
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        self.records.append(event.level, event.message.description)
    }
}
