import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingService
import RewardWeightingStore
import RewardWeightingTestSupport
import Testing

@Suite("Watch")
struct WatchTests {
    /// Checkpoints older than the run's state keeps: the hypervolume a stream sends after each equals the
    /// buffer's hypervolume `recordCheckpoint` replied with, whether the stream's log read holds it, must be
    /// extended by the events logged since, or must be read again after a resume.
    @Test("buffer hypervolumes of old checkpoints, for a stream that replays, falls behind, and sees a resume")
    func bufferHypervolumesOfOldCheckpoints() async throws {
        let coordinator = RunCoordinator(store: InMemoryRunStore(), logger: quietLogger)
        _ = try await coordinator.createRun(hypervolumeConfig("hv-watch"))
        var generator = SplitMix64(seed: 50)
        var scores = [0.3, 900.0, 0.2]
        var volumes: [Int: Double] = [:]  // by sequence number
        func report(_ steps: ClosedRange<Int>) async throws {
            for step in steps {
                scores[0] += 0.01 + 0.03 * generator.symmetric()
                scores[1] += -10 + 30 * generator.symmetric()
                scores[2] += 0.005 + 0.02 * generator.symmetric()
                let recorded = try await coordinator.recordCheckpoint(
                    runID: "hv-watch", report: try CheckpointReport(step: step, scores: scores))
                volumes[recorded.sequence] = recorded.front.hypervolume
            }
        }
        let window = RecentHistory<CheckpointDecision>.capacity
        try await report(0...(3 * window))
        var tracking = WatchedBufferHypervolumes()
        func expectVolumes(_ events: ArraySlice<StoredEvent>) async throws {
            for event in events {
                let volume = try await coordinator.bufferHypervolume(after: event, tracking: &tracking)
                #expect(volume == (event.isSuperseded ? nil : volumes[event.sequence]), "event \(event.sequence)")
            }
        }
        var log = try await coordinator.events(runID: "hv-watch")
        try await expectVolumes(log[0..<10])  // reads the log
        try await report((3 * window + 1)...(6 * window))  // the stream falls behind
        log = try await coordinator.events(runID: "hv-watch")
        try await expectVolumes(log[10...])  // extends its read with the events logged since

        // A resume to an old step: the stream sees the resumed event, then the checkpoints reported since.
        let resumeSequence = log.count + 1
        _ = try await coordinator.resume(runID: "hv-watch", fromStep: 2 * window)
        try await report((2 * window + 1)...(4 * window))
        log = try await coordinator.events(runID: "hv-watch")
        #expect(log[resumeSequence - 1].decision.kind == .resumed)
        try await expectVolumes(log[(resumeSequence - 1)...])
        // And a new stream replaying the whole log: superseded checkpoints have none.
        tracking = WatchedBufferHypervolumes()
        try await expectVolumes(log[...])
    }

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
