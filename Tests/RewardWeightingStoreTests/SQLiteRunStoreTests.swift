import Foundation
import GRDB
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingService
import Testing

@testable import RewardWeightingStore

/// What only the SQLite store has: its schema and migrations, its files, the exact text of its columns. The
/// behaviour every store shares is in ``RunStoreConformanceTests``.
@Suite("SQLiteRunStore")
struct SQLiteRunStoreTests {
    @Test("migrations create the schema, once")
    func migrationsCreateTheSchema() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        #expect(try await store.appliedMigrations() == SQLiteRunStore.migrationNames)
        #expect(
            SQLiteRunStore.migrationNames == [
                "v1: runs and run_events", "v2: state snapshots every few events", "v3: run tenants",
                "v4: life-cycle events", "v5: run ids unique per tenant", "v6: state snapshots in their own table",
            ])
        try store.close()
        // Opening again applies nothing twice.
        let reopened = try database.open()
        #expect(try await reopened.appliedMigrations() == SQLiteRunStore.migrationNames)
        try reopened.close()

        let queue = try DatabaseQueue(path: database.path)
        try await queue.read { db in
            #expect(try db.tableExists("runs"))
            #expect(try db.tableExists("run_events"))
            let runColumns = try db.columns(in: "runs").map(\.name)
            #expect(
                runColumns == [
                    "tenant", "run_id", "config", "state_seq", "version", "status", "created_at", "updated_at",
                ])
            #expect(try db.columns(in: "run_states").map(\.name) == ["tenant", "run_id", "state"])
            #expect(try db.primaryKey("run_states").columns == ["tenant", "run_id"])
            #expect(try db.foreignKeys(on: "run_states").map(\.destinationTable) == ["runs"])
            let eventColumns = try db.columns(in: "run_events").map(\.name)
            #expect(
                eventColumns == [
                    "tenant", "run_id", "seq", "step", "kind", "payload", "decision", "request_digest", "superseded",
                    "created_at",
                ])
            #expect(try db.primaryKey("runs").columns == ["tenant", "run_id"])
            #expect(try db.primaryKey("run_events").columns == ["tenant", "run_id", "seq"])
            #expect(try db.foreignKeys(on: "run_events").map(\.destinationTable) == ["runs"])
            let unique = try #require(try db.indexes(on: "run_events").first { $0.name == "run_events_applied_step" })
            #expect(unique.isUnique)
            #expect(unique.columns == ["tenant", "run_id", "kind", "step"])
            let sql = try String.fetchOne(
                db, sql: "SELECT sql FROM sqlite_master WHERE name = 'run_events_applied_step'")
            #expect(sql?.contains("WHERE superseded = 0 AND kind IN ('gradients', 'checkpoint')") == true)
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
        }
        try queue.close()
    }

    @Test("the directory of the database is created")
    func createsTheDirectory() throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let nested = database.directory.appendingPathComponent("a/b/runs.sqlite").path
        let store = try SQLiteRunStore(path: nested)
        #expect(FileManager.default.fileExists(atPath: nested))
        try store.close()
        #expect(SQLiteRunStore.defaultPath == "./data/rewardweighting.sqlite")
    }

    @Test("the digest is SHA-256 of the canonical payload")
    func digest() throws {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        #expect(
            RequestDigest.of(canonicalJSON: "abc")
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let event = gradients(3, [[1, 0, 0], [0, 2, 0], [0, 0, 3]])
        let json = try CanonicalJSON.encode(event)
        #expect(json.hasPrefix(#"{"kind":"gradients","payload":{"gram":[[1,0,0],[0,2,0],[0,0,3]],"step":3}}"#))
        #expect(try RequestDigest.of(event) == RequestDigest.of(canonicalJSON: json))
        #expect(try RequestDigest.of(event) != RequestDigest.of(gradients(3, [[1, 0, 0], [0, 2, 0], [0, 0, 4]])))
    }

    @Test("a stored state that breaks an invariant is corrupt, naming the run and the column")
    func corruptState() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        let config = gradientConfig("corrupt")
        _ = try await store.createRun(config, initialState: WeightingPolicy(config: config).initialState)
        let queue = try DatabaseQueue(path: database.path)
        try await queue.write { db in
            try db.execute(
                sql: "UPDATE run_states SET state = json_set(state, '$.weights', json('[0.9, 0.05, 0.05]'))")
        }
        try queue.close()
        let error = await #expect(throws: RunStoreError.self) { try await store.loadRun("corrupt") }
        #expect(error?.code == .corrupt)
        #expect(error?.field == "state")
        #expect(error?.runID == "corrupt")
    }

    @Test("a database written before state snapshots had an interval opens with its runs intact")
    func upgradesAVersionOneDatabase() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        // Write a run the way the store did before migration v2: every event rewrote the state.
        let config = gradientConfig("old", accumulationSteps: 2)
        let policy = WeightingPolicy(config: config)
        let events = mixedEvents(steps: 1...9, seed: 4)
        let expected = try policy.replay(events)
        try FileManager.default.createDirectory(at: database.directory, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: database.path)
        try SQLiteRunStore.migrator.migrate(queue, upTo: "v1: runs and run_events")
        try await queue.write { db in
            let now = Date()
            try db.execute(
                sql: "INSERT INTO runs VALUES (?, ?, ?, ?, 'active', ?, ?)",
                arguments: [
                    "old", try CanonicalJSON.encode(config), try CanonicalJSON.encode(expected), 1 + events.count,
                    now, now,
                ])
            var state = policy.initialState
            for (offset, event) in events.enumerated() {
                let (next, decision) = try policy.apply(event, to: state)
                state = next
                let payload = try CanonicalJSON.encode(event)
                try db.execute(
                    sql: "INSERT INTO run_events VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)",
                    arguments: [
                        "old", offset + 1, event.step, event.kind.rawValue, payload, try CanonicalJSON.encode(decision),
                        RequestDigest.of(canonicalJSON: payload), now,
                    ])
            }
        }
        try queue.close()

        let store = try database.open()
        defer { try? store.close() }
        #expect(try await store.appliedMigrations() == SQLiteRunStore.migrationNames)
        let loaded = try await store.loadFolded("old")
        #expect(loaded.state == expected)
        #expect(loaded.version == 1 + events.count)
        #expect(loaded.eventCount == events.count)
        // The stored state counts as reflecting the whole log, and the run goes on from it.
        let check = try DatabaseQueue(path: database.path)
        #expect(try await check.read { db in try Int.fetchOne(db, sql: "SELECT state_seq FROM runs") } == events.count)
        try check.close()
        let more = mixedEvents(steps: 10...12, seed: 9)
        let (continued, _) = try await store.appendApplying(more, to: loaded)
        #expect(continued.state == (try policy.replay(events + more)))
        // Its log predates life-cycle events: no creation event. Resumes and archives are logged from now on,
        // a second resume to the same step included (migration v4 narrowed the one-per-step index).
        let log = try await store.events(runID: "old", fromSequence: 1, limit: nil)
        #expect(log.map(\.event) == events + more)
        let rewound = try policy.replay((events + more).filter { $0.step <= 11 })
        #expect(
            try await store.resume(runID: "old", fromStep: 11, state: rewound, expectedVersion: continued.version)
                == more.count { $0.step > 11 })
        let resent = more.filter { $0.step > 11 }
        let (again, _) = try await store.appendApplying(resent, to: try await store.loadFolded("old"))
        #expect(
            try await store.resume(runID: "old", fromStep: 11, state: rewound, expectedVersion: again.version)
                == resent.count)
        try await store.archiveRun("old", reason: "upgraded")
        let tail = try await store.events(runID: "old", fromSequence: log.count + 1, limit: nil)
        #expect(tail.map(\.kind) == [.resumed] + resent.map(\.kind) + [.resumed, .archived])
        #expect(tail.filter(\.isSuperseded).map(\.event) == resent)
    }

    @Test("a logged event that no longer applies to the stored state is corrupt")
    func unreplayableEventIsCorrupt() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open(
            snapshotPolicy: StateSnapshotPolicy(
                minimumInterval: 100, maximumInterval: 100, divisor: 1))
        defer { try? store.close() }
        let config = gradientConfig("unreplayable")
        let policy = WeightingPolicy(config: config)
        let created = try await store.createRun(config, initialState: policy.initialState)
        _ = try await store.appendApplying(mixedEvents(steps: 1...3, seed: 2), to: created)
        // A gradient report of the wrong dimension cannot have been applied: the log was tampered with.
        let queue = try DatabaseQueue(path: database.path)
        try await queue.write { db in
            try db.execute(
                sql: """
                    UPDATE run_events SET payload = json_set(payload, '$.payload.gram', json('[[1.0]]'))
                    WHERE run_id = 'unreplayable' AND kind = 'gradients' AND seq = (
                        SELECT MIN(seq) FROM run_events WHERE run_id = 'unreplayable' AND kind = 'gradients')
                    """)
        }
        try queue.close()
        // The store returns the rows; folding them is the service's replay, which finds the corruption.
        let error = await #expect(throws: ServiceError.self) { try await store.loadFolded("unreplayable") }
        #expect(error?.code == .internal)
        #expect(error?.field == "state")
        #expect(error?.message.contains("'unreplayable'") == true)
    }
    @Test("a summary's decision column is the canonical encoding of its decision")
    func summaryDecisionColumn() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        let config = gradientConfig("batch")
        let policy = WeightingPolicy(config: config)
        let created = try await store.createRun(config, initialState: policy.initialState)
        var state = created.state
        var batch: [(event: RunEvent, decision: Decision, state: RunState)] = []
        for event in [
            summary(1), summary(1, mean: 0.7), summary(2), gradients(1, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
        ] {
            let next = try policy.apply(event, to: state)
            state = next.state
            batch.append((event, next.decision, next.state))
        }
        _ = try await store.appendEvents(batch, runID: "batch", expectedVersion: created.version)
        // The store reuses the payload's text for a summary's decision; it must be the decision's own encoding.
        let raw = try DatabaseQueue(path: database.path)
        let decisionColumns = try await raw.read { db in
            try String.fetchAll(
                db, sql: "SELECT decision FROM run_events WHERE run_id = 'batch' AND seq > 1 ORDER BY seq")
        }
        try raw.close()
        #expect(try decisionColumns == batch.map { try CanonicalJSON.encode($0.decision) })
    }
}

/// Snapshot with every event, every few events, and the default.
let snapshotPolicies: [StateSnapshotPolicy] = [
    .everyEvent, StateSnapshotPolicy(minimumInterval: 2, maximumInterval: 3, divisor: 4), .default,
]
