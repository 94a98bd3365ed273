import RewardWeightingPolicy
import RewardWeightingStore

/// The Scalarize summaries a run's actor committed recently, by content, so that a retry of a recent call is
/// answered from memory instead of a store read.
///
/// It holds every summary committed at the steps it ``answers(forStep:)`` — those above its floor — and the
/// log holds no other summary at those steps: the floor starts at the last summarised step of the state it
/// was reset for, and is reset whenever the run is reloaded (e.g. after another writer changed it). At and
/// below the floor the store is read. The floor rises as the run moves on: only the latest ``steps`` steps
/// are kept (a trainer retries a call within seconds, so a long run keeps a few summaries, not one per step),
/// and at most ``limit`` summaries. (A floor rather than a first step: a run summarised at step `Int.max`
/// has no step above it, and `Int.max + 1` traps — the fuzzer found it.)
struct ScalarizeSummaryCache {
    /// The most summaries kept; beyond it the older half is dropped and the floor rises.
    let limit: Int
    /// How many of the latest summarised steps are kept; the older ones are dropped and the floor rises.
    let steps: Int
    /// The highest step the cache does not answer for; `nil` when it answers for every step.
    private var floor: Int?
    /// Keyed by the summary itself rather than its ``RunEvent``: an event is the size of its largest payload, so a
    /// summary key halves the cache's storage (measured with heaptrack: 530 bytes for a run's first entry).
    private var sequences: [ScalarizeSummary: Int] = [:]

    /// An empty cache above every summary `state` has logged.
    init(limit: Int, steps: Int, above state: RunState) {
        self.limit = limit
        self.steps = steps
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
        guard case .scalarizeSummary(let summary) = event, self.answers(forStep: summary.step) else { return nil }
        return self.sequences[summary]
    }

    /// Remembers committed summaries the cache answers for, then drops the steps older than the latest
    /// ``steps``, and the older half when still over the limit.
    mutating func remember(_ stored: [StoredEvent]) {
        var latest: Int?
        for event in stored {
            guard case .scalarizeSummary(let summary) = event.event, self.answers(forStep: summary.step) else {
                continue
            }
            self.sequences[summary] = event.sequence
            latest = Swift.max(latest ?? summary.step, summary.step)
        }
        // Steps are ≥ 0, so `latest - steps` cannot overflow.
        if let latest, latest - self.steps > (self.floor ?? Int.min) {
            let cutoff = latest - self.steps
            self.sequences = self.sequences.filter { $0.key.step > cutoff }
            self.floor = cutoff
        }
        guard self.sequences.count > self.limit else { return }
        let steps = self.sequences.keys.map(\.step).sorted()
        let cutoff = steps[steps.count / 2]
        self.sequences = self.sequences.filter { $0.key.step > cutoff }
        self.floor = cutoff
    }
}
