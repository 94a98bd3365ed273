import RewardWeightingCore
import RewardWeightingStore
import Synchronization

/// The live `WatchRun` streams of one run: every event the run applies is yielded to each of them, in order.
///
/// A `Mutex` rather than the run actor's own state, because a stream's `onTermination` handler is synchronous
/// and must unregister the stream at once (an actor would need an unowned task for that). The run actor
/// publishes while it holds its serialisation lock, so events reach every stream in log order.
///
/// Each stream buffers the stored events it starts with plus ``liveBufferLimit`` live ones; a watcher that
/// falls further behind gets the buffered events and then ``ServiceError/Code/resourceExhausted`` (it can
/// watch again from the next sequence number), so a stalled client cannot make the server hold an unbounded
/// backlog.
final class EventBroadcaster: Sendable {
    /// A watcher's stream.
    typealias Stream = AsyncThrowingStream<StoredEvent, any Error>

    private struct Watchers {
        var nextID = 0
        var continuations: [Int: Stream.Continuation] = [:]
        /// No stream may subscribe any more (its run's actor was evicted).
        var isClosed = false
    }

    /// How many live events a watcher may have unread beyond its initial backlog.
    let liveBufferLimit: Int
    private let runID: String
    private let watchers = Mutex(Watchers())

    init(runID: String, liveBufferLimit: Int) {
        self.runID = runID
        self.liveBufferLimit = liveBufferLimit
    }

    /// How many streams are registered.
    var count: Int { self.watchers.withLock { $0.continuations.count } }

    /// A stream that yields `backlog`, then — unless `finished` — every ``publish(_:)``ed event until it is
    /// cancelled or ``finishAll()`` is called; `nil` after ``closeIfUnwatched()`` closed the broadcaster.
    func subscribe(backlog: [StoredEvent], finished: Bool) -> Stream? {
        guard !self.watchers.withLock({ $0.isClosed }) else { return nil }
        let (stream, continuation) = Stream.makeStream(
            bufferingPolicy: .bufferingOldest(backlog.count + self.liveBufferLimit))
        for event in backlog { continuation.yield(event) }
        if finished {
            continuation.finish()
            return stream
        }
        let id = self.watchers.withLock { watchers in
            watchers.nextID += 1
            return watchers.nextID
        }
        // Set before registering: a stream cancelled in between is then removed by `publish` (`.terminated`).
        continuation.onTermination = { [weak self] _ in
            _ = self?.watchers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        let registered = self.watchers.withLock { watchers in
            guard !watchers.isClosed else { return false }
            watchers.continuations[id] = continuation
            return true
        }
        guard registered else {
            continuation.finish()
            return nil
        }
        return stream
    }

    /// Closes the broadcaster to new streams if none is registered.
    /// - Returns: whether it is closed now.
    func closeIfUnwatched() -> Bool {
        self.watchers.withLock { watchers in
            if watchers.continuations.isEmpty { watchers.isClosed = true }
            return watchers.isClosed
        }
    }

    /// Yields `event` to every stream; a stream whose buffer is full is ended with `resourceExhausted`.
    func publish(_ event: StoredEvent) {
        let overflowing = self.watchers.withLock { watchers in
            var overflowing: [Stream.Continuation] = []
            for (id, continuation) in watchers.continuations {
                switch continuation.yield(event) {
                case .enqueued:
                    break
                case .dropped:
                    overflowing.append(continuation)
                    watchers.continuations[id] = nil
                case .terminated:
                    watchers.continuations[id] = nil
                @unknown default:
                    watchers.continuations[id] = nil
                }
            }
            return overflowing
        }
        // Outside the lock: finishing runs `onTermination`, which takes it.
        for continuation in overflowing {
            continuation.finish(
                throwing: ServiceError(
                    code: .resourceExhausted, field: "from_sequence",
                    reason: "the watcher of run \(quoted(self.runID)) fell more than "
                        + "\(self.liveBufferLimit) events behind at sequence \(event.sequence); watch again from "
                        + "sequence \(event.sequence)"))
        }
    }

    /// Ends every stream normally (the run was archived, or the service is shutting down).
    func finishAll() {
        let continuations = self.watchers.withLock { watchers in
            defer { watchers.continuations = [:] }
            return Array(watchers.continuations.values)
        }
        for continuation in continuations { continuation.finish() }
    }
}
