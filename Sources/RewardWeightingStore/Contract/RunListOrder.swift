/// The order of ``RunStore/listRuns(pageSize:pageToken:order:)``.
public enum RunListOrder: String, CaseIterable, Hashable, Sendable {
    /// By run id, ascending (byte order of the UTF-8 id), then by tenant (runs of two tenants may share an id).
    case runID = "run_id"
    /// By creation, oldest first.
    case creation
}
