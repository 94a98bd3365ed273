import Foundation
import PostgresNIO

/// The store's hot-path statements as named prepared statements: each pooled connection sends a statement's text
/// once (postgres-nio prepares it by ``PostgresPreparedStatement/name`` on its first use there and keeps it for the
/// connection's life), and PostgreSQL parses and plans it once; every later call sends only the bindings.
///
/// Statements whose text varies (the filters of `listRuns`) or that run rarely (creation, resume, archive,
/// migrations) stay `PostgresQuery`s. A name is tied to its text: change a statement's SQL and its name together.
enum PostgresStatements {
    /// The `runs` columns ``RunColumns`` decodes, in its order.
    static let runColumns =
        "run_id, tenant, config, state, state_seq, version, superseded_count, status, creation_rank, created_at, updated_at"

    /// The `run_events` columns ``EventColumns`` decodes, in its order.
    static let eventColumns =
        "tenant, run_id, seq, step, kind, payload, decision, request_digest, superseded, created_at"

    /// The version check of a write and its announcement, in one statement: bumps the version by `count` when it is
    /// `expectedVersion`, and `NOTIFY`s `payload` on `channel` (transactional: heard when, and only if, the
    /// transaction commits). No row when the run is missing or at another version (and then nothing is announced).
    struct BumpVersion: PostgresPreparedStatement {
        static let name = "rw_bump_version_v1"
        static let sql = """
            WITH bumped AS (
                UPDATE runs SET version = version + $3, updated_at = now()
                WHERE tenant = $1 AND run_id = $2 AND version = $4
                RETURNING version, state_seq)
            SELECT version, state_seq, pg_notify($5, $6) FROM bumped
            """
        typealias Row = (version: Int, snapshotSequence: Int)

        var tenant: String
        var runID: String
        var count: Int
        var expectedVersion: Int
        var channel: String
        var payload: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 6)
            bindings.append(self.tenant)
            bindings.append(self.runID)
            bindings.append(self.count)
            bindings.append(self.expectedVersion)
            bindings.append(self.channel)
            bindings.append(self.payload)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            // The third column is pg_notify's void.
            try row.decode((Int, Int).self)
        }
    }

    /// Rewrites the state snapshot of a run.
    struct WriteSnapshot: PostgresPreparedStatement {
        static let name = "rw_write_snapshot_v1"
        static let sql = "UPDATE runs SET state = $1, state_seq = $2 WHERE tenant = $3 AND run_id = $4"
        typealias Row = ()

        var state: String
        var snapshotSequence: Int
        var tenant: String
        var runID: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(self.state)
            bindings.append(self.snapshotSequence)
            bindings.append(self.tenant)
            bindings.append(self.runID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    /// Inserts event rows (parallel arrays, one element per event) in one statement; one row per event, each
    /// with the transaction's timestamp.
    struct InsertEvents: PostgresPreparedStatement {
        static let name = "rw_insert_events_v1"
        static let sql = """
            INSERT INTO run_events (tenant, run_id, seq, step, kind, payload, decision, request_digest, created_at)
            SELECT $1, $2, e.seq, e.step, e.kind, e.payload, e.decision, e.digest, now()
            FROM unnest($3::BIGINT[], $4::BIGINT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[])
                AS e(seq, step, kind, payload, decision, digest)
            RETURNING created_at
            """
        typealias Row = Date

        var tenant: String
        var runID: String
        var sequences: [Int]
        var steps: [Int]
        var kinds: [String]
        var payloads: [String]
        var decisions: [String]
        var digests: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 8)
            bindings.append(self.tenant)
            bindings.append(self.runID)
            bindings.append(self.sequences)
            bindings.append(self.steps)
            bindings.append(self.kinds)
            bindings.append(self.payloads)
            bindings.append(self.decisions)
            bindings.append(self.digests)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Date.self)
        }
    }

    /// One run's row.
    struct SelectRun: PostgresPreparedStatement {
        static let name = "rw_select_run_v1"
        static let sql = "SELECT \(PostgresStatements.runColumns) FROM runs WHERE tenant = $1 AND run_id = $2"
        typealias Row = RunColumns

        var tenant: String
        var runID: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(self.tenant)
            bindings.append(self.runID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try RunColumns(row)
        }
    }

    /// A run's version, when it exists.
    struct RunVersion: PostgresPreparedStatement {
        static let name = "rw_run_version_v1"
        static let sql = "SELECT version FROM runs WHERE tenant = $1 AND run_id = $2"
        typealias Row = Int

        var tenant: String
        var runID: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(self.tenant)
            bindings.append(self.runID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Int.self)
        }
    }

    /// The events after each run's snapshot that are not superseded, ordered by run and sequence.
    struct PendingEvents: PostgresPreparedStatement {
        static let name = "rw_pending_events_v1"
        static let sql = """
            SELECT e.tenant, e.run_id, e.seq, e.step, e.kind, e.payload, e.decision, e.request_digest, e.superseded,
                e.created_at
            FROM unnest($1::TEXT[], $2::TEXT[]) AS k(tenant, run_id)
            JOIN runs r ON r.tenant = k.tenant AND r.run_id = k.run_id
            JOIN run_events e ON e.tenant = r.tenant AND e.run_id = r.run_id
            WHERE e.seq > r.state_seq AND NOT e.superseded
            ORDER BY e.tenant, e.run_id, e.seq
            """
        typealias Row = EventColumns

        var tenants: [String]
        var runIDs: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(self.tenants)
            bindings.append(self.runIDs)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try EventColumns(row)
        }
    }

    /// A run's log from a sequence number, at most `limit` events (`nil`: all).
    struct EventsFrom: PostgresPreparedStatement {
        static let name = "rw_events_from_v1"
        static let sql = """
            SELECT \(PostgresStatements.eventColumns) FROM run_events
            WHERE tenant = $1 AND run_id = $2 AND seq >= $3 ORDER BY seq LIMIT $4
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .int8, .int8]
        typealias Row = EventColumns

        var tenant: String
        var runID: String
        var fromSequence: Int
        var limit: Int?

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(self.tenant)
            bindings.append(self.runID)
            bindings.append(self.fromSequence)
            bindings.append(self.limit)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try EventColumns(row)
        }
    }

    /// The events of one kind at the given steps that are not superseded, in log order.
    struct ActiveEvents: PostgresPreparedStatement {
        static let name = "rw_active_events_v1"
        static let sql = """
            SELECT \(PostgresStatements.eventColumns) FROM run_events
            WHERE tenant = $1 AND run_id = $2 AND kind = $3 AND NOT superseded AND step = ANY($4::BIGINT[])
            ORDER BY seq
            """
        typealias Row = EventColumns

        var tenant: String
        var runID: String
        var kind: String
        var steps: [Int]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(self.tenant)
            bindings.append(self.runID)
            bindings.append(self.kind)
            bindings.append(self.steps)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try EventColumns(row)
        }
    }
}
