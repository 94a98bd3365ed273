import GRPCCore
import RewardWeightingAPI
import Testing

/// `ResumeRun` after a trainer restarts from an older checkpoint (design §2).
@Suite struct ResumeTests {
    /// A run fed steps 1–20 (payloads A), resumed to step 10, then fed steps 11–20 again (payloads B) replies and
    /// ends exactly as a fresh run fed A[1…10] + B[11…20]; the superseded events stay readable through `WatchRun`
    /// from sequence 1, flagged.
    @Test(arguments: [true, false])
    func resumeThenNewPayloadsEqualsAFreshRun(gradients: Bool) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let create = gradients ? gradientRun("resumed", totalSteps: 20) : hypervolumeRun("resumed")
        var fresh = create
        fresh.runID = "fresh"
        let a = trainerCalls("resumed", steps: 1...20, seed: 1, gradients: gradients)
        let b = trainerCalls("resumed", steps: 11...20, seed: 2, gradients: gradients)
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(create)
            _ = try await trainer.perform(a)
            let beforeResume = try await trainer.run("resumed")

            var resume = Rewardweighting_V1_ResumeRunRequest()
            resume.runID = "resumed"
            resume.fromStep = 10
            let resumed = try await trainer.resumeRun(resume)
            let superseded = a.filter { $0.step > 10 }.count
            #expect(resumed.supersededEvents == Int64(superseded))
            #expect(resumed.state.lastGradientsStep == (gradients ? 10 : 0))
            #expect(resumed.state.lastCheckpointStep == 10)
            // The resume is logged as the next event.
            #expect(resumed.sequence == beforeResume.state.lastSequence + 1)
            let replies = try await trainer.perform(b)

            _ = try await trainer.createRun(fresh)
            let retarget = { (calls: [TrainerCall]) in calls.map { $0.forRun("fresh") } }
            _ = try await trainer.perform(retarget(a.filter { $0.step <= 10 }))
            let freshReplies = try await trainer.perform(retarget(b))
            // Equal decisions; the sequence numbers differ by the superseded events in the resumed run's log.
            #expect(replies.map(\.withoutSequence) == freshReplies.map(\.withoutSequence))

            var resumedRun = try await trainer.run("resumed")
            let freshRun = try await trainer.run("fresh")
            #expect(resumedRun.state.lastSequence == freshRun.state.lastSequence + Int64(superseded) + 1)
            resumedRun.runID = "fresh"
            resumedRun.state.lastSequence = freshRun.state.lastSequence
            #expect(resumedRun == freshRun)

            // The superseded events are still in the log, flagged; nothing else is.
            let events = try await trainer.events(
                "resumed", count: Int(try await trainer.run("resumed").state.lastSequence))
            let flagged = events.filter(\.superseded)
            #expect(flagged.count == superseded)
            #expect(events.filter { $0.kind == .resumed }.map(\.resumed.supersededEvents) == [Int64(superseded)])
            #expect(flagged.allSatisfy { $0.step > 10 })
            #expect(events.filter { !$0.superseded }.count == events.count - superseded)
            #expect(events.map(\.sequence) == Array(1...Int64(events.count)))
        }
    }
}

extension TrainerCall {
    /// The same call for another run.
    func forRun(_ runID: String) -> TrainerCall {
        switch self {
        case .scalarize(var request):
            request.runID = runID
            return .scalarize(request)
        case .gradients(var request):
            request.runID = runID
            return .gradients(request)
        case .checkpoint(var request):
            request.runID = runID
            return .checkpoint(request)
        }
    }
}
