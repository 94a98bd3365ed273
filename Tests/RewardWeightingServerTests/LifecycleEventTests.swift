import GRPCCore
import RewardWeightingAPI
import Testing

/// CreateRun, ResumeRun and ArchiveRun are events of the run's log, streamed by `WatchRun` like the reports, as
/// the proto's `EventKind` and `DecisionEvent` comments say; a live watcher learns of a rewind from the
/// resumed event.
@Suite struct LifecycleEventTests {
    @Test func createRunIsTheFirstEventOfTheLog() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            let created = try await trainer.createRun(gradientRun("created"))
            #expect(created.run.state.lastSequence == 1)
            let log = try await trainer.events("created", count: 1)
            let event = try #require(log.first)
            #expect(event.kind == .created && event.sequence == 1 && event.step == 0 && !event.superseded)
            #expect(event.created.config == created.run.config)
            #expect(event.created.weights == [0.5, 0.25, 0.25])
            #expect(event.hasRecordedAt)
            // A second CreateRun with the same config records nothing.
            let again = try await trainer.createRun(gradientRun("created"))
            #expect(!again.created && again.run.state.lastSequence == 1)
            // The first report is the second event.
            let reply = try await trainer.reportCheckpoint(
                checkpointRequest("created", step: 0, scores: [0.3, 900, 0.2]))
            #expect(reply.sequence == 2)
        }
    }

    /// A watcher following the run live sees the resumed event, with the number of events it superseded, before
    /// the re-sent steps; applying the proto's rule (mark earlier events with step > from_step superseded) to
    /// what it saw gives exactly the flags of the log read again.
    @Test func aLiveWatcherLearnsOfARewindFromTheResumedEvent() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(gradientRun("rewound", totalSteps: 20))
            let first = trainerCalls("rewound", steps: 1...8, seed: 5)
            let resent = trainerCalls("rewound", steps: 5...8, seed: 6)

            try await withThrowingTaskGroup(of: [Rewardweighting_V1_DecisionEvent].self) { group in
                // The watcher gets the creation from the log, then every later event live.
                let (opened, continuation) = AsyncStream<Void>.makeStream()
                group.addTask {
                    try await trainer.watchUntilEnd("rewound", fromSequence: 1, received: continuation)
                }
                for await _ in opened {}
                _ = try await trainer.perform(first)
                var resume = Rewardweighting_V1_ResumeRunRequest()
                resume.runID = "rewound"
                resume.fromStep = 4
                let resumed = try await trainer.resumeRun(resume)
                let superseded = first.filter { $0.step > 4 }.count
                #expect(resumed.supersededEvents == Int64(superseded))
                #expect(resumed.sequence == Int64(1 + first.count + 1))
                _ = try await trainer.perform(resent)
                var archive = Rewardweighting_V1_ArchiveRunRequest()
                archive.runID = "rewound"
                _ = try await trainer.archiveRun(archive)

                let watched = try #require(try await group.next())
                #expect(watched.first?.kind == .created)
                let live = Array(watched.dropFirst())
                #expect(live.map(\.kind) == first.map(\.kind) + [.resumed] + resent.map(\.kind) + [.archived])
                let resumeEvent = try #require(live.first { $0.kind == .resumed })
                #expect(resumeEvent.step == 4 && resumeEvent.sequence == resumed.sequence)
                #expect(resumeEvent.resumed.fromStep == 4)
                #expect(resumeEvent.resumed.supersededEvents == Int64(superseded))
                #expect(resumeEvent.resumed.weights == resumed.state.weights)
                #expect(resumeEvent.resumed.rPareto == resumed.state.rPareto)
                #expect(live.allSatisfy { !$0.superseded })

                // The client-side rule reproduces the log's flags.
                var flags: [Int64: Bool] = [:]
                for event in live {
                    if event.kind == .resumed {
                        for earlier in live
                        where earlier.sequence < event.sequence && earlier.step > event.resumed.fromStep {
                            flags[earlier.sequence] = true
                        }
                    }
                }
                let log = try await trainer.events("rewound", count: Int(live.last!.sequence))
                #expect(log.dropFirst().map(\.sequence) == live.map(\.sequence))
                for (stored, seen) in zip(log.dropFirst(), live) {
                    #expect(stored.superseded == (flags[seen.sequence] ?? false))
                }
            }
        }
    }

    /// `ResumeRun`'s retry rule: with nothing reported since, the same resume changes nothing and records
    /// nothing; after the trainer re-sent steps, the same resume rewinds again and records another event.
    @Test func aSecondResumeToTheSameStepRewindsAgain() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(gradientRun("twice", totalSteps: 20))
            _ = try await trainer.perform(trainerCalls("twice", steps: 1...6, seed: 1))
            var resume = Rewardweighting_V1_ResumeRunRequest()
            resume.runID = "twice"
            resume.fromStep = 3
            let first = try await trainer.resumeRun(resume)
            #expect(first.supersededEvents > 0)

            // A retry (nothing reported since): no rewind, no event, the resume's sequence.
            let retry = try await trainer.resumeRun(resume)
            #expect(retry.supersededEvents == 0)
            #expect(retry.sequence == first.sequence)
            #expect(retry.state.weights == first.state.weights)
            #expect(try await trainer.run("twice").state.lastSequence == first.sequence)

            // The trainer re-sends steps 4–6 and restarts from step 3 again: a second rewind.
            let resent = trainerCalls("twice", steps: 4...6, seed: 2)
            _ = try await trainer.perform(resent)
            let second = try await trainer.resumeRun(resume)
            #expect(second.supersededEvents == Int64(resent.count))
            #expect(second.sequence == first.sequence + Int64(resent.count) + 1)
            #expect(
                second.state
                    == first.state.with {
                        $0.lastSequence = second.sequence; $0.updatedAt = second.state.updatedAt
                    })

            let log = try await trainer.events("twice", count: Int(second.sequence))
            let resumes = log.filter { $0.kind == .resumed }
            #expect(resumes.map(\.sequence) == [first.sequence, second.sequence])
            #expect(resumes.allSatisfy { $0.step == 3 && !$0.superseded })
            let between = log.filter { $0.sequence > first.sequence && $0.sequence < second.sequence }
            #expect(between.count == resent.count && between.allSatisfy { $0.superseded })
        }
    }

    /// ArchiveRun records the reason in the archived event, the run's last; a second ArchiveRun records
    /// nothing; the events survive a restart.
    @Test func archiveRecordsItsReasonAndSurvivesARestart() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.database()
        let archived = try await withServer(database: database) { trainer in
            _ = try await trainer.createRun(gradientRun("archived"))
            _ = try await trainer.perform(trainerCalls("archived", steps: 1...3, seed: 4))
            var archive = Rewardweighting_V1_ArchiveRunRequest()
            archive.runID = "archived"
            archive.reason = "training finished — ✓"
            let reply = try await trainer.archiveRun(archive)
            #expect(reply.state.status == .archived)
            #expect(reply.sequence == reply.state.lastSequence)
            archive.reason = "again"
            let again = try await trainer.archiveRun(archive)
            #expect(again.sequence == reply.sequence)
            #expect(again.state.lastSequence == reply.sequence)
            return reply
        }
        try await withServer(database: database) { trainer in
            let log = try await trainer.events("archived", count: Int(archived.sequence) + 1)
            #expect(log.count == Int(archived.sequence))
            let last = try #require(log.last)
            #expect(last.kind == .archived && last.sequence == archived.sequence)
            #expect(last.archived.reason == "training finished — ✓")
            #expect(last.step == 3)
            #expect(log.first?.kind == .created)
        }
    }
}

extension Rewardweighting_V1_RunState {
    /// A copy changed by `change`.
    fileprivate func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }
}

extension TrainerCall {
    /// The kind of the event the call records.
    fileprivate var kind: Rewardweighting_V1_EventKind {
        switch self {
        case .scalarize: .scalarize
        case .gradients: .gradients
        case .checkpoint: .checkpoint
        }
    }
}
