import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingService
import RewardWeightingStore
import Testing

@Suite("Run lifecycle")
struct RunLifecycleTests {
    @Test("CreateRun is idempotent by run id; another config is alreadyExists")
    func createIdempotent() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        let (run, created) = try await coordinator.createRun(gradientConfig("create"))
        #expect(created)
        #expect(run.version == 1 && run.status == .active && run.eventCount == 1)
        let (again, createdAgain) = try await coordinator.createRun(gradientConfig("create"))
        #expect(!createdAgain)
        #expect(again == run)
        let error = await #expect(throws: ServiceError.self) {
            try await coordinator.createRun(gradientConfig("create", accumulationSteps: 3))
        }
        #expect(error?.code == .alreadyExists)
        #expect(error?.field == "run_id")
    }

    @Test("every call on an unknown run is notFound naming run_id")
    func unknownRun() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        let rewards = try ObjectiveMatrix(rows: [[1, 0, 0]])
        let failures: [ServiceError?] = [
            await #expect(throws: ServiceError.self) { try await coordinator.getRun("nobody") },
            await #expect(throws: ServiceError.self) {
                try await coordinator.scalarize(
                    runID: "nobody", step: 0, rewards: rewards, groupIDs: nil, validation: true)
            },
            await #expect(throws: ServiceError.self) {
                try await coordinator.reportGradients(runID: "nobody", report: gradientReport(1, diagonal([1, 1, 1])))
            },
            await #expect(throws: ServiceError.self) {
                try await coordinator.reportCheckpoint(
                    runID: "nobody", report: try CheckpointReport(step: 0, scores: [1, 1, 1]))
            },
            await #expect(throws: ServiceError.self) { try await coordinator.resume(runID: "nobody", fromStep: 0) },
            await #expect(throws: ServiceError.self) { try await coordinator.archive(runID: "nobody") },
            await #expect(throws: ServiceError.self) { try await coordinator.events(runID: "nobody") },
            await #expect(throws: ServiceError.self) { try await coordinator.watch(runID: "nobody") },
        ]
        #expect(failures.count == 8)
        for error in failures {
            #expect(error?.code == .notFound)
            #expect(error?.field == "run_id")
            #expect(error?.message.hasPrefix("run_id:") == true)
            #expect(error?.message.contains("'nobody'") == true)
        }
    }

    @Test("an archived run refuses mutations, also after a restart, and stays readable")
    func archiveBlocksMutations() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        var (coordinator, store) = try await database.open()
        _ = try await coordinator.createRun(gradientConfig("archived"))
        _ = try await coordinator.perform(trainerCalls(steps: 1...3, seed: 4), runID: "archived")
        let (archived, archiveSequence) = try await coordinator.archive(runID: "archived")
        #expect(archived.status == .archived)
        #expect(archiveSequence == archived.eventCount)
        let again = try await coordinator.archive(runID: "archived")
        #expect(again.run == archived && again.sequence == archiveSequence)

        for restarted in [false, true] {
            if restarted {
                try store.close()
                (coordinator, store) = try await database.open()
            }
            let rewards = try ObjectiveMatrix(rows: [[1, 0, 0]])
            let failures: [ServiceError?] = [
                await #expect(throws: ServiceError.self) {
                    try await coordinator.reportGradients(
                        runID: "archived", report: gradientReport(4, diagonal([1, 1, 1])))
                },
                await #expect(throws: ServiceError.self) {
                    try await coordinator.reportCheckpoint(
                        runID: "archived", report: try CheckpointReport(step: 4, scores: [1, 1, 1]))
                },
                await #expect(throws: ServiceError.self) {
                    try await coordinator.scalarize(
                        runID: "archived", step: 4, rewards: rewards, groupIDs: nil, validation: false)
                },
                await #expect(throws: ServiceError.self) {
                    try await coordinator.resume(runID: "archived", fromStep: 1)
                },
            ]
            for error in failures {
                #expect(error?.code == .failedPrecondition)
                #expect(error?.field == "run_id")
            }
            // Reads still work: validation Scalarize, the run, its log.
            let validation = try await coordinator.scalarize(
                runID: "archived", step: 4, rewards: rewards, groupIDs: nil, validation: true)
            #expect(validation.rewards.count == 1)
            #expect(try await coordinator.getRun("archived") == archived)
            #expect(try await coordinator.events(runID: "archived").count == archived.eventCount)
        }
        try store.close()
    }

    @Test("ListRuns pages through every run; page size 0 is the default, negative is invalidArgument")
    func listRuns() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let (coordinator, store) = try await database.open()
        defer { try? store.close() }
        let ids = (0..<5).map { "list-\($0)" }
        for id in ids.reversed() { _ = try await coordinator.createRun(gradientConfig(id)) }
        var seen: [String] = []
        var token: String? = ""
        repeat {
            let page = try await coordinator.listRuns(pageSize: 2, pageToken: token)
            seen += page.runs.map(\.runID)
            token = page.nextPageToken
        } while token != nil
        #expect(seen == ids)
        let byCreation = try await coordinator.listRuns(pageSize: 0, pageToken: nil, order: .creation)
        #expect(byCreation.runs.map(\.runID) == ids.reversed())
        #expect(byCreation.nextPageToken == nil)
        let negative = await #expect(throws: ServiceError.self) {
            try await coordinator.listRuns(pageSize: -1, pageToken: nil)
        }
        #expect(negative?.code == .invalidArgument && negative?.field == "page_size")
        let foreign = await #expect(throws: ServiceError.self) {
            try await coordinator.listRuns(pageSize: 1, pageToken: "garbage")
        }
        #expect(foreign?.code == .invalidArgument && foreign?.field == "page_token")
    }
}
