import Foundation
import GRDB
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingStore
import Testing

@Suite("SQLiteRunStore")
struct SQLiteRunStoreTests {
    @Test("migrations create the schema, once")
    func migrationsCreateTheSchema() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        #expect(try await store.appliedMigrations() == SQLiteRunStore.migrationNames)
        #expect(SQLiteRunStore.migrationNames == ["v1: runs and run_events", "v2: state snapshots every few events"])
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
                    "run_id", "config", "state", "version", "status", "created_at", "updated_at", "state_seq",
                ])
            let eventColumns = try db.columns(in: "run_events").map(\.name)
            #expect(
                eventColumns == [
                    "run_id", "seq", "step", "kind", "payload", "decision", "request_digest", "superseded",
                    "created_at",
                ])
            #expect(try db.primaryKey("runs").columns == ["run_id"])
            #expect(try db.primaryKey("run_events").columns == ["run_id", "seq"])
            let unique = try #require(try db.indexes(on: "run_events").first { $0.name == "run_events_applied_step" })
            #expect(unique.isUnique)
            #expect(unique.columns == ["run_id", "kind", "step"])
            let sql = try String.fetchOne(
                db, sql: "SELECT sql FROM sqlite_master WHERE name = 'run_events_applied_step'")
            #expect(sql?.contains("WHERE superseded = 0 AND kind != 'scalarize_summary'") == true)
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

    @Test("a created run loads as created; a second create is alreadyExists")
    func createAndLoad() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        let config = gradientConfig("run-1")
        let initial = WeightingPolicy(config: config).initialState
        let created = try await store.createRun(config, initialState: initial)
        #expect(created.version == 1)
        #expect(created.status == .active)
        #expect(created.eventCount == 0 && created.supersededEventCount == 0)
        #expect(created.config == config && created.state == initial)
        #expect(try await store.loadRun("run-1") == created)

        let error = await #expect(throws: RunStoreError.self) {
            try await store.createRun(gradientConfig("run-1", accumulationSteps: 2), initialState: initial)
        }
        #expect(error?.code == .alreadyExists)
        #expect(error?.field == "run_id")
        #expect(try await store.loadRun("run-1") == created)
    }

    @Test("appended events and the snapshot round-trip bit for bit", arguments: snapshotPolicies)
    func appendRoundTrip(snapshotPolicy: StateSnapshotPolicy) async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open(snapshotPolicy: snapshotPolicy)
        let config = gradientConfig("round-trip", accumulationSteps: 2)
        let policy = WeightingPolicy(config: config)
        let created = try await store.createRun(config, initialState: policy.initialState)
        let events = mixedEvents(steps: 1...12, seed: 11)
        let (loaded, decisions) = try await store.appendApplying(events, to: created)
        let expected = try policy.replay(events)

        #expect(loaded.state == expected)
        #expect(try CanonicalJSON.encode(loaded.state) == CanonicalJSON.encode(expected))
        #expect(loaded.version == 1 + events.count)
        #expect(loaded.eventCount == events.count)
        #expect(loaded.supersededEventCount == 0)

        let stored = try await store.events(runID: "round-trip", fromSequence: 1, limit: nil)
        #expect(stored.map(\.sequence) == Array(1...events.count))
        #expect(stored.map(\.event) == events)
        #expect(stored.map(\.decision) == decisions)
        #expect(try stored.map(\.requestDigest) == events.map { try RequestDigest.of($0) })
        #expect(stored.allSatisfy { !$0.isSuperseded && $0.runID == "round-trip" })
        for (event, decision) in zip(stored, decisions) {
            #expect(try CanonicalJSON.encode(event.decision) == CanonicalJSON.encode(decision))
        }
        // Bit for bit, not just ==: every weight of the history has the same bit pattern.
        let bits = { (state: RunState) in state.weightHistory.flatMap { $0.weights.map(\.bitPattern) } }
        #expect(bits(loaded.state) == bits(expected))

        // The same through a new connection, and from a sequence number, with a limit.
        try store.close()
        let reopened = try database.open(snapshotPolicy: snapshotPolicy)
        defer { try? reopened.close() }
        #expect(try await reopened.loadRun("round-trip") == loaded)
        let tail = try await reopened.events(runID: "round-trip", fromSequence: 5, limit: 3)
        #expect(tail == Array(stored[4..<7]))
        #expect(try await reopened.events(runID: "round-trip", fromSequence: 1, limit: nil) == stored)
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

    @Test("a second non-superseded (run, kind, step) is refused and nothing is half-written")
    func uniqueStep() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        let config = gradientConfig("unique")
        let policy = WeightingPolicy(config: config)
        let created = try await store.createRun(config, initialState: policy.initialState)
        let first = gradients(1, [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        let (afterFirst, _) = try await store.appendApplying([first], to: created)

        // Another payload for gradients of step 1, at the right version: the policy is bypassed on purpose.
        let second = gradients(1, [[2, 0, 0], [0, 1, 0], [0, 0, 1]])
        let (state, decision) = try policy.apply(second, to: created.state)
        let error = await #expect(throws: RunStoreError.self) {
            try await store.appendEvent(
                second, decision: decision, state: state, runID: "unique", expectedVersion: afterFirst.version)
        }
        #expect(error?.code == .alreadyExists)
        #expect(error?.field == "step")
        // The runs row was updated first inside the transaction; the rollback undid it.
        #expect(try await store.loadRun("unique") == afterFirst)
        #expect(try await store.events(runID: "unique", fromSequence: 1, limit: nil).count == 1)

        // Scalarize summaries are exempt: several per step.
        let (withSummaries, _) = try await store.appendApplying(
            [summary(1, mean: 0.1), summary(1, mean: 0.2)], to: afterFirst)
        #expect(withSummaries.eventCount == 3)
        let summaries = try await store.activeEvents(runID: "unique", kind: .scalarizeSummary, step: 1)
        #expect(summaries.map(\.sequence) == [2, 3])
        #expect(try await store.activeEvents(runID: "unique", kind: .gradients, step: 1).map(\.event) == [first])
        #expect(try await store.activeEvents(runID: "unique", kind: .gradients, step: 2).isEmpty)
    }

    @Test("a write at a stale version is a conflict and changes nothing")
    func versionConflict() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        let config = gradientConfig("conflict")
        let policy = WeightingPolicy(config: config)
        let created = try await store.createRun(config, initialState: policy.initialState)
        let (current, _) = try await store.appendApplying(
            [gradients(1, [[1, 0, 0], [0, 1, 0], [0, 0, 1]])], to: created)

        let event = gradients(2, [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        let (state, decision) = try policy.apply(event, to: current.state)
        let error = await #expect(throws: RunStoreError.self) {
            try await store.appendEvent(event, decision: decision, state: state, runID: "conflict", expectedVersion: 1)
        }
        #expect(error?.code == .conflict)
        #expect(error?.field == "version")
        let resumeError = await #expect(throws: RunStoreError.self) {
            try await store.resume(runID: "conflict", fromStep: 0, state: created.state, expectedVersion: 1)
        }
        #expect(resumeError?.code == .conflict)
        #expect(try await store.loadRun("conflict") == current)
    }

    @Test("an unknown run is notFound naming run_id")
    func unknownRun() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        let config = gradientConfig("ghost")
        let initial = WeightingPolicy(config: config).initialState
        let event = summary(0)
        let decision = try WeightingPolicy(config: config).apply(event, to: initial).decision
        let failures: [RunStoreError?] = [
            await #expect(throws: RunStoreError.self) { try await store.loadRun("ghost") },
            await #expect(throws: RunStoreError.self) {
                try await store.events(runID: "ghost", fromSequence: 1, limit: nil)
            },
            await #expect(throws: RunStoreError.self) {
                try await store.activeEvents(runID: "ghost", kind: .gradients, step: 1)
            },
            await #expect(throws: RunStoreError.self) {
                try await store.appendEvent(
                    event, decision: decision, state: initial, runID: "ghost", expectedVersion: 1)
            },
            await #expect(throws: RunStoreError.self) {
                try await store.resume(runID: "ghost", fromStep: 0, state: initial, expectedVersion: 1)
            },
            await #expect(throws: RunStoreError.self) { try await store.archiveRun("ghost") },
        ]
        for error in failures {
            #expect(error?.code == .notFound)
            #expect(error?.field == "run_id")
            #expect(error?.message.contains("'ghost'") == true)
        }
    }

    @Test("resume marks later events superseded and keeps them readable", arguments: snapshotPolicies)
    func resumeSupersedes(snapshotPolicy: StateSnapshotPolicy) async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open(snapshotPolicy: snapshotPolicy)
        defer { try? store.close() }
        let config = gradientConfig("resume")
        let policy = WeightingPolicy(config: config)
        let created = try await store.createRun(config, initialState: policy.initialState)
        let events = mixedEvents(steps: 1...6, seed: 3)
        let (before, _) = try await store.appendApplying(events, to: created)

        let rewound = try policy.resume(events, fromStep: 3)
        let count = try await store.resume(
            runID: "resume", fromStep: 3, state: rewound, expectedVersion: before.version)
        let later = events.filter { $0.step > 3 }
        #expect(count == later.count)

        let after = try await store.loadRun("resume")
        #expect(after.state == rewound)
        #expect(after.version == before.version + 1)
        #expect(after.eventCount == events.count)
        #expect(after.supersededEventCount == later.count)
        let stored = try await store.events(runID: "resume", fromSequence: 1, limit: nil)
        #expect(stored.map(\.event) == events)
        #expect(stored.map(\.isSuperseded) == events.map { $0.step > 3 })
        #expect(try await store.activeEvents(runID: "resume", kind: .gradients, step: 4).isEmpty)

        // The superseded step can be applied again; sequence numbers continue.
        let replacement = gradients(4, [[3, 0, 0], [0, 1, 0], [0, 0, 1]])
        let (resumed, _) = try await store.appendApplying([replacement], to: after)
        #expect(resumed.eventCount == events.count + 1)
        let active = try await store.activeEvents(runID: "resume", kind: .gradients, step: 4)
        #expect(active.map(\.sequence) == [events.count + 1])
        #expect(resumed.state == (try policy.replay(events.filter { $0.step <= 3 } + [replacement])))

        // A second resume leaves the already-superseded events as they were.
        let again = try await store.resume(
            runID: "resume", fromStep: 2, state: try policy.resume(events, fromStep: 2),
            expectedVersion: resumed.version)
        #expect(again == 1 + events.filter { $0.step == 3 }.count)
        let final = try await store.events(runID: "resume", fromSequence: 1, limit: nil)
        #expect(final.filter(\.isSuperseded).count == final.count - events.filter { $0.step <= 2 }.count)
    }

    @Test("archiving keeps the run readable and is idempotent")
    func archive() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        let config = gradientConfig("archive")
        let created = try await store.createRun(config, initialState: WeightingPolicy(config: config).initialState)
        let archived = try await store.archiveRun("archive")
        #expect(archived.status == .archived)
        #expect(archived.version == created.version + 1)
        #expect(archived.state == created.state)
        #expect(try await store.archiveRun("archive") == archived)
        #expect(try await store.loadRun("archive") == archived)
    }

    @Test("runs are listed a page at a time, by id or by creation", arguments: [1, 2, 3, 7, 10])
    func paging(pageSize: Int) async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        let ids = ["m", "c", "x", "a", "k", "b", "z"]
        for id in ids {
            let config = gradientConfig(id)
            _ = try await store.createRun(config, initialState: WeightingPolicy(config: config).initialState)
        }
        _ = try await store.archiveRun("k")
        for (order, expected) in [(RunListOrder.runID, ids.sorted()), (.creation, ids)] {
            var seen: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let page = try await store.listRuns(pageSize: pageSize, pageToken: token, order: order)
                #expect(page.runs.count <= pageSize)
                seen += page.runs.map(\.runID)
                token = page.nextPageToken
                pages += 1
            } while token != nil && pages <= ids.count
            #expect(seen == expected)
            #expect(pages == max(1, (ids.count + pageSize - 1) / pageSize))
        }
        let all = try await store.listRuns(pageSize: 100, pageToken: nil, order: .runID)
        #expect(all.runs.first { $0.runID == "k" }?.status == .archived)
        #expect(all.nextPageToken == nil)
    }

    @Test("foreign page tokens and sizes below 1 are invalid arguments")
    func invalidPaging() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        for id in ["a", "b"] {
            let config = gradientConfig(id)
            _ = try await store.createRun(config, initialState: WeightingPolicy(config: config).initialState)
        }
        let page = try await store.listRuns(pageSize: 1, pageToken: nil, order: .runID)
        let token = try #require(page.nextPageToken)
        let failures: [(RunStoreError?, String)] = [
            (
                await #expect(throws: RunStoreError.self) {
                    try await store.listRuns(pageSize: 1, pageToken: token, order: .creation)
                }, "page_token"
            ),
            (
                await #expect(throws: RunStoreError.self) {
                    try await store.listRuns(pageSize: 1, pageToken: "not a token", order: .runID)
                }, "page_token"
            ),
            (
                await #expect(throws: RunStoreError.self) {
                    try await store.listRuns(pageSize: 0, pageToken: nil, order: .runID)
                }, "page_size"
            ),
        ]
        for (error, field) in failures {
            #expect(error?.code == .invalidArgument)
            #expect(error?.field == field)
        }
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
                sql: "UPDATE runs SET state = json_set(state, '$.weights', json('[0.9, 0.05, 0.05]'))")
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
        try await queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1: runs and run_events');
                    CREATE TABLE runs (
                        run_id TEXT NOT NULL PRIMARY KEY,
                        config TEXT NOT NULL CHECK (json_valid(config)),
                        state TEXT NOT NULL CHECK (json_valid(state)),
                        version INTEGER NOT NULL CHECK (version >= 1),
                        status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE run_events (
                        run_id TEXT NOT NULL REFERENCES runs(run_id),
                        seq INTEGER NOT NULL CHECK (seq >= 1),
                        step INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        payload TEXT NOT NULL CHECK (json_valid(payload)),
                        decision TEXT NOT NULL CHECK (json_valid(decision)),
                        request_digest TEXT NOT NULL,
                        superseded INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1)),
                        created_at TEXT NOT NULL,
                        PRIMARY KEY (run_id, seq)
                    );
                    CREATE UNIQUE INDEX run_events_applied_step ON run_events (run_id, kind, step)
                        WHERE superseded = 0 AND kind != 'scalarize_summary';
                    CREATE INDEX run_events_by_step ON run_events (run_id, kind, step);
                    CREATE INDEX run_events_superseded ON run_events (run_id) WHERE superseded = 1;
                    """)
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
        let loaded = try await store.loadRun("old")
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
    }

    @Test("a batch of events is appended in one transaction: all or none")
    func appendEventsIsAtomic() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        let config = gradientConfig("batch")
        let policy = WeightingPolicy(config: config)
        let created = try await store.createRun(config, initialState: policy.initialState)
        var state = created.state
        var batch: [(event: RunEvent, decision: Decision, state: RunState)] = []
        for event in [summary(1), summary(1, mean: 0.7), summary(2)] {
            let next = try policy.apply(event, to: state)
            state = next.state
            batch.append((event, next.decision, next.state))
        }
        let stored = try await store.appendEvents(batch, runID: "batch", expectedVersion: created.version)
        #expect(stored.map(\.sequence) == [1, 2, 3])
        #expect(stored.map(\.event) == batch.map(\.event))
        // A summary's decision column is the canonical encoding of its decision (the store reuses the payload's).
        let raw = try DatabaseQueue(path: database.path)
        let decisionColumns = try await raw.read { db in
            try String.fetchAll(db, sql: "SELECT decision FROM run_events WHERE run_id = 'batch' ORDER BY seq")
        }
        try raw.close()
        #expect(try decisionColumns == batch.map { try CanonicalJSON.encode($0.decision) })
        // One read for several steps' look-ups, in sequence order; unknown steps have none.
        let atSteps = try await store.activeEvents(runID: "batch", kind: .scalarizeSummary, steps: [2, 1, 5, 1])
        #expect(atSteps == stored)
        #expect(try await store.activeEvents(runID: "batch", kind: .gradients, steps: [1, 2]).isEmpty)
        #expect(try await store.activeEvents(runID: "batch", kind: .scalarizeSummary, steps: []).isEmpty)
        let loaded = try await store.loadRun("batch")
        #expect(loaded.version == created.version + 3)
        #expect(loaded.state == state)

        // A batch whose second event repeats an applied (kind, step) writes nothing at all.
        let first = try policy.apply(gradients(1, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]), to: state)
        let repeated = try policy.apply(gradients(2, [[2, 0, 0], [0, 1, 0], [0, 0, 1]]), to: first.state)
        let clash: [(event: RunEvent, decision: Decision, state: RunState)] = [
            (gradients(1, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]), first.decision, first.state),
            (gradients(1, [[2, 0, 0], [0, 1, 0], [0, 0, 1]]), repeated.decision, repeated.state),
        ]
        let error = await #expect(throws: RunStoreError.self) {
            try await store.appendEvents(clash, runID: "batch", expectedVersion: loaded.version)
        }
        #expect(error?.code == .alreadyExists)
        #expect(try await store.loadRun("batch") == loaded)
        #expect(try await store.events(runID: "batch", fromSequence: 1, limit: nil).count == 3)
        #expect(try await store.appendEvents([], runID: "batch", expectedVersion: loaded.version).isEmpty)
    }

    @Test("the state is written every few events and the rest replayed on load")
    func snapshotsEveryFewEvents() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let snapshotPolicy = StateSnapshotPolicy(minimumInterval: 3, maximumInterval: 5, divisor: 4)
        let store = try database.open(snapshotPolicy: snapshotPolicy)
        defer { try? store.close() }
        let config = gradientConfig("snapshots", accumulationSteps: 2)
        let policy = WeightingPolicy(config: config)
        var snapshot = try await store.createRun(config, initialState: policy.initialState)
        let events = mixedEvents(steps: 1...15, seed: 5)
        var expectedSnapshotSequence = 0
        for (index, event) in events.enumerated() {
            (snapshot, _) = try await store.appendApplying([event], to: snapshot)
            let sequence = index + 1
            if snapshotPolicy.writesSnapshot(atSequence: sequence, lastSnapshotSequence: expectedSnapshotSequence) {
                expectedSnapshotSequence = sequence
            }
            // What the row holds: the state after `state_seq` events, which the load completes by replay.
            let queue = try DatabaseQueue(path: database.path)
            let (stored, storedSequence) = try await queue.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT state, state_seq FROM runs WHERE run_id = 'snapshots'")!
                return (row["state"] as String, row["state_seq"] as Int)
            }
            try queue.close()
            #expect(storedSequence == expectedSnapshotSequence)
            let storedState = try CanonicalJSON.decode(RunState.self, from: stored)
            #expect(storedState == (try policy.replay(events.prefix(storedSequence))))
            #expect(snapshot.state == (try policy.replay(events.prefix(sequence))))
            #expect(try await store.loadRun("snapshots") == snapshot)
        }
        #expect(expectedSnapshotSequence > 0 && expectedSnapshotSequence < events.count)
        // The interval grows with the log, between its bounds.
        #expect(!snapshotPolicy.writesSnapshot(atSequence: 2, lastSnapshotSequence: 0))
        #expect(snapshotPolicy.writesSnapshot(atSequence: 3, lastSnapshotSequence: 0))
        #expect(!snapshotPolicy.writesSnapshot(atSequence: 19, lastSnapshotSequence: 16))
        #expect(snapshotPolicy.writesSnapshot(atSequence: 20, lastSnapshotSequence: 15))
        #expect(snapshotPolicy.writesSnapshot(atSequence: 105, lastSnapshotSequence: 100))
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
        let error = await #expect(throws: RunStoreError.self) { try await store.loadRun("unreplayable") }
        #expect(error?.code == .corrupt)
        #expect(error?.runID == "unreplayable")
    }
}

/// Snapshot with every event, every few events, and the default.
let snapshotPolicies: [StateSnapshotPolicy] = [
    .everyEvent, StateSnapshotPolicy(minimumInterval: 2, maximumInterval: 3, divisor: 4), .default,
]
