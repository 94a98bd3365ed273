import GRPCCore
import RewardWeightingAPI
import Testing

/// Retries, conflicting payloads, stale steps and concurrent duplicates (design §3).
@Suite struct IdempotencyTests {
    /// ScalarizeRequest's rule, clause by clause.
    @Test func scalarizeRetryRule() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(hypervolumeRun("rule"))
            let batch = scalarizeRequest("rule", step: 5, rewards: [1, 0, 0, 0, 1, 0])
            let first = try await trainer.scalarize(batch)
            let afterFirst = try await trainer.run("rule").state.lastSequence
            // A retry: the same batch at the same step records nothing and returns the stored sequence.
            #expect(try await trainer.scalarize(batch) == first)
            #expect(try await trainer.run("rule").state.lastSequence == afterFirst)
            // Another batch at the same step is a new summary (a per-sample shim's next sample).
            let other = try await trainer.scalarize(scalarizeRequest("rule", step: 5, rewards: [0, 0, 1]))
            #expect(other.sequence == first.sequence + 1)
            // A step below the latest is accepted, with what applied then; so is step 0.
            let older = try await trainer.scalarize(scalarizeRequest("rule", step: 2, rewards: [0, 1, 0]))
            #expect(older.sequence == other.sequence + 1)
            let zero = try await trainer.scalarize(scalarizeRequest("rule", step: 0, rewards: [0, 1, 0]))
            #expect(zero.sequence == older.sequence + 1)
            // The older step's retry is still a retry.
            #expect(try await trainer.scalarize(scalarizeRequest("rule", step: 2, rewards: [0, 1, 0])) == older)
            // A validation batch is never recorded.
            var validation = scalarizeRequest("rule", step: 9, rewards: [0, 1, 0])
            validation.validation = true
            #expect(try await trainer.scalarize(validation).sequence == 0)
            #expect(try await trainer.run("rule").state.lastSequence == Int64(zero.sequence))
            #expect(try await trainer.run("rule").state.lastScalarizeStep == 5)
        }
    }

    @Test func retriesGetTheStoredReplyAndChangeNothing() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(gradientRun("retry"))
            let gram1 = [0.2, 0.01, 0.0, 0.01, 0.3, 0.02, 0.0, 0.02, 0.1]
            let first = try await trainer.reportGradients(gramRequest("retry", step: 1, gram: gram1))
            let before = try await trainer.run("retry")
            let retry = try await trainer.reportGradients(gramRequest("retry", step: 1, gram: gram1))
            #expect(retry == first)
            #expect(first.sequence == 2)
            #expect(try await trainer.run("retry") == before)

            let checkpoint = checkpointRequest("retry", step: 0, scores: [0.3, 900, 0.2])
            let checkpointReply = try await trainer.reportCheckpoint(checkpoint)
            #expect(checkpointReply.sequence == 3)
            #expect(try await trainer.reportCheckpoint(checkpoint) == checkpointReply)

            let rewards = scalarizeRequest("retry", step: 1, rewards: [1, 0, 0, 0, 1, 0])
            let scalarized = try await trainer.scalarize(rewards)
            #expect(scalarized.sequence == 4)
            let afterScalarize = try await trainer.run("retry")
            #expect(try await trainer.scalarize(rewards) == scalarized)
            var validation = rewards
            validation.validation = true
            #expect(try await trainer.scalarize(validation).sequence == 0)
            #expect(try await trainer.run("retry") == afterScalarize)

            // A retry of an older step, after a newer one, still gets its stored reply.
            _ = try await trainer.reportGradients(gramRequest("retry", step: 2, gram: gram1))
            #expect(try await trainer.reportGradients(gramRequest("retry", step: 1, gram: gram1)) == first)
        }
    }

    @Test func aDifferentPayloadForAnAppliedStepIsAlreadyExists() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(gradientRun("conflict"))
            _ = try await trainer.reportGradients(gramRequest("conflict", step: 1, gram: [1, 0, 0, 0, 1, 0, 0, 0, 1]))
            let before = try await trainer.run("conflict")
            await expectStatus(.alreadyExists, naming: "step") {
                _ = try await trainer.reportGradients(
                    gramRequest("conflict", step: 1, gram: [2, 0, 0, 0, 1, 0, 0, 0, 1]))
            }
            _ = try await trainer.reportCheckpoint(checkpointRequest("conflict", step: 0, scores: [0.3, 900, 0.2]))
            await expectStatus(.alreadyExists, naming: "step") {
                _ = try await trainer.reportCheckpoint(checkpointRequest("conflict", step: 0, scores: [0.4, 900, 0.2]))
            }
            #expect(try await trainer.run("conflict").state.weights == before.state.weights)

            // CreateRun with another config for the same id.
            var other = gradientRun("conflict")
            other.config.initialWeights = [1, 1, 1]
            await expectStatus(.alreadyExists, naming: "run_id") { _ = try await trainer.createRun(other) }
        }
    }

    @Test func aStepBelowTheLastAppliedOneIsFailedPrecondition() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(gradientRun("stale"))
            _ = try await trainer.reportGradients(gramRequest("stale", step: 5, gram: [1, 0, 0, 0, 1, 0, 0, 0, 1]))
            await expectStatus(.failedPrecondition, naming: "step") {
                _ = try await trainer.reportGradients(gramRequest("stale", step: 4, gram: [1, 0, 0, 0, 2, 0, 0, 0, 1]))
            }
            _ = try await trainer.reportCheckpoint(checkpointRequest("stale", step: 10, scores: [0.3, 900, 0.2]))
            await expectStatus(.failedPrecondition, naming: "step") {
                _ = try await trainer.reportCheckpoint(checkpointRequest("stale", step: 5, scores: [0.4, 880, 0.2]))
            }
        }
    }

    /// 16 tasks send the same report at once: all get the same reply, and the log holds it once.
    @Test func concurrentDuplicatesAreAppliedOnce() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(gradientRun("concurrent"))
            let before = try await trainer.run("concurrent").state.lastSequence
            let request = gramRequest("concurrent", step: 1, gram: [0.5, 0.1, 0, 0.1, 0.2, 0, 0, 0, 0.3])
            let replies = try await withThrowingTaskGroup(of: Rewardweighting_V1_ReportGradientsResponse.self) {
                group in
                for _ in 0..<16 { group.addTask { try await trainer.reportGradients(request) } }
                var replies: [Rewardweighting_V1_ReportGradientsResponse] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }
            #expect(replies.count == 16)
            #expect(Set(replies.map(\.weights)).count == 1)
            #expect(replies.allSatisfy { $0 == replies[0] })
            let run = try await trainer.run("concurrent")
            #expect(run.state.lastSequence == before + 1)
            let events = try await trainer.events("concurrent", count: Int(run.state.lastSequence))
            #expect(events.filter { $0.kind == .gradients && $0.step == 1 }.count == 1)
        }
    }
}
