import RewardWeightingPolicy
import RewardWeightingStore

/// The Scalarize summaries a run's actor committed recently, by content, so that a retry of a recent call is
/// answered from memory instead of a store read.
///
/// It holds every summary committed at steps `≥` ``horizon``, and the log holds no other summary at those
/// steps: the horizon starts above the last summarised step of the state it was reset for, and is reset
/// whenever the run is reloaded (e.g. after another writer changed it). Below the horizon the store is read.
struct ScalarizeSummaryCache {
    /// The most summaries kept; beyond it the older half is dropped and the horizon rises.
    let limit: Int
    /// The lowest step the cache answers for.
    private(set) var horizon: Int
    private var sequences: [RunEvent: Int] = [:]

    /// An empty cache above every summary `state` has logged.
    init(limit: Int, above state: RunState) {
        self.limit = limit
        self.horizon = Self.horizon(above: state)
    }

    /// Forgets everything and starts above every summary `state` has logged.
    mutating func reset(above state: RunState) {
        self.sequences = [:]
        self.horizon = Self.horizon(above: state)
    }

    /// The sequence number of a committed summary equal to `event`, if the cache answers for its step.
    func sequence(of event: RunEvent) -> Int? {
        event.step >= self.horizon ? self.sequences[event] : nil
    }

    /// Remembers committed summaries at or above the horizon, dropping the older half when over the limit.
    mutating func remember(_ stored: [StoredEvent]) {
        for event in stored where event.kind == .scalarizeSummary && event.step >= self.horizon {
            self.sequences[event.event] = event.sequence
        }
        guard self.sequences.count > self.limit else { return }
        let steps = self.sequences.keys.map(\.step).sorted()
        let cutoff = steps[steps.count / 2]
        self.sequences = self.sequences.filter { $0.key.step > cutoff }
        self.horizon = cutoff + 1
    }

    /// The first step above every logged Scalarize summary of `state`.
    private static func horizon(above state: RunState) -> Int {
        state.lastAppliedStep(of: .scalarizeSummary).map { $0 + 1 } ?? Int.min
    }
}
