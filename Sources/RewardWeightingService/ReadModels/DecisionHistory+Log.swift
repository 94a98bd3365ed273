import RewardWeightingPolicy
import RewardWeightingStore

extension DecisionHistory {
    /// The whole weight and checkpoint histories of `run` in its log: the decisions of the events that are not
    /// superseded, up to the run's ``Run/eventCount``.
    /// - Parameter log: the run's events from sequence 1 on, at least up to its event count.
    init(of run: Run, log: [StoredEvent]) {
        self.init(log.lazy.filter { !$0.isSuperseded && $0.sequence <= run.eventCount }.map(\.decision))
    }

    /// The whole histories of `run`, read from its log in `store` (one read): what answers for the steps older
    /// than the run's state keeps (``RunState/recentWeightUpdates``, ``RunState/recentCheckpoints``).
    /// - Throws: ``ServiceError`` from the store.
    static func read(of run: Run, from store: any RunStore) async throws(ServiceError) -> DecisionHistory {
        do {
            return DecisionHistory(
                of: run, log: try await store.events(run: run.key, fromSequence: 1, limit: run.eventCount))
        } catch {
            throw ServiceError(error)
        }
    }
}
