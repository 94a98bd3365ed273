import Logging
import RewardWeightingPostgres
import RewardWeightingService
import RewardWeightingStore
import ServiceLifecycle

/// The run store a server keeps its runs in, and its life cycle: the SQLite file (the embedded default), or a
/// PostgreSQL database that any number of servers share (``RewardWeightingServer/Configuration/databaseURL``).
enum ServerStore: Sendable, CustomStringConvertible {
    case sqlite(SQLiteRunStore)
    case postgres(PostgresRunStore, url: PostgresDatabaseURL)

    /// Opens the SQLite file (creating and migrating it), or prepares the PostgreSQL pool (nothing connects
    /// before ``serving(_:)``).
    /// - Throws: `RunStoreError` when the file cannot be opened or the URL is malformed.
    init(configuration: RewardWeightingServer.Configuration, logger: Logger) throws(RunStoreError) {
        if let text = configuration.databaseURL {
            let url = try PostgresDatabaseURL(text)
            self = .postgres(PostgresRunStore(configuration: url.configuration, logger: logger), url: url)
        } else {
            self = .sqlite(try SQLiteRunStore(path: configuration.databasePath))
        }
    }

    /// The store, for the coordinator.
    var runStore: any RunStore {
        switch self {
        case .sqlite(let store): store
        case .postgres(let store, _): store
        }
    }

    /// The services that keep a shared store's other writers in view: for PostgreSQL, the follower of its change
    /// feed (``StoreChangeFollower``); none for SQLite.
    func followers(_ coordinator: RunCoordinator) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        switch self {
        case .sqlite: []
        case .postgres: [.init(service: StoreChangeFollower(coordinator: coordinator))]
        }
    }

    /// Runs `body` (the server's service group) with the store open, then closes it: for PostgreSQL, the pool
    /// runs beside `body` and the schema is migrated before `body` starts; a database that cannot be reached
    /// then stops the server with the error.
    func serving(_ body: @Sendable () async throws -> Void) async throws {
        switch self {
        case .sqlite(let store):
            do {
                try await body()
            } catch {
                try? store.close()
                throw error
            }
            try store.close()
        case .postgres(let store, _):
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await store.run() }
                try await store.migrate()
                try await body()
                group.cancelAll()
            }
        }
    }

    /// The SQLite path, or the redacted URL: for logs.
    var description: String {
        switch self {
        case .sqlite(let store): store.path
        case .postgres(_, let url): url.redacted
        }
    }
}
