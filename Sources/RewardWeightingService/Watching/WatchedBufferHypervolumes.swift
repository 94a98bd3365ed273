import RewardWeightingPolicy
import RewardWeightingStore

/// What one `WatchRun` stream keeps to send the hypervolume of the run's buffer after each checkpoint event
/// (``RunCoordinator/bufferHypervolume(after:as:tracking:)``): the run's log as far as the stream needed it, and
/// the buffers folded through it so far.
///
/// A stream that replays a long log from the start reads the log once and folds each checkpoint once; one that
/// falls behind the run's state reads only the events logged since. Pass the same value for every event of the
/// stream, in the order the stream sends them.
public struct WatchedBufferHypervolumes: Sendable {
    /// The fold of the log, once a checkpoint older than the run's state keeps was asked for.
    var walk: ParetoBufferWalk?
    /// The highest sequence number of the log read into ``walk``.
    var readThroughSequence = 0

    /// Nothing read yet: the state of a new stream.
    public init() {}

    /// Forgets what was read, after the log changed (a resume superseded some of its events).
    mutating func reset() {
        self = WatchedBufferHypervolumes()
    }

    /// The buffer right after `checkpoint`, folded from the run's log: from the log read so far, extended with the
    /// events logged since when it does not hold the checkpoint, or (the first time, or after a resume) read
    /// whole. `nil` when `run` does not hold the checkpoint (a resume superseded it).
    mutating func buffer(
        after checkpoint: CheckpointDecision, of run: Run, store: any RunStore
    ) async throws(ServiceError) -> ParetoBuffer? {
        if self.walk?.history.checkpoint(atStep: checkpoint.step) == nil, run.eventCount > self.readThroughSequence {
            try await self.read(run, store: store)
        }
        guard var walk = self.walk, walk.history.checkpoint(atStep: checkpoint.step) == checkpoint else {
            return nil
        }
        self.walk = nil  // so that folding it does not copy it
        let buffer = walk.buffer(afterStep: checkpoint.step)
        self.walk = walk
        return buffer
    }

    /// Reads the events `run` logged after ``readThroughSequence`` into the walk, or the whole log when there is
    /// no walk yet or those events hold a resume.
    private mutating func read(_ run: Run, store: any RunStore) async throws(ServiceError) {
        if var walk = self.walk {
            let tail: [StoredEvent]
            do {
                tail = try await store.events(
                    run: run.key, fromSequence: self.readThroughSequence + 1,
                    limit: run.eventCount - self.readThroughSequence)
            } catch {
                throw ServiceError(error)
            }
            if !tail.contains(where: { $0.event.kind == .resumed }) {
                self.walk = nil  // so that extending it does not copy its history
                walk.extend(with: tail.lazy.filter { !$0.isSuperseded }.map(\.decision))
                self.walk = walk
                self.readThroughSequence = run.eventCount
                return
            }
        }
        self.walk = ParetoBufferWalk(
            try await DecisionHistory.read(of: run, from: store), policy: WeightingPolicy(config: run.config))
        self.readThroughSequence = run.eventCount
    }
}
