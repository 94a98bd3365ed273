/// The bookkeeping of an actor's serialisation lock: whether a body holds it and who waits for it, in arrival
/// order. An actor alone is reentrant at each `await`; holding this lock across a body's suspension points is
/// what keeps two mutations of one run from interleaving (see ``RunActor``).
///
/// Not thread-safe by itself: it lives inside an actor and is used only on it.
struct SerialLock {
    private var isHeld = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Takes the lock if it is free (`true`); otherwise the caller must wait with ``enqueue(_:)``.
    mutating func tryAcquire() -> Bool {
        guard !self.isHeld else { return false }
        self.isHeld = true
        return true
    }

    /// Queues a caller that will be resumed, holding the lock, by a later ``release()``.
    mutating func enqueue(_ waiter: CheckedContinuation<Void, Never>) {
        self.waiting.append(waiter)
    }

    /// Hands the lock to the next waiter directly, or frees it.
    mutating func release() {
        if self.waiting.isEmpty {
            self.isHeld = false
        } else {
            self.waiting.removeFirst().resume()
        }
    }
}
