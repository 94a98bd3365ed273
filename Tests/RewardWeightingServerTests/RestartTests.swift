import GRPCCore
import RewardWeightingAPI
import Testing

/// Stopping the server mid-run and starting a new one over the same database changes nothing.
@Suite struct RestartTests {
    /// A gradient run and a hypervolume run, each fed 60 steps (Gram matrices, Scalarize calls, checkpoints),
    /// with the server stopped and restarted after step 30: every reply, the final runs and their logs equal
    /// those of the same calls on one uninterrupted server.
    @Test func restartMidRunIsInvisible() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let runs = [
            (gradientRun("restart-gradient", totalSteps: 60), trainerCalls("restart-gradient", steps: 1...60, seed: 7)),
            (hypervolumeRun("restart-hv"), trainerCalls("restart-hv", steps: 1...60, seed: 8, gradients: false)),
        ]

        // Uninterrupted.
        let uninterrupted = try await withServer(database: directory.database("uninterrupted")) { trainer in
            var result: [([TrainerReply], Rewardweighting_V1_Run, [Rewardweighting_V1_DecisionEvent])] = []
            for (create, calls) in runs {
                _ = try await trainer.createRun(create)
                let replies = try await trainer.perform(calls)
                let run = try await trainer.run(create.runID)
                result.append(
                    (replies, run, try await trainer.events(create.runID, count: Int(run.state.lastSequence))))
            }
            return result.map { Outcome(replies: $0.0, run: $0.1, events: $0.2) }
        }

        // Stopped after step 30, restarted over the same file.
        let database = directory.database("restarted")
        let firstHalf = try await withServer(database: database) { trainer in
            var replies: [[TrainerReply]] = []
            for (create, calls) in runs {
                _ = try await trainer.createRun(create)
                replies.append(try await trainer.perform(calls.filter { $0.step <= 30 }))
            }
            return replies
        }
        let restarted = try await withServer(database: database) { trainer in
            var result: [Outcome] = []
            for (index, (create, calls)) in runs.enumerated() {
                // CreateRun again, as a restarted trainer would: the same config finds the run.
                let created = try await trainer.createRun(create)
                #expect(!created.created)
                let replies = firstHalf[index] + (try await trainer.perform(calls.filter { $0.step > 30 }))
                let run = try await trainer.run(create.runID)
                result.append(
                    Outcome(
                        replies: replies, run: run,
                        events: try await trainer.events(create.runID, count: Int(run.state.lastSequence))))
            }
            return result
        }

        for (expected, actual) in zip(uninterrupted, restarted) {
            #expect(actual.replies == expected.replies)
            #expect(actual.run == expected.run)
            #expect(actual.events.map(\.withoutTimestamp) == expected.events.map(\.withoutTimestamp))
        }
    }

    struct Outcome: Sendable {
        let replies: [TrainerReply]
        let run: Rewardweighting_V1_Run
        let events: [Rewardweighting_V1_DecisionEvent]
    }
}

extension Rewardweighting_V1_DecisionEvent {
    /// The event without `recorded_at`, which differs between equivalent runs.
    var withoutTimestamp: Self {
        var event = self
        event.clearRecordedAt()
        return event
    }
}
