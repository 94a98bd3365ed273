import Foundation
import Logging
import PostgresNIO
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingPostgres
import RewardWeightingPostgresTestSupport
import RewardWeightingStore
import RewardWeightingTestSupport
import Testing

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
}
