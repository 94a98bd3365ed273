/// How often ``SQLiteRunStore`` rewrites a run's state snapshot in the `runs` row.
///
/// The event log is the truth; the snapshot only spares replaying the whole log when a run is loaded. A run's
/// state keeps its weight and checkpoint histories, so it grows with the run and rewriting it on every event
/// made a run of n events cost O(n²) (a 1 200-step gradient run with a checkpoint per step spent 138 ms a step
/// at the end, most of it encoding JSON). Between snapshots the store only appends the event and bumps the
/// row's version; a load returns the events after the snapshot as pending and the service folds them (the same
/// fold that produced them).
///
/// The interval grows with the run, `clamp(sequence / divisor, minimumInterval, maximumInterval)` events, so
/// the snapshot bytes written over a run stay proportional to its size until the cap, and a load replays at
/// most `maximumInterval` events.
public struct StateSnapshotPolicy: Hashable, Sendable {
    /// The fewest events between two snapshots (early in a run).
    public var minimumInterval: Int
    /// The most events between two snapshots, the longest replay on load.
    public var maximumInterval: Int
    /// The interval is this fraction of the run's event count, between the two bounds.
    public var divisor: Int

    /// - Precondition: `1 ≤ minimumInterval ≤ maximumInterval`, `divisor ≥ 1`.
    public init(minimumInterval: Int, maximumInterval: Int, divisor: Int) {
        precondition(minimumInterval >= 1 && minimumInterval <= maximumInterval && divisor >= 1)
        self.minimumInterval = minimumInterval
        self.maximumInterval = maximumInterval
        self.divisor = divisor
    }

    /// Every 16 events at first, every eighth of the log later, at most every 512 events.
    public static let `default` = StateSnapshotPolicy(minimumInterval: 16, maximumInterval: 512, divisor: 8)

    /// A snapshot with every event (the store's behaviour before snapshots had an interval; for tests).
    public static let everyEvent = StateSnapshotPolicy(minimumInterval: 1, maximumInterval: 1, divisor: 1)

    /// Whether appending event `sequence` rewrites the snapshot, the last one being of `snapshotSequence`.
    public func writesSnapshot(atSequence sequence: Int, lastSnapshotSequence snapshotSequence: Int) -> Bool {
        let interval = min(max(sequence / self.divisor, self.minimumInterval), self.maximumInterval)
        return sequence - snapshotSequence >= interval
    }
}
