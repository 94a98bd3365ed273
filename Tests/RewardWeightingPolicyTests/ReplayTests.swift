import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingTestSupport
import Testing

@Suite("Replay and resume")
struct ReplayTests {
    static let schedule = try! LearningRateSchedule(kind: .polynomial, totalSteps: 40, power: 1.03)
    static let config = makeConfig(
        gradientMethod(schedule: schedule, accumulationSteps: 2), initialWeights: [0.5, 0.25, 0.25])

    /// A mixed log: gradients every step (some with a reported rate), a checkpoint every third step (the
    /// first is the reference), a Scalarize summary every step.
    static func events(steps: ClosedRange<Int>, seed: UInt64) -> [RunEvent] {
        var generator = SplitMix64(seed: seed)
        var events: [RunEvent] = []
        for t in steps {
            let g = (0..<3).map { _ in (0..<4).map { _ in generator.symmetric() } }
            let gram = g.map { gi in g.map { gj in zip(gi, gj).reduce(0) { $0 + $1.0 * $1.1 } } }
            events.append(gradients(t, gram, learningRate: t % 5 == 0 ? 7e-7 : nil))
            events.append(summary(t))
            if t % 3 == 0 {
                let scores = [
                    0.5 + 0.01 * generator.symmetric(), 800 + 10 * generator.symmetric(), 0.3 + 0.01 * Double(t),
                ]
                events.append(checkpoint(t, scores))
            }
        }
        return events
    }

    @Test("replaying the log gives the incrementally built state, bit for bit")
    func replayEqualsIncremental() throws {
        let policy = WeightingPolicy(config: Self.config)
        let events = Self.events(steps: 1...30, seed: 7)
        let (incremental, _) = try policy.fold(events)
        #expect(try policy.replay(events) == incremental)
        #expect(try WeightingPolicy.replay(config: Self.config, events: events) == incremental)
        #expect(incremental.appliedEventCount == events.count)
        #expect(incremental.recentWeightUpdates.totalCount == 15)
        #expect(incremental.recentCheckpoints.totalCount == 10)
    }

    @Test("a state keeps the same size however long its run goes on; its histories are in the decisions")
    func stateSizeStaysFlat() throws {
        let policy = WeightingPolicy(config: Self.config)
        let encoder = JSONEncoder()
        var sizes: [Int] = []
        for steps in [100, 400, 1_600] {
            let (state, decisions) = try policy.fold(Self.events(steps: 1...steps, seed: 11))
            #expect(state.recentWeightUpdates.count == RecentHistory<WeightUpdate>.capacity)
            #expect(state.recentCheckpoints.count == RecentHistory<CheckpointDecision>.capacity)
            let history = DecisionHistory(decisions)
            #expect(history.weightUpdates.count == state.recentWeightUpdates.totalCount)
            #expect(Array(history.weightUpdates.suffix(16)) == Array(state.recentWeightUpdates))
            #expect(Array(history.checkpoints.suffix(16)) == Array(state.recentCheckpoints))
            // Without the Pareto buffer, which holds the front (a few points here) however the run got there.
            sizes.append(try encoder.encode(state).count - encoder.encode(state.paretoBufferCheckpoints).count)
        }
        // Only the digits of the numbers differ (a few per cent); whole histories would grow 16×.
        #expect(Double(sizes.max()!) <= 1.1 * Double(sizes.min()!), "encoded sizes \(sizes)")
    }

    @Test("config, events, decisions and state survive a JSON round trip exactly")
    func jsonRoundTrip() throws {
        let policy = WeightingPolicy(config: Self.config)
        let events = Self.events(steps: 1...30, seed: 8)
        let (state, decisions) = try policy.fold(events)
        let encoder = JSONEncoder()
        let decoder = JSONDecoder()

        let config = try decoder.decode(RunConfig.self, from: try encoder.encode(Self.config))
        #expect(config == Self.config)
        let decodedEvents = try decoder.decode([RunEvent].self, from: try encoder.encode(events))
        #expect(decodedEvents == events)
        let decodedDecisions = try decoder.decode([Decision].self, from: try encoder.encode(decisions))
        #expect(decodedDecisions == decisions)
        let decodedState = try decoder.decode(RunState.self, from: try encoder.encode(state))
        #expect(decodedState == state)

        // Continuing from the decoded snapshot or from the live state gives the same result.
        let more = Self.events(steps: 31...34, seed: 9)
        #expect(try policy.fold(more, from: decodedState).state == policy.fold(more, from: state).state)
        #expect(try WeightingPolicy(config: config).replay(decodedEvents) == state)
    }

    @Test("a stored state that breaks an invariant does not decode", arguments: ["weights", "meta_reward"])
    func corruptStateIsRefused(key: String) throws {
        let policy = WeightingPolicy(config: Self.config)
        let (state, _) = try policy.fold(Self.events(steps: 1...6, seed: 10))
        var object = try #require(JSONSerialization.jsonObject(with: try JSONEncoder().encode(state)) as? [String: Any])
        object[key] = key == "weights" ? [0.5, -0.25, 0.75] : 0.7
        let data = try JSONSerialization.data(withJSONObject: object)
        let error = #expect(throws: ValidationError.self) { try JSONDecoder().decode(RunState.self, from: data) }
        #expect(error?.field == "state.\(key)")
    }

    @Test("resume to an earlier step, then new reports, equals a fresh run fed the final sequence")
    func resumeThenContinue() throws {
        let policy = WeightingPolicy(config: Self.config)
        let original = Self.events(steps: 1...20, seed: 11)
        let (finalState, _) = try policy.fold(original)

        let resumed = try policy.resume(original, fromStep: 13)
        let kept = original.filter { $0.step <= 13 }
        #expect(resumed == (try policy.replay(kept)))
        #expect(resumed != finalState)
        #expect(resumed.lastGradientStep == 13)
        #expect(resumed.lastCheckpointStep == 12)
        #expect(resumed.scalarizedThroughStep == 13)
        #expect(resumed.gradientAccumulator.count == 1)  // step 13 is in the middle of a window of 2

        // The trainer continues from step 14 with new samples: the old payloads of 14… would now be refused
        // as duplicates only if they were still applied, which they are not.
        let fresh = Self.events(steps: 14...25, seed: 12)
        let continued = try policy.fold(fresh, from: resumed).state
        #expect(continued == (try policy.replay(kept + fresh)))
        #expect(continued != (try policy.replay(original)))

        // Resuming at or after the last step changes nothing; a negative step is refused.
        #expect(try policy.resume(original, fromStep: 20) == finalState)
        #expect(try policy.resume(original, fromStep: 1000) == finalState)
        let error = #expect(throws: PolicyError.self) { try policy.resume(original, fromStep: -1) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.field == "from_step")
    }

    @Test("resuming before a hypervolume run's first checkpoint lets the next checkpoint become the reference")
    func resumeBeforeReference() throws {
        let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod()))
        let events = [checkpoint(2, [0.5, 800, 0.3]), checkpoint(3, [0.52, 780, 0.32])]
        let resumed = try policy.resume(events, fromStep: 1)
        #expect(resumed == policy.initialState)
        let (state, decisions) = try policy.fold([checkpoint(2, [0.51, 790, 0.31])], from: resumed)
        #expect(decisions[0].checkpoint?.becameReference == true)
        #expect(state.referencePoint == [0.51, -790, 0.31])
    }
}
