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
        let store = try await database.openStore()
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
        // The creation, then the one report.
        let events = try await coordinator.events(runID: "herd")
        #expect(events.map(\.kind) == [.created, .gradients])
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
        let (creator, creatorStore) = try await database.open()
        _ = try await creator.createRun(gradientConfig("cold", accumulationSteps: 1))
        try creatorStore.close()
        // A new coordinator has no actor yet: 16 concurrent calls race to load it.
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        let report = gradientReport(1, diagonal([0.3, 0.2, 0.1]))
        let replies = try await withThrowingTaskGroup(of: GradientDecision.self) { group in
            for _ in 0..<16 {
                group.addTask { try await coordinator.reportGradients(runID: "cold", report: report) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(replies).count == 1)
        #expect(try await coordinator.events(runID: "cold").map(\.kind) == [.created, .gradients])
    }

    @Test("two coordinators on one database (two replicas) never apply a step twice")
    func twoReplicas() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (first, firstStore) = try await database.open()
        defer { try? firstStore.close() }
        let (second, secondStore) = try await database.open()
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
        #expect(events.map(\.kind) == [.created, .gradients, .gradients])
        #expect(events.map(\.step) == [0, 1, 2])
        let run = try await first.getRun("shared")
        #expect(run.state == (try WeightingPolicy(config: run.config).replay(events.map(\.event))))
    }

    @Test("runs fed concurrently each reach the state of their own sequence")
    func differentRunsConcurrently() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
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
            let (alone, aloneStore) = try await reference.open()
            defer { try? aloneStore.close() }
            _ = try await alone.createRun(gradientConfig(runID))
            let calls = trainerCalls(steps: 1...8, seed: UInt64(100 + index))
            #expect(try await alone.perform(calls, runID: runID) == replies[runID])
            #expect(try await coordinator.getRun(runID).state == alone.getRun(runID).state)
        }
    }

    @Test("concurrent Scalarize calls are committed together, each once, in a log one-at-a-time would write")
    func scalarizeGroupCommit() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        _ = try await coordinator.createRun(gradientConfig("group", accumulationSteps: 1))
        _ = try await coordinator.reportGradients(runID: "group", report: gradientReport(1, diagonal([0.3, 0.2, 0.1])))
        // 48 different batches, 8 exact duplicates of batch 0, and 8 calls with K = 2 rewards (the run has 3).
        let batches = try (0..<48).map { i in
            try ObjectiveMatrix(rows: [[Double(i), 1, 0], [0, Double(i % 5), 1]])
        }
        let wrongK = try ObjectiveMatrix(rows: [[1, 0]])
        enum Call: Sendable { case batch(Int), duplicate, bad }
        let calls: [Call] =
            (0..<48).map { .batch($0) } + Array(repeating: .duplicate, count: 8)
            + Array(repeating: .bad, count: 8)
        let replies = await withTaskGroup(of: (Call, Result<ScalarizeResult, ServiceError>).self) { group in
            for call in calls.shuffled() {
                group.addTask {
                    do throws(ServiceError) {
                        let result: ScalarizeResult
                        switch call {
                        case .batch(let i):
                            result = try await coordinator.scalarize(
                                runID: "group", step: 1, rewards: batches[i], groupIDs: nil, validation: false)
                        case .duplicate:
                            result = try await coordinator.scalarize(
                                runID: "group", step: 1, rewards: batches[0], groupIDs: nil, validation: false)
                        case .bad:
                            result = try await coordinator.scalarize(
                                runID: "group", step: 1, rewards: wrongK, groupIDs: nil, validation: false)
                        }
                        return (call, .success(result))
                    } catch {
                        return (call, .failure(error))
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.count == calls.count)
        var refused = 0
        for (call, reply) in replies {
            switch (call, reply) {
            case (.bad, .failure(let error)):
                #expect(error.code == .invalidArgument)
                refused += 1
            case (.batch(let i), .success(let result)):
                #expect(result.summary.count == 2)
                #expect(
                    result.rewards
                        == (try WeightingPolicy(config: gradientConfig("group", accumulationSteps: 1))
                            .scalarize(
                                batches[i], groupIDs: nil, atStep: 1, in: try await coordinator.getRun("group").state
                            )
                            .rewards))
            case (.duplicate, .success):
                break
            default:
                Issue.record("unexpected reply \(reply) to \(call)")
            }
        }
        #expect(refused == 8)
        // One summary per distinct batch (the duplicates of batch 0 are recorded once), sequences 3…50 (after
        // the creation and the gradient report).
        let events = try await coordinator.events(runID: "group")
        let summaries = events.filter { $0.event.kind == .scalarizeSummary }
        #expect(summaries.count == 48)
        #expect(summaries.map(\.sequence) == Array(3...50))
        // The state is what applying the logged events one at a time gives.
        let run = try await coordinator.getRun("group")
        #expect(run.state == (try WeightingPolicy(config: run.config).replay(events.map(\.event))))
        #expect(run.version == events.count)
    }

    @Test("concurrent Scalarize calls of a tracked Tchebycheff run each see the ideal point one-at-a-time gives")
    func tchebycheffGroupCommit() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        let config = try RunConfig(
            runID: "tch-group", objectives: [Objective(name: "a"), Objective(name: "b")], method: .fixed,
            scalarization: try ScalarizationSettings(kind: .tchebycheff))
        _ = try await coordinator.createRun(config)
        // 24 batches over steps 1…12, arriving in any order; each moves the tracked point.
        var calls: [(step: Int, rewards: ObjectiveMatrix)] = []
        for i in 0..<24 {
            let row: [Double] = [Double(i), Double(24 - i)]
            calls.append((step: 1 + i / 2, rewards: try ObjectiveMatrix(rows: [row])))
        }
        let queued = calls
        let replies = try await withThrowingTaskGroup(of: ScalarizeResult.self) { group in
            for call in queued.shuffled() {
                group.addTask {
                    try await coordinator.scalarize(
                        runID: "tch-group", step: call.step, rewards: call.rewards, groupIDs: nil, validation: false)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Every logged summary is what scalarising its batch against the log before it gives, and every reply is
        // one of them: the group commits scalarised each call against the calls committed before it.
        let events = try await coordinator.events(runID: "tch-group")
        let policy = WeightingPolicy(config: config)
        var state = policy.initialState
        var logged: [ScalarizeSummary] = []
        for stored in events {
            if case .scalarizeSummary(let summary) = stored.event {
                let call = try #require(
                    calls.first {
                        $0.step == summary.step
                            && $0.rewards.storage == [summary.objectiveMaxima![0], summary.objectiveMaxima![1]]
                    })
                let again = try policy.scalarize(call.rewards, atStep: call.step, in: state)
                #expect(again.summary == summary, "sequence \(stored.sequence)")
                logged.append(summary)
            }
            state = try policy.apply(stored.event, to: state).state
        }
        #expect(logged.count == calls.count)
        #expect(Set(replies.map { (reply: ScalarizeResult) in reply.summary }) == Set(logged))
    }

    @Test("Scalarize retries are answered once, from memory above the cache's horizon and from the store below it")
    func scalarizeRetriesAcrossTheSummaryCache() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try await database.openStore()
        defer { try? store.close() }
        let coordinator = RunCoordinator(store: store, logger: Logger(label: "test"), summaryCacheLimit: 4)
        _ = try await coordinator.createRun(gradientConfig("cache", accumulationSteps: 1))
        let batches = try (1...10).map { i in try ObjectiveMatrix(rows: [[Double(i), 0, 1]]) }
        var sequences: [Int] = []
        for (i, rewards) in batches.enumerated() {
            let recorded = try await coordinator.recordScalarization(
                runID: "cache", step: i + 1, rewards: rewards, groupIDs: nil, validation: false)
            sequences.append(recorded.sequence)
        }
        #expect(sequences == Array(2...11))
        // With 4 kept, the early steps fell below the horizon (a store read), the last ones did not.
        for i in [0, 1, 8, 9, 4] {
            let retry = try await coordinator.recordScalarization(
                runID: "cache", step: i + 1, rewards: batches[i], groupIDs: nil, validation: false)
            #expect(retry.sequence == sequences[i])
        }
        // A different batch at an old step is a new summary.
        let other = try await coordinator.recordScalarization(
            runID: "cache", step: 2, rewards: batches[5], groupIDs: nil, validation: false)
        #expect(other.sequence == 12)
        #expect(try await coordinator.events(runID: "cache").count == 12)
        // A new coordinator (a restarted server) starts with an empty cache: retries are still answered once.
        let restarted = RunCoordinator(store: store, logger: Logger(label: "test"), summaryCacheLimit: 4)
        let again = try await restarted.recordScalarization(
            runID: "cache", step: 10, rewards: batches[9], groupIDs: nil, validation: false)
        #expect(again.sequence == 11)
        #expect(try await restarted.events(runID: "cache").count == 12)
    }

    @Test("a run keeps the summaries of its latest steps only, and retries of older steps are still answered once")
    func scalarizeRetriesBeyondTheCachedSteps() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try await database.openStore()
        defer { try? store.close() }
        let coordinator = RunCoordinator(store: store, logger: Logger(label: "test"), summaryCacheSteps: 2)
        _ = try await coordinator.createRun(gradientConfig("steps", accumulationSteps: 1))
        // Three batches a step (a shim's micro-batches), 20 steps.
        let batches = try (0..<60).map { i in try ObjectiveMatrix(rows: [[Double(i), 1, 0.5]]) }
        var sequences: [Int] = []
        for (i, rewards) in batches.enumerated() {
            let recorded = try await coordinator.recordScalarization(
                runID: "steps", step: i / 3 + 1, rewards: rewards, groupIDs: nil, validation: false)
            sequences.append(recorded.sequence)
        }
        #expect(sequences == Array(2...61))
        // Steps 19 and 20 are kept; the others fell below the cache (a store read). Each retry finds its summary.
        for i in [59, 57, 55, 54, 0, 1, 30] {
            let retry = try await coordinator.recordScalarization(
                runID: "steps", step: i / 3 + 1, rewards: batches[i], groupIDs: nil, validation: false)
            #expect(retry.sequence == sequences[i], "batch \(i)")
        }
        #expect(try await coordinator.events(runID: "steps").count == 61)
        // A new batch of the latest step, and of an old one, are new summaries.
        let latest = try await coordinator.recordScalarization(
            runID: "steps", step: 20, rewards: batches[3], groupIDs: nil, validation: false)
        let old = try await coordinator.recordScalarization(
            runID: "steps", step: 5, rewards: batches[0], groupIDs: nil, validation: false)
        #expect(latest.sequence == 62)
        #expect(old.sequence == 63)
    }

    @Test("two replicas scalarising one run concurrently record each distinct summary once")
    func scalarizeOnTwoReplicas() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (first, firstStore) = try await database.open()
        defer { try? firstStore.close() }
        let (second, secondStore) = try await database.open()
        defer { try? secondStore.close() }
        _ = try await first.createRun(gradientConfig("replicas", accumulationSteps: 1))
        let batches = try (0..<24).map { i in try ObjectiveMatrix(rows: [[Double(i), 1, 0]]) }
        // Every batch is sent to both replicas (a trainer retrying through a load balancer), steps out of order.
        let replies = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for i in (0..<24).shuffled() {
                for coordinator in [first, second] {
                    group.addTask {
                        let recorded = try await coordinator.recordScalarization(
                            runID: "replicas", step: 1 + i % 6, rewards: batches[i], groupIDs: nil, validation: false)
                        return (i, recorded.sequence)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let events = try await first.events(runID: "replicas", fromSequence: 2)
        #expect(events.count == 24)
        // Both copies of a batch got the sequence of its one summary.
        let sequences = Dictionary(grouping: replies, by: \.0).mapValues { Set($0.map(\.1)) }
        #expect(sequences.values.allSatisfy { $0.count == 1 })
        #expect(Set(sequences.values.map { $0.first! }) == Set(events.map(\.sequence)))
        let run = try await second.getRun("replicas")
        #expect(run.state == (try WeightingPolicy(config: run.config).replay(events.map(\.event))))
    }
}
