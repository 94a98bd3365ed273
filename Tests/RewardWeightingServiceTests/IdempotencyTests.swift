import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingService
import RewardWeightingStore
import Testing

@Suite("Idempotency")
struct IdempotencyTests {
    @Test("a retry with the same payload gets the identical reply and stores nothing more")
    func retries() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        _ = try await coordinator.createRun(gradientConfig("retry"))
        let calls = trainerCalls(steps: 1...6, seed: 1)
        let replies = try await coordinator.perform(calls, runID: "retry")
        let before = try await coordinator.getRun("retry")

        // Every call again, in order: the same replies, no new event, the same version.
        #expect(try await coordinator.perform(calls, runID: "retry") == replies)
        // And the last step's reports out of order: still answered from the log.
        #expect(try await coordinator.perform(calls.reversed(), runID: "retry") == replies.reversed())
        let after = try await coordinator.getRun("retry")
        #expect(after == before)
        #expect(after.eventCount == 1 + calls.count)
        let events = try await coordinator.events(runID: "retry")
        #expect(events.filter { $0.kind == .gradients && $0.step == 6 }.count == 1)
    }

    @Test("a different payload for the last applied step is alreadyExists and changes nothing")
    func differentPayload() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        _ = try await coordinator.createRun(gradientConfig("different"))
        _ = try await coordinator.perform(trainerCalls(steps: 1...4, seed: 2), runID: "different")
        let before = try await coordinator.getRun("different")

        let gradientError = await #expect(throws: ServiceError.self) {
            try await coordinator.reportGradients(
                runID: "different", report: gradientReport(4, diagonal([1, 2, 3])))
        }
        #expect(gradientError?.code == .alreadyExists)
        #expect(gradientError?.field == "step")
        let checkpointError = await #expect(throws: ServiceError.self) {
            try await coordinator.reportCheckpoint(
                runID: "different", report: try CheckpointReport(step: 3, scores: [0.1, 100, 0.1]))
        }
        #expect(checkpointError?.code == .alreadyExists)
        #expect(try await coordinator.getRun("different") == before)
    }

    @Test("a step below the last applied step of its kind is failedPrecondition and changes nothing")
    func lowerStep() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        _ = try await coordinator.createRun(gradientConfig("lower"))
        // Gradients of steps 2, 4, 6 only: step 3 was never applied, step 2 was.
        for t in [2, 4, 6] {
            _ = try await coordinator.reportGradients(runID: "lower", report: gradientReport(t, diagonal([1, 1, 1])))
        }
        let before = try await coordinator.getRun("lower")
        for (step, gram) in [(3, diagonal([1, 1, 1])), (2, diagonal([5, 1, 1]))] {
            let error = await #expect(throws: ServiceError.self) {
                try await coordinator.reportGradients(runID: "lower", report: gradientReport(step, gram))
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.field == "step")
        }
        // The applied step 2 with its own payload is still a retry.
        let retry = try await coordinator.reportGradients(
            runID: "lower", report: gradientReport(2, diagonal([1, 1, 1])))
        #expect(retry.step == 2)
        #expect(try await coordinator.getRun("lower") == before)
    }

    @Test("Scalarize records one summary per distinct call; validation calls record none")
    func scalarizeSummaries() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        _ = try await coordinator.createRun(gradientConfig("summaries"))
        let rewards = try ObjectiveMatrix(rows: [[1, 0, 0], [0, 1, 0]])
        let other = try ObjectiveMatrix(rows: [[1, 1, 0], [0, 1, 1]])
        let first = try await coordinator.scalarize(
            runID: "summaries", step: 1, rewards: rewards, groupIDs: nil, validation: false)
        #expect(first.rewards == [0.5, 0.25])
        #expect(
            try await coordinator.scalarize(
                runID: "summaries", step: 1, rewards: rewards, groupIDs: nil, validation: false) == first)
        _ = try await coordinator.scalarize(
            runID: "summaries", step: 1, rewards: other, groupIDs: nil, validation: false)
        let validation = try await coordinator.scalarize(
            runID: "summaries", step: 2, rewards: rewards, groupIDs: nil, validation: true)
        #expect(validation.rewards == first.rewards)
        let events = try await coordinator.events(runID: "summaries")
        #expect(events.map(\.kind) == [.created, .scalarizeSummary, .scalarizeSummary])
        #expect(events.map(\.step) == [0, 1, 1])
        #expect(try await coordinator.getRun("summaries").state.scalarizedThroughStep == 1)
    }

    @Test("policy refusals map to the statuses of design §4")
    func policyRefusals() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        _ = try await coordinator.createRun(hypervolumeConfig("hv"))
        let wrongMethod = await #expect(throws: ServiceError.self) {
            try await coordinator.reportGradients(runID: "hv", report: gradientReport(1, diagonal([1, 1, 1])))
        }
        #expect(wrongMethod?.code == .failedPrecondition)
        #expect(wrongMethod?.field == "method")
        let wrongK = await #expect(throws: ServiceError.self) {
            try await coordinator.reportCheckpoint(runID: "hv", report: try CheckpointReport(step: 0, scores: [1, 2]))
        }
        #expect(wrongK?.code == .invalidArgument)
        #expect(wrongK?.field == "scores")
        let wrongRewards = await #expect(throws: ServiceError.self) {
            try await coordinator.scalarize(
                runID: "hv", step: 0, rewards: try ObjectiveMatrix(rows: [[1, 2]]), groupIDs: nil, validation: false)
        }
        #expect(wrongRewards?.code == .invalidArgument)
        #expect(wrongRewards?.field == "rewards")
        #expect(try await coordinator.getRun("hv").eventCount == 1)

        let validation = ServiceError(ValidationError(code: .nonFinite, field: "gram", reason: "is NaN"))
        #expect(validation.code == .invalidArgument && validation.field == "gram")
        let corrupt = ServiceError(PolicyError(code: .inconsistentState, field: "state", reason: "bad"))
        #expect(corrupt.code == .internal)
        let duplicate = ServiceError(PolicyError(code: .duplicateStep, field: "step", reason: "dup"))
        #expect(duplicate.code == .alreadyExists)
    }
}
