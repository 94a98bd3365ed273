import PostgresNIO
import Synchronization

/// Fails the statements in flight on a pooled connection when it closes, with one close-future callback per
/// connection.
///
/// postgres-nio (1.33) writes a statement to the channel without a write promise, so a statement issued on a
/// connection that PostgreSQL has just dropped (a restart) is never answered. A ``PostgresSession`` therefore
/// registers each statement here while it waits, and the watch fails it when the connection closes. One callback
/// per connection, not per statement: a callback added to the close future stays in its list until the connection
/// closes, so one per statement would keep every answer a long-lived connection ever gave alive.
final class PostgresConnectionWatch: Sendable {
    private struct State {
        var isClosed = false
        var nextToken: UInt64 = 0
        var waiting: [UInt64: @Sendable (any Error) -> Void] = [:]
    }

    private let state = Mutex(State())

    /// How many statements wait on the connection now (for tests).
    var waitingCount: Int { self.state.withLock { $0.waiting.count } }

    /// Registers `fail`, to be called once if the connection closes before ``finished(_:)``.
    /// - Returns: the registration's token, or `nil` when the connection has closed already.
    func waiting(_ fail: @escaping @Sendable (any Error) -> Void) -> UInt64? {
        self.state.withLock { state in
            guard !state.isClosed else { return nil }
            state.nextToken += 1
            state.waiting[state.nextToken] = fail
            return state.nextToken
        }
    }

    /// Removes the registration `token` (its statement was answered).
    func finished(_ token: UInt64) {
        _ = self.state.withLock { $0.waiting.removeValue(forKey: token) }
    }

    /// Fails every statement waiting, and any registered later.
    fileprivate func closed() {
        let waiting = self.state.withLock { state in
            state.isClosed = true
            defer { state.waiting = [:] }
            return state.waiting
        }
        for fail in waiting.values { fail(PostgresConnectionLost()) }
    }
}

/// The ``PostgresConnectionWatch`` of each open connection of one pool, by connection id.
final class PostgresConnectionWatches: Sendable {
    private let watches = Mutex<[PostgresConnection.ID: PostgresConnectionWatch]>([:])

    /// The ids of the connections watched now: those open (for tests).
    var connectionIDs: Set<PostgresConnection.ID> { self.watches.withLock { Set($0.keys) } }

    /// How many statements wait on all of them now (for tests).
    var waitingCount: Int { self.watches.withLock { $0.values.reduce(0) { $0 + $1.waitingCount } } }

    /// The watch of `connection`, made (with its one close callback) on its first lease.
    func watch(of connection: PostgresConnection) -> PostgresConnectionWatch {
        let (watch, isNew) = self.watches.withLock { watches in
            if let watch = watches[connection.id] { return (watch, false) }
            let watch = PostgresConnectionWatch()
            watches[connection.id] = watch
            return (watch, true)
        }
        if isNew {
            let id = connection.id
            // Runs at once if the connection has closed already.
            connection.closeFuture.whenComplete { _ in
                _ = self.watches.withLock { $0.removeValue(forKey: id) }
                watch.closed()
            }
        }
        return watch
    }
}

/// A statement's connection closed before it was answered (PostgreSQL restarted, or the network dropped it).
struct PostgresConnectionLost: Error, Sendable {}
