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

    /// A walk whose history holds the checkpoint of `step` if `run` holds it: the walk so far, or one extended
    /// with the events logged since it was read, or (the first time, or after a resume) one read from the whole
    /// log.
    mutating func walk(
        toCheckpointOfStep step: Int, of run: Run, store: any RunStore
    ) async throws(ServiceError) -> ParetoBufferWalk {
        let policy = WeightingPolicy(config: run.config)
        if var walk = self.walk, walk.history.checkpoint(atStep: step) == nil,
            run.eventCount > self.readThroughSequence
        {
            self.walk = nil  // so that extending it does not copy its history
            let tail: [StoredEvent]
            do {
                tail = try await store.events(
                    run: run.key, fromSequence: self.readThroughSequence + 1,
                    limit: run.eventCount - self.readThroughSequence)
            } catch {
                throw ServiceError(error)
            }
            if tail.contains(where: { $0.event.kind == .resumed }) {
                self.reset()
            } else {
                walk.extend(with: tail.lazy.filter { !$0.isSuperseded }.map(\.decision))
                self.walk = walk
                self.readThroughSequence = run.eventCount
            }
        }
        if let walk = self.walk { return walk }
        let walk = ParetoBufferWalk(try await DecisionHistory.read(of: run, from: store), policy: policy)
        self.walk = walk
        self.readThroughSequence = run.eventCount
        return walk
    }
}
