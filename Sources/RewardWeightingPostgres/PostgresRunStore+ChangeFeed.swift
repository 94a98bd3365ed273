import Logging
import PostgresNIO
import RewardWeightingStore

extension PostgresRunStore: RunChangeFeed {
    /// The `NOTIFY` channel of committed writes; each payload is `VERSION:TENANT:RUN_ID` (``changePayload(run:version:)``).
    static let changeChannel = "rw_run_changes"

    /// A change's payload: `VERSION:TENANT:RUN_ID` (neither a tenant nor a run id may hold a colon).
    static func changePayload(run: RunKey, version: Int) -> String {
        "\(version):\(run.tenant):\(run.runID)"
    }

    /// `LISTEN`s on ``changeChannel`` on one pooled connection, for as long as the calling task runs. When the
    /// connection is lost (PostgreSQL restarted), it reports a gap and listens again after a short pause, so
    /// nothing committed meanwhile goes unnoticed: the caller re-checks what it caches on every gap.
    public func followChanges(
        onChange: @escaping @Sendable (RunChange) async -> Void, onGap: @escaping @Sendable () async -> Void
    ) async {
        while !Task.isCancelled {
            do {
                try await self.withListeningConnection { notifications in
                    // Listening from here on: whatever was committed before is what the gap's re-check finds.
                    await onGap()
                    for try await notification in notifications {
                        guard let change = Self.change(fromPayload: notification.payload) else {
                            self.logger.warning(
                                "ignored a malformed change notification",
                                metadata: ["payload": "\(notification.payload.prefix(200))"])
                            continue
                        }
                        await onChange(change)
                    }
                }
            } catch {
                if Task.isCancelled { return }
                self.logger.notice(
                    "the change feed lost its connection; listening again", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Runs `body` with the notifications of ``changeChannel`` on a leased connection that is open.
    private func withListeningConnection(
        _ body: (PostgresNotificationSequence) async throws -> Void
    ) async throws {
        try await self.client.withConnection { connection in
            // A connection that closed right before the lease would never answer the LISTEN (see PostgresSession).
            guard !connection.isClosed else { throw PostgresConnectionLost() }
            try await connection.listen(on: Self.changeChannel, consume: body)
        }
    }

    /// The change a payload names, or `nil` if it is not `VERSION:TENANT:RUN_ID`.
    static func change(fromPayload payload: String) -> RunChange? {
        let parts = payload.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let version = Int(parts[0]), !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        return RunChange(run: RunKey(tenant: String(parts[1]), runID: String(parts[2])), version: version)
    }
}
