import Logging
import Synchronization

/// Runs `body` for at most `timeout`: its result if it finishes in time, else ``PostgresOperationTimeout``.
///
/// Unlike a task group racing a timer, this does not wait for `body` once the deadline passed: a query on a
/// connection that PostgreSQL dropped while restarting can wait far longer than the deadline for its answer, and
/// does not end when cancelled (seen with postgres-nio 1.33 under load). `body` runs in a task of its own that is
/// cancelled at the deadline and finishes in the background; what it did then is one transaction that either
/// committed or did not, which a caller's retry finds by its idempotency key. The caller's own cancellation
/// ends the wait at once, in the same way.
func withDeadline<T: Sendable>(
    _ timeout: Duration, logger: Logger, operation: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.continuation.withLock { $0 = continuation }
            let started = ContinuousClock.now
            let timer = Task {
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled, let continuation = race.take() else { return }
                race.work.withLock { $0 }?.cancel()
                continuation.resume(throwing: PostgresOperationTimeout(timeout: timeout))
            }
            let work = Task {
                let result: Result<T, any Error>
                do {
                    result = .success(try await body())
                } catch {
                    result = .failure(error)
                }
                timer.cancel()
                if let continuation = race.take() {
                    continuation.resume(with: result)
                } else {
                    logger.notice(
                        "a PostgreSQL operation ended after its deadline",
                        metadata: [
                            "operation": "\(operation)", "after": "\(ContinuousClock.now - started)",
                            "outcome": "\((try? result.get()) == nil ? "failed" : "succeeded")",
                        ])
                }
            }
            race.work.withLock { $0 = work }
        }
    } onCancel: {
        race.work.withLock { $0 }?.cancel()
        race.take()?.resume(throwing: CancellationError())
    }
}

/// Who answers first in ``withDeadline(_:logger:operation:_:)``: the operation, the timer or a cancellation.
private final class DeadlineRace<T: Sendable>: Sendable {
    let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)
    let work = Mutex<Task<Void, Never>?>(nil)

    /// The continuation, once: whoever takes it resumes it.
    func take() -> CheckedContinuation<T, any Error>? {
        self.continuation.withLock { continuation in
            defer { continuation = nil }
            return continuation
        }
    }
}
