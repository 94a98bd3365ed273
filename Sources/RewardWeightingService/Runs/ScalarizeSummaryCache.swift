import RewardWeightingPolicy
import RewardWeightingStore

/// The Scalarize summaries a run's actor committed recently, by content, so that a retry of a recent call is
/// answered from memory instead of a store read.
///
/// It holds every summary committed at the steps it ``answers(forStep:)`` — those above its floor — and the
/// log holds no other summary at those steps: the floor starts at the last summarised step of the state it
/// was reset for, and is reset whenever the run is reloaded (e.g. after another writer changed it). At and
/// below the floor the store is read. (A floor rather than a first step: a run summarised at step `Int.max`
/// has no step above it, and `Int.max + 1` traps — the fuzzer found it.)
struct ScalarizeSummaryCache {
    /// The most summaries kept; beyond it the older half is dropped and the floor rises.
    let limit: Int
    /// The highest step the cache does not answer for; `nil` when it answers for every step.
    private var floor: Int?
    private var sequences: [RunEvent: Int] = [:]

    /// An empty cache above every summary `state` has logged.
    init(limit: Int, above state: RunState) {
        self.limit = limit
        self.floor = state.lastAppliedStep(of: .scalarizeSummary)
    }

    /// Forgets everything and starts above every summary `state` has logged.
    mutating func reset(above state: RunState) {
        self.sequences = [:]
        self.floor = state.lastAppliedStep(of: .scalarizeSummary)
    }

    /// Whether the cache holds every committed summary of `step` (so that a miss means none is logged).
    func answers(forStep step: Int) -> Bool {
        self.floor.map { step > $0 } ?? true
    }

    /// The sequence number of a committed summary equal to `event`, if the cache answers for its step.
    func sequence(of event: RunEvent) -> Int? {
        self.answers(forStep: event.step) ? self.sequences[event] : nil
    }

    /// Remembers committed summaries the cache answers for, dropping the older half when over the limit.
    mutating func remember(_ stored: [StoredEvent]) {
        for event in stored where event.kind == .scalarizeSummary && self.answers(forStep: event.step) {
            self.sequences[event.event] = event.sequence
        }
        guard self.sequences.count > self.limit else { return }
        let steps = self.sequences.keys.map(\.step).sorted()
        let cutoff = steps[steps.count / 2]
        self.sequences = self.sequences.filter { $0.key.step > cutoff }
        self.floor = cutoff
    }
}
