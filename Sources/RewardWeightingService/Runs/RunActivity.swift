import Synchronization

/// When a cached run was last looked up (``RunRegistry``): the clock its idle eviction reads. Outside the run's
/// actor, so that the registry reads and touches it under its own lock without a hop.
final class RunActivity: Sendable {
    private let lastUse: Mutex<ContinuousClock.Instant>

    init(now: ContinuousClock.Instant = .now) {
        self.lastUse = Mutex(now)
    }

    /// Records a use at `now`.
    func touch(now: ContinuousClock.Instant = .now) {
        self.lastUse.withLock { $0 = now }
    }

    /// Whether the last use was before `cutoff`.
    func isIdle(before cutoff: ContinuousClock.Instant) -> Bool {
        self.lastUse.withLock { $0 < cutoff }
    }
}
