import Foundation
import RewardWeightingCore
import RewardWeightingKernels
import RewardWeightingPolicy
import RewardWeightingService
import RewardWeightingStore
import Synchronization
import Testing

/// A backend that counts its calls, computes with the in-process kernels, and can be switched off (a worker
/// that is down).
final class CountingKernels: KernelBackend {
    let improvements = Atomic<Int>(0)
    let volumes = Atomic<Int>(0)
    let grams = Atomic<Int>(0)
    let isDown = Atomic<Bool>(false)
    private let base = InProcessKernels()

    private func checkUp() throws(KernelError) {
        if self.isDown.load(ordering: .relaxed) {
            throw KernelError(code: .unavailable, field: "kernels", reason: "the worker is down")
        }
    }

    func hypervolumeImprovement(
        adding candidate: ObjectiveVector, to buffer: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> Double {
        try self.checkUp()
        self.improvements.add(1, ordering: .relaxed)
        return try await self.base.hypervolumeImprovement(adding: candidate, to: buffer, reference: reference)
    }

    func hypervolume(of points: ObjectiveMatrix, reference: ObjectiveVector) async throws(KernelError) -> Double {
        try self.checkUp()
        self.volumes.add(1, ordering: .relaxed)
        return try await self.base.hypervolume(of: points, reference: reference)
    }

    func contributions(
        of points: ObjectiveMatrix, reference: ObjectiveVector
    ) async throws(KernelError) -> [Double] {
        try self.checkUp()
        return try await self.base.contributions(of: points, reference: reference)
    }

    func gram(ofGradients gradients: ObjectiveMatrix) async throws(KernelError) -> GramMatrix {
        try self.checkUp()
        self.grams.add(1, ordering: .relaxed)
        return try await self.base.gram(ofGradients: gradients)
    }

    func gram(
        ofFloat32Gradients objectives: Int, dimension: Int,
        slices: @escaping @Sendable (Float32GradientSliceWriter) async throws(KernelError) -> Void
    ) async throws(KernelError) -> GramMatrix {
        try self.checkUp()
        self.grams.add(1, ordering: .relaxed)
        return try await self.base.gram(ofFloat32Gradients: objectives, dimension: dimension, slices: slices)
    }

    func mirrorDescentStep(
        from weights: WeightVector, influence: [Double], stepSize: Double, rule: MirrorDescent
    ) async throws(KernelError) -> WeightVector {
        try self.checkUp()
        return try await self.base.mirrorDescentStep(
            from: weights, influence: influence, stepSize: stepSize, rule: rule)
    }
}

@Suite("Kernels behind KernelBackend")
struct KernelBackendTests {
    @Test("checkpoints are measured on the backend; loading a run replays its log without a kernel call")
    func checkpointsGoThroughTheBackend() async throws {
        let store = InMemoryRunStore(
            snapshotPolicy: StateSnapshotPolicy(minimumInterval: 50, maximumInterval: 50, divisor: 1))
        let kernels = CountingKernels()
        let coordinator = RunCoordinator(store: store, kernels: kernels, logger: quietLogger)
        _ = try await coordinator.createRun(hypervolumeConfig("hv"))
        let scores: [[Double]] = [[0.4, 900, 0.3], [0.5, 850, 0.35], [0.45, 800, 0.32], [0.41, 950, 0.2]]
        var decisions: [CheckpointDecision] = []
        for (step, score) in scores.enumerated() {
            decisions.append(
                try await coordinator.reportCheckpoint(
                    runID: "hv", report: try CheckpointReport(step: step, scores: score)))
        }
        // The first checkpoint becomes the reference point and needs no ΔHV; each later one needs one.
        #expect(kernels.improvements.load(ordering: .relaxed) == scores.count - 1)
        // The same decisions as the policy computing in-process.
        let policy = WeightingPolicy(config: hypervolumeConfig("hv"))
        var state = policy.initialState
        for (step, score) in scores.enumerated() {
            let next = try policy.apply(.checkpoint(try CheckpointReport(step: step, scores: score)), to: state)
            #expect(next.decision == .checkpoint(decisions[step]))
            state = next.state
        }

        // A second coordinator loads the run from the store (every event pending: no snapshot was written) and
        // folds it from the recorded decisions, calling no kernel, bit for bit.
        let other = CountingKernels()
        let reloaded = try await RunCoordinator(store: store, kernels: other, logger: quietLogger).getRun("hv")
        #expect(try await store.loadRun("hv").pendingEvents.count == scores.count)
        #expect(reloaded.state == state)
        #expect(other.improvements.load(ordering: .relaxed) == 0)
    }

    @Test("projected gradients become a Gram matrix on the backend, and only the Gram matrix is recorded")
    func projectedGradientsGoThroughTheBackend() async throws {
        let store = InMemoryRunStore()
        let kernels = CountingKernels()
        let coordinator = RunCoordinator(store: store, kernels: kernels, logger: quietLogger)
        _ = try await coordinator.createRun(gradientConfig("g", accumulationSteps: 1))
        let vectors: [[Double]] = [[1, 2, 0, 1], [0, 1, 1, 0], [2, 0, 1, 1]]
        let projected = try ObjectiveMatrix(rows: vectors)
        let viaBackend = try await coordinator.recordGradients(
            runID: "g", step: 1, projectedGradients: projected, learningRate: nil)
        #expect(kernels.grams.load(ordering: .relaxed) == 1)
        let gram = vectors.map { a in vectors.map { b in zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } } }
        let logged = try await coordinator.events(runID: "g", fromSequence: 2)
        #expect(logged.map(\.event) == [.gradients(gradientReport(1, gram))])
        #expect(viaBackend.decision.influence == gram.map { $0.reduce(0, +) })
    }

    @Test("a backend that is down fails the call UNAVAILABLE and nothing is stored")
    func aBackendThatIsDownChangesNothing() async throws {
        let store = InMemoryRunStore()
        let kernels = CountingKernels()
        let coordinator = RunCoordinator(store: store, kernels: kernels, logger: quietLogger)
        _ = try await coordinator.createRun(hypervolumeConfig("down"))
        _ = try await coordinator.reportCheckpoint(
            runID: "down", report: try CheckpointReport(step: 0, scores: [0.4, 900, 0.3]))
        let before = try await coordinator.getRun("down")
        kernels.isDown.store(true, ordering: .relaxed)
        let error = await #expect(throws: ServiceError.self) {
            try await coordinator.reportCheckpoint(
                runID: "down", report: try CheckpointReport(step: 1, scores: [0.5, 850, 0.35]))
        }
        #expect(error?.code == .unavailable)
        #expect(try await coordinator.getRun("down") == before)
        // Back up: the same report is applied as if nothing had happened.
        kernels.isDown.store(false, ordering: .relaxed)
        let decision = try await coordinator.reportCheckpoint(
            runID: "down", report: try CheckpointReport(step: 1, scores: [0.5, 850, 0.35]))
        #expect(decision.enteredBuffer)
    }
}

@Suite("Read models")
struct ReadModelTests {
    /// ref (0.5, 800, 0.3), maximize [T, F, T]; a point enters, a second one dominating it replaces it, a third
    /// one trading off stays beside it (the policy's ParetoBufferTests case).
    @Test("the front after each checkpoint with its hypervolume and each point's contribution, recomputed")
    func frontWithHypervolumeAndContributions() async throws {
        let coordinator = RunCoordinator(store: InMemoryRunStore(), logger: quietLogger)
        let config = try RunConfig(
            runID: "front", objectives: mathObjectives, method: .hypervolume(try HypervolumeSettings()))
        _ = try await coordinator.createRun(config)
        for (step, scores) in [[0.5, 800, 0.3], [0.52, 780, 0.32], [0.54, 760, 0.34], [0.60, 790, 0.31]].enumerated() {
            _ = try await coordinator.reportCheckpoint(
                runID: "front", report: try CheckpointReport(step: step, scores: scores))
        }
        let initial = try await coordinator.front(runID: "front", afterStep: 0)
        #expect(initial.referencePoint == [0.5, 800, 0.3] && initial.points.isEmpty && initial.hypervolume == 0)

        let current = try await coordinator.front(runID: "front", contributions: true)
        #expect(current.points.map(\.step) == [2, 3])
        // Recomputed independently: the union of two boxes from (0.5, −800, 0.3) in maximisation space.
        let a = [0.54 - 0.5, 800 - 760.0, 0.34 - 0.3]
        let b = [0.60 - 0.5, 800 - 790.0, 0.31 - 0.3]
        let overlap = zip(a, b).map { Swift.min($0, $1) }
        let expected = a.reduce(1, *) + b.reduce(1, *) - overlap.reduce(1, *)
        #expect(abs(current.hypervolume - expected) <= 1e-12 * expected)
        // Each point's exclusive contribution: its box less the overlap.
        let contributions = current.points.map { $0.contribution ?? -1 }
        #expect(abs(contributions[0] - (a.reduce(1, *) - overlap.reduce(1, *))) <= 1e-12 * expected)
        #expect(abs(contributions[1] - (b.reduce(1, *) - overlap.reduce(1, *))) <= 1e-12 * expected)
        #expect(current.points.map(\.scores) == [[0.54, 760, 0.34], [0.60, 790, 0.31]])
    }

    @Test("the history has one row per step with a decision: weights, η_t and I, or ΔHV and r_pareto")
    func stepHistory() async throws {
        let coordinator = RunCoordinator(store: InMemoryRunStore(), logger: quietLogger)
        _ = try await coordinator.createRun(gradientConfig("history", accumulationSteps: 1))
        for step in 1...4 {
            _ = try await coordinator.reportGradients(
                runID: "history", report: gradientReport(step, diagonal([1, 2, 3].map { Double($0 * step) })))
        }
        _ = try await coordinator.reportCheckpoint(
            runID: "history", report: try CheckpointReport(step: 2, scores: [0.4, 900, 0.3]))
        let run = try await coordinator.getRun("history")
        let history = try await coordinator.history(runID: "history")
        #expect(history.rows.map(\.step) == [1, 2, 3, 4])
        #expect(run.state.recentWeightUpdates.count == 4)
        for (row, update) in zip(history.rows, run.state.recentWeightUpdates) {
            // The weights that scalarised the step: the update's, renormalised as every use does (a few ulps).
            #expect(row.weights == run.state.scalarization(atStep: row.step)?.weights.values)
            #expect(zip(row.weights, update.weights).allSatisfy { abs($0 - $1) <= 1e-15 })
            #expect(row.learningRate == update.learningRate)
            #expect(row.influence == update.influence)
        }
        #expect(history.rows[1].metaReward == 1 && history.rows[1].deltaHypervolume == 0)
        #expect(history.rows[0].metaReward == nil)
        let window = try await coordinator.history(runID: "history", from: 2, to: 3)
        #expect(window.rows.map(\.step) == [2, 3])
    }

    @Test("history rows of steps older than the state keeps have the weights of their own updates")
    func stepHistoryOfALongRun() async throws {
        let coordinator = RunCoordinator(store: InMemoryRunStore(), logger: quietLogger)
        _ = try await coordinator.createRun(gradientConfig("long-history", accumulationSteps: 1))
        let steps = 3 * RecentHistory<WeightUpdate>.capacity
        var decisions: [GradientDecision] = []
        for step in 1...steps {
            decisions.append(
                try await coordinator.reportGradients(
                    runID: "long-history",
                    report: gradientReport(step, diagonal([1, 2, 3].map { Double($0 * (step % 7 + 1)) }))))
        }
        let history = try await coordinator.history(runID: "long-history")
        #expect(history.rows.map(\.step) == Array(1...steps))
        for (row, decision) in zip(history.rows, decisions) {
            let update = try #require(decision.update)
            #expect(zip(row.weights, update.weights).allSatisfy { abs($0 - $1) <= 1e-15 }, "step \(row.step)")
            #expect(row.learningRate == update.learningRate)
            #expect(row.influence == update.influence)
        }
        let window = try await coordinator.history(runID: "long-history", from: 3, to: 4)
        #expect(window.rows == Array(history.rows[2...3]))
    }

    @Test("a history row pools the rewards of the step's Scalarize calls and gives its Gram matrix's cosines")
    func stepHistoryRewardsAndCosines() async throws {
        let coordinator = RunCoordinator(store: InMemoryRunStore(), logger: quietLogger)
        _ = try await coordinator.createRun(gradientConfig("pooled", accumulationSteps: 1))
        let first: [[Double]] = [[1, 100, 0.5], [0, 300, 0.25], [1, 200, 0.75]]
        let second: [[Double]] = [[0, 400, 1], [0, 500, 0]]
        for batch in [first, second] {
            _ = try await coordinator.scalarize(
                runID: "pooled", step: 2, rewards: try ObjectiveMatrix(rows: batch), groupIDs: nil,
                validation: false)
        }
        // A validation call is not recorded, so it is not in the history.
        _ = try await coordinator.scalarize(
            runID: "pooled", step: 2, rewards: try ObjectiveMatrix(rows: [[9, 9, 9]]), groupIDs: nil,
            validation: true)
        _ = try await coordinator.reportGradients(
            runID: "pooled", report: gradientReport(3, [[4, 2, -6], [2, 1, 0], [-6, 0, 9]]))
        let history = try await coordinator.history(runID: "pooled")
        #expect(history.rows.map(\.step) == [2, 3])
        let row = history.rows[0]
        #expect(row.scalarizedResponses == 5)
        // Recomputed from all five rows as one batch: mean and population standard deviation per column.
        let rows = first + second
        for j in 0..<3 {
            let column = rows.map { $0[j] }
            let mean = column.reduce(0, +) / 5
            let deviation = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5).squareRoot()
            let means = try #require(row.rewardMeans)
            let deviations = try #require(row.rewardStandardDeviations)
            #expect(abs(means[j] - mean) <= 1e-12 * Swift.max(1, abs(mean)))
            #expect(abs(deviations[j] - deviation) <= 1e-12 * Swift.max(1, deviation))
        }
        #expect(row.cosines == nil)
        // cos_ij = G_ij / √(G_ii G_jj): 2/√4, −6/√36, 0.
        #expect(history.rows[1].cosines == [[1, 1, -1], [1, 1, 0], [-1, 0, 1]])
        // Norms √G_ii = (2, 1, 3), over the largest: (2/3, 1/3, 1).
        #expect(history.rows[1].gradientNorms == [2, 1, 3])
        #expect(history.rows[1].gradientNormRatios == [2.0 / 3, 1.0 / 3, 1])
        #expect(row.gradientNorms == nil && row.gradientNormRatios == nil)
        #expect(history.rows[1].scalarizedResponses == 0 && history.rows[1].rewardMeans == nil)
    }
}
