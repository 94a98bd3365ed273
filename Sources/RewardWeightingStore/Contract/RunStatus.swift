/// Whether a run still takes reports.
public enum RunStatus: String, Codable, CaseIterable, Hashable, Sendable {
    /// The run takes reports.
    case active
    /// The run was archived (`ArchiveRun`): it is kept and readable, and refuses every mutation.
    case archived
}
