import Foundation
import GRDB

/// A row of `runs`: one run's config, as canonical JSON text, its version and status. Its state snapshot is
/// in `run_states` (written only when a snapshot is taken, so that a version bump rewrites a small row).
struct RunRow: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "runs"

    var runID: String
    /// The tenant that owns the run.
    var tenant: String
    /// `RunConfig` as canonical JSON.
    var config: String
    /// The sequence number of the last event the snapshot in `run_states` reflects (0: none); later ones are
    /// replayed on load.
    var stateSeq: Int
    var version: Int
    /// A ``RunStatus`` raw value.
    var status: String
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case runID = "run_id"
        case tenant
        case config
        case stateSeq = "state_seq"
        case version
        case status
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

extension RunRow {
    /// A `runs` row with its event counts and insertion rank, as ``SQLiteRunStore`` selects it.
    struct WithCounts: Sendable {
        var row: RunRow
        /// The run's `RunState` snapshot as canonical JSON (`run_states.state`).
        var state: String
        /// `MAX(seq)`: the number of events, superseded ones included (sequence numbers have no gaps).
        var eventCount: Int
        var supersededEventCount: Int
        /// The row's `rowid`: increases with every insert and never changes (runs are never deleted).
        var creationRank: Int64
        /// The not superseded events after `row.stateSeq`, in order: what the stored state does not reflect yet.
        var pendingEvents: [RunEventRow] = []

        /// The columns of `runs`, the state snapshot, the counts and the rank.
        static let selection = """
            SELECT runs.*, runs.rowid AS creation_rank, run_states.state AS state,
                (SELECT COALESCE(MAX(seq), 0) FROM run_events
                    WHERE run_events.tenant = runs.tenant AND run_events.run_id = runs.run_id) AS event_count,
                (SELECT COUNT(*) FROM run_events
                    WHERE run_events.tenant = runs.tenant AND run_events.run_id = runs.run_id
                        AND run_events.superseded = 1) AS superseded_count
            FROM runs JOIN run_states ON run_states.tenant = runs.tenant AND run_states.run_id = runs.run_id
            """

        init(row: Row) throws {
            self.row = try RunRow(row: row)
            self.state = row["state"]
            self.eventCount = row["event_count"]
            self.supersededEventCount = row["superseded_count"]
            self.creationRank = row["creation_rank"]
        }
    }
}
