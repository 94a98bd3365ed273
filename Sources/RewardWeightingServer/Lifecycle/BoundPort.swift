import Synchronization

/// A port that a listener binds some time after start: set once when it is bound, awaited by whoever needs it
/// (tests of a server started on port 0). A server that stops without binding it closes it, and its waiters get
/// ``ListenerNotBound`` instead of waiting for ever.
final class BoundPort: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case bound(Int)
        case closed
    }

    private let state = Mutex<State>(.waiting([]))

    /// Records the bound port and wakes every waiter.
    func bind(_ port: Int) {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            guard case .waiting(let waiters) = state else { return [] }
            state = .bound(port)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    /// Ends the wait of every waiter, present and future, with ``ListenerNotBound``, unless the port was bound.
    func close() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            guard case .waiting(let waiters) = state else { return [] }
            state = .closed
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: ListenerNotBound()) }
    }

    /// The port, once bound.
    /// - Throws: ``ListenerNotBound`` when the listener stopped without binding it.
    var port: Int {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let outcome = self.state.withLock { state -> Result<Int, any Error>? in
                    switch state {
                    case .waiting(var waiters):
                        waiters.append(continuation)
                        state = .waiting(waiters)
                        return nil
                    case .bound(let port): return .success(port)
                    case .closed: return .failure(ListenerNotBound())
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        }
    }
}

/// The server stopped (or failed to start) before its HTTP listener was bound.
public struct ListenerNotBound: Error, CustomStringConvertible {
    public var description: String { "the server stopped before its HTTP listener was bound" }
}
