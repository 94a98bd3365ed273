/// A committed write to a run: its key and the version it reached.
public struct RunChange: Hashable, Sendable {
    /// The run written.
    public let run: RunKey
    /// The run's version after the write.
    public let version: Int

    /// A change.
    public init(run: RunKey, version: Int) {
        self.run = run
        self.version = version
    }
}

/// A store that several processes share announces every committed write, so that each process can bring what it
/// caches up to date: the runs it serves and the `WatchRun` streams it feeds see writes made by the others.
///
/// ``PostgresRunStore`` (module RewardWeightingPostgres) announces through PostgreSQL's `LISTEN`/`NOTIFY`; stores
/// that one process owns (SQLite, in memory) have no feed, as that process makes every write itself.
public protocol RunChangeFeed: Sendable {
    /// Until the calling task is cancelled: calls `onChange` for every committed write of any process (this
    /// one's included; in commit order per run), and `onGap` whenever changes may have been missed (at the
    /// start, and after the feed lost its connection and re-established it), so the caller re-checks everything
    /// it caches. Reconnects by itself.
    func followChanges(
        onChange: @escaping @Sendable (RunChange) async -> Void, onGap: @escaping @Sendable () async -> Void
    ) async
}
