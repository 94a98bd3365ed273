import GRDB

extension SQLiteRunStore {
    /// The schema's migrations, in order. **Append-only**: a released migration is never edited or removed;
    /// a schema change is a new migration at the end. Written in plain SQL so that what they create does not
    /// change with the GRDB version.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: runs and run_events") { db in
            try db.execute(
                sql: """
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
                    -- Idempotency: one applied report per (run, kind, step). Superseded events (a resume) and
                    -- Scalarize summaries (several per step are allowed) are exempt.
                    CREATE UNIQUE INDEX run_events_applied_step ON run_events (run_id, kind, step)
                        WHERE superseded = 0 AND kind != 'scalarize_summary';
                    -- Retry look-ups by (run, kind, step), Scalarize summaries included.
                    CREATE INDEX run_events_by_step ON run_events (run_id, kind, step);
                    -- Counting superseded events without scanning the log.
                    CREATE INDEX run_events_superseded ON run_events (run_id) WHERE superseded = 1;
                    """)
        }
        migrator.registerMigration("v2: state snapshots every few events") { db in
            // The sequence number of the last event the stored state reflects; the events after it are replayed
            // on load (StateSnapshotPolicy). Every existing state reflects its whole log.
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN state_seq INTEGER NOT NULL DEFAULT 0 CHECK (state_seq >= 0);
                    UPDATE runs SET state_seq =
                        (SELECT COALESCE(MAX(seq), 0) FROM run_events WHERE run_events.run_id = runs.run_id);
                    """)
        }
        migrator.registerMigration("v3: run tenants") { db in
            // The tenant that owns each run (caller identity). Runs created before tenants belong to the default
            // tenant, the single open principal's (RunStoreDefaults.tenant).
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN tenant TEXT NOT NULL DEFAULT 'default';
                    CREATE INDEX runs_by_tenant ON runs (tenant, run_id);
                    """)
        }
        migrator.registerMigration("v4: life-cycle events") { db in
            // CreateRun, ResumeRun and ArchiveRun now log an event ('created', 'resumed', 'archived'). A run may
            // be resumed to the same step more than once, so the one-per-step rule covers only the reports that
            // have it. Runs created before keep their logs as they are: without a 'created' event.
            try db.execute(
                sql: """
                    DROP INDEX run_events_applied_step;
                    CREATE UNIQUE INDEX run_events_applied_step ON run_events (run_id, kind, step)
                        WHERE superseded = 0 AND kind IN ('gradients', 'checkpoint');
                    """)
        }
        migrator.registerMigration("v5: run ids unique per tenant") { db in
            // A run is keyed by (tenant, run_id): two tenants may each have a run of the same id, and one tenant
            // cannot learn that another's run exists by creating its id. The event log carries the tenant too.
            // SQLite cannot change a primary key, so both tables are rebuilt (foreign keys are checked at the
            // end of the migration, GRDB's default).
            try db.execute(
                sql: """
                    CREATE TABLE runs_v5 (
                        tenant TEXT NOT NULL,
                        run_id TEXT NOT NULL,
                        config TEXT NOT NULL CHECK (json_valid(config)),
                        state TEXT NOT NULL CHECK (json_valid(state)),
                        state_seq INTEGER NOT NULL DEFAULT 0 CHECK (state_seq >= 0),
                        version INTEGER NOT NULL CHECK (version >= 1),
                        status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        PRIMARY KEY (tenant, run_id)
                    );
                    INSERT INTO runs_v5 (rowid, tenant, run_id, config, state, state_seq, version, status,
                            created_at, updated_at)
                        SELECT rowid, tenant, run_id, config, state, state_seq, version, status, created_at,
                            updated_at
                        FROM runs;
                    CREATE TABLE run_events_v5 (
                        tenant TEXT NOT NULL,
                        run_id TEXT NOT NULL,
                        seq INTEGER NOT NULL CHECK (seq >= 1),
                        step INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        payload TEXT NOT NULL CHECK (json_valid(payload)),
                        decision TEXT NOT NULL CHECK (json_valid(decision)),
                        request_digest TEXT NOT NULL,
                        superseded INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1)),
                        created_at TEXT NOT NULL,
                        PRIMARY KEY (tenant, run_id, seq),
                        FOREIGN KEY (tenant, run_id) REFERENCES runs_v5 (tenant, run_id)
                    );
                    INSERT INTO run_events_v5 (tenant, run_id, seq, step, kind, payload, decision, request_digest,
                            superseded, created_at)
                        SELECT runs.tenant, e.run_id, e.seq, e.step, e.kind, e.payload, e.decision,
                            e.request_digest, e.superseded, e.created_at
                        FROM run_events AS e JOIN runs USING (run_id);
                    DROP TABLE run_events;
                    DROP TABLE runs;
                    ALTER TABLE runs_v5 RENAME TO runs;
                    ALTER TABLE run_events_v5 RENAME TO run_events;
                    CREATE UNIQUE INDEX run_events_applied_step ON run_events (tenant, run_id, kind, step)
                        WHERE superseded = 0 AND kind IN ('gradients', 'checkpoint');
                    CREATE INDEX run_events_by_step ON run_events (tenant, run_id, kind, step);
                    CREATE INDEX run_events_superseded ON run_events (tenant, run_id) WHERE superseded = 1;
                    CREATE INDEX runs_by_run_id ON runs (run_id, tenant);
                    """)
        }
        migrator.registerMigration("v6: state snapshots in their own table") { db in
            // SQLite rewrites a whole row on any UPDATE, so the version bump of every append rewrote the run's
            // state snapshot too (its histories: megabytes in a long run). The snapshot moves to a table of its
            // own, written only when a snapshot is taken; `runs` keeps the small columns.
            try db.execute(
                sql: """
                    CREATE TABLE run_states (
                        tenant TEXT NOT NULL,
                        run_id TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (json_valid(state)),
                        PRIMARY KEY (tenant, run_id),
                        FOREIGN KEY (tenant, run_id) REFERENCES runs (tenant, run_id)
                    );
                    INSERT INTO run_states (tenant, run_id, state) SELECT tenant, run_id, state FROM runs;
                    ALTER TABLE runs DROP COLUMN state;
                    """)
        }
        return migrator
    }

    /// The names of the schema's migrations, in order.
    public static var migrationNames: [String] { Self.migrator.migrations }
}
