import Foundation
import GRDB

/// A row of `run_events`: one applied event, its decision, and whether a resume superseded it.
struct RunEventRow: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "run_events"

    /// The tenant that owns the run.
    var tenant: String
    var runID: String
    /// 1-based, gap-free within the run.
    var seq: Int
    var step: Int
    /// A `RunEvent.Kind` raw value.
    var kind: String
    /// `RunEvent` as canonical JSON (`{"kind": …, "payload": …}`).
    var payload: String
    /// `Decision` as canonical JSON.
    var decision: String
    /// SHA-256 hex of `payload`.
    var requestDigest: String
    /// Stored as 0 or 1.
    var superseded: Bool
    var createdAt: Date

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case tenant
        case runID = "run_id"
        case seq
        case step
        case kind
        case payload
        case decision
        case requestDigest = "request_digest"
        case superseded
        case createdAt = "created_at"
    }
}
