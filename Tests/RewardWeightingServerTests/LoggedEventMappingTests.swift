import GRPCCore
import RewardWeightingAPI
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingServer
import RewardWeightingTestSupport
import Testing

/// The log as `WatchRun` streams it carries every report, so that `LoggedEventMapping` reads it back into the
/// policy's events and a replay of them reaches the server's state bit for bit (what `rwctl runs replay` does).
@Suite struct LoggedEventMappingTests {
    @Test func everyStreamedEventReadsBackAsTheReportSentAndReplaysToTheServersState() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(gradientRun("logged"))
            var generator = SplitMix64(seed: 3)
            var sentGrams: [Int64: [Double]] = [:]
            for step in Int64(1)...4 {
                let gram = gram(of: randomGradients(&generator))
                sentGrams[step] = gram
                var request = gramRequest("logged", step: step, gram: gram)
                if step == 4 { request.learningRate = 2e-6 }
                _ = try await trainer.reportGradients(request)
                _ = try await trainer.scalarize(
                    scalarizeRequest("logged", step: step, rewards: [0.5, 300, 0.2, 0.7, 250, 0.4]))
            }
            _ = try await trainer.reportCheckpoint(checkpointRequest("logged", step: 2, scores: [0.4, 900, 0.3]))
            var resume = Rewardweighting_V1_ResumeRunRequest()
            resume.runID = "logged"
            resume.fromStep = 3
            _ = try await trainer.resumeRun(resume)
            var archive = Rewardweighting_V1_ArchiveRunRequest()
            archive.runID = "logged"
            archive.reason = "done"
            _ = try await trainer.archiveRun(archive)

            let run = try await trainer.run("logged")
            let logged = try await trainer.watchUntilEnd("logged", fromSequence: 1)
            let events = try logged.map { try LoggedEventMapping.runEvent($0) }
            let config = try LoggedEventMapping.runConfig(run)
            #expect(events.first == .created(RunCreation(config: config)))
            for (event, entry) in zip(events, logged) {
                guard case .gradients(let report) = event else { continue }
                #expect(report.gram.entries == sentGrams[entry.step])
                #expect(report.learningRate == (entry.step == 4 ? 2e-6 : nil))
            }
            let summaries = events.compactMap { if case .scalarizeSummary(let s) = $0 { s } else { nil } }
            #expect(summaries.count == 4 && summaries.allSatisfy { $0.count == 2 })
            #expect(summaries[0].objectiveMeans == [0.6, 275, 0.30000000000000004])
            #expect(events.last == .archived(try RunArchival(step: 3, reason: "done")))
            // The events still in effect replay to the server's weights and r_pareto, bit for bit.
            let active = zip(events, logged).filter { !$0.1.superseded }.map(\.0)
            let state = try WeightingPolicy.replay(config: config, events: active)
            #expect(state.weights.map(\.bitPattern) == run.state.weights.map(\.bitPattern))
            #expect(state.metaReward == run.state.rPareto)
        }
    }

    @Test func aGradientsEventWithoutItsGramMatrixCannotBeReplayed() throws {
        var event = Rewardweighting_V1_DecisionEvent()
        event.sequence = 7
        event.step = 3
        event.gradients = Rewardweighting_V1_GradientsDecision()
        let error = #expect(throws: RPCError.self) { try LoggedEventMapping.runEvent(event) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("gradients.gram: event 7 has no Gram matrix") == true)
    }
}
