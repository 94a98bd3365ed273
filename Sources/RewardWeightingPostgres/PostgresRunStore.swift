import Foundation
import Logging
import PostgresNIO
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingStore

/// The ``RunStore`` of many replicas: runs and their event logs in PostgreSQL, through a postgres-nio
/// `PostgresClient` (a connection pool), with the schema created and upgraded by named, append-only migrations
/// recorded in `rw_schema_migrations` (``migrate()``).
///
/// Any number of `rw-server` processes may share one database: every write is one transaction guarded by the
/// run's version (`UPDATE runs … WHERE version = $expected` takes the row's lock, so of two writers that read the
/// same version one commits and the other gets ``RunStoreError/Code/conflict`` and reloads), and the unique index
/// on applied (run, kind, step) makes a report stored by two replicas at once apply once. Multi-statement reads
/// run in one `REPEATABLE READ` transaction, so a loaded run's snapshot, pending events and counts agree. Every
/// write announces itself with `NOTIFY` in its transaction (``RunChangeFeed``), so that the other processes'
/// watchers and reads follow. The hot paths (the version check with its announcement, the event insert, the
/// snapshot, a run's row and its pending events, the log) are named prepared statements (``PostgresStatements``):
/// parsed and planned once per pooled connection; a report's write is `BEGIN`, one bump-and-notify, the insert
/// (and, every few events, the snapshot), `COMMIT`.
///
/// The pool runs in ``run()``, which must be running for as long as the store is used:
///
///     let store = try PostgresRunStore(url: "postgres://rw@127.0.0.1:5432/rw", logger: logger)
///     try await withThrowingDiscardingTaskGroup { group in
///         group.addTask { await store.run() }
///         try await store.migrate()
///         … use the store …
///         group.cancelAll()
///     }
///
/// **Failures.** While PostgreSQL is down or unreachable an operation fails with
/// ``RunStoreError/Code/unavailable`` after at most ``operationTimeout`` (the pool keeps trying to reconnect, and
/// the next call after the server is back succeeds); a transaction that did not commit changed nothing. A write
/// whose COMMIT was sent but not answered may have committed: the caller's retry finds it by its idempotency key.
public final class PostgresRunStore: RunStore {
    /// How often the state snapshot in the `runs` row is rewritten.
    public let snapshotPolicy: StateSnapshotPolicy
    /// The longest an operation waits for PostgreSQL before it fails ``RunStoreError/Code/unavailable``.
    public let operationTimeout: Duration
    let client: PostgresClient
    /// Fails the statements of a connection that closes (``PostgresSession``).
    let connectionWatches = PostgresConnectionWatches()
    let logger: Logger

    /// A store over the pool that `configuration` describes; nothing connects before ``run()``.
    public init(
        configuration: PostgresClient.Configuration, snapshotPolicy: StateSnapshotPolicy = .default,
        operationTimeout: Duration = .seconds(10), logger: Logger
    ) {
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.snapshotPolicy = snapshotPolicy
        self.operationTimeout = operationTimeout
        self.logger = logger
    }

    /// A store over the database at `url` (``PostgresDatabaseURL``).
    /// - Throws: ``RunStoreError/Code/invalidArgument`` (field `database_url`) for a malformed URL.
    public convenience init(
        url: String, snapshotPolicy: StateSnapshotPolicy = .default, operationTimeout: Duration = .seconds(10),
        logger: Logger
    ) throws(RunStoreError) {
        self.init(
            configuration: try PostgresDatabaseURL(url).configuration, snapshotPolicy: snapshotPolicy,
            operationTimeout: operationTimeout, logger: logger)
    }

    /// Runs the connection pool until the calling task is cancelled. Start it before any other call, in a task
    /// that outlives them.
    public func run() async {
        await self.client.run()
    }

    /// Applies the pending migrations (one transaction under an advisory lock, so that replicas starting
    /// together migrate once).
    /// - Throws: ``RunStoreError/Code/unavailable`` when the database is unreachable or a migration fails.
    /// - Parameter last: the name of the last migration to apply (for tests of an upgrade), or `nil` for all.
    public func migrate(through last: String? = nil) async throws(RunStoreError) {
        try await self.transaction(runID: nil, operation: "migrating the schema") { session in
            try await self.applyMigrations(session, through: last)
        }
    }

    /// The names of the migrations applied to the database, in order.
    public func appliedMigrations() async throws(RunStoreError) -> [String] {
        try await self.transaction(runID: nil, operation: "reading the migrations", readOnly: true) { session in
            let names = try await session.rows("SELECT name FROM rw_schema_migrations").map {
                try $0.decode(String.self)
            }
            // In the migrations' order, whatever the table's.
            return Self.migrationNames.filter(names.contains)
        }
    }

    // MARK: - RunStore

    /// Inserts the `runs` row at version 1 and the creation event (see
    /// ``RunStore/createRun(_:tenant:initialState:)``).
    public func createRun(
        _ config: RunConfig, tenant: String, initialState: RunState
    ) async throws(RunStoreError) -> StoredRun {
        let runID = config.runID
        let key = RunKey(tenant: tenant, runID: runID)
        let configJSON = try encodeColumn(config, runID: runID, column: "config")
        let stateJSON = try encodeColumn(initialState, runID: runID, column: "state")
        let creation = RunEvent.created(RunCreation(config: config))
        let encoded = try EncodedEvent(creation, decision: .created(RunCreation(config: config)), runID: runID)
        let method = config.method.name.rawValue
        return try await self.transaction(runID: runID, operation: "creating run \(quoted(runID))") { session in
            let inserted = try await session.rows(
                """
                INSERT INTO runs (run_id, tenant, method, config, state, state_seq, version, status, created_at,
                                  updated_at)
                VALUES (\(runID), \(tenant), \(method), \(configJSON), \(stateJSON), 1, 1, 'active', now(), now())
                ON CONFLICT (tenant, run_id) DO NOTHING RETURNING run_id
                """)
            guard !inserted.isEmpty else {
                throw RunStoreError(
                    code: .alreadyExists, field: "run_id", runID: runID, reason: "a run \(quoted(runID)) exists already"
                )
            }
            _ = try await self.insert([(encoded, creation)], run: key, firstSequence: 1, session)
            try await Self.announce(run: key, version: 1, session)
            return try await self.fetchRun(key, session)
        }
    }

    /// Reads the `runs` row and its pending events in one snapshot (see ``RunStore/loadRun(_:)``).
    public func loadRun(_ run: RunKey) async throws(RunStoreError) -> StoredRun {
        try await self.transaction(
            runID: run.runID, operation: "loading run \(quoted(run.description))", readOnly: true
        ) { session in
            try await self.fetchRun(run, session)
        }
    }

    /// The `version` column of the run's `runs` row (its primary key).
    public func version(of run: RunKey) async throws(RunStoreError) -> Int {
        try await self.transaction(
            runID: run.runID, operation: "reading the version of run \(quoted(run.description))", readOnly: true
        ) { session in
            guard
                let row = try await session.rows(
                    "SELECT version FROM runs WHERE tenant = \(run.tenant) AND run_id = \(run.runID)"
                ).first
            else { throw RunStoreError.runNotFound(run.runID) }
            return try row.decode(Int.self)
        }
    }

    /// `count(*)` over the tenant's rows of `runs` (its primary key's prefix).
    public func countRuns(tenant: String) async throws(RunStoreError) -> Int {
        try await self.transaction(
            runID: nil, operation: "counting the runs of tenant \(quoted(tenant))", readOnly: true
        ) { session in
            try await session.rows("SELECT count(*) FROM runs WHERE tenant = \(tenant)").first?.decode(Int.self) ?? 0
        }
    }

    /// Keyset pagination over `run_id` (byte order) or the creation rank, filtered in the query (see
    /// ``RunStore/listRuns(pageSize:pageToken:order:filter:)``).
    public func listRuns(
        pageSize: Int, pageToken: String?, order: RunListOrder, filter: RunFilter
    ) async throws(RunStoreError) -> RunPage {
        guard pageSize >= 1 else {
            throw RunStoreError(
                code: .invalidArgument, field: "page_size", reason: "is \(pageSize); it must be at least 1")
        }
        let token = try pageToken.map { text throws(RunStoreError) in
            try RunPageToken(parsing: text, order: order, filter: filter)
        }
        var conditions: [String] = []
        var bindings = PostgresBindings()
        func bind(_ value: String) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        if let status = filter.status { conditions.append("status = \(bind(status.rawValue))") }
        if let method = filter.method { conditions.append("method = \(bind(method.rawValue))") }
        if let tenant = filter.tenant { conditions.append("tenant = \(bind(tenant))") }
        let orderColumn: String
        switch order {
        case .runID:
            if let token {
                conditions.append("(run_id, tenant) > (\(bind(token.after)), \(bind(token.afterTenant ?? "")))")
            }
            orderColumn = "run_id, tenant"
        case .creation:
            if let token {
                guard let rank = Int64(token.after) else {
                    throw RunStoreError(
                        code: .invalidArgument, field: "page_token", reason: "is not a token returned by ListRuns")
                }
                bindings.append(rank)
                conditions.append("creation_rank > $\(bindings.count)")
            }
            orderColumn = "creation_rank"
        }
        var sql = "SELECT \(PostgresStatements.runColumns) FROM runs"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        // One more than asked: whether there is a next page.
        bindings.append(pageSize + 1)
        sql += " ORDER BY \(orderColumn) LIMIT $\(bindings.count)"
        let query = PostgresQuery(unsafeSQL: sql, binds: bindings)
        let fetched = try await self.transaction(runID: nil, operation: "listing runs", readOnly: true) {
            session in
            let rows = try await self.runRows(query, session)
            let pending = try await self.pendingEvents(of: rows.prefix(pageSize).map(\.key), session)
            return (rows: rows, pending: pending)
        }
        var runs: [StoredRun] = []
        for row in fetched.rows.prefix(pageSize) {
            runs.append(try row.storedRun(pendingEvents: fetched.pending[row.key] ?? []))
        }
        var nextPageToken: String?
        if fetched.rows.count > pageSize, let last = fetched.rows.prefix(pageSize).last {
            nextPageToken =
                order == .runID
                ? RunPageToken(order: order, filter: filter, after: last.runID, afterTenant: last.tenant).encoded
                : RunPageToken(order: order, filter: filter, after: String(last.creationRank)).encoded
        }
        return RunPage(runs: runs, nextPageToken: nextPageToken)
    }

    /// Bumps the version (the check), writes the snapshot when it is due, and inserts the events, in one
    /// transaction (see ``RunStore/appendEvents(_:run:expectedVersion:)``).
    public func appendEvents(
        _ events: [(event: RunEvent, decision: Decision, state: RunState)], run: RunKey, expectedVersion: Int
    ) async throws(RunStoreError) -> [StoredEvent] {
        let runID = run.runID
        let tenant = run.tenant
        guard let last = events.last else { return [] }
        var rows: [(EncodedEvent, RunEvent)] = []
        rows.reserveCapacity(events.count)
        for item in events {
            rows.append((try EncodedEvent(item.event, decision: item.decision, runID: runID), item.event))
        }
        let encodedRows = rows
        let operation =
            events.count == 1
            ? "appending \(last.event.kind.rawValue) of step \(last.event.step) to run \(quoted(run.description))"
            : "appending \(events.count) events to run \(quoted(run.description))"
        let policy = self.snapshotPolicy
        let count = events.count
        let lastState = last.state
        let written = try await self.transaction(runID: runID, operation: operation) { session in
            let bumped = try await session.rows(
                PostgresStatements.BumpVersion(
                    tenant: tenant, runID: runID, count: count, expectedVersion: expectedVersion,
                    channel: Self.changeChannel,
                    payload: Self.changePayload(run: run, version: expectedVersion + count)))
            guard let (version, snapshotSequence) = bumped.first else {
                throw try await self.staleWrite(run, expectedVersion: expectedVersion, session)
            }
            // The state is encoded only when it is written: that is what grows with the run.
            if policy.writesSnapshot(atSequence: version, lastSnapshotSequence: snapshotSequence) {
                let stateJSON = try encodeColumn(lastState, runID: runID, column: "state")
                _ = try await session.rows(
                    PostgresStatements.WriteSnapshot(
                        state: stateJSON, snapshotSequence: version, tenant: tenant, runID: runID))
            }
            let first = version - count + 1
            return (
                first: first,
                createdAt: try await self.insert(encodedRows, run: run, firstSequence: first, session)
            )
        }
        return events.enumerated().map { offset, item in
            StoredEvent(
                runID: runID, sequence: written.first + offset, event: item.event, decision: item.decision,
                requestDigest: encodedRows[offset].0.digest, isSuperseded: false, createdAt: written.createdAt)
        }
    }

    /// Reads the non-superseded rows of one kind at several steps (see
    /// ``RunStore/activeEvents(run:kind:steps:)``).
    public func activeEvents(
        run: RunKey, kind: RunEvent.Kind, steps: [Int]
    ) async throws(RunStoreError) -> [StoredEvent] {
        let distinct = Array(Set(steps)).sorted()
        guard !distinct.isEmpty else { return [] }
        let operation = "reading \(kind.rawValue) of \(distinct.count) steps of run \(quoted(run.description))"
        let rows = try await self.transaction(runID: run.runID, operation: operation, readOnly: true) { session in
            try await session.rows(
                PostgresStatements.ActiveEvents(
                    tenant: run.tenant, runID: run.runID, kind: kind.rawValue, steps: distinct))
        }
        return try rows.map { row throws(RunStoreError) in try row.storedEvent() }
    }

    /// Reads the log from a sequence number (see ``RunStore/events(run:fromSequence:limit:)``).
    public func events(
        run: RunKey, fromSequence: Int, limit: Int?
    ) async throws(RunStoreError) -> [StoredEvent] {
        let bound = limit.map { max($0, 0) }
        let rows = try await self.transaction(
            runID: run.runID, operation: "reading the events of run \(quoted(run.description))", readOnly: true
        ) { session in
            let rows = try await session.rows(
                PostgresStatements.EventsFrom(
                    tenant: run.tenant, runID: run.runID, fromSequence: fromSequence, limit: bound))
            if rows.isEmpty {
                let exists = try await session.rows(PostgresStatements.RunVersion(tenant: run.tenant, runID: run.runID))
                if exists.isEmpty { throw RunStoreError.runNotFound(run.runID) }
            }
            return rows
        }
        var events: [StoredEvent] = []
        events.reserveCapacity(rows.count)
        for row in rows { events.append(try row.storedEvent()) }
        return events
    }

    /// Flags the later events, appends the resume event and stores the rewound state, in one transaction (see
    /// ``RunStore/resume(run:resumption:state:expectedVersion:)``).
    public func resume(
        run: RunKey, resumption: RunResumption, state: RunState, expectedVersion: Int
    ) async throws(RunStoreError) -> StoredEvent {
        let runID = run.runID
        let tenant = run.tenant
        let stateJSON = try encodeColumn(state, runID: runID, column: "state")
        let event = RunEvent.resumed(resumption)
        let encoded = try EncodedEvent(event, decision: .resumed(resumption), runID: runID)
        let operation = "resuming run \(quoted(run.description)) from step \(resumption.fromStep)"
        let written = try await self.transaction(runID: runID, operation: operation) { session in
            // The rewound state reflects every event that stays active, and the resume event folds to no change.
            let bumped = try await session.rows(
                """
                UPDATE runs SET version = version + 1, state = \(stateJSON), state_seq = version + 1,
                    superseded_count = superseded_count + \(resumption.supersededEvents), updated_at = now()
                WHERE tenant = \(tenant) AND run_id = \(runID) AND version = \(expectedVersion) RETURNING version
                """)
            guard let sequence = try bumped.first?.decode(Int.self) else {
                throw try await self.staleWrite(run, expectedVersion: expectedVersion, session)
            }
            let superseded = try await session.rows(
                """
                UPDATE run_events SET superseded = TRUE
                WHERE tenant = \(tenant) AND run_id = \(runID) AND step > \(resumption.fromStep) AND NOT superseded
                RETURNING seq
                """
            ).count
            guard superseded == resumption.supersededEvents else {
                throw RunStoreError(
                    code: .conflict, field: "version", runID: runID,
                    reason: "run \(quoted(runID)) has \(superseded) events after step \(resumption.fromStep), "
                        + "not \(resumption.supersededEvents); its log changed")
            }
            let createdAt = try await self.insert([(encoded, event)], run: run, firstSequence: sequence, session)
            try await Self.announce(run: run, version: sequence, session)
            return (sequence: sequence, createdAt: createdAt)
        }
        return StoredEvent(
            runID: runID, sequence: written.sequence, event: event, decision: .resumed(resumption),
            requestDigest: encoded.digest, isSuperseded: false, createdAt: written.createdAt)
    }

    /// Sets `status = 'archived'` and appends the archive event, unless the run is archived already (see
    /// ``RunStore/archiveRun(_:archival:)``).
    public func archiveRun(
        _ run: RunKey, archival: RunArchival
    ) async throws(RunStoreError) -> (run: StoredRun, event: StoredEvent?) {
        let runID = run.runID
        let event = RunEvent.archived(archival)
        let encoded = try EncodedEvent(event, decision: .archived(archival), runID: runID)
        let written = try await self.transaction(
            runID: runID, operation: "archiving run \(quoted(run.description))"
        ) { session in
            let bumped = try await session.rows(
                """
                UPDATE runs SET status = 'archived', version = version + 1, updated_at = now()
                WHERE tenant = \(run.tenant) AND run_id = \(runID) AND status <> 'archived' RETURNING version
                """)
            var archivedAt: (sequence: Int, createdAt: Date)?
            if let sequence = try bumped.first?.decode(Int.self) {
                let createdAt = try await self.insert(
                    [(encoded, event)], run: run, firstSequence: sequence, session)
                archivedAt = (sequence, createdAt)
                try await Self.announce(run: run, version: sequence, session)
            }
            return (run: try await self.fetchRun(run, session), archivedAt: archivedAt)
        }
        let stored = written.archivedAt.map { archivedAt in
            StoredEvent(
                runID: runID, sequence: archivedAt.sequence, event: event, decision: .archived(archival),
                requestDigest: encoded.digest, isSuperseded: false, createdAt: archivedAt.createdAt)
        }
        return (written.run, stored)
    }

    // MARK: - Accesses

    /// One transaction on a pooled connection (``PostgresSession``): committed when `body` returns, rolled back
    /// when it throws; at most ``operationTimeout`` long (``withDeadline(_:logger:operation:_:)``). Reads that
    /// take several statements are `REPEATABLE READ, READ ONLY`.
    private func transaction<T: Sendable>(
        runID: String?, operation: String, readOnly: Bool = false,
        _ body: @escaping @Sendable (PostgresSession) async throws -> T
    ) async throws(RunStoreError) -> T {
        let client = self.client
        let watches = self.connectionWatches
        let logger = self.logger
        let timeout = self.operationTimeout
        do {
            return try await withDeadline(timeout, logger: logger, operation: operation) {
                try await client.withSessionTransaction(
                    watches: watches, logger: logger, readOnly: readOnly, body)
            }
        } catch {
            throw RunStoreError(mappingPostgres: error, runID: runID, operation: operation)
        }
    }

    /// Inserts event rows with consecutive sequence numbers from `firstSequence`, in one statement.
    /// - Returns: their timestamp (the transaction's).
    /// - Throws: ``RunStoreError/Code/alreadyExists`` (field `step`) when a non-superseded gradient or checkpoint
    ///   report of the same step is stored.
    private func insert(
        _ rows: [(EncodedEvent, RunEvent)], run: RunKey, firstSequence: Int, _ session: PostgresSession
    ) async throws -> Date {
        let runID = run.runID
        let statement = PostgresStatements.InsertEvents(
            tenant: run.tenant, runID: runID, sequences: rows.indices.map { firstSequence + $0 },
            steps: rows.map(\.1.step), kinds: rows.map(\.1.kind.rawValue), payloads: rows.map(\.0.payload),
            decisions: rows.map(\.0.decision), digests: rows.map(\.0.digest))
        do {
            return try await session.rows(statement)[0]
        } catch  where RunStoreError.isUniqueViolation(error, of: "run_events_applied_step") {
            let event = rows.first { $0.1.kind.isUniquePerStep }?.1 ?? rows[0].1
            throw RunStoreError(
                code: .alreadyExists, field: "step", runID: runID,
                reason: "run \(quoted(runID)) has \(event.kind.rawValue) of step \(event.step) already",
                cause: error as? PSQLError)
        }
    }

    /// Announces the write on ``changeChannel`` (``RunChangeFeed``): `NOTIFY` is transactional, so the other
    /// processes hear of it when, and only if, the transaction commits.
    private static func announce(run: RunKey, version: Int, _ session: PostgresSession) async throws {
        try await session.execute(
            "SELECT pg_notify(\(Self.changeChannel), \(Self.changePayload(run: run, version: version)))")
    }

    /// The error of a version-checked write that matched no row: the run is unknown, or at another version.
    private func staleWrite(
        _ run: RunKey, expectedVersion: Int, _ session: PostgresSession
    ) async throws -> RunStoreError {
        let runID = run.runID
        let versions = try await session.rows(PostgresStatements.RunVersion(tenant: run.tenant, runID: runID))
        guard let version = versions.first else { return RunStoreError.runNotFound(runID) }
        return RunStoreError(
            code: .conflict, field: "version", runID: runID,
            reason: "run \(quoted(runID)) is at version \(version), not \(expectedVersion); another writer changed it")
    }

    private func fetchRun(_ run: RunKey, _ session: PostgresSession) async throws -> StoredRun {
        let rows = try await session.rows(PostgresStatements.SelectRun(tenant: run.tenant, runID: run.runID))
        guard let row = rows.first else { throw RunStoreError.runNotFound(run.runID) }
        let pending = try await self.pendingEvents(of: [run], session)
        return try row.storedRun(pendingEvents: pending[run] ?? [])
    }

    /// The events each run's stored state does not reflect yet (see ``StateSnapshotPolicy``), by run.
    private func pendingEvents(
        of runs: [RunKey], _ session: PostgresSession
    ) async throws -> [RunKey: [StoredEvent]] {
        guard !runs.isEmpty else { return [:] }
        let rows = try await session.rows(
            PostgresStatements.PendingEvents(tenants: runs.map(\.tenant), runIDs: runs.map(\.runID)))
        var pending: [RunKey: [StoredEvent]] = [:]
        for row in rows {
            pending[RunKey(tenant: row.tenant, runID: row.runID), default: []].append(try row.storedEvent())
        }
        return pending
    }

    private func runRows(_ query: PostgresQuery, _ session: PostgresSession) async throws -> [RunColumns] {
        try await session.rows(query).map(RunColumns.init)
    }
}

/// A `runs` row as selected by ``PostgresStatements/runColumns``.
struct RunColumns: Sendable {
    let runID: String
    let tenant: String
    let config: String
    let state: String
    let stateSequence: Int
    let version: Int
    let supersededCount: Int
    let status: String
    let creationRank: Int64
    let createdAt: Date
    let updatedAt: Date

    init(_ row: PostgresRow) throws {
        (
            self.runID, self.tenant, self.config, self.state, self.stateSequence, self.version, self.supersededCount,
            self.status, self.creationRank, self.createdAt, self.updatedAt
        ) = try row.decode((String, String, String, String, Int, Int, Int, String, Int64, Date, Date).self)
    }

    /// The run's key.
    var key: RunKey { RunKey(tenant: self.tenant, runID: self.runID) }

    /// In this store the version is the event count (every write appends as many events as it adds to it).
    func storedRun(pendingEvents: [StoredEvent]) throws(RunStoreError) -> StoredRun {
        try StoredRun(
            runID: self.runID, tenant: self.tenant, config: self.config, state: self.state,
            snapshotSequence: self.stateSequence, pendingEvents: pendingEvents, version: self.version,
            status: self.status, eventCount: self.version, supersededEventCount: self.supersededCount,
            createdAt: self.createdAt, updatedAt: self.updatedAt)
    }
}

/// A `run_events` row as selected by ``PostgresStatements/eventColumns``.
struct EventColumns: Sendable {
    let tenant: String
    let runID: String
    let sequence: Int
    let step: Int
    let kind: String
    let payload: String
    let decision: String
    let requestDigest: String
    let superseded: Bool
    let createdAt: Date

    init(_ row: PostgresRow) throws {
        (
            self.tenant, self.runID, self.sequence, self.step, self.kind, self.payload, self.decision,
            self.requestDigest,
            self.superseded, self.createdAt
        ) = try row.decode((String, String, Int, Int, String, String, String, String, Bool, Date).self)
    }

    func storedEvent() throws(RunStoreError) -> StoredEvent {
        try StoredEvent(
            runID: self.runID, sequence: self.sequence, step: self.step, kind: self.kind, payload: self.payload,
            decision: self.decision, requestDigest: self.requestDigest, isSuperseded: self.superseded,
            createdAt: self.createdAt)
    }
}
