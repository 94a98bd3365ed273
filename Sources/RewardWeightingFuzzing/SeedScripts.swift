import Foundation
import RewardWeightingAPI

/// The fuzzer's seed corpus: the calls real trainers and operators make, built from request values (so they
/// stay valid when the protos grow), plus the adversarial values issue 16 names.
///
/// The well-formed scripts reach every success path (each method of weighting, streamed and inline projected
/// gradients, group normalisation, resume, archive); the adversarial ones start from a valid run and send one
/// kind of bad value each, so that mutations explore around both.
public enum SeedScripts {
    /// Every seed, by a file name for the corpus directory.
    public static var all: [(name: String, script: FuzzScript)] {
        [
            ("fixed-run", fixedRun),
            ("hypervolume-run", hypervolumeRun),
            ("gradient-run", gradientRun),
            ("group-normalised-run", groupNormalisedRun),
            ("adversarial-numbers", adversarialNumbers),
            ("adversarial-shapes", adversarialShapes),
            ("adversarial-steps", adversarialSteps),
            ("adversarial-names", adversarialNames),
            ("adversarial-streams", adversarialStreams),
        ]
    }

    /// A fixed-weights run: Scalarize for three steps, a validation Scalarize, checkpoints, reads, archive.
    public static var fixedRun: FuzzScript {
        FuzzScript(calls: [
            createRun(config(method: .fixed, initialWeights: [0.5, 0.3, 0.2])),
            scalarize(step: 0, rewards: [1, 200, 0.5, 0, 350, 0.75, 1, 120, 0.25, 0, 90, 1]),
            scalarize(step: 1, rewards: [0.5, 180, 0.5, 1, 300, 0.5]),
            scalarize(step: 1, rewards: [0.5, 180, 0.5], validation: true),
            checkpoint(step: 0, scores: [0.2, 400, 0.5]),
            checkpoint(step: 10, scores: [0.4, 350, 0.6]),
            getRun(contributions: true),
            FuzzScript.Call(.listRuns, Rewardweighting_V1_ListRunsRequest()),
            archiveRun(reason: "done"),
            scalarize(step: 2, rewards: [1, 100, 1]),
        ])
    }

    /// The hypervolume method: a reference checkpoint, checkpoints that enter and miss the buffer, Scalarize with
    /// r_pareto, and a resume to an earlier step.
    public static var hypervolumeRun: FuzzScript {
        var hypervolume = Rewardweighting_V1_HypervolumeSettings()
        hypervolume.metaReward = .tanh
        var withReference = config(method: .hypervolume)
        withReference.hypervolume = hypervolume
        return FuzzScript(calls: [
            createRun(withReference),
            checkpoint(step: 0, scores: [0.2, 400, 0.5]),
            scalarize(step: 1, rewards: [1, 200, 0.5, 0, 350, 0.75]),
            checkpoint(step: 10, scores: [0.4, 350, 0.6]),
            checkpoint(step: 20, scores: [0.3, 300, 0.7]),
            checkpoint(step: 30, scores: [0.1, 450, 0.4]),
            scalarize(step: 31, rewards: [1, 200, 0.5]),
            getRun(contributions: true),
            resumeRun(fromStep: 15),
            checkpoint(step: 20, scores: [0.5, 250, 0.8]),
            scalarize(step: 21, rewards: [0, 100, 1]),
        ])
    }

    /// The gradient method: Gram matrices over two accumulation windows, inline projected gradients, and a
    /// streamed upload in two slices.
    public static var gradientRun: FuzzScript {
        var gradient = Rewardweighting_V1_GradientSettings()
        gradient.learningRate = 0.5
        gradient.mu = 1
        gradient.accumulationSteps = 2
        var schedule = Rewardweighting_V1_LearningRateSchedule()
        schedule.kind = .polynomial
        schedule.totalSteps = 100
        gradient.schedule = schedule
        var run = config(method: .gradient)
        run.gradient = gradient
        var projected = Rewardweighting_V1_ProjectedGradients()
        projected.numObjectives = 3
        projected.dimension = 2
        projected.values = [0.1, -0.2, 0.3, 0.05, -0.4, 0.2]
        var inline = Rewardweighting_V1_ReportGradientsRequest()
        inline.runID = FuzzScript.sharedRunID
        inline.step = 5
        inline.projected = projected
        return FuzzScript(calls: [
            createRun(run),
            gram(step: 1, values: [1, 0.2, -0.1, 0.2, 0.5, 0, -0.1, 0, 0.25]),
            gram(step: 2, values: [0.8, 0.1, 0, 0.1, 0.6, -0.2, 0, -0.2, 0.3], learningRate: 0.1),
            scalarize(step: 3, rewards: [1, 200, 0.5, 0, 350, 0.75]),
            gram(step: 3, values: [2, 0, 0, 0, 1, 0, 0, 0, 0.5]),
            gram(step: 4, values: [1e-3, 0, 0, 0, 1e-3, 0, 0, 0, 1e-3]),
            FuzzScript.Call(.reportGradients, inline, sharedRunID: true),
            stream(
                step: 6, dimension: 4, slices: [(0, [0.5, -0.25, 1, 2, 0.125, -1]), (2, [1, 1, 0.5, 0.5, -2, 4])]),
            getRun(contributions: false),
        ])
    }

    /// GDPO-style group normalisation: every Scalarize carries group ids.
    public static var groupNormalisedRun: FuzzScript {
        var run = config(method: .fixed)
        run.normalization = .group
        return FuzzScript(calls: [
            createRun(run),
            scalarize(step: 0, rewards: [1, 200, 0.5, 0, 350, 0.75, 1, 120, 0.25, 0, 90, 1], groups: [0, 0, 1, 1]),
            scalarize(step: 1, rewards: [1, 200, 0.5, 1, 200, 0.5], groups: [7, 7]),
            scalarize(step: 2, rewards: [1, 200, 0.5, 0, 350, 0.75]),
        ])
    }

    /// NaN, ±∞, subnormals and ±1e308 in every numeric input.
    public static var adversarialNumbers: FuzzScript {
        let subnormal = Double.leastNonzeroMagnitude
        var hypervolume = config(method: .hypervolume)
        hypervolume.hypervolume.referencePoint = [-1e308, 1e308, -1e308]
        var gradient = Rewardweighting_V1_GradientSettings()
        gradient.learningRate = 1e308
        gradient.mu = subnormal
        gradient.accumulationSteps = 1
        var gradientRun = config(method: .gradient)
        gradientRun.gradient = gradient
        return FuzzScript(calls: [
            createRun(hypervolume),
            scalarize(step: 0, rewards: [.nan, 1, 1]),
            scalarize(step: 0, rewards: [.infinity, -.infinity, 1]),
            scalarize(step: 1, rewards: [1e308, 1e308, 1e308, -1e308, -1e308, -1e308]),
            scalarize(step: 2, rewards: [subnormal, -subnormal, 0]),
            checkpoint(step: 0, scores: [.nan, 0, 0]),
            checkpoint(step: 0, scores: [1e308, -1e308, 1e308]),
            checkpoint(step: 1, scores: [1e308, -1e308, 1e308]),
            checkpoint(step: 2, scores: [subnormal, subnormal, subnormal]),
            createRun(gradientRun, runID: "fuzz-gradient"),
            gram(
                step: 1, values: [1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308], run: "fuzz-gradient"),
            gram(step: 2, values: [.nan, 0, 0, 0, 1, 0, 0, 0, 1], run: "fuzz-gradient"),
            gram(step: 3, values: [-1e308, 0, 0, 0, 1e308, 0, 0, 0, subnormal], run: "fuzz-gradient"),
            gram(step: 4, values: [1, 0, 0, 0, 1, 0, 0, 0, 1], learningRate: .infinity, run: "fuzz-gradient"),
            gram(step: 5, values: [1, 0, 0, 0, 1, 0, 0, 0, 1], learningRate: -1, run: "fuzz-gradient"),
        ])
    }

    /// K mismatches: rewards, Gram matrices, scores and weights of the wrong size; an asymmetric Gram matrix.
    public static var adversarialShapes: FuzzScript {
        var reward = Rewardweighting_V1_RewardMatrix()
        reward.numObjectives = 4
        reward.values = [1, 2, 3, 4]
        var wrongK = Rewardweighting_V1_ScalarizeRequest()
        wrongK.runID = FuzzScript.sharedRunID
        wrongK.rewards = reward
        var gradient = Rewardweighting_V1_GradientSettings()
        gradient.learningRate = 0.1
        gradient.mu = 1
        var run = config(method: .gradient)
        run.gradient = gradient
        return FuzzScript(calls: [
            createRun(config(method: .fixed, initialWeights: [0.5, 0.5])),
            createRun(run),
            FuzzScript.Call(.scalarize, wrongK, sharedRunID: true),
            scalarize(step: 0, rewards: [1, 2, 3, 4]),
            scalarize(step: 0, rewards: [1, 2, 3], groups: [0, 1]),
            checkpoint(step: 0, scores: [1, 2]),
            gram(step: 1, values: [1, 2, 3, 4]),
            gram(step: 1, values: [1, 5, 0, 0, 1, 0, 0, 0, 1]),
            stream(step: 2, dimension: 4, slices: [(0, [1, 2])]),
            stream(step: 2, dimension: 2, slices: [(1, [1, 2, 3, 4, 5, 6])]),
        ])
    }

    /// Negative and 2⁶²-scale steps, out of order and repeated, and resumes to impossible steps.
    public static var adversarialSteps: FuzzScript {
        FuzzScript(calls: [
            createRun(config(method: .hypervolume)),
            scalarize(step: -1, rewards: [1, 1, 1]),
            checkpoint(step: -5, scores: [1, 1, 1]),
            checkpoint(step: 1 << 62, scores: [1, 1, 1]),
            checkpoint(step: Int64.max, scores: [2, 2, 2]),
            checkpoint(step: 3, scores: [2, 0, 2]),
            scalarize(step: Int64.max, rewards: [1, 1, 1]),
            resumeRun(fromStep: -1),
            resumeRun(fromStep: Int64.max),
            resumeRun(fromStep: 0),
            gram(step: Int64.min, values: [1]),
        ])
    }

    /// Unicode, empty and 10 KB run ids; blank, duplicate and odd objective names; a long archive reason.
    public static var adversarialNames: FuzzScript {
        let long = String(repeating: "é", count: 5 * 1024)
        var duplicate = config(method: .fixed)
        duplicate.objectives[1].name = duplicate.objectives[0].name
        var blank = config(method: .fixed)
        blank.objectives[2].name = "   "
        var unicode = config(method: .fixed)
        unicode.objectives[0].name = "ほげ\u{FEFF}"
        return FuzzScript(calls: [
            createRun(config(method: .fixed), runID: long),
            createRun(config(method: .fixed), runID: ""),
            createRun(duplicate, runID: "dup"),
            createRun(blank, runID: "blank"),
            createRun(unicode, runID: "🚀 ünïcödé \u{0}\u{202E}"),
            createRun(config(method: .fixed)),
            archiveRun(reason: String(repeating: "x", count: 2000)),
            FuzzScript.Call(.getRun, Rewardweighting_V1_GetRunRequest.with { $0.runID = long }),
        ])
    }

    /// Streams that lie: no header, two headers, slices out of order, overlapping, short, too many values,
    /// garbage bytes, a header that declares a huge dimension.
    public static var adversarialStreams: FuzzScript {
        var gradient = Rewardweighting_V1_GradientSettings()
        gradient.learningRate = 0.1
        gradient.mu = 1
        var run = config(method: .gradient)
        run.gradient = gradient
        var huge = Rewardweighting_V1_ProjectedGradientsHeader()
        huge.runID = FuzzScript.sharedRunID
        huge.step = 9
        huge.numObjectives = 3
        huge.dimension = 1 << 40
        return FuzzScript(calls: [
            createRun(run),
            FuzzScript.Call(
                method: .reportProjectedGradients, usesSharedRunID: true,
                messages: [sliceMessage(offset: 0, values: [1, 2, 3])]),
            stream(step: 1, dimension: 2, slices: [(1, [1, 2, 3]), (0, [1, 2, 3])]),
            stream(step: 2, dimension: 2, slices: [(0, [1, 2, 3, 4, 5, 6]), (0, [1, 2, 3])]),
            stream(step: 3, dimension: 4, slices: [(0, [1, 2, 3])]),
            stream(step: 4, dimension: 1, slices: [(0, [.nan, 1, 2])]),
            FuzzScript.Call(
                method: .reportProjectedGradients, usesSharedRunID: true,
                messages: [headerMessage(huge), [0xff, 0xff, 0xff, 0x01, 0x12]]),
            FuzzScript.Call(method: .scalarize, usesSharedRunID: true, messages: [[0x0a, 0xff, 0xff, 0xff]]),
            FuzzScript.Call(method: .createRun, usesSharedRunID: false, messages: [[0x12, 0x04, 0x08]]),
        ])
    }

    // MARK: - Requests

    private static let objectives: [(String, Rewardweighting_V1_ObjectiveDirection)] = [
        ("accuracy", .maximize), ("response_length", .minimize), ("clarity", .maximize),
    ]

    private static func config(
        method: Rewardweighting_V1_WeightingMethod, initialWeights: [Double] = []
    ) -> Rewardweighting_V1_RunConfig {
        var config = Rewardweighting_V1_RunConfig()
        config.objectives = objectives.map { name, direction in
            var objective = Rewardweighting_V1_Objective()
            objective.name = name
            objective.direction = direction
            return objective
        }
        config.method = method
        config.initialWeights = initialWeights
        return config
    }

    /// `CreateRun` of `config` as `runID`, or as the shared run id.
    private static func createRun(_ config: Rewardweighting_V1_RunConfig, runID: String? = nil) -> FuzzScript.Call {
        var request = Rewardweighting_V1_CreateRunRequest()
        request.runID = runID ?? FuzzScript.sharedRunID
        request.config = config
        return FuzzScript.Call(.createRun, request, sharedRunID: runID == nil)
    }

    private static func scalarize(
        step: Int64, rewards: [Double], groups: [Int64] = [], validation: Bool = false
    ) -> FuzzScript.Call {
        var matrix = Rewardweighting_V1_RewardMatrix()
        matrix.numObjectives = 3
        matrix.values = rewards
        var request = Rewardweighting_V1_ScalarizeRequest()
        request.runID = FuzzScript.sharedRunID
        request.step = step
        request.rewards = matrix
        request.groupIds = groups
        request.validation = validation
        return FuzzScript.Call(.scalarize, request, sharedRunID: true)
    }

    private static func checkpoint(step: Int64, scores: [Double]) -> FuzzScript.Call {
        var request = Rewardweighting_V1_ReportCheckpointRequest()
        request.runID = FuzzScript.sharedRunID
        request.step = step
        request.scores = scores
        return FuzzScript.Call(.reportCheckpoint, request, sharedRunID: true)
    }

    private static func gram(
        step: Int64, values: [Double], learningRate: Double? = nil, run: String? = nil
    ) -> FuzzScript.Call {
        var matrix = Rewardweighting_V1_GramMatrix()
        matrix.numObjectives = Int32(Double(values.count).squareRoot())
        matrix.values = values
        var request = Rewardweighting_V1_ReportGradientsRequest()
        request.runID = run ?? FuzzScript.sharedRunID
        request.step = step
        request.gram = matrix
        if let learningRate { request.learningRate = learningRate }
        return FuzzScript.Call(.reportGradients, request, sharedRunID: run == nil)
    }

    private static func getRun(contributions: Bool) -> FuzzScript.Call {
        var request = Rewardweighting_V1_GetRunRequest()
        request.runID = FuzzScript.sharedRunID
        request.includeContributions = contributions
        return FuzzScript.Call(.getRun, request, sharedRunID: true)
    }

    private static func resumeRun(fromStep: Int64) -> FuzzScript.Call {
        var request = Rewardweighting_V1_ResumeRunRequest()
        request.runID = FuzzScript.sharedRunID
        request.fromStep = fromStep
        return FuzzScript.Call(.resumeRun, request, sharedRunID: true)
    }

    private static func archiveRun(reason: String) -> FuzzScript.Call {
        var request = Rewardweighting_V1_ArchiveRunRequest()
        request.runID = FuzzScript.sharedRunID
        request.reason = reason
        return FuzzScript.Call(.archiveRun, request, sharedRunID: true)
    }

    /// A `ReportProjectedGradients` stream for K = 3: the header, then each slice `(offset, values)`.
    private static func stream(step: Int64, dimension: Int64, slices: [(Int64, [Float])]) -> FuzzScript.Call {
        var header = Rewardweighting_V1_ProjectedGradientsHeader()
        header.runID = FuzzScript.sharedRunID
        header.step = step
        header.numObjectives = 3
        header.dimension = dimension
        return FuzzScript.Call(
            method: .reportProjectedGradients, usesSharedRunID: true,
            messages: [headerMessage(header)] + slices.map { sliceMessage(offset: $0.0, values: $0.1) })
    }

    private static func headerMessage(_ header: Rewardweighting_V1_ProjectedGradientsHeader) -> [UInt8] {
        var message = Rewardweighting_V1_ReportProjectedGradientsRequest()
        message.header = header
        return (try? message.serializedBytes()) ?? []
    }

    private static func sliceMessage(offset: Int64, values: [Float]) -> [UInt8] {
        var slice = Rewardweighting_V1_ProjectedGradientsSlice()
        slice.offset = offset
        slice.float32Values = Data(
            values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) })
        var message = Rewardweighting_V1_ReportProjectedGradientsRequest()
        message.slice = slice
        return (try? message.serializedBytes()) ?? []
    }
}
