import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingService
import RewardWeightingStore
import Testing

@Suite("Idle runs leave memory")
struct IdleEvictionTests {
    @Test(
        "an idle run leaves memory; its next call loads it, retries are still answered once, and it ends as if it stayed"
    )
    func evictedRunContinues() async throws {
        let calls = trainerCalls(steps: 1...12, seed: 21)
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        _ = try await coordinator.createRun(gradientConfig("idle"))
        let before = try await coordinator.perform(calls.through(step: 6), runID: "idle")
        let snapshot = try await coordinator.getRun("idle")
        #expect(coordinator.cachedRunCount == 1)

        try await evictAll(coordinator)
        #expect(coordinator.cachedRunCount == 0)
        #expect(try await coordinator.getRun("idle") == snapshot)
        // Retries of the last steps, after the eviction: the same replies, and nothing more in the log.
        #expect(try await coordinator.perform(calls.through(step: 6).suffix(3), runID: "idle") == before.suffix(3))
        #expect(coordinator.cachedRunCount == 1)
        #expect(try await coordinator.getRun("idle").version == snapshot.version)

        try await evictAll(coordinator)
        let after = try await coordinator.perform(calls.after(step: 6), runID: "idle")

        let reference = TemporaryDatabase()
        defer { reference.remove() }
        let (resident, referenceStore) = try await reference.open()
        defer { try? referenceStore.close() }
        _ = try await resident.createRun(gradientConfig("idle"))
        #expect(try await resident.perform(calls, runID: "idle") == before + after)
        let evicted = try await coordinator.getRun("idle")
        let stayed = try await resident.getRun("idle")
        #expect(evicted.state == stayed.state)
        #expect(evicted.version == stayed.version)
    }

    @Test(
        "a watched run stays in memory and its watcher gets every event; once unwatched it leaves, and a new watch follows it"
    )
    func watchedRunStays() async throws {
        let calls = trainerCalls(steps: 1...6, seed: 22)
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        _ = try await coordinator.createRun(gradientConfig("watched"))
        let watching = Task {
            var sequences: [Int] = []
            for try await event in try await coordinator.watch(runID: "watched", fromSequence: nil) {
                sequences.append(event.sequence)
                if sequences.count == calls.through(step: 3).count { break }
            }
            return sequences
        }
        while await coordinator.watcherCount(runID: "watched") == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let evictor = Task { await coordinator.evictIdleRuns(after: .zero, every: .milliseconds(1)) }
        defer { evictor.cancel() }
        for call in calls.through(step: 3) {
            // Watched (until the watcher has every event below), so never evicted.
            #expect(coordinator.cachedRunCount == 1)
            _ = try await coordinator.perform(call, runID: "watched")
            try await Task.sleep(for: .milliseconds(3))
        }
        #expect(try await watching.value == Array(2...(1 + calls.through(step: 3).count)))

        // Unwatched now: it leaves memory. A watch from the start still sees every event, the later ones live.
        while coordinator.cachedRunCount > 0 { try await Task.sleep(for: .milliseconds(2)) }
        evictor.cancel()
        let total = 1 + calls.count
        let second = Task {
            var sequences: [Int] = []
            for try await event in try await coordinator.watch(runID: "watched", fromSequence: 1) {
                sequences.append(event.sequence)
                if sequences.count == total { break }
            }
            return sequences
        }
        while await coordinator.watcherCount(runID: "watched") == 0 { try await Task.sleep(for: .milliseconds(5)) }
        _ = try await coordinator.perform(calls.after(step: 3), runID: "watched")
        #expect(try await second.value == Array(1...total))
    }

    @Test("runs driven concurrently while an evictor drops every idle run at once end exactly as resident runs")
    func concurrentCallsAndEviction() async throws {
        let runs = (0..<6).map { "busy-\($0)" }
        let plans = runs.indices.map { trainerCalls(steps: 1...15, seed: 100 + UInt64($0)) }
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        for run in runs { _ = try await coordinator.createRun(gradientConfig(run)) }
        let evictor = Task { await coordinator.evictIdleRuns(after: .zero, every: .microseconds(200)) }
        defer { evictor.cancel() }
        // The fewest runs in memory seen while the calls go on: evictions did happen mid-load.
        let fewest = Task {
            var fewest = runs.count
            while !Task.isCancelled {
                fewest = min(fewest, coordinator.cachedRunCount)
                try? await Task.sleep(for: .microseconds(100))
            }
            return fewest
        }
        let replies = try await withThrowingTaskGroup(of: (Int, [TrainerReply]).self) { group in
            for (index, run) in runs.enumerated() {
                group.addTask {
                    var replies: [TrainerReply] = []
                    for call in plans[index] {
                        replies.append(try await coordinator.perform(call, runID: run))
                        // Every call a retry too, so that some retries meet a freshly loaded run.
                        #expect(try await coordinator.perform(call, runID: run) == replies.last)
                    }
                    return (index, replies)
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        evictor.cancel()
        fewest.cancel()
        #expect(await fewest.value < runs.count)

        let reference = TemporaryDatabase()
        defer { reference.remove() }
        let (resident, referenceStore) = try await reference.open()
        defer { try? referenceStore.close() }
        for (index, run) in runs.enumerated() {
            _ = try await resident.createRun(gradientConfig(run))
            #expect(try await resident.perform(plans[index], runID: run) == replies[index])
            let got = try await coordinator.getRun(run)
            let want = try await resident.getRun(run)
            #expect(got.state == want.state)
            #expect(got.version == want.version)
            let kinds = try await coordinator.events(runID: run).filter { $0.kind != .created }
            #expect(kinds.count == plans[index].count)
        }
    }
}

/// Runs the evictor with no idle time until every run has left memory.
private func evictAll(_ coordinator: RunCoordinator) async throws {
    let evictor = Task { await coordinator.evictIdleRuns(after: .zero, every: .milliseconds(1)) }
    defer { evictor.cancel() }
    while coordinator.cachedRunCount > 0 { try await Task.sleep(for: .milliseconds(2)) }
}
