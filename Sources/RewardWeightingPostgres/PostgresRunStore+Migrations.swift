import Logging
import PostgresNIO
import RewardWeightingStore

extension PostgresRunStore {
    /// One schema change: its name (recorded in `rw_schema_migrations`) and its SQL.
    struct Migration: Sendable {
        let name: String
        let sql: [String]
    }

    /// The schema's migrations, in order. **Append-only**: a released migration is never edited or removed; a
    /// schema change is a new migration at the end. Plain SQL, so what they create does not depend on a library.
    ///
    /// The same logical schema as ``SQLiteRunStore`` (one `runs` row per run, an append-only `run_events` log,
    /// one applied report per (run, kind, step)), with what PostgreSQL does better: run ids compare byte-wise
    /// (`COLLATE "C"`, the order ``RunListOrder/runID`` promises), the creation order is an identity column, the
    /// method is a column of its own for the list filter, and the superseded-event count is kept in the row. In
    /// this store a run's `version` is also its event count and highest sequence number: every write appends
    /// exactly as many events as it adds to the version.
    static let migrations: [Migration] = [
        Migration(
            name: "v1: runs and run_events",
            sql: [
                """
                CREATE TABLE runs (
                    run_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
                    creation_rank BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
                    tenant TEXT NOT NULL,
                    method TEXT NOT NULL,
                    config TEXT NOT NULL CHECK (config::jsonb IS NOT NULL),
                    state TEXT NOT NULL CHECK (state::jsonb IS NOT NULL),
                    state_seq BIGINT NOT NULL CHECK (state_seq >= 0),
                    version BIGINT NOT NULL CHECK (version >= 1),
                    superseded_count BIGINT NOT NULL DEFAULT 0 CHECK (superseded_count >= 0),
                    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
                    created_at TIMESTAMPTZ NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE INDEX runs_by_tenant ON runs (tenant, run_id)",
                """
                CREATE TABLE run_events (
                    run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (run_id),
                    seq BIGINT NOT NULL CHECK (seq >= 1),
                    step BIGINT NOT NULL,
                    kind TEXT NOT NULL,
                    payload TEXT NOT NULL CHECK (payload::jsonb IS NOT NULL),
                    decision TEXT NOT NULL CHECK (decision::jsonb IS NOT NULL),
                    request_digest TEXT NOT NULL,
                    superseded BOOLEAN NOT NULL DEFAULT FALSE,
                    created_at TIMESTAMPTZ NOT NULL,
                    PRIMARY KEY (run_id, seq)
                )
                """,
                // Idempotency: one applied report per (run, kind, step); superseded events (a resume), Scalarize
                // summaries and life-cycle events are exempt. Two replicas storing the same step: one wins.
                """
                CREATE UNIQUE INDEX run_events_applied_step ON run_events (run_id, kind, step)
                    WHERE NOT superseded AND kind IN ('gradients', 'checkpoint')
                """,
                // Retry look-ups by (run, kind, step), Scalarize summaries included.
                "CREATE INDEX run_events_by_step ON run_events (run_id, kind, step)",
            ]),
        Migration(
            name: "v2: no JSON parsing on writes",
            sql: [
                // v1's CHECK (column::jsonb IS NOT NULL) parsed a run's whole state (15 KB after 70 gradient steps,
                // growing with the run) on every version bump: half a millisecond of the database's CPU per call,
                // measured with pg_stat_statements. The store writes only canonical JSON it encoded itself, and
                // decodes (so checks) every value it reads back.
                "ALTER TABLE runs DROP CONSTRAINT IF EXISTS runs_config_check",
                "ALTER TABLE runs DROP CONSTRAINT IF EXISTS runs_state_check",
                "ALTER TABLE run_events DROP CONSTRAINT IF EXISTS run_events_payload_check",
                "ALTER TABLE run_events DROP CONSTRAINT IF EXISTS run_events_decision_check",
                // Room on each page for the row's next version, so that a version bump stays a heap-only update.
                "ALTER TABLE runs SET (fillfactor = 70)",
            ]),
        Migration(
            name: "v3: run ids unique per tenant",
            sql: [
                // A run is keyed by (tenant, run_id): two tenants may each have a run of the same id, and one tenant
                // cannot learn that another's run exists by creating its id. The event log carries the tenant.
                "ALTER TABLE run_events ADD COLUMN tenant TEXT COLLATE \"C\"",
                "UPDATE run_events e SET tenant = r.tenant FROM runs r WHERE r.run_id = e.run_id",
                "ALTER TABLE run_events ALTER COLUMN tenant SET NOT NULL",
                "ALTER TABLE run_events DROP CONSTRAINT run_events_run_id_fkey",
                "ALTER TABLE run_events DROP CONSTRAINT run_events_pkey",
                "ALTER TABLE runs DROP CONSTRAINT runs_pkey",
                "ALTER TABLE runs ALTER COLUMN tenant TYPE TEXT COLLATE \"C\"",
                "DROP INDEX runs_by_tenant",
                "ALTER TABLE runs ADD PRIMARY KEY (tenant, run_id)",
                "CREATE INDEX runs_by_run_id ON runs (run_id, tenant)",
                "ALTER TABLE run_events ADD PRIMARY KEY (tenant, run_id, seq)",
                """
                ALTER TABLE run_events ADD CONSTRAINT run_events_run_fkey
                    FOREIGN KEY (tenant, run_id) REFERENCES runs (tenant, run_id)
                """,
                "DROP INDEX run_events_applied_step",
                """
                CREATE UNIQUE INDEX run_events_applied_step ON run_events (tenant, run_id, kind, step)
                    WHERE NOT superseded AND kind IN ('gradients', 'checkpoint')
                """,
                "DROP INDEX run_events_by_step",
                "CREATE INDEX run_events_by_step ON run_events (tenant, run_id, kind, step)",
            ]),
    ]

    /// The names of the schema's migrations, in order.
    public static var migrationNames: [String] { Self.migrations.map(\.name) }

    /// The advisory lock that serialises migrations of one schema: replicas starting together migrate one at a
    /// time, and databases that hold several deployments in their own schemas (`search_path`) do not wait for
    /// each other.
    static let migrationLock =
        "SELECT pg_advisory_xact_lock(hashtext('rewardweighting migrations of ' || current_schema()))"

    /// Applies the pending migrations in one transaction under an advisory lock, recording each in
    /// `rw_schema_migrations`.
    func applyMigrations(_ session: PostgresSession, through last: String? = nil) async throws {
        try await session.execute(PostgresQuery(unsafeSQL: Self.migrationLock))
        try await session.execute(
            """
            CREATE TABLE IF NOT EXISTS rw_schema_migrations (
                name TEXT NOT NULL PRIMARY KEY,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """)
        let applied = Set(
            try await session.rows("SELECT name FROM rw_schema_migrations").map { try $0.decode(String.self) })
        for migration in Self.migrations where !applied.contains(migration.name) {
            for statement in migration.sql {
                try await session.execute(PostgresQuery(unsafeSQL: statement))
            }
            try await session.execute("INSERT INTO rw_schema_migrations (name) VALUES (\(migration.name))")
            self.logger.info("applied a schema migration", metadata: ["migration": "\(migration.name)"])
            if migration.name == last { break }
        }
    }
}
