import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingTestSupport
import Testing

@Suite("Tchebycheff runs")
struct TchebycheffRunTests {
    static func config(
        _ kind: ScalarizationSettings.Kind, smoothing: Double? = nil, idealPoint: [Double]? = nil,
        method: WeightingMethod = .fixed
    ) throws -> RunConfig {
        try RunConfig(
            runID: "tch", objectives: mathObjectives, method: method, initialWeights: [0.5, 0.25, 0.25],
            scalarization: try ScalarizationSettings(kind: kind, smoothing: smoothing, idealPoint: idealPoint))
    }

    /// Records `rows` at `step` as the service does: scalarise, then apply the summary.
    static func record(
        _ rows: [[Double]], at step: Int, _ policy: WeightingPolicy, _ state: RunState
    ) throws -> (ScalarizeResult, RunState) {
        let result = try policy.scalarize(try ObjectiveMatrix(rows: rows), atStep: step, in: state)
        return (result, try policy.apply(.scalarizeSummary(result.summary), to: state).state)
    }

    @Test("the tracked ideal point is the maximum of the batch and every batch of an earlier step")
    func trackedIdealPoint() throws {
        let policy = WeightingPolicy(config: try Self.config(.tchebycheff))
        var state = policy.initialState
        let (first, s1) = try Self.record([[0.2, 0.5, 0.1], [0.4, 0.1, 0.3]], at: 1, policy, state)
        #expect(first.idealPoint == [0.4, 0.5, 0.3])
        #expect(first.summary.objectiveMaxima == [0.4, 0.5, 0.3])
        // −max_k w_k·(z*_k − r_k) with w = (0.5, 0.25, 0.25), recomputed.
        #expect(first.rewards == [-max(0.5 * 0.2, 0, 0.25 * 0.2), -max(0, 0.25 * 0.4, 0)])
        state = s1
        let (second, s2) = try Self.record([[0.1, 0.9, 0.0]], at: 2, policy, state)
        #expect(second.idealPoint == [0.4, 0.9, 0.3])
        state = s2
        // A later batch of the same step does not see step 2's own batches; the next step does.
        let sameStep = try policy.scalarize(try ObjectiveMatrix(rows: [[0.0, 0.0, 0.0]]), atStep: 2, in: state)
        #expect(sameStep.idealPoint == [0.4, 0.5, 0.3])
        let nextStep = try policy.scalarize(try ObjectiveMatrix(rows: [[0.0, 0.0, 0.0]]), atStep: 3, in: state)
        #expect(nextStep.idealPoint == [0.4, 0.9, 0.3])
        // Validation calls are scalarised but never recorded, so they never move it.
        #expect(state.trackedIdealPoint(beforeStep: 3) == [0.4, 0.9, 0.3])
    }

    @Test("a retried batch is answered exactly as the first call, also with many batches per step")
    func retryIsDeterministic() throws {
        let policy = WeightingPolicy(config: try Self.config(.smoothTchebycheff, smoothing: 0.05))
        var state = policy.initialState
        (_, state) = try Self.record([[0.3, 0.3, 0.3]], at: 1, policy, state)
        let batch = [[0.9, 0.1, 0.2], [0.1, 0.8, 0.7]]
        let (first, afterFirst) = try Self.record(batch, at: 2, policy, state)
        (_, state) = try Self.record([[1.0, 1.0, 1.0]], at: 2, policy, afterFirst)  // another shim batch, step 2
        let retry = try policy.scalarize(try ObjectiveMatrix(rows: batch), atStep: 2, in: state)
        #expect(retry.rewards == first.rewards)
        #expect(retry.summary == first.summary)
    }

    @Test("the latest step's point is frozen: a late batch of an older step does not change a retry's answer")
    func lateBatchDoesNotMoveTheLatestStep() throws {
        let policy = WeightingPolicy(config: try Self.config(.tchebycheff))
        var state = policy.initialState
        (_, state) = try Self.record([[0.2, 0.2, 0.2]], at: 4, policy, state)
        let batch = [[0.5, 0.1, 0.3]]
        let (first, afterFirst) = try Self.record(batch, at: 5, policy, state)
        #expect(first.idealPoint == [0.5, 0.2, 0.3])
        // A late batch of step 3 with larger rewards: later steps see it, step 5 does not.
        (_, state) = try Self.record([[0.9, 0.9, 0.9]], at: 3, policy, afterFirst)
        let retry = try policy.scalarize(try ObjectiveMatrix(rows: batch), atStep: 5, in: state)
        #expect(retry.rewards == first.rewards && retry.summary == first.summary)
        let next = try policy.scalarize(try ObjectiveMatrix(rows: batch), atStep: 6, in: state)
        #expect(next.idealPoint == [0.9, 0.9, 0.9])
    }

    @Test("replaying the events rebuilds the tracked ideal point bit for bit")
    func replay() throws {
        let policy = WeightingPolicy(config: try Self.config(.tchebycheff))
        var state = policy.initialState
        var events: [RunEvent] = []
        var generator = SplitMix64(seed: 41)
        for step in [1, 2, 2, 5, 3, 6] {
            let rows = (0..<4).map { _ in (0..<3).map { _ in Double.random(in: -1...1, using: &generator) } }
            let result = try policy.scalarize(try ObjectiveMatrix(rows: rows), atStep: step, in: state)
            events.append(.scalarizeSummary(result.summary))
            state = try policy.apply(events.last!, to: state).state
        }
        let replayed = try policy.replay(events)
        #expect(replayed == state)
        let decoded = try JSONDecoder().decode(RunState.self, from: try JSONEncoder().encode(state))
        #expect(decoded == state)
        #expect(state.idealPointBeforeLatestStep != nil && state.idealPointOfRecordedBatches != nil)
    }

    @Test("a declared ideal point is used as given and nothing is tracked")
    func declaredIdealPoint() throws {
        let policy = WeightingPolicy(config: try Self.config(.tchebycheff, idealPoint: [1, 1, 1]))
        let (result, state) = try Self.record([[0.5, 1, 1], [1, 0, 1]], at: 1, policy, policy.initialState)
        #expect(result.idealPoint == [1, 1, 1])
        #expect(result.rewards == [-0.25, -0.25])
        #expect(result.summary.objectiveMaxima == nil)
        #expect(state.idealPointOfRecordedBatches == nil)
    }

    @Test("r_pareto multiplies the Tchebycheff value of a hypervolume run")
    func hypervolumeRun() throws {
        let policy = WeightingPolicy(
            config: try Self.config(.tchebycheff, idealPoint: [1, 1, 1], method: hypervolumeMethod()))
        let (state, decisions) = try policy.fold([checkpoint(0, [0.5, 800, 0.3]), checkpoint(1, [0.6, 700, 0.4])])
        let r = try #require(decisions[1].checkpoint).metaReward
        let result = try policy.scalarize(try ObjectiveMatrix(rows: [[0.5, 1, 1]]), atStep: 2, in: state)
        #expect(result.rewards == [-0.25 * r])
    }

    @Test("settings that do not fit are refused, naming the field")
    func refusals() throws {
        func field(_ body: () throws -> Void) -> String? {
            do {
                try body()
                return nil
            } catch let error as ValidationError {
                return error.field
            } catch {
                return "\(error)"
            }
        }
        #expect(field { _ = try ScalarizationSettings(kind: .tchebycheff, smoothing: 0.1) } == "smoothing")
        #expect(field { _ = try ScalarizationSettings(kind: .smoothTchebycheff, smoothing: -1) } == "smoothing")
        #expect(field { _ = try ScalarizationSettings(kind: .linear, idealPoint: [1, 1, 1]) } == "ideal_point")
        #expect(field { _ = try Self.config(.tchebycheff, idealPoint: [1, 1]) } == "ideal_point")
        #expect(
            field {
                _ = try RunConfig(
                    runID: "x", objectives: mathObjectives, method: .fixed, normalization: .group,
                    scalarization: try ScalarizationSettings(kind: .tchebycheff))
            } == "scalarization")
        #expect(field { _ = try ScalarizationSettings.Kind(name: "chebyshev") } == "scalarization")
    }

    @Test("the config's JSON names the function, μ and z*, and a linear config encodes as before")
    func configJSON() throws {
        let config = try Self.config(.smoothTchebycheff, smoothing: 0.2, idealPoint: [1, 0, 1])
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        #expect(json.contains("\"scalarization\":\"smooth_tchebycheff\""))
        #expect(json.contains("\"smoothing\":0.2"))
        #expect(try JSONDecoder().decode(RunConfig.self, from: Data(json.utf8)) == config)
        let linear = String(decoding: try JSONEncoder().encode(makeConfig(.fixed)), as: UTF8.self)
        #expect(!linear.contains("scalarization"))
        let defaulted = try JSONDecoder().decode(
            RunConfig.self,
            from: Data(
                #"{"run_id":"d","objectives":[{"name":"a"}],"method":"fixed","scalarization":"smooth_tchebycheff"}"#
                    .utf8))
        #expect(defaulted.scalarization.smoothing == TchebycheffScalarization.defaultSmoothing)
    }
}
