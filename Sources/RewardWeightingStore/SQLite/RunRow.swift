import Foundation
import GRDB

/// A row of `runs`: one run's config and current state snapshot, as canonical JSON text.
struct RunRow: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "runs"

    var runID: String
    /// The tenant that owns the run.
    var tenant: String
    /// `RunConfig` as canonical JSON.
    var config: String
    /// `RunState` as canonical JSON.
    var state: String
    /// The sequence number of the last event `state` reflects (0: none); later ones are replayed on load.
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
        case state
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
        /// `MAX(seq)`: the number of events, superseded ones included (sequence numbers have no gaps).
        var eventCount: Int
        var supersededEventCount: Int
        /// The row's `rowid`: increases with every insert and never changes (runs are never deleted).
        var creationRank: Int64
        /// The not superseded events after `row.stateSeq`, in order: what the stored state does not reflect yet.
        var pendingEvents: [RunEventRow] = []

        /// The columns of `runs`, the counts and the rank.
        static let selection = """
            SELECT runs.*, runs.rowid AS creation_rank,
                (SELECT COALESCE(MAX(seq), 0) FROM run_events
                    WHERE run_events.tenant = runs.tenant AND run_events.run_id = runs.run_id) AS event_count,
                (SELECT COUNT(*) FROM run_events
                    WHERE run_events.tenant = runs.tenant AND run_events.run_id = runs.run_id
                        AND run_events.superseded = 1) AS superseded_count
            FROM runs
            """

        init(row: Row) throws {
            self.row = try RunRow(row: row)
            self.eventCount = row["event_count"]
            self.supersededEventCount = row["superseded_count"]
            self.creationRank = row["creation_rank"]
        }
    }
}
