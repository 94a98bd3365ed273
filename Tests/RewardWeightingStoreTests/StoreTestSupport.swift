import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingPostgresTestSupport
import RewardWeightingService
import RewardWeightingStore
import RewardWeightingTestSupport
import Testing

/// A database file in a directory of its own under the system's temporary directory.
struct TemporaryDatabase {
    let directory: URL
    var path: String { self.directory.appendingPathComponent("runs.sqlite").path }

    init() {
        self.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("rw-store-tests-\(UUID().uuidString)", isDirectory: true)
    }

    /// Opens a store on the file (creating the directory).
    func open(snapshotPolicy: StateSnapshotPolicy = .default) throws -> SQLiteRunStore {
        try SQLiteRunStore(path: self.path, snapshotPolicy: snapshotPolicy)
    }

    func remove() { try? FileManager.default.removeItem(at: self.directory) }
}

/// The math objectives of the paper: accuracy (max), mean response length (min), clarity (max).
let mathObjectives = [
    Objective(name: "accuracy", direction: .maximize),
    Objective(name: "response_length", direction: .minimize),
    Objective(name: "clarity", direction: .maximize),
]

/// A gradient-method config known to be valid.
func gradientConfig(_ runID: String, accumulationSteps: Int = 1) -> RunConfig {
    let schedule = try! LearningRateSchedule(kind: .polynomial, totalSteps: 40, power: 1.03)
    return try! RunConfig(
        runID: runID, objectives: mathObjectives,
        method: .gradient(
            try! GradientSettings(
                learningRate: 1e-6, mu: 1e-5, schedule: schedule, accumulationSteps: accumulationSteps)),
        initialWeights: [0.5, 0.25, 0.25])
}

/// A random 3×3 Gram matrix (of 3 random gradients of dimension 4).
func randomGram(_ generator: inout SplitMix64) -> [[Double]] {
    let g = (0..<3).map { _ in (0..<4).map { _ in generator.symmetric() } }
    return g.map { gi in g.map { gj in zip(gi, gj).reduce(0) { $0 + $1.0 * $1.1 } } }
}

func gradients(_ step: Int, _ rows: [[Double]]) -> RunEvent {
    .gradients(try! GradientReport(step: step, gram: try! GramMatrix(rows: rows)))
}

func checkpoint(_ step: Int, _ scores: [Double]) -> RunEvent {
    .checkpoint(try! CheckpointReport(step: step, scores: scores))
}

func summary(_ step: Int, mean: Double = 0.5) -> RunEvent {
    .scalarizeSummary(
        try! ScalarizeSummary(
            step: step, count: 4, objectiveMeans: [mean, 0.5, 0.5], meanScalarized: mean,
            weights: [1.0 / 3, 1.0 / 3, 1.0 / 3], metaReward: 1))
}

/// A mixed log: gradients every step, a Scalarize summary every step, a checkpoint every third step.
func mixedEvents(steps: ClosedRange<Int>, seed: UInt64) -> [RunEvent] {
    var generator = SplitMix64(seed: seed)
    var events: [RunEvent] = []
    for t in steps {
        events.append(gradients(t, randomGram(&generator)))
        events.append(summary(t, mean: 0.5 + 0.1 * generator.symmetric()))
        if t % 3 == 0 {
            events.append(
                checkpoint(t, [0.5 + 0.01 * Double(t), 800 - Double(t) + generator.symmetric(), 0.3]))
        }
    }
    return events
}

/// The stores the conformance suite runs against. PostgreSQL when the tests have a database
/// (``PostgresTestDatabase``): `RW_TEST_DATABASE_URL`, required in CI.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case inMemory
    case postgres

    static var allCases: [StoreKind] {
        PostgresTestDatabase.isEnabled ? [.sqlite, .inMemory, .postgres] : [.sqlite, .inMemory]
    }

    var testDescription: String { self.rawValue }
}

/// A store of one kind, fresh for one test.
struct StoreFixture {
    let kind: StoreKind
    let snapshotPolicy: StateSnapshotPolicy
    let store: any RunStore
    private let database: TemporaryDatabase?
    private let schema: PostgresTestSchema?

    init(_ kind: StoreKind, snapshotPolicy: StateSnapshotPolicy = .default) async throws {
        self.kind = kind
        self.snapshotPolicy = snapshotPolicy
        switch kind {
        case .sqlite:
            let database = TemporaryDatabase()
            self.database = database
            self.schema = nil
            self.store = try database.open(snapshotPolicy: snapshotPolicy)
        case .inMemory:
            self.database = nil
            self.schema = nil
            self.store = InMemoryRunStore(snapshotPolicy: snapshotPolicy)
        case .postgres:
            let schema = try await PostgresTestDatabase.makeSchema()
            self.database = nil
            self.schema = schema
            self.store = try await schema.openStore(snapshotPolicy: snapshotPolicy)
        }
    }

    /// The same data through a new store instance where the kind has one (SQLite, PostgreSQL: a new connection
    /// pool).
    func reopened() async throws -> any RunStore {
        if let schema { return try await schema.openStore(snapshotPolicy: self.snapshotPolicy) }
        guard let database else { return self.store }
        return try database.open(snapshotPolicy: self.snapshotPolicy)
    }

    func remove() {
        try? (self.store as? SQLiteRunStore)?.close()
        self.database?.remove()
        self.schema?.drop()
    }
}

/// A fixed-weights config known to be valid.
func fixedConfig(_ runID: String) -> RunConfig {
    try! RunConfig(runID: runID, objectives: mathObjectives, method: .fixed, initialWeights: [0.5, 0.25, 0.25])
}

extension RunStore {
    /// Creates a run of the default tenant and returns it folded, as the service sees it.
    func createRun(_ config: RunConfig, initialState: RunState) async throws -> Run {
        try RunReplay.run(
            from: try await self.createRun(config, tenant: RunStoreDefaults.tenant, initialState: initialState))
    }

    /// Loads a run and folds its pending events, as the service does.
    func loadFolded(_ runID: String) async throws -> Run {
        try RunReplay.run(from: try await self.loadRun(runID))
    }

    /// Archives a run as the service does (the archive event names the run's latest reported step) and
    /// returns it as stored.
    @discardableResult
    func archiveRun(_ runID: String, reason: String = "") async throws -> StoredRun {
        let step = try await self.loadFolded(runID).state.latestReportedStep
        return try await self.archiveRun(runID, archival: try RunArchival(step: step, reason: reason)).run
    }

    /// Archives a run and returns it folded.
    func archiveFolded(_ runID: String) async throws -> Run {
        try RunReplay.run(from: try await self.archiveRun(runID))
    }

    /// Rewinds a run as the service does: counts the events to supersede in the log, records the rewind
    /// with the weights and meta-reward of `state`.
    /// - Returns: how many events were superseded.
    @discardableResult
    func resume(runID: String, fromStep: Int, state: RunState, expectedVersion: Int) async throws -> Int {
        let active = try await self.events(runID: runID, fromSequence: 1, limit: nil).filter { !$0.isSuperseded }
        let resumption = try RunResumption(
            fromStep: fromStep, supersededEvents: active.count { $0.step > fromStep }, weights: state.weights,
            metaReward: state.metaReward)
        let stored = try await self.resume(
            runID: runID, resumption: resumption, state: state, expectedVersion: expectedVersion)
        return (stored.event == .resumed(resumption)) ? resumption.supersededEvents : -1
    }

    /// Lists every run.
    func listRuns(pageSize: Int, pageToken: String?, order: RunListOrder) async throws -> RunPage {
        try await self.listRuns(pageSize: pageSize, pageToken: pageToken, order: order, filter: .all)
    }

    /// Appends one event: a batch of one.
    @discardableResult
    func appendEvent(
        _ event: RunEvent, decision: Decision, state: RunState, runID: String, expectedVersion: Int
    ) async throws -> StoredEvent {
        try await self.appendEvents([(event, decision, state)], runID: runID, expectedVersion: expectedVersion)[0]
    }

    /// The active events of a kind at one step.
    func activeEvents(runID: String, kind: RunEvent.Kind, step: Int) async throws -> [StoredEvent] {
        try await self.activeEvents(runID: runID, kind: kind, steps: [step])
    }

    /// Applies `events` with the policy and appends each, as the service does.
    @discardableResult
    func appendApplying(_ events: [RunEvent], to snapshot: Run) async throws -> (Run, [Decision]) {
        let policy = WeightingPolicy(config: snapshot.config)
        var state = snapshot.state
        var version = snapshot.version
        var decisions: [Decision] = []
        for event in events {
            let (next, decision) = try policy.apply(event, to: state)
            _ = try await self.appendEvent(
                event, decision: decision, state: next, runID: snapshot.runID, expectedVersion: version)
            state = next
            version += 1
            decisions.append(decision)
        }
        return (try await self.loadFolded(snapshot.runID), decisions)
    }
}
