import Foundation
import RewardWeightingPolicy
import RewardWeightingPostgres
import RewardWeightingPostgresTestSupport
import RewardWeightingService
import RewardWeightingStore
import Testing

/// Two coordinators on one PostgreSQL schema are two replicas: what one commits reaches the other's watchers
/// and reads through the store's change feed (`LISTEN`/`NOTIFY`), without a call on the other.
@Suite("Replicas sharing a PostgreSQL store", .enabled(if: PostgresTestDatabase.isEnabled))
struct SharedStoreTests {
    @Test("a WatchRun stream on one replica gets the events another replica commits, in log order")
    func watchSeesTheOtherReplica() async throws {
        let schema = try await PostgresTestDatabase.makeSchema()
        defer { schema.drop() }
        let first = RunCoordinator(store: try await schema.openStore(), logger: quietLogger)
        let second = RunCoordinator(store: try await schema.openStore(), logger: quietLogger)
        let following = Task { await first.followStoreChanges() }
        defer { following.cancel() }

        _ = try await first.createRun(gradientConfig("shared-watch", accumulationSteps: 1))
        let stream = try await first.watch(runID: "shared-watch", fromSequence: 1)
        let reports = [
            gradientReport(1, diagonal([0.3, 0.2, 0.1])), gradientReport(2, diagonal([0.1, 0.2, 0.3])),
        ]
        var decisions: [GradientDecision] = []
        for report in reports {
            decisions.append(try await second.reportGradients(runID: "shared-watch", report: report))
        }

        let seen = try await firstEvents(3, of: stream, within: .seconds(30))
        #expect(seen.map(\.sequence) == [1, 2, 3])
        #expect(seen.map(\.kind) == [.created, .gradients, .gradients])
        #expect(seen.dropFirst().map(\.event) == reports.map { RunEvent.gradients($0) })

        // The first replica's reads show the second's writes, and its next write starts from them.
        let caughtUp = try await first.getRun("shared-watch")
        let written = try await second.getRun("shared-watch")
        #expect(caughtUp.version == written.version && caughtUp.state == written.state)
        let third = gradientReport(3, diagonal([0.2, 0.2, 0.2]))
        _ = try await first.reportGradients(runID: "shared-watch", report: third)
        let events = try await second.events(runID: "shared-watch")
        #expect(events.map(\.step) == [0, 1, 2, 3])
        let replayed = try WeightingPolicy(config: caughtUp.config).replay(events.map(\.event))
        #expect(try await second.getRun("shared-watch").state == replayed)
    }
}

/// The first `count` events of `stream`, or a failure after `timeout`.
private func firstEvents(
    _ count: Int, of stream: AsyncThrowingStream<StoredEvent, any Error>, within timeout: Duration
) async throws -> [StoredEvent] {
    try await withThrowingTaskGroup(of: [StoredEvent]?.self) { group in
        group.addTask {
            var events: [StoredEvent] = []
            for try await event in stream {
                events.append(event)
                if events.count == count { break }
            }
            return events
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard case .some(.some(let events)) = try await group.next() else {
            Issue.record("fewer than \(count) events within \(timeout)")
            return []
        }
        return events
    }
}
