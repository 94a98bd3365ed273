import GRPCCore
import RewardWeightingAPI
import Testing

/// Every error status of the API, with a message that names the offending field (docs/api.md lists them).
@Suite struct ErrorStatusTests {
    /// Runs `body` against a server holding a gradient run `g` and a hypervolume run `h` (K = 3 each).
    private func withRuns(maxMessageBytes: Int? = nil, _ body: (Trainer) async throws -> Void) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(
            database: directory.database(),
            maxMessageBytes: maxMessageBytes ?? 16 * 1024 * 1024
        ) { trainer in
            _ = try await trainer.createRun(gradientRun("g"))
            _ = try await trainer.createRun(hypervolumeRun("h"))
            try await body(trainer)
        }
    }

    // MARK: - Wrong K

    @Test func wrongKIsInvalidArgument() async throws {
        try await self.withRuns { trainer in
            await expectStatus(.invalidArgument, naming: "rewards.num_objectives") {
                _ = try await trainer.scalarize(scalarizeRequest("h", step: 1, rewards: [1, 2, 3, 4], k: 2))
            }
            await expectStatus(.invalidArgument, naming: "gram.num_objectives") {
                _ = try await trainer.reportGradients(gramRequest("g", step: 1, gram: [1, 0, 0, 1], k: 2))
            }
            await expectStatus(.invalidArgument, naming: "scores") {
                _ = try await trainer.reportCheckpoint(checkpointRequest("h", step: 0, scores: [0.3, 900]))
            }
            var projected = Rewardweighting_V1_ReportGradientsRequest()
            projected.runID = "g"
            projected.step = 1
            projected.projected.numObjectives = 2
            projected.projected.dimension = 2
            projected.projected.values = [1, 2, 3, 4]
            await expectStatus(.invalidArgument, naming: "projected.num_objectives") {
                _ = try await trainer.reportGradients(projected)
            }
            var create = gradientRun("k")
            create.config.initialWeights = [0.5, 0.5]
            await expectStatus(.invalidArgument, naming: "config.initial_weights") {
                _ = try await trainer.createRun(create)
            }
            var reference = hypervolumeRun("k")
            reference.config.hypervolume.referencePoint = [0, 1000]
            await expectStatus(.invalidArgument, naming: "config.hypervolume.reference_point") {
                _ = try await trainer.createRun(reference)
            }
        }
    }

    @Test func aValueCountThatIsNotAMultipleOfKIsInvalidArgument() async throws {
        try await self.withRuns { trainer in
            var projected = Rewardweighting_V1_ReportGradientsRequest()
            projected.runID = "g"
            projected.step = 1
            projected.projected.numObjectives = 3
            projected.projected.dimension = 2
            projected.projected.values = [1, 2, 3, 4, 5]
            await expectStatus(.invalidArgument, naming: "projected.values") {
                _ = try await trainer.reportGradients(projected)
            }
            projected.projected.dimension = 0
            await expectStatus(.invalidArgument, naming: "projected.dimension") {
                _ = try await trainer.reportGradients(projected)
            }
            await expectStatus(.invalidArgument, naming: "rewards.values") {
                _ = try await trainer.scalarize(scalarizeRequest("h", step: 1, rewards: [1, 2, 3, 4]))
            }
            await expectStatus(.invalidArgument, naming: "gram.values") {
                _ = try await trainer.reportGradients(gramRequest("g", step: 1, gram: [1, 0, 0, 1]))
            }
            await expectStatus(.invalidArgument, naming: "rewards.num_objectives") {
                _ = try await trainer.scalarize(scalarizeRequest("h", step: 1, rewards: [1, 2, 3], k: 0))
            }
        }
    }

    // MARK: - NaN and ∞

    @Test func nonFiniteValuesAreInvalidArgument() async throws {
        try await self.withRuns { trainer in
            await expectStatus(.invalidArgument, naming: "rewards.values[4]") {
                _ = try await trainer.scalarize(scalarizeRequest("h", step: 1, rewards: [1, 2, 3, 4, .nan, 6]))
            }
            await expectStatus(.invalidArgument, naming: "rewards.values[0]") {
                _ = try await trainer.scalarize(scalarizeRequest("h", step: 1, rewards: [.infinity, 2, 3]))
            }
            await expectStatus(.invalidArgument, naming: "scores") {
                _ = try await trainer.reportCheckpoint(checkpointRequest("h", step: 0, scores: [0.3, .infinity, 0.2]))
            }
            await expectStatus(.invalidArgument, naming: "gram.values[8]") {
                _ = try await trainer.reportGradients(gramRequest("g", step: 1, gram: [1, 0, 0, 0, 1, 0, 0, 0, .nan]))
            }
            var projected = Rewardweighting_V1_ReportGradientsRequest()
            projected.runID = "g"
            projected.step = 1
            projected.projected.numObjectives = 3
            projected.projected.dimension = 2
            projected.projected.values = [1, 2, 3, -.infinity, 5, 6]
            await expectStatus(.invalidArgument, naming: "projected.values[3]") {
                _ = try await trainer.reportGradients(projected)
            }
            var rate = gramRequest("g", step: 1, gram: [1, 0, 0, 0, 1, 0, 0, 0, 1])
            rate.learningRate = .nan
            await expectStatus(.invalidArgument, naming: "learning_rate") {
                _ = try await trainer.reportGradients(rate)
            }
            var config = gradientRun("nan")
            config.config.gradient.mu = .infinity
            await expectStatus(.invalidArgument, naming: "config.gradient.mu") {
                _ = try await trainer.createRun(config)
            }
        }
    }

    // MARK: - Empty batch

    @Test func anEmptyBatchIsInvalidArgument() async throws {
        try await self.withRuns { trainer in
            await expectStatus(.invalidArgument, naming: "rewards.values") {
                _ = try await trainer.scalarize(scalarizeRequest("h", step: 1, rewards: []))
            }
            var missing = scalarizeRequest("h", step: 1, rewards: [])
            missing.clearRewards()
            await expectStatus(.invalidArgument, naming: "rewards") { _ = try await trainer.scalarize(missing) }
        }
    }

    // MARK: - Weights

    @Test(arguments: [[0.5, -0.25, 0.75], [0.0, 0.0, 0.0], [1, .nan, 1]])
    func invalidInitialWeightsAreInvalidArgument(weights: [Double]) async throws {
        try await self.withRuns { trainer in
            var create = gradientRun("weights")
            create.config.initialWeights = weights
            await expectStatus(.invalidArgument, naming: "config.initial_weights") {
                _ = try await trainer.createRun(create)
            }
        }
    }

    // MARK: - Unknown run

    @Test func anUnknownRunIsNotFound() async throws {
        try await self.withRuns { trainer in
            var get = Rewardweighting_V1_GetRunRequest()
            get.runID = "nope"
            await expectStatus(.notFound, naming: "run_id") { _ = try await trainer.getRun(get) }
            await expectStatus(.notFound, naming: "run_id") {
                _ = try await trainer.scalarize(scalarizeRequest("nope", step: 1, rewards: [1, 2, 3]))
            }
            await expectStatus(.notFound, naming: "run_id") {
                _ = try await trainer.reportGradients(gramRequest("nope", step: 1, gram: [1, 0, 0, 0, 1, 0, 0, 0, 1]))
            }
            await expectStatus(.notFound, naming: "run_id") {
                _ = try await trainer.reportCheckpoint(checkpointRequest("nope", step: 0, scores: [1, 2, 3]))
            }
            var resume = Rewardweighting_V1_ResumeRunRequest()
            resume.runID = "nope"
            await expectStatus(.notFound, naming: "run_id") { _ = try await trainer.resumeRun(resume) }
            var archive = Rewardweighting_V1_ArchiveRunRequest()
            archive.runID = "nope"
            await expectStatus(.notFound, naming: "run_id") { _ = try await trainer.archiveRun(archive) }
            var watch = Rewardweighting_V1_WatchRunRequest()
            watch.runID = "nope"
            await expectStatus(.notFound, naming: "run_id") {
                try await trainer.watchRun(watch) { response in
                    for try await _ in response.messages {}
                }
            }
        }
    }

    // MARK: - Bounded messages

    /// Every RPC that names a run, with a malformed id of 10 KB (ASCII) or 5 000 characters (non-ASCII): the
    /// status is INVALID_ARGUMENT naming run_id, not NOT_FOUND, and its message stays under 1 KiB, so that a
    /// stock client (8 KiB metadata limit) reads it as sent.
    @Test(arguments: [String(repeating: "x", count: 10_000) + "!", String(repeating: "é", count: 5_000)])
    func hugeRunIDsGetSmallMessages(runID: String) async throws {
        try await self.withRuns { trainer in
            var failures: [RPCError] = []
            func record(_ body: () async throws -> Void) async {
                do {
                    try await body()
                    Issue.record("the call succeeded")
                } catch let error as RPCError {
                    failures.append(error)
                } catch {
                    Issue.record("\(error)")
                }
            }
            var get = Rewardweighting_V1_GetRunRequest()
            get.runID = runID
            await record { _ = try await trainer.getRun(get) }
            await record { _ = try await trainer.scalarize(scalarizeRequest(runID, step: 1, rewards: [1, 2, 3])) }
            await record {
                _ = try await trainer.reportGradients(gramRequest(runID, step: 1, gram: [1, 0, 0, 0, 1, 0, 0, 0, 1]))
            }
            await record {
                _ = try await trainer.reportCheckpoint(checkpointRequest(runID, step: 0, scores: [1, 2, 3]))
            }
            var resume = Rewardweighting_V1_ResumeRunRequest()
            resume.runID = runID
            await record { _ = try await trainer.resumeRun(resume) }
            var archive = Rewardweighting_V1_ArchiveRunRequest()
            archive.runID = runID
            await record { _ = try await trainer.archiveRun(archive) }
            var watch = Rewardweighting_V1_WatchRunRequest()
            watch.runID = runID
            await record { try await trainer.watchRun(watch) { response in for try await _ in response.messages {} } }
            await record { _ = try await trainer.createRun(gradientRun(runID)) }
            #expect(failures.count == 8)
            for error in failures {
                #expect(error.code == .invalidArgument, "\(error)")
                #expect(error.message.hasPrefix("run_id: "), "\(error.message.prefix(100))")
                #expect(error.message.utf8.count < 1024, "\(error.message.utf8.count) bytes")
            }
        }
    }

    @Test func hugeObjectiveNamesGetSmallMessages() async throws {
        try await self.withRuns { trainer in
            var create = gradientRun("names")
            create.config.objectives[1].name = String(repeating: "n", count: 10_000)
            create.config.objectives[2].name = create.config.objectives[1].name
            let error = await #expect(throws: RPCError.self) { _ = try await trainer.createRun(create) }
            #expect(error?.code == .invalidArgument)
            #expect((error?.message.utf8.count ?? .max) < 1024, "\(error?.message.utf8.count ?? 0) bytes")
        }
    }

    // MARK: - Unknown enum values

    @Test func unknownOrUnsetEnumValuesAreInvalidArgument() async throws {
        try await self.withRuns { trainer in
            var method = gradientRun("enum")
            method.config.method = .unspecified
            method.config.clearGradient()
            await expectStatus(.invalidArgument, naming: "config.method") { _ = try await trainer.createRun(method) }
            method.config.method = .UNRECOGNIZED(42)
            await expectStatus(.invalidArgument, naming: "config.method") { _ = try await trainer.createRun(method) }

            var schedule = gradientRun("enum")
            schedule.config.gradient.schedule.kind = .unspecified
            await expectStatus(.invalidArgument, naming: "config.gradient.schedule.kind") {
                _ = try await trainer.createRun(schedule)
            }
            schedule.config.gradient.schedule.kind = .UNRECOGNIZED(9)
            await expectStatus(.invalidArgument, naming: "config.gradient.schedule.kind") {
                _ = try await trainer.createRun(schedule)
            }

            var metaReward = hypervolumeRun("enum")
            metaReward.config.hypervolume.metaReward = .UNRECOGNIZED(7)
            await expectStatus(.invalidArgument, naming: "config.hypervolume.meta_reward") {
                _ = try await trainer.createRun(metaReward)
            }

            var direction = hypervolumeRun("enum")
            direction.config.objectives[1].direction = .UNRECOGNIZED(3)
            await expectStatus(.invalidArgument, naming: "config.objectives[1].direction") {
                _ = try await trainer.createRun(direction)
            }

            var normalization = hypervolumeRun("enum")
            normalization.config.normalization = .UNRECOGNIZED(5)
            await expectStatus(.invalidArgument, naming: "config.normalization") {
                _ = try await trainer.createRun(normalization)
            }

            var list = Rewardweighting_V1_ListRunsRequest()
            list.status = .UNRECOGNIZED(4)
            await expectStatus(.invalidArgument, naming: "status") { _ = try await trainer.listRuns(list) }
            list.status = .unspecified
            list.method = .UNRECOGNIZED(9)
            await expectStatus(.invalidArgument, naming: "method") { _ = try await trainer.listRuns(list) }
        }
    }

    // MARK: - Gram matrix

    @Test func aNonSymmetricGramMatrixIsInvalidArgument() async throws {
        try await self.withRuns { trainer in
            await expectStatus(.invalidArgument, naming: "gram.values") {
                _ = try await trainer.reportGradients(gramRequest("g", step: 1, gram: [1, 0.5, 0, 0.4, 1, 0, 0, 0, 1]))
            }
            var neither = gramRequest("g", step: 1, gram: [])
            neither.gradients = nil
            await expectStatus(.invalidArgument, naming: "gradients") { _ = try await trainer.reportGradients(neither) }
            // Nothing was applied.
            let run = try await trainer.run("g")
            #expect(!run.state.hasLastGradientsStep)
        }
    }

    // MARK: - Message size

    /// A request over the server's receive limit is refused before it is decoded; the message names the request
    /// and the limit.
    @Test func anOversizedMessageIsResourceExhausted() async throws {
        try await self.withRuns(maxMessageBytes: 1 << 20) { trainer in
            let rewards = [Double](repeating: 0.5, count: 3 * 60_000)  // 1.44 MB of packed doubles
            await expectStatus(.resourceExhausted, naming: "request: the message has") {
                _ = try await trainer.scalarize(scalarizeRequest("h", step: 1, rewards: rewards))
            }
            // A batch under the limit passes on the same connection.
            let small = try await trainer.scalarize(scalarizeRequest("h", step: 1, rewards: [1, 2, 3]))
            #expect(small.scalarizedRewards.count == 1)
        }
    }

    // MARK: - Preconditions

    @Test func resumingAfterTheLatestStepIsFailedPrecondition() async throws {
        try await self.withRuns { trainer in
            var resume = Rewardweighting_V1_ResumeRunRequest()
            resume.runID = "g"
            resume.fromStep = 1
            // No event yet: the latest step is 0.
            await expectStatus(.failedPrecondition, naming: "from_step") { _ = try await trainer.resumeRun(resume) }
            resume.fromStep = 0
            #expect(try await trainer.resumeRun(resume).supersededEvents == 0)
            _ = try await trainer.reportGradients(gramRequest("g", step: 1, gram: [1, 0, 0, 0, 1, 0, 0, 0, 1]))
            _ = try await trainer.reportGradients(gramRequest("g", step: 2, gram: [1, 0, 0, 0, 1, 0, 0, 0, 1]))
            _ = try await trainer.scalarize(scalarizeRequest("g", step: 3, rewards: [1, 2, 3]))
            let before = try await trainer.run("g")
            resume.fromStep = 4
            await expectStatus(.failedPrecondition, naming: "from_step") { _ = try await trainer.resumeRun(resume) }
            #expect(try await trainer.run("g") == before)
            // The latest step of any kind (here a Scalarize summary) is accepted and changes nothing.
            resume.fromStep = 3
            let resumed = try await trainer.resumeRun(resume)
            #expect(resumed.supersededEvents == 0 && resumed.state.lastSequence == before.state.lastSequence)
            #expect(try await trainer.run("g") == before)
        }
    }

    @Test func aScalarisedRewardThatOverflowsNamesItsRow() async throws {
        try await self.withRuns { trainer in
            // r_pareto > 1 after a checkpoint that improved the buffer; then finite rewards whose scalarised value
            // r_pareto·(w·r) overflows in the second response (values 3…5).
            _ = try await trainer.reportCheckpoint(checkpointRequest("h", step: 0, scores: [0.3, 900, 0.2]))
            let improved = try await trainer.reportCheckpoint(checkpointRequest("h", step: 1, scores: [0.9, 100, 0.9]))
            #expect(improved.rPareto > 1.9)
            await expectStatus(.invalidArgument, naming: "rewards.values[3]") {
                _ = try await trainer.scalarize(
                    scalarizeRequest("h", step: 2, rewards: [1, 2, 3, 1.7e308, 1.7e308, 1.7e308]))
            }
        }
    }

    @Test func anArchivedRunIsFailedPrecondition() async throws {
        try await self.withRuns { trainer in
            var archive = Rewardweighting_V1_ArchiveRunRequest()
            archive.runID = "g"
            archive.reason = "done"
            let archived = try await trainer.archiveRun(archive)
            #expect(archived.state.status == .archived)
            #expect(try await trainer.archiveRun(archive).state.status == .archived)

            await expectStatus(.failedPrecondition, naming: "run_id") {
                _ = try await trainer.reportGradients(gramRequest("g", step: 1, gram: [1, 0, 0, 0, 1, 0, 0, 0, 1]))
            }
            await expectStatus(.failedPrecondition, naming: "run_id") {
                _ = try await trainer.reportCheckpoint(checkpointRequest("g", step: 0, scores: [0.3, 900, 0.2]))
            }
            await expectStatus(.failedPrecondition, naming: "run_id") {
                _ = try await trainer.scalarize(scalarizeRequest("g", step: 1, rewards: [1, 2, 3]))
            }
            var resume = Rewardweighting_V1_ResumeRunRequest()
            resume.runID = "g"
            await expectStatus(.failedPrecondition, naming: "run_id") { _ = try await trainer.resumeRun(resume) }
            // Reads and validation batches still work.
            var validation = scalarizeRequest("g", step: 1, rewards: [1, 2, 3])
            validation.validation = true
            #expect(try await trainer.scalarize(validation).scalarizedRewards.count == 1)
            #expect(try await trainer.run("g").state.status == .archived)
        }
    }

    @Test func gradientsForARunOfAnotherMethodAreFailedPrecondition() async throws {
        try await self.withRuns { trainer in
            await expectStatus(.failedPrecondition, naming: "run_id") {
                _ = try await trainer.reportGradients(gramRequest("h", step: 1, gram: [1, 0, 0, 0, 1, 0, 0, 0, 1]))
            }
        }
    }

    // MARK: - Other invalid arguments

    @Test func otherInvalidArgumentsNameTheirField() async throws {
        try await self.withRuns { trainer in
            var noConfig = Rewardweighting_V1_CreateRunRequest()
            noConfig.runID = "x"
            await expectStatus(.invalidArgument, naming: "config") { _ = try await trainer.createRun(noConfig) }
            await expectStatus(.invalidArgument, naming: "run_id") {
                _ = try await trainer.createRun(gradientRun("bad id!"))
            }
            var noGradient = gradientRun("x")
            noGradient.config.clearGradient()
            await expectStatus(.invalidArgument, naming: "config.gradient") {
                _ = try await trainer.createRun(noGradient)
            }
            var stray = hypervolumeRun("x")
            stray.config.gradient.mu = 1
            await expectStatus(.invalidArgument, naming: "config.gradient") { _ = try await trainer.createRun(stray) }
            var schedule = gradientRun("x")
            schedule.config.gradient.schedule.totalSteps = 0
            await expectStatus(.invalidArgument, naming: "config.gradient.schedule.total_steps") {
                _ = try await trainer.createRun(schedule)
            }
            var objectives = hypervolumeRun("x")
            objectives.config.objectives[2].name = "accuracy"
            await expectStatus(.invalidArgument, naming: "config.objectives[2].name") {
                _ = try await trainer.createRun(objectives)
            }
            await expectStatus(.invalidArgument, naming: "step") {
                _ = try await trainer.reportGradients(gramRequest("g", step: 0, gram: [1, 0, 0, 0, 1, 0, 0, 0, 1]))
            }
            await expectStatus(.invalidArgument, naming: "step") {
                _ = try await trainer.reportCheckpoint(checkpointRequest("h", step: -1, scores: [0.3, 900, 0.2]))
            }
            var grouped = hypervolumeRun("grouped")
            grouped.config.normalization = .group
            _ = try await trainer.createRun(grouped)
            await expectStatus(.invalidArgument, naming: "group_ids") {
                _ = try await trainer.scalarize(scalarizeRequest("grouped", step: 1, rewards: [1, 2, 3, 4, 5, 6]))
            }
            var shortGroups = scalarizeRequest("grouped", step: 1, rewards: [1, 2, 3, 4, 5, 6])
            shortGroups.groupIds = [0]
            await expectStatus(.invalidArgument, naming: "group_ids") { _ = try await trainer.scalarize(shortGroups) }
            var watch = Rewardweighting_V1_WatchRunRequest()
            watch.runID = "h"
            watch.fromSequence = -1
            await expectStatus(.invalidArgument, naming: "from_sequence") {
                try await trainer.watchRun(watch) { response in
                    for try await _ in response.messages {}
                }
            }
            var resume = Rewardweighting_V1_ResumeRunRequest()
            resume.runID = "g"
            resume.fromStep = -1
            await expectStatus(.invalidArgument, naming: "from_step") { _ = try await trainer.resumeRun(resume) }
            var list = Rewardweighting_V1_ListRunsRequest()
            list.pageToken = "garbage"
            await expectStatus(.invalidArgument, naming: "page_token") { _ = try await trainer.listRuns(list) }
            list.pageToken = ""
            list.pageSize = -1
            await expectStatus(.invalidArgument, naming: "page_size") { _ = try await trainer.listRuns(list) }
            var archive = Rewardweighting_V1_ArchiveRunRequest()
            archive.runID = "h"
            archive.reason = String(repeating: "x", count: 1025)
            await expectStatus(.invalidArgument, naming: "reason") { _ = try await trainer.archiveRun(archive) }
        }
    }
}
