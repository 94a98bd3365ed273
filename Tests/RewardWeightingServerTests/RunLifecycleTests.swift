import GRPCCore
import RewardWeightingAPI
import Testing

/// CreateRun, GetRun, ListRuns, ArchiveRun and WatchRun as a dashboard uses them.
@Suite struct RunLifecycleTests {
    @Test func createIsIdempotentAndTheConfigRoundTrips() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            var create = gradientRun("lifecycle")
            create.config.initialWeights = [2, 1, 1]
            let first = try await trainer.createRun(create)
            #expect(first.created)
            #expect(first.run.state.weights == [0.5, 0.25, 0.25])
            #expect(first.run.state.status == .active)
            // The creation is the log's first event.
            #expect(first.run.state.lastSequence == 1)
            #expect(first.run.config.initialWeights == [2, 1, 1])

            // The config as returned creates the same run again.
            var again = Rewardweighting_V1_CreateRunRequest()
            again.runID = "lifecycle"
            again.config = first.run.config
            let second = try await trainer.createRun(again)
            #expect(!second.created)
            #expect(second.run == first.run)
        }
    }

    @Test func runConfigIsTheEffectiveConfigAndCreateRunComparesIt() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            var create = gradientRun("effective")
            create.config.clearNormalizationEpsilon()
            create.config.gradient.schedule.clearPower()
            create.config.gradient.schedule.clearGamma()
            let first = try await trainer.createRun(create)
            // Defaults come back filled in.
            #expect(first.run.config.normalizationEpsilon == 1e-6)
            #expect(first.run.config.gradient.schedule.power == 1.03)
            #expect(first.run.config.gradient.schedule.gamma == 0.96)
            // Spelling the defaults out is the same configuration.
            var explicit = create
            explicit.config.normalizationEpsilon = 1e-6
            explicit.config.gradient.schedule.power = 1.03
            explicit.config.gradient.schedule.gamma = 0.96
            #expect(!(try await trainer.createRun(explicit)).created)
            // A different value is another configuration.
            explicit.config.gradient.schedule.gamma = 0.5
            await expectStatus(.alreadyExists, naming: "run_id") { _ = try await trainer.createRun(explicit) }
        }
    }

    @Test func listRunsPagesAndFiltersByStatus() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            for id in ["a", "b", "c", "d", "e"] { _ = try await trainer.createRun(hypervolumeRun(id)) }
            var archive = Rewardweighting_V1_ArchiveRunRequest()
            archive.runID = "c"
            _ = try await trainer.archiveRun(archive)

            var request = Rewardweighting_V1_ListRunsRequest()
            request.pageSize = 2
            var ids: [String] = []
            repeat {
                let page = try await trainer.listRuns(request)
                ids += page.runs.map(\.runID)
                request.pageToken = page.nextPageToken
            } while !request.pageToken.isEmpty
            #expect(ids == ["a", "b", "c", "d", "e"])

            var active = Rewardweighting_V1_ListRunsRequest()
            active.status = .active
            active.pageSize = 2
            var activeIDs: [String] = []
            var firstToken = ""
            repeat {
                let page = try await trainer.listRuns(active)
                activeIDs += page.runs.map(\.runID)
                if firstToken.isEmpty { firstToken = page.nextPageToken }
                active.pageToken = page.nextPageToken
            } while !active.pageToken.isEmpty
            #expect(activeIDs == ["a", "b", "d", "e"])

            var mismatched = Rewardweighting_V1_ListRunsRequest()
            mismatched.status = .archived
            mismatched.pageToken = firstToken
            await expectStatus(.invalidArgument, naming: "page_token") { _ = try await trainer.listRuns(mismatched) }
        }
    }

    @Test func listRunsFiltersByMethodAndGetRunComputesContributionsWhenAsked() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            for id in ["g1", "g2"] { _ = try await trainer.createRun(gradientRun(id)) }
            for id in ["h1", "h2", "h3"] { _ = try await trainer.createRun(hypervolumeRun(id)) }
            var request = Rewardweighting_V1_ListRunsRequest()
            request.method = .hypervolume
            request.pageSize = 2
            var ids: [String] = []
            repeat {
                let page = try await trainer.listRuns(request)
                #expect(page.runs.count == 2 || page.nextPageToken.isEmpty)  // full pages: filtered in the store
                ids += page.runs.map(\.runID)
                request.pageToken = page.nextPageToken
            } while !request.pageToken.isEmpty
            #expect(ids == ["h1", "h2", "h3"])
            request.method = .gradient
            #expect(try await trainer.listRuns(request).runs.map(\.runID) == ["g1", "g2"])

            // Two points on the front of [0.4, 900, 0.3]: each one's box against the reference less their overlap.
            for (step, scores) in [(0, [0.4, 900, 0.3]), (1, [0.6, 800, 0.35]), (2, [0.5, 700, 0.4])] {
                _ = try await trainer.reportCheckpoint(checkpointRequest("h1", step: Int64(step), scores: scores))
            }
            var get = Rewardweighting_V1_GetRunRequest()
            get.runID = "h1"
            let plain = try await trainer.getRun(get).run.state.buffer
            #expect(plain.points.count == 2 && plain.points.allSatisfy { !$0.hasExclusiveContribution })
            get.includeContributions = true
            let buffer = try await trainer.getRun(get).run.state.buffer
            let a = [0.6 - 0.4, 900 - 800.0, 0.35 - 0.3]
            let b = [0.5 - 0.4, 900 - 700.0, 0.4 - 0.3]
            let overlap = zip(a, b).map { Swift.min($0, $1) }.reduce(1, *)
            let expected = [a.reduce(1, *) - overlap, b.reduce(1, *) - overlap]
            for (point, value) in zip(buffer.points, expected) {
                #expect(abs(point.exclusiveContribution - value) <= 1e-12 * buffer.hypervolume)
            }
        }
    }

    /// A watcher from sequence 0 sees only new events; one from sequence 1 sees the history; both end with OK
    /// when the run is archived.
    @Test func watchStreamsLiveEventsAndEndsAtArchive() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(gradientRun("watched"))
            _ = try await trainer.reportCheckpoint(checkpointRequest("watched", step: 0, scores: [0.3, 900, 0.2]))
            let calls = trainerCalls("watched", steps: 1...5, seed: 3).filter { $0.step > 0 }

            try await withThrowingTaskGroup(of: [Rewardweighting_V1_DecisionEvent].self) { group in
                for from in [Int64(0), 1] {
                    group.addTask { try await trainer.watchUntilEnd("watched", fromSequence: from) }
                }
                // Let both watchers subscribe before the new events.
                try await Task.sleep(for: .milliseconds(300))
                _ = try await trainer.perform(calls)
                var archive = Rewardweighting_V1_ArchiveRunRequest()
                archive.runID = "watched"
                _ = try await trainer.archiveRun(archive)

                var streams: [[Rewardweighting_V1_DecisionEvent]] = []
                for try await events in group { streams.append(events) }
                let (live, all) =
                    streams[0].count < streams[1].count ? (streams[0], streams[1]) : (streams[1], streams[0])
                #expect(all.map(\.sequence) == Array(1...Int64(all.count)))
                // The live watcher has no history: at most the calls' events and the archive (it normally
                // subscribes before any of them, and then has them all).
                #expect(!live.isEmpty && live.count <= calls.count + 1)
                #expect(live.map(\.withoutTimestamp) == all.suffix(live.count).map(\.withoutTimestamp))
                #expect(all.map(\.kind).prefix(2) == [.created, .checkpoint])
                #expect(all.first?.created.config.objectives.count == 3)
                #expect(all.first?.created.weights == [0.5, 0.25, 0.25])
                #expect(all.dropFirst().first?.checkpoint.becameReferencePoint == true)
                // Both streams end with the archive.
                #expect(all.last?.kind == .archived && live.last?.kind == .archived)
                let checkpoint = try #require(all.last { $0.kind == .checkpoint })
                #expect(checkpoint.checkpoint.hypervolume > 0)
            }
        }
    }
}
