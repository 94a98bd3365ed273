import Foundation
import GRDB
import RewardWeightingCore
import RewardWeightingPolicy

/// The embedded ``RunStore``: one SQLite file, opened as a GRDB `DatabasePool` in WAL mode (concurrent reads,
/// one writer), with the schema created and upgraded by named, append-only migrations.
///
/// Schema (migrations `v1: runs and run_events`, `v2: state snapshots every few events`, `v3: run tenants`,
/// `v4: life-cycle events`, `v5: run ids unique per tenant`):
///
///     runs(tenant TEXT, run_id TEXT, config TEXT JSON, state TEXT JSON, state_seq INTEGER, version INTEGER,
///          status TEXT, created_at, updated_at, PRIMARY KEY (tenant, run_id))
///     run_events(tenant, run_id, seq INTEGER (per run, 1-based), step, kind, payload TEXT JSON,
///                decision TEXT JSON, request_digest TEXT, superseded INTEGER 0/1, created_at,
///                PRIMARY KEY (tenant, run_id, seq))
///     UNIQUE (tenant, run_id, kind, step) WHERE superseded = 0 AND kind IN ('gradients', 'checkpoint')
///
/// JSON columns hold ``CanonicalJSON`` (sorted keys); timestamps are UTC text with milliseconds (GRDB's `Date`
/// format), so the file reads well in the `sqlite3` shell.
///
/// **Durability.** Every write is one transaction (`write { db in … }`), and the writer connection runs with
/// `PRAGMA synchronous = FULL`: a write that returned survives a crash of the process *and* of the machine
/// (WAL's usual `NORMAL` may lose the last transactions on power loss), so a reply is never acknowledged for a
/// report that could be lost.
///
/// Another process may open the same file (e.g. `rwctl` reading while the server writes): busy connections
/// wait up to 5 s, and the version check keeps writers from overwriting each other.
public final class SQLiteRunStore: RunStore {
    /// `./data/rewardweighting.sqlite`, relative to the working directory (design §5).
    public static let defaultPath = "./data/rewardweighting.sqlite"

    /// The database file.
    public let path: String
    /// How often the state snapshot in the `runs` row is rewritten.
    public let snapshotPolicy: StateSnapshotPolicy
    private let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and its directory, and runs pending migrations.
    /// - Throws: ``RunStoreError/Code/unavailable`` when the file cannot be created or opened, or a migration
    ///   fails.
    public init(
        path: String = SQLiteRunStore.defaultPath, snapshotPolicy: StateSnapshotPolicy = .default
    ) throws(RunStoreError) {
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.label = "RewardWeightingStore"
            configuration.busyMode = .timeout(5)
            let pool = try DatabasePool(path: path, configuration: configuration)
            // After GRDB's WAL set-up, which chooses NORMAL.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(pool)
            self.pool = pool
        } catch {
            throw RunStoreError(mapping: error, runID: nil, operation: "opening '\(path)'")
        }
        self.path = path
        self.snapshotPolicy = snapshotPolicy
    }

    /// Closes the database connections. Every later access fails; call it when no access is in flight.
    public func close() throws(RunStoreError) {
        do {
            try self.pool.close()
        } catch {
            throw RunStoreError(mapping: error, runID: nil, operation: "closing '\(self.path)'")
        }
    }

    /// The names of the migrations applied to the file, in order.
    public func appliedMigrations() async throws(RunStoreError) -> [String] {
        try await self.read(runID: nil, operation: "reading the migrations") { db in
            try Self.migrator.appliedMigrations(db)
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
        let fetched = try await self.write(runID: runID, operation: "creating run \(quoted(runID))") { db in
            let now = Date()
            let row = RunRow(
                runID: runID, tenant: tenant, config: configJSON, stateSeq: 1, version: 1,
                status: RunStatus.active.rawValue, createdAt: now, updatedAt: now)
            do {
                try row.insert(db)
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                throw RunStoreError(
                    code: .alreadyExists, field: "run_id", runID: runID,
                    reason: "a run \(quoted(runID)) exists already", cause: error)
            }
            try db.execute(
                sql: "INSERT INTO run_states (tenant, run_id, state) VALUES (?, ?, ?)",
                arguments: [tenant, runID, stateJSON])
            try Self.insert(encoded, of: creation, run: key, sequence: 1, db: db, at: now)
            return try Self.fetchRun(db, run: key)
        }
        return try Self.storedRun(fetched)
    }

    /// Reads the `runs` row, the event counts and the pending events (see ``RunStore/loadRun(_:)``).
    public func loadRun(_ run: RunKey) async throws(RunStoreError) -> StoredRun {
        let fetched = try await self.read(runID: run.runID, operation: "loading run \(quoted(run.description))") { db in
            try Self.fetchRun(db, run: run)
        }
        return try Self.storedRun(fetched)
    }

    /// The `version` column of the run's `runs` row (its primary key).
    public func version(of run: RunKey) async throws(RunStoreError) -> Int {
        try await self.read(runID: run.runID, operation: "reading the version of run \(quoted(run.description))") {
            db in
            guard
                let version = try Int.fetchOne(
                    db, sql: "SELECT version FROM runs WHERE tenant = ? AND run_id = ?",
                    arguments: [run.tenant, run.runID])
            else { throw RunStoreError.runNotFound(run.runID) }
            return version
        }
    }

    /// `COUNT(*)` over the tenant's rows of `runs` (its primary key's prefix).
    public func countRuns(tenant: String) async throws(RunStoreError) -> Int {
        try await self.read(runID: nil, operation: "counting the runs of tenant \(quoted(tenant))") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE tenant = ?", arguments: [tenant]) ?? 0
        }
    }

    /// Keyset pagination over `run_id` or `rowid`, filtered in the query (see
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
        var arguments: StatementArguments = []
        if let status = filter.status {
            conditions.append("runs.status = ?")
            arguments += [status.rawValue]
        }
        if let method = filter.method {
            conditions.append("json_extract(runs.config, '$.method') = ?")
            arguments += [method.rawValue]
        }
        if let tenant = filter.tenant {
            conditions.append("runs.tenant = ?")
            arguments += [tenant]
        }
        let orderBy: String
        switch order {
        case .runID:
            if let token {
                conditions.append("(runs.run_id, runs.tenant) > (?, ?)")
                arguments += [token.after, token.afterTenant ?? ""]
            }
            orderBy = " ORDER BY runs.run_id, runs.tenant"
        case .creation:
            if let token {
                guard let rank = Int64(token.after) else {
                    throw RunStoreError(
                        code: .invalidArgument, field: "page_token",
                        reason: "is not a token returned by ListRuns")
                }
                conditions.append("runs.rowid > ?")
                arguments += [rank]
            }
            orderBy = " ORDER BY runs.rowid"
        }
        var sql = RunRow.WithCounts.selection
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += orderBy
        sql += " LIMIT ?"
        // One more than asked: whether there is a next page.
        arguments += [pageSize + 1]
        let statement = sql
        let statementArguments = arguments
        let fetched = try await self.read(runID: nil, operation: "listing runs") { db in
            try Row.fetchAll(db, sql: statement, arguments: statementArguments).map { row in
                var run = try RunRow.WithCounts(row: row)
                run.pendingEvents = try Self.pendingEvents(db, of: run.row)
                return run
            }
        }
        let page = fetched.prefix(pageSize)
        var runs: [StoredRun] = []
        runs.reserveCapacity(page.count)
        for run in page { runs.append(try Self.storedRun(run)) }
        var nextPageToken: String?
        if fetched.count > pageSize, let last = page.last {
            nextPageToken =
                order == .runID
                ? RunPageToken(order: order, filter: filter, after: last.row.runID, afterTenant: last.row.tenant)
                    .encoded
                : RunPageToken(order: order, filter: filter, after: String(last.creationRank)).encoded
        }
        return RunPage(runs: runs, nextPageToken: nextPageToken)
    }

    /// Updates the `runs` row once and inserts the `run_events` rows, in one transaction
    /// (see ``RunStore/appendEvents(_:run:expectedVersion:)``).
    public func appendEvents(
        _ events: [(event: RunEvent, decision: Decision, state: RunState)], run: RunKey, expectedVersion: Int
    ) async throws(RunStoreError) -> [StoredEvent] {
        let runID = run.runID
        guard let last = events.last else { return [] }
        var rows: [EncodedEvent] = []
        rows.reserveCapacity(events.count)
        for item in events { rows.append(try EncodedEvent(item.event, decision: item.decision, runID: runID)) }
        let encodedRows = rows
        let operation =
            events.count == 1
            ? "appending \(last.event.kind.rawValue) of step \(last.event.step) to run \(quoted(run.description))"
            : "appending \(events.count) events to run \(quoted(run.description))"
        let policy = self.snapshotPolicy
        let stored = try await self.write(runID: runID, operation: operation) { db in
            let now = Date()
            let first = try Self.nextSequence(db, run: run)
            let lastSequence = first + events.count - 1
            let snapshotSequence =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT state_seq FROM runs WHERE tenant = ? AND run_id = ?"),
                    arguments: [run.tenant, runID]) ?? 0
            // The state is encoded only when it is written: that is what grows with the run.
            let snapshot =
                policy.writesSnapshot(atSequence: lastSequence, lastSnapshotSequence: snapshotSequence)
                ? (json: try encodeColumn(last.state, runID: runID, column: "state"), sequence: lastSequence) : nil
            try Self.updateRun(
                db, run: run, snapshot: snapshot, versionIncrement: events.count,
                expectedVersion: expectedVersion, at: now)
            for (offset, item) in events.enumerated() {
                try Self.insert(
                    encodedRows[offset], of: item.event, run: run, sequence: first + offset, db: db, at: now)
            }
            return (first: first, createdAt: try Self.storedTimestamp(db, run: run, sequence: first))
        }
        return events.enumerated().map { offset, item in
            StoredEvent(
                runID: runID, sequence: stored.first + offset, event: item.event, decision: item.decision,
                requestDigest: encodedRows[offset].digest, isSuperseded: false, createdAt: stored.createdAt)
        }
    }

    /// Reads the non-superseded rows of one kind at several steps (see
    /// ``RunStore/activeEvents(run:kind:steps:)``).
    public func activeEvents(
        run: RunKey, kind: RunEvent.Kind, steps: [Int]
    ) async throws(RunStoreError) -> [StoredEvent] {
        let runID = run.runID
        let distinct = Array(Set(steps)).sorted()
        guard !distinct.isEmpty else { return [] }
        let operation = "reading \(kind.rawValue) of \(distinct.count) steps of run \(quoted(run.description))"
        let rows = try await self.read(runID: runID, operation: operation) { db in
            // SQLite allows 32 766 parameters; steps are few per batch, but stay safely below the limit.
            var rows: [RunEventRow] = []
            for chunk in stride(from: 0, to: distinct.count, by: 500) {
                let part = Array(distinct[chunk..<min(chunk + 500, distinct.count)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
                rows += try RunEventRow.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM run_events
                        WHERE tenant = ? AND run_id = ? AND kind = ? AND superseded = 0 AND step IN (\(marks))
                        ORDER BY seq
                        """,
                    arguments: StatementArguments(
                        [run.tenant, runID, kind.rawValue] + part.map { $0 as any DatabaseValueConvertible }))
            }
            return rows.sorted { $0.seq < $1.seq }
        }
        return try rows.map { row throws(RunStoreError) in try Self.storedEvent(row) }
    }

    /// Reads the log from a sequence number (see ``RunStore/events(run:fromSequence:limit:)``).
    public func events(
        run: RunKey, fromSequence: Int, limit: Int?
    ) async throws(RunStoreError) -> [StoredEvent] {
        let operation = "reading the events of run \(quoted(run.description))"
        let rows = try await self.read(runID: run.runID, operation: operation) { db in
            let rows = try RunEventRow.fetchAll(
                db,
                sql: "SELECT * FROM run_events WHERE tenant = ? AND run_id = ? AND seq >= ? ORDER BY seq LIMIT ?",
                arguments: [run.tenant, run.runID, fromSequence, limit.map { max($0, 0) } ?? -1])
            if rows.isEmpty { try Self.checkRunExists(db, run: run) }
            return rows
        }
        var events: [StoredEvent] = []
        events.reserveCapacity(rows.count)
        for row in rows { events.append(try Self.storedEvent(row)) }
        return events
    }

    /// Flags the later events, appends the resume event and stores the rewound state, in one transaction
    /// (see ``RunStore/resume(run:resumption:state:expectedVersion:)``).
    public func resume(
        run: RunKey, resumption: RunResumption, state: RunState, expectedVersion: Int
    ) async throws(RunStoreError) -> StoredEvent {
        let runID = run.runID
        let stateJSON = try encodeColumn(state, runID: runID, column: "state")
        let event = RunEvent.resumed(resumption)
        let encoded = try EncodedEvent(event, decision: .resumed(resumption), runID: runID)
        let operation = "resuming run \(quoted(run.description)) from step \(resumption.fromStep)"
        let stored = try await self.write(runID: runID, operation: operation) { db in
            let now = Date()
            let sequence = try Self.nextSequence(db, run: run)
            // The rewound state reflects every event that stays active, and the resume event folds to no change.
            try Self.updateRun(
                db, run: run, snapshot: (stateJSON, sequence), expectedVersion: expectedVersion, at: now)
            try db.execute(
                sql: """
                    UPDATE run_events SET superseded = 1
                    WHERE tenant = ? AND run_id = ? AND step > ? AND superseded = 0
                    """,
                arguments: [run.tenant, runID, resumption.fromStep])
            guard db.changesCount == resumption.supersededEvents else {
                throw RunStoreError(
                    code: .conflict, field: "version", runID: runID,
                    reason: "run \(quoted(runID)) has \(db.changesCount) events after step \(resumption.fromStep), "
                        + "not \(resumption.supersededEvents); its log changed")
            }
            try Self.insert(encoded, of: event, run: run, sequence: sequence, db: db, at: now)
            return (sequence, try Self.storedTimestamp(db, run: run, sequence: sequence))
        }
        return StoredEvent(
            runID: runID, sequence: stored.0, event: event, decision: .resumed(resumption),
            requestDigest: encoded.digest, isSuperseded: false, createdAt: stored.1)
    }

    /// Sets `status = 'archived'` and appends the archive event, unless the run is archived already (see
    /// ``RunStore/archiveRun(_:archival:)``).
    public func archiveRun(
        _ run: RunKey, archival: RunArchival
    ) async throws(RunStoreError) -> (run: StoredRun, event: StoredEvent?) {
        let runID = run.runID
        let event = RunEvent.archived(archival)
        let encoded = try EncodedEvent(event, decision: .archived(archival), runID: runID)
        let written = try await self.write(runID: runID, operation: "archiving run \(quoted(run.description))") { db in
            let now = Date()
            try db.execute(
                sql: """
                    UPDATE runs SET status = ?, version = version + 1, updated_at = ?
                    WHERE tenant = ? AND run_id = ? AND status != ?
                    """,
                arguments: [RunStatus.archived.rawValue, now, run.tenant, runID, RunStatus.archived.rawValue])
            var archivedAt: (sequence: Int, createdAt: Date)?
            if db.changesCount == 1 {
                let sequence = try Self.nextSequence(db, run: run)
                try Self.insert(encoded, of: event, run: run, sequence: sequence, db: db, at: now)
                archivedAt = (sequence, try Self.storedTimestamp(db, run: run, sequence: sequence))
            }
            return (run: try Self.fetchRun(db, run: run), archivedAt: archivedAt)
        }
        let stored = written.archivedAt.map { archivedAt in
            StoredEvent(
                runID: runID, sequence: archivedAt.sequence, event: event, decision: .archived(archival),
                requestDigest: encoded.digest, isSuperseded: false, createdAt: archivedAt.createdAt)
        }
        return (try Self.storedRun(written.run), stored)
    }

    // MARK: - Accesses

    private func read<T: Sendable>(
        runID: String?, operation: String, _ body: @Sendable (Database) throws -> T
    ) async throws(RunStoreError) -> T {
        do {
            return try await self.pool.read(body)
        } catch {
            throw RunStoreError(mapping: error, runID: runID, operation: operation)
        }
    }

    /// One transaction: everything `body` wrote is committed together, or nothing if it throws.
    private func write<T: Sendable>(
        runID: String?, operation: String, _ body: @Sendable (Database) throws -> T
    ) async throws(RunStoreError) -> T {
        do {
            return try await self.pool.write(body)
        } catch {
            throw RunStoreError(mapping: error, runID: runID, operation: operation)
        }
    }

    /// Stores a new state snapshot if the run's version is `expectedVersion`, and increments the version.
    /// Bumps the run's version if it is `expectedVersion`, writing the state snapshot too when one is given.
    private static func updateRun(
        _ db: Database, run: RunKey, snapshot: (json: String, sequence: Int)?, versionIncrement: Int = 1,
        expectedVersion: Int, at date: Date
    ) throws {
        let runID = run.runID
        // Whether the `runs` row was at `expectedVersion` (and was bumped): read right after its UPDATE, before
        // the snapshot's own statement.
        let matched: Bool
        if let snapshot {
            try db.cachedStatement(
                sql: """
                    UPDATE runs SET state_seq = ?, version = version + ?, updated_at = ?
                    WHERE tenant = ? AND run_id = ? AND version = ?
                    """
            ).execute(arguments: [snapshot.sequence, versionIncrement, date, run.tenant, runID, expectedVersion])
            matched = db.changesCount == 1
            if matched {
                try db.cachedStatement(sql: "UPDATE run_states SET state = ? WHERE tenant = ? AND run_id = ?")
                    .execute(arguments: [snapshot.json, run.tenant, runID])
            }
        } else {
            try db.cachedStatement(
                sql: """
                    UPDATE runs SET version = version + ?, updated_at = ?
                    WHERE tenant = ? AND run_id = ? AND version = ?
                    """
            ).execute(arguments: [versionIncrement, date, run.tenant, runID, expectedVersion])
            matched = db.changesCount == 1
        }
        guard matched else {
            guard
                let version = try Int.fetchOne(
                    db, sql: "SELECT version FROM runs WHERE tenant = ? AND run_id = ?", arguments: [run.tenant, runID])
            else {
                throw RunStoreError.runNotFound(runID)
            }
            throw RunStoreError(
                code: .conflict, field: "version", runID: runID,
                reason: "run \(quoted(runID)) is at version \(version), not \(expectedVersion); another writer "
                    + "changed it")
        }
    }

    /// Inserts one `run_events` row; a second non-superseded gradient or checkpoint report of a step is
    /// ``RunStoreError/Code/alreadyExists``.
    private static func insert(
        _ encoded: EncodedEvent, of event: RunEvent, run: RunKey, sequence: Int, db: Database, at date: Date
    ) throws {
        let runID = run.runID
        let row = RunEventRow(
            tenant: run.tenant, runID: runID, seq: sequence, step: event.step, kind: event.kind.rawValue,
            payload: encoded.payload,
            decision: encoded.decision, requestDigest: encoded.digest, superseded: false, createdAt: date)
        do {
            try row.insert(db)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw RunStoreError(
                code: .alreadyExists, field: "step", runID: runID,
                reason: "run \(quoted(runID)) has \(event.kind.rawValue) of step \(event.step) already", cause: error)
        }
    }

    /// The sequence number the run's next event gets.
    private static func nextSequence(_ db: Database, run: RunKey) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM run_events WHERE tenant = ? AND run_id = ?"),
            arguments: [run.tenant, run.runID])!
    }

    /// An event's timestamp as stored (milliseconds), so that the events a write returns equal the ones read
    /// back later.
    private static func storedTimestamp(_ db: Database, run: RunKey, sequence: Int) throws -> Date {
        try Date.fetchOne(
            db.cachedStatement(sql: "SELECT created_at FROM run_events WHERE tenant = ? AND run_id = ? AND seq = ?"),
            arguments: [run.tenant, run.runID, sequence])!
    }

    private static func fetchRun(_ db: Database, run: RunKey) throws -> RunRow.WithCounts {
        guard
            let row = try Row.fetchOne(
                db, sql: RunRow.WithCounts.selection + " WHERE runs.tenant = ? AND runs.run_id = ?",
                arguments: [run.tenant, run.runID])
        else {
            throw RunStoreError.runNotFound(run.runID)
        }
        var run = try RunRow.WithCounts(row: row)
        run.pendingEvents = try Self.pendingEvents(db, of: run.row)
        return run
    }

    /// The events a run's stored state does not reflect yet (see ``StateSnapshotPolicy``).
    private static func pendingEvents(_ db: Database, of run: RunRow) throws -> [RunEventRow] {
        try RunEventRow.fetchAll(
            db,
            sql: """
                SELECT * FROM run_events WHERE tenant = ? AND run_id = ? AND seq > ? AND superseded = 0 ORDER BY seq
                """,
            arguments: [run.tenant, run.runID, run.stateSeq])
    }

    private static func checkRunExists(_ db: Database, run: RunKey) throws {
        guard
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM runs WHERE tenant = ? AND run_id = ?)",
                arguments: [run.tenant, run.runID])!
        else {
            throw RunStoreError.runNotFound(run.runID)
        }
    }

    // MARK: - Rows ⇄ values

    private static func storedRun(_ fetched: RunRow.WithCounts) throws(RunStoreError) -> StoredRun {
        let row = fetched.row
        var pending: [StoredEvent] = []
        pending.reserveCapacity(fetched.pendingEvents.count)
        for event in fetched.pendingEvents { pending.append(try Self.storedEvent(event)) }
        return try StoredRun(
            runID: row.runID, tenant: row.tenant, config: row.config, state: fetched.state,
            snapshotSequence: row.stateSeq,
            pendingEvents: pending, version: row.version, status: row.status, eventCount: fetched.eventCount,
            supersededEventCount: fetched.supersededEventCount, createdAt: row.createdAt, updatedAt: row.updatedAt)
    }

    private static func storedEvent(_ row: RunEventRow) throws(RunStoreError) -> StoredEvent {
        try StoredEvent(
            runID: row.runID, sequence: row.seq, step: row.step, kind: row.kind, payload: row.payload,
            decision: row.decision, requestDigest: row.requestDigest, isSuperseded: row.superseded,
            createdAt: row.createdAt)
    }
}
