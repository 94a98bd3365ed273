import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingService
import RewardWeightingStore
import Testing

@Suite("Watch")
struct WatchTests {
    @Test("watch delivers the stored events, then the live ones, in order")
    func storedThenLive() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        _ = try await coordinator.createRun(gradientConfig("watched"))
        let calls = trainerCalls(steps: 1...6, seed: 9)
        _ = try await coordinator.perform(calls.through(step: 3), runID: "watched")
        let stream = try await coordinator.watch(runID: "watched", fromSequence: 2)

        // A consumer running while the trainer goes on.
        // Every event but the creation (sequence 1).
        let total = calls.count
        async let received: [StoredEvent] = {
            var received: [StoredEvent] = []
            for try await event in stream {
                received.append(event)
                if received.count == total { break }
            }
            return received
        }()
        let replies = try await coordinator.perform(calls.after(step: 3), runID: "watched")
        let events = try await received

        #expect(events.map(\.sequence) == Array(2...calls.count + 1))
        #expect(events == Array(try await coordinator.events(runID: "watched").dropFirst()))
        // The live part carries the decisions the calls returned.
        let liveDecisions = events.suffix(replies.count).map(\.decision)
        for (decision, reply) in zip(liveDecisions, replies) {
            switch (decision, reply) {
            case (.gradients(let a), .gradients(let b)): #expect(a == b)
            case (.checkpoint(let a), .checkpoint(let b)): #expect(a == b)
            case (.scalarizeSummary(let a), .scalarize(let b)): #expect(a == b.summary)
            default: Issue.record("decision \(decision.kind) answers reply \(reply)")
            }
        }
    }

    @Test("archiving ends the streams; an archived run's stream ends after its log")
    func archiveEndsStreams() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        _ = try await coordinator.createRun(gradientConfig("ending"))
        _ = try await coordinator.perform(trainerCalls(steps: 1...2, seed: 1), runID: "ending")
        let live = try await coordinator.watch(runID: "ending")
        _ = try await coordinator.archive(runID: "ending", reason: "done")
        var kinds: [RunEvent.Kind] = []
        var last: StoredEvent?
        for try await event in live {
            kinds.append(event.kind)
            last = event
        }
        // The creation, four reports, and the archive as the stream's last event.
        #expect(kinds.count == 6 && kinds.first == .created)
        #expect(last?.event == .archived(try RunArchival(step: 2, reason: "done")))

        let afterwards = try await coordinator.watch(runID: "ending", fromSequence: 3)
        var sequences: [Int] = []
        for try await event in afterwards { sequences.append(event.sequence) }
        #expect(sequences == [3, 4, 5, 6])
    }

    @Test("a watcher that falls too far behind gets what was buffered, then resourceExhausted")
    func slowWatcher() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open(watchBufferLimit: 2)
        defer { try? store.close() }
        _ = try await coordinator.createRun(gradientConfig("slow", accumulationSteps: 1))
        _ = try await coordinator.reportGradients(runID: "slow", report: gradientReport(1, diagonal([1, 1, 1])))
        let stream = try await coordinator.watch(runID: "slow")
        for t in 2...5 {
            _ = try await coordinator.reportGradients(runID: "slow", report: gradientReport(t, diagonal([1, 1, 1])))
        }
        var sequences: [Int] = []
        let error = await #expect(throws: ServiceError.self) {
            for try await event in stream { sequences.append(event.sequence) }
        }
        // The log (the creation, step 1), then the two buffered live events.
        #expect(sequences == [1, 2, 3, 4])
        #expect(error?.code == .resourceExhausted)
        #expect(error?.message.contains("sequence 5") == true)
        // The run itself is unaffected.
        #expect(try await coordinator.getRun("slow").eventCount == 6)
    }

    @Test("finishWatches ends open streams")
    func finishWatches() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        _ = try await coordinator.createRun(gradientConfig("shutdown"))
        let stream = try await coordinator.watch(runID: "shutdown")
        await coordinator.finishWatches()
        var kinds: [RunEvent.Kind] = []
        for try await event in stream { kinds.append(event.kind) }
        #expect(kinds == [.created])
    }
}
