import Synchronization

/// A port that a listener binds some time after start: set once when it is bound, awaited by whoever needs it
/// (tests of a server started on port 0).
final class BoundPort: Sendable {
    private let state = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    /// Records the bound port and wakes every waiter.
    func bind(_ port: Int) {
        let waiters = self.state.withLock { state in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    /// The port, once bound.
    var port: Int {
        get async {
            await withCheckedContinuation { continuation in
                let bound = self.state.withLock { state in
                    if state.port == nil { state.waiters.append(continuation) }
                    return state.port
                }
                if let bound { continuation.resume(returning: bound) }
            }
        }
    }
}
