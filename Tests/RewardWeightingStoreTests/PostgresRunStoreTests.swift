import Foundation
import Logging
import PostgresNIO
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingPostgresTestSupport
import RewardWeightingStore
import RewardWeightingTestSupport
import Testing

@testable import RewardWeightingPostgres

/// What only the PostgreSQL store has: migrations in a table, several pools (replicas) on one database, a
/// server that does not answer, and libpq URLs. The RunStore contract itself is `RunStoreConformanceTests`.
@Suite("PostgresRunStore")
struct PostgresRunStoreTests {
    @Test("a libpq URL gives host, port, user, password, database and TLS mode; the password is redacted")
    func urls() throws {
        let url = try PostgresDatabaseURL("postgres://trainer:s%40cret@db.internal:6543/runs?sslmode=disable")
        #expect(url.configuration.host == "db.internal" && url.configuration.port == 6543)
        #expect(url.configuration.username == "trainer" && url.configuration.password == "s@cret")
        #expect(url.configuration.database == "runs")
        #expect(!url.redacted.contains("cret") && url.redacted.contains("trainer:***@db.internal:6543/runs"))

        let defaults = try PostgresDatabaseURL("postgresql://db")
        #expect(defaults.configuration.port == 5432 && defaults.configuration.username == "postgres")
        #expect(defaults.configuration.database == "postgres" && defaults.configuration.password == nil)

        let socket = try PostgresDatabaseURL("postgres://rw@/runs?host=/var/run/postgresql")
        #expect(socket.configuration.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432")

        for (text, reason) in [
            ("mysql://db/runs", "is not a postgres:// URL"),
            ("postgres://db/runs?sslmode=always", "has sslmode=always"),
            ("postgres:///runs", "names no host"),
        ] {
            let error = #expect(throws: RunStoreError.self) { try PostgresDatabaseURL(text) }
            #expect(error?.code == .invalidArgument && error?.field == "database_url")
            #expect(error?.reason.hasPrefix(reason) == true, "\(String(describing: error))")
        }
    }

    @Test("a server that does not answer fails the operation as unavailable, within the operation's deadline")
    func unreachable() async throws {
        // A port nothing listens on: connections are refused, and the pool keeps retrying in the background.
        let store = try PostgresRunStore(
            url: "postgres://rw@127.0.0.1:9/rw?sslmode=disable", operationTimeout: .milliseconds(500),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let pool = Task { await store.run() }
        defer { pool.cancel() }
        // The deadline answers (the pool itself would queue the call for a minute before its circuit breaker trips).
        let error = await #expect(throws: RunStoreError.self) { try await store.loadRun("any") }
        #expect(error?.code == .unavailable && error?.field == "database")
        #expect(error?.reason.contains("did not answer within") == true, "\(String(describing: error))")
        let migration = await #expect(throws: RunStoreError.self) { try await store.migrate() }
        #expect(migration?.code == .unavailable)
    }

    @Test(
        "migrations are recorded once, also when replicas start together",
        .enabled(if: PostgresTestDatabase.isEnabled))
    func migrations() async throws {
        let schema = try await PostgresTestDatabase.makeSchema()
        defer { schema.drop() }
        // Four replicas migrate a new database at once: one applies the migrations, the others find them.
        let stores = try await withThrowingTaskGroup(of: PostgresRunStore.self) { group in
            for _ in 0..<4 { group.addTask { try await schema.openStore() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for store in stores {
            #expect(try await store.appliedMigrations() == PostgresRunStore.migrationNames)
        }
        #expect(
            PostgresRunStore.migrationNames == [
                "v1: runs and run_events", "v2: no JSON parsing on writes", "v3: run ids unique per tenant",
            ])
        // Migrating again changes nothing.
        try await stores[0].migrate()
        #expect(try await stores[0].appliedMigrations() == PostgresRunStore.migrationNames)
    }

    @Test(
        "replicas writing the same run at the same version: exactly one commits, the others conflict",
        .enabled(if: PostgresTestDatabase.isEnabled))
    func replicasRace() async throws {
        let schema = try await PostgresTestDatabase.makeSchema()
        defer { schema.drop() }
        let config = gradientConfig("raced")
        let policy = WeightingPolicy(config: config)
        let creator = try await schema.openStore()
        _ = try await creator.createRun(config, initialState: policy.initialState)
        var replicas: [PostgresRunStore] = []
        for _ in 0..<6 { replicas.append(try await schema.openStore()) }

        // Every replica read version 1 and applies a report of step 1 (the same one, or its own).
        var generator = SplitMix64(seed: 7)
        let reports = (0..<6).map { index in
            gradients(1, index < 3 ? [[1, 0, 0], [0, 1, 0], [0, 0, 1]] : randomGram(&generator))
        }
        let outcomes = await withTaskGroup(of: Result<StoredEvent, any Error>.self) { group in
            for (replica, report) in zip(replicas, reports) {
                group.addTask {
                    let (state, decision) = try! policy.apply(report, to: policy.initialState)
                    do {
                        return .success(
                            try await replica.appendEvents(
                                [(report, decision, state)], runID: "raced", expectedVersion: 1)[0])
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let committed = outcomes.compactMap { try? $0.get() }
        #expect(committed.count == 1)
        let refused = outcomes.compactMap { outcome -> RunStoreError? in
            if case .failure(let error) = outcome { return error as? RunStoreError } else { return nil }
        }
        #expect(refused.count == 5 && refused.allSatisfy { $0.code == .conflict })
        let log = try await creator.events(runID: "raced", fromSequence: 1, limit: nil)
        #expect(log.map(\.kind) == [.created, .gradients])
        #expect(log.last == committed.first)
        #expect(try await creator.loadRun("raced").version == 2)
    }

    @Test(
        "statements leave nothing behind on a connection, and a dropped connection fails instead of stalling",
        .enabled(if: PostgresTestDatabase.isEnabled), .timeLimit(.minutes(1)))
    func connectionsLeaveNothingBehind() async throws {
        let schema = try await PostgresTestDatabase.makeSchema()
        defer { schema.drop() }
        // The store's connections carry the schema's name, so that the test can drop exactly them.
        var configuration = schema.configuration
        configuration.options.additionalStartupParameters.append(("application_name", schema.name))
        let store = PostgresRunStore(
            configuration: configuration, operationTimeout: .seconds(5),
            logger: Logger(label: "postgres-tests") { _ in SwiftLogNoOpLogHandler() })
        let pool = Task { await store.run() }
        defer { pool.cancel() }
        try await store.migrate()
        let config = gradientConfig("watched")
        let policy = WeightingPolicy(config: config)
        _ = try await store.createRun(config, initialState: policy.initialState)
        var state = policy.initialState
        var generator = SplitMix64(seed: 11)
        var version = 1
        func report(_ step: Int) async throws(RunStoreError) {
            let event = gradients(step, randomGram(&generator))
            let (next, decision) = try! policy.apply(event, to: state)
            _ = try await store.appendEvents([(event, decision, next)], runID: "watched", expectedVersion: version)
            state = next
            version += 1
        }
        for step in 1...150 {
            try await report(step)
            #expect(try await store.loadRun("watched").version == version)
        }
        // 300 transactions and well over a thousand statements: one watch per pooled connection, none waiting.
        let connections = store.connectionWatches.connectionIDs
        #expect((1...4).contains(connections.count))
        #expect(store.connectionWatches.waitingCount == 0)

        // The server drops every connection of the store; the next operations fail `unavailable` or succeed on a
        // new connection, and none hangs.
        try await schema.withClient { client in
            try await client.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \(schema.name)")
        }
        var failures = 0
        var step = 151
        while step <= 160 {
            do {
                try await report(step)
                step += 1
            } catch {
                #expect(error.code == .unavailable)
                failures += 1
                #expect(failures < 20)
                if failures >= 20 { break }
                // A failed write may not have committed (it did not here: the version check would say so).
                if let stored = try? await store.loadRun("watched") { version = stored.version }
            }
        }
        let log = try await store.events(runID: "watched", fromSequence: 1, limit: nil)
        #expect(log.count == 161)
        #expect(log.dropFirst().map(\.step) == Array(1...160))
        #expect(store.connectionWatches.waitingCount == 0)
        // The dropped connections closed, and their watches went with them.
        #expect(store.connectionWatches.connectionIDs.isDisjoint(with: connections))
    }

    @Test(
        "a database of migration v2 upgrades to run ids per tenant with its runs and logs intact",
        .enabled(if: PostgresTestDatabase.isEnabled))
    func upgradesToTenantKeys() async throws {
        let schema = try await PostgresTestDatabase.makeSchema()
        defer { schema.drop() }
        _ = try await schema.openStore(through: "v2: no JSON parsing on writes")
        // A run of team-a written the way v2 stored it: no tenant in the log.
        let config = gradientConfig("old")
        let policy = WeightingPolicy(config: config)
        let creation = RunCreation(config: config)
        let created = RunEvent.created(creation)
        let (state, decision) = try policy.apply(
            gradients(1, [[1, 0, 0], [0, 2, 0], [0, 0, 3]]), to: policy.initialState)
        let report = gradients(1, [[1, 0, 0], [0, 2, 0], [0, 0, 3]])
        let configJSON = try CanonicalJSON.encode(config)
        let stateJSON = try CanonicalJSON.encode(state)
        let rows: [(Int, Int, String, String, String, String)] = [
            (
                1, 0, "created", try CanonicalJSON.encode(created),
                try CanonicalJSON.encode(Decision.created(creation)),
                try RequestDigest.of(created)
            ),
            (
                2, 1, "gradients", try CanonicalJSON.encode(report), try CanonicalJSON.encode(decision),
                try RequestDigest.of(report)
            ),
        ]
        try await schema.withClient { client in
            try await client.query(
                """
                INSERT INTO runs (run_id, tenant, method, config, state, state_seq, version, status, created_at,
                                  updated_at)
                VALUES ('old', 'team-a', 'gradient', \(configJSON), \(stateJSON), 2, 2, 'active', now(), now())
                """)
            for (seq, step, kind, payload, decision, digest) in rows {
                try await client.query(
                    """
                    INSERT INTO run_events (run_id, seq, step, kind, payload, decision, request_digest, created_at)
                    VALUES ('old', \(seq), \(step), \(kind), \(payload), \(decision), \(digest), now())
                    """)
            }
        }
        let store = try await schema.openStore()
        #expect(try await store.appliedMigrations() == PostgresRunStore.migrationNames)
        let key = RunKey(tenant: "team-a", runID: "old")
        let loaded = try await store.loadRun(key)
        #expect(loaded.version == 2 && loaded.stateSnapshot == state && loaded.eventCount == 2)
        #expect(try await store.events(run: key, fromSequence: 1, limit: nil).map(\.kind) == [.created, .gradients])
        // The old run takes new events; another tenant may now have a run of the same id.
        let next = gradients(2, [[2, 0, 0], [0, 1, 0], [0, 0, 1]])
        let (after, nextDecision) = try policy.apply(next, to: state)
        _ = try await store.appendEvents([(next, nextDecision, after)], run: key, expectedVersion: 2)
        let duplicate = await #expect(throws: RunStoreError.self) {
            try await store.appendEvents([(next, nextDecision, after)], run: key, expectedVersion: 3)
        }
        #expect(duplicate?.code == .alreadyExists)
        _ = try await store.createRun(config, tenant: "team-b", initialState: policy.initialState)
        #expect(try await store.loadRun(RunKey(tenant: "team-b", runID: "old")).version == 1)
        #expect(try await store.loadRun(key).version == 3)
    }
}
