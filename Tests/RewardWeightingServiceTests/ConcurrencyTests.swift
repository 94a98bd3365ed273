import Foundation
import Logging
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingService
import RewardWeightingStore
import Testing

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("16 concurrent reports of the same step are applied exactly once, and all get the same reply")
    func sameStepConcurrently() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try SQLiteRunStore(path: database.path)
        defer { try? store.close() }
        let records = RecordingLogHandler.Records()
        let coordinator = RunCoordinator(
            store: store, logger: Logger(label: "test") { _ in RecordingLogHandler(records: records) })
        _ = try await coordinator.createRun(gradientConfig("herd", accumulationSteps: 1))
        let report = gradientReport(1, diagonal([0.3, 0.2, 0.1]))
        let replies = try await withThrowingTaskGroup(of: GradientDecision.self) { group in
            for _ in 0..<16 {
                group.addTask { try await coordinator.reportGradients(runID: "herd", report: report) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.count == 16)
        #expect(Set(replies).count == 1)
        #expect(replies.first?.updated == true)
        let events = try await coordinator.events(runID: "herd")
        #expect(events.count == 1)
        let run = try await coordinator.getRun("herd")
        #expect(run.version == 2)
        #expect(run.state == (try WeightingPolicy(config: run.config).replay([.gradients(report)])))
        // Serialised by the run's actor: no write ever met a changed run and had to start over.
        #expect(records.messages(at: .warning).isEmpty)
        #expect(records.messages(at: .debug).filter { $0 == "retry answered from the log" }.count == 15)
    }

    @Test("16 concurrent first calls on a cold coordinator apply the report once")
    func concurrentFirstLoads() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (creator, creatorStore) = try database.open()
        _ = try await creator.createRun(gradientConfig("cold", accumulationSteps: 1))
        try creatorStore.close()
        // A new coordinator has no actor yet: 16 concurrent calls race to load it.
        let (coordinator, store) = try database.open()
        defer { try? store.close() }
        let report = gradientReport(1, diagonal([0.3, 0.2, 0.1]))
        let replies = try await withThrowingTaskGroup(of: GradientDecision.self) { group in
            for _ in 0..<16 {
                group.addTask { try await coordinator.reportGradients(runID: "cold", report: report) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(replies).count == 1)
        #expect(try await coordinator.events(runID: "cold").count == 1)
    }

    @Test("two coordinators on one database (two replicas) never apply a step twice")
    func twoReplicas() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (first, firstStore) = try database.open()
        defer { try? firstStore.close() }
        let (second, secondStore) = try database.open()
        defer { try? secondStore.close() }
        _ = try await first.createRun(gradientConfig("shared", accumulationSteps: 1))
        // The second replica caches the run at version 1.
        let rewards = try ObjectiveMatrix(rows: [[1, 0, 0]])
        _ = try await second.scalarize(runID: "shared", step: 1, rewards: rewards, groupIDs: nil, validation: true)

        let report = gradientReport(1, diagonal([0.3, 0.2, 0.1]))
        let applied = try await first.reportGradients(runID: "shared", report: report)
        // The second replica's snapshot is stale: its write conflicts, it reloads and finds the retry.
        #expect(try await second.reportGradients(runID: "shared", report: report) == applied)
        let different = await #expect(throws: ServiceError.self) {
            try await first.reportGradients(runID: "shared", report: gradientReport(1, diagonal([1, 1, 1])))
        }
        #expect(different?.code == .alreadyExists)
        // The second replica moves on from the reloaded state, and the first one catches up the same way.
        let next = gradientReport(2, diagonal([0.1, 0.2, 0.3]))
        let fromSecond = try await second.reportGradients(runID: "shared", report: next)
        #expect(try await first.reportGradients(runID: "shared", report: next) == fromSecond)
        let events = try await first.events(runID: "shared")
        #expect(events.map(\.step) == [1, 2])
        let run = try await first.getRun("shared")
        #expect(run.state == (try WeightingPolicy(config: run.config).replay(events.map(\.event))))
    }

    @Test("runs fed concurrently each reach the state of their own sequence")
    func differentRunsConcurrently() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try database.open()
        defer { try? store.close() }
        let runs = (0..<4).map { "parallel-\($0)" }
        for runID in runs { _ = try await coordinator.createRun(gradientConfig(runID)) }
        let replies = try await withThrowingTaskGroup(of: (String, [TrainerReply]).self) { group in
            for (index, runID) in runs.enumerated() {
                group.addTask {
                    let calls = trainerCalls(steps: 1...8, seed: UInt64(100 + index))
                    return (runID, try await coordinator.perform(calls, runID: runID))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for (index, runID) in runs.enumerated() {
            // The same calls on a fresh run of a separate database give the same replies and state.
            let reference = TemporaryDatabase()
            defer { reference.remove() }
            let (alone, aloneStore) = try reference.open()
            defer { try? aloneStore.close() }
            _ = try await alone.createRun(gradientConfig(runID))
            let calls = trainerCalls(steps: 1...8, seed: UInt64(100 + index))
            #expect(try await alone.perform(calls, runID: runID) == replies[runID])
            #expect(try await coordinator.getRun(runID).state == alone.getRun(runID).state)
        }
    }
}
