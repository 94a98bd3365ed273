import Foundation
import Logging
import PostgresNIO
import RewardWeightingPostgres
import RewardWeightingStore
import Synchronization

/// The PostgreSQL server the tests run against: `RW_TEST_DATABASE_URL` (a scratch database: every test gets a
/// schema of its own in it). `Scripts/test.sh` starts one with `Scripts/postgres-scratch.sh` when PostgreSQL is
/// installed; with `RW_REQUIRE_POSTGRES=1` (CI) a missing URL fails the PostgreSQL cases instead of leaving
/// them out.
public enum PostgresTestDatabase {
    /// The URL, if one is set.
    public static var url: String? {
        let value = ProcessInfo.processInfo.environment["RW_TEST_DATABASE_URL"] ?? ""
        return value.isEmpty ? nil : value
    }

    /// Whether the PostgreSQL cases run: a URL is set, or they are required.
    public static var isEnabled: Bool {
        url != nil || ProcessInfo.processInfo.environment["RW_REQUIRE_POSTGRES"] == "1"
    }

    /// A new, empty schema of the test database.
    public static func makeSchema() async throws -> PostgresTestSchema {
        guard let url else {
            throw PostgresTestDatabaseMissing()
        }
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        var configuration = try PostgresDatabaseURL(url).configuration
        configuration.options.maximumConnections = 4
        try await withAdminClient(configuration) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(name)"))
        }
        configuration.options.additionalStartupParameters.append(("search_path", name))
        return PostgresTestSchema(name: name, configuration: configuration)
    }

    static func withAdminClient(
        _ configuration: PostgresClient.Configuration, _ body: (PostgresClient) async throws -> Void
    ) async throws {
        let client = PostgresClient(configuration: configuration)
        let running = Task { await client.run() }
        defer { running.cancel() }
        try await body(client)
    }
}

/// `RW_REQUIRE_POSTGRES=1` without `RW_TEST_DATABASE_URL`.
public struct PostgresTestDatabaseMissing: Error, CustomStringConvertible {
    public var description: String {
        "RW_REQUIRE_POSTGRES=1 but RW_TEST_DATABASE_URL is not set (Scripts/postgres-scratch.sh start DIR prints one)"
    }
}

/// One test's schema: stores opened on it share its tables; ``drop()`` stops their pools and drops it.
public final class PostgresTestSchema: Sendable {
    /// The schema's name.
    public let name: String
    /// A client configuration whose connections use the schema (`search_path`).
    public let configuration: PostgresClient.Configuration
    private let pools = Mutex<[Task<Void, Never>]>([])

    init(name: String, configuration: PostgresClient.Configuration) {
        self.name = name
        self.configuration = configuration
    }

    /// A store on the schema with its pool running (until ``drop()``) and the migrations applied (up to and
    /// including `lastMigration`, when given).
    public func openStore(
        snapshotPolicy: StateSnapshotPolicy = .default, through lastMigration: String? = nil,
        logger: Logger = Logger(label: "postgres-tests") { _ in
            SwiftLogNoOpLogHandler()
        }
    ) async throws -> PostgresRunStore {
        let store = PostgresRunStore(configuration: self.configuration, snapshotPolicy: snapshotPolicy, logger: logger)
        let pool = Task { await store.run() }
        self.pools.withLock { $0.append(pool) }
        try await store.migrate(through: lastMigration)
        return store
    }

    /// Runs `body` with a client of its own on the schema (its `search_path`), for SQL a test writes by hand.
    public func withClient(_ body: (PostgresClient) async throws -> Void) async throws {
        try await PostgresTestDatabase.withAdminClient(self.configuration, body)
    }

    /// Stops the stores' pools and drops the schema (best effort, in the background).
    public func drop() {
        for pool in self.pools.withLock({ $0 }) { pool.cancel() }
        var configuration = self.configuration
        configuration.options.additionalStartupParameters.removeAll { $0.0 == "search_path" }
        let name = self.name
        Task {
            try? await PostgresTestDatabase.withAdminClient(configuration) { client in
                try await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(name) CASCADE"))
            }
        }
    }
}
