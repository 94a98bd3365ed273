import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingService
import RewardWeightingStore
import Testing

@Suite("Restart and resume")
struct RestartAndResumeTests {
    @Test("a new coordinator over the same file continues exactly like an uninterrupted run")
    func restart() async throws {
        let calls = trainerCalls(steps: 1...12, seed: 5)

        let database = TemporaryDatabase()
        defer { database.remove() }
        let (first, firstStore) = try await database.open()
        _ = try await first.createRun(gradientConfig("restart"))
        let before = try await first.perform(calls.through(step: 6), runID: "restart")
        let snapshot = try await first.getRun("restart")
        try firstStore.close()

        let (second, secondStore) = try await database.open()
        defer { try? secondStore.close() }
        #expect(try await second.getRun("restart") == snapshot)
        // A retry from before the restart is still answered from the log.
        #expect(try await second.perform(calls.through(step: 6).suffix(2), runID: "restart") == before.suffix(2))
        let after = try await second.perform(calls.after(step: 6), runID: "restart")

        let reference = TemporaryDatabase()
        defer { reference.remove() }
        let (uninterrupted, referenceStore) = try await reference.open()
        defer { try? referenceStore.close() }
        _ = try await uninterrupted.createRun(gradientConfig("restart"))
        let expected = try await uninterrupted.perform(calls, runID: "restart")

        #expect(before + after == expected)
        let restarted = try await second.getRun("restart")
        let straight = try await uninterrupted.getRun("restart")
        #expect(restarted.state == straight.state)
        #expect(restarted.version == straight.version)
        #expect(try CanonicalJSON.encode(restarted.state) == CanonicalJSON.encode(straight.state))
        // And the snapshot is the replay of the log.
        let events = try await second.events(runID: "restart").map(\.event)
        #expect(try WeightingPolicy(config: restarted.config).replay(events) == restarted.state)
    }

    @Test("GetRun of a run held in memory equals the stored run after every kind of write")
    func residentReadsEqualStoredReads() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        /// The run as a coordinator that holds nothing in memory reads it from the store.
        func stored(_ runID: String) async throws -> Run {
            let (reader, readerStore) = try await database.open()
            defer { try? readerStore.close() }
            return try await reader.getRun(runID)
        }
        for (runID, config) in [
            ("resident-g", gradientConfig("resident-g")), ("resident-h", hypervolumeConfig("resident-h")),
        ] {
            _ = try await coordinator.createRun(config)
            #expect(try await coordinator.getRun(runID) == stored(runID))
            let calls = trainerCalls(steps: 1...8, seed: 11)
            for call in calls {
                _ = try? await coordinator.perform(call, runID: runID)
                #expect(try await coordinator.getRun(runID) == stored(runID))
            }
            _ = try await coordinator.resume(runID: runID, fromStep: 4)
            #expect(try await coordinator.getRun(runID) == stored(runID))
            _ = try await coordinator.archive(runID: runID)
            let archived = try await coordinator.getRun(runID)
            #expect(archived.status == .archived)
            #expect(archived == (try await stored(runID)))
        }
    }

    @Test("resume, then new reports == a fresh run fed the final sequence; superseded events stay readable")
    func resume() async throws {
        let original = trainerCalls(steps: 1...10, seed: 7)
        let replacement = trainerCalls(steps: 1...10, seed: 8).after(step: 6)

        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        _ = try await coordinator.createRun(gradientConfig("resumed"))
        _ = try await coordinator.perform(original, runID: "resumed")
        let beforeResume = try await coordinator.getRun("resumed")

        let (rewound, supersededCount, _) = try await coordinator.resume(runID: "resumed", fromStep: 6)
        #expect(supersededCount == original.after(step: 6).count)
        #expect(rewound.version == beforeResume.version + 1)
        #expect(rewound.supersededEventCount == original.after(step: 6).count)
        #expect(rewound.state.lastGradientStep == 6)
        // Resuming again from the same step has nothing left to supersede.
        let again = try await coordinator.resume(runID: "resumed", fromStep: 6)
        #expect(again.run == rewound && again.supersededEvents == 0)
        // The superseded step-7 report is no retry any more; the trainer's new one is applied.
        let replies = try await coordinator.perform(replacement, runID: "resumed")

        let reference = TemporaryDatabase()
        defer { reference.remove() }
        let (fresh, freshStore) = try await reference.open()
        defer { try? freshStore.close() }
        _ = try await fresh.createRun(gradientConfig("resumed"))
        let expected = try await fresh.perform(original.through(step: 6) + replacement, runID: "resumed")

        #expect(replies == Array(expected.suffix(replacement.count)))
        let resumed = try await coordinator.getRun("resumed")
        let straight = try await fresh.getRun("resumed")
        #expect(resumed.state == straight.state)
        #expect(try CanonicalJSON.encode(resumed.state) == CanonicalJSON.encode(straight.state))

        // The creation, the original reports, the resume, the replacement reports.
        let events = try await coordinator.events(runID: "resumed")
        #expect(events.count == 1 + original.count + 1 + replacement.count)
        #expect(events.map(\.sequence) == Array(1...events.count))
        let superseded = events.filter(\.isSuperseded)
        #expect(superseded.count == original.after(step: 6).count)
        #expect(superseded.allSatisfy { $0.step > 6 && $0.sequence <= 1 + original.count })
        let resume = events[1 + original.count]
        #expect(resume.kind == .resumed && resume.step == 6 && !resume.isSuperseded)
        guard case .resumed(let resumption) = resume.event else {
            Issue.record("not a resume: \(resume)")
            return
        }
        #expect(resumption.supersededEvents == original.after(step: 6).count)
        // Without the resume event, the reports in effect are those of a run that never went past step 6.
        let freshEvents = try await fresh.events(runID: "resumed")
        #expect(
            events.filter { !$0.isSuperseded && $0.kind != .resumed }.map(\.event) == freshEvents.map(\.event))
    }

    @Test("a negative from_step is invalidArgument")
    func negativeFromStep() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        _ = try await coordinator.createRun(gradientConfig("negative"))
        let error = await #expect(throws: ServiceError.self) {
            try await coordinator.resume(runID: "negative", fromStep: -1)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.field == "from_step")
    }
}
