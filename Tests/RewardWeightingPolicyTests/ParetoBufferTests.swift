import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingTestSupport
import Testing

@Suite("Pareto buffers")
struct ParetoBufferTests {
    /// ref (0.5, 800, 0.3), maximize [T, F, T]; a point enters, a second one dominating it replaces it, a
    /// third one trading off stays beside it.
    @Test("the buffer after each checkpoint, in the scores' own units")
    func bufferAfterEachCheckpoint() throws {
        let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod()))
        let (state, _) = try policy.fold([
            checkpoint(0, [0.5, 800, 0.3]),
            checkpoint(1, [0.52, 780, 0.32]),
            checkpoint(2, [0.54, 760, 0.34]),
            checkpoint(3, [0.60, 790, 0.31]),
        ])
        let initial = try #require(policy.paretoBuffer(of: state, afterStep: 0))
        #expect(initial.referencePoint == [0.5, 800, 0.3])
        #expect(initial.referenceStep == 0)
        #expect(initial.points.isEmpty)

        let afterFirst = try #require(policy.paretoBuffer(of: state, afterStep: 1))
        #expect(afterFirst.points.map(\.step) == [1])

        let afterSecond = try #require(policy.paretoBuffer(of: state, afterStep: 2))
        #expect(afterSecond.points.map(\.step) == [2])
        #expect(afterSecond.points.first?.scores == [0.54, 760, 0.34])

        let current = policy.paretoBuffer(of: state)
        #expect(current.points.map(\.step) == [2, 3])
        // Its hypervolume is a read model of the service (RunReadModelTests).
    }

    /// Checkpoints on a coarse grid (ties, repeated scores, dominated points), drifting so that later ones
    /// replace earlier ones, for K objectives of alternating directions.
    static func randomCheckpoints(dimension k: Int, count: Int, seed: UInt64) -> [RunEvent] {
        var generator = SplitMix64(seed: seed)
        var previous: [Double] = []
        return (0..<count).map { step in
            var scores = (0..<k).map { j in
                let value = (generator.unit() * 10).rounded() / 10 + Double(step) * 0.01
                return j % 2 == 0 ? value : -value
            }
            if step > 0, generator.integer(3) == 0 { scores = previous }  // a repeated checkpoint
            previous = scores
            return checkpoint(step, scores)
        }
    }

    @Test(
        "the current buffer read from the state, and every earlier one, is the front of the checkpoints that entered",
        arguments: [2, 3, 4])
    func buffersAgreeWithTheFrontOfEnteredPoints(dimension k: Int) throws {
        let objectives = (0..<k).map { j in
            Objective(name: "o\(j)", direction: j % 2 == 0 ? .maximize : .minimize)
        }
        let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod(), objectives: objectives))
        let (state, decisions) = try policy.fold(Self.randomCheckpoints(dimension: k, count: 80, seed: UInt64(k)))
        let checkpoints = decisions.compactMap(\.checkpoint)
        #expect(checkpoints.contains { $0.enteredBuffer } && checkpoints.contains { !$0.enteredBuffer })
        // Brute force, in the scores' own units: a point is on the front after step s if it entered by then and
        // no other point that entered by then dominates it.
        func dominates(_ a: [Double], _ b: [Double]) -> Bool {
            var strictly = false
            for j in 0..<k {
                let sign: Double = objectives[j].direction == .maximize ? 1 : -1
                let (x, y) = (sign * a[j], sign * b[j])
                if x < y { return false }
                if x > y { strictly = true }
            }
            return strictly
        }
        // From the log's decisions for every step; from the state for the current buffer (its older checkpoints
        // are no longer kept); folded forward by a walk, in step order and again after going back.
        let history = DecisionHistory(decisions)
        var walk = ParetoBufferWalk(history, policy: policy)
        let latest = try #require(checkpoints.last).step
        for step in [Int?.none] + (0..<80).map(Optional.some) + [3, 79] {
            let entered = checkpoints.filter { $0.enteredBuffer && $0.step <= (step ?? Int.max) }
            let front = entered.filter { point in !entered.contains { dominates($0.scores, point.scores) } }
            let buffer = policy.paretoBuffer(of: history, afterStep: step)
            #expect(buffer.points.map(\.step) == front.map(\.step), "after step \(String(describing: step))")
            #expect(buffer.referenceStep == 0)
            #expect(buffer.referencePoint == checkpoints[0].scores)
            if let step {
                #expect(walk.buffer(afterStep: step) == buffer, "after step \(step)")
            }
            if step.map({ $0 >= latest }) ?? true {
                #expect(policy.paretoBuffer(of: state, afterStep: step) == buffer)
            } else {
                #expect(policy.paretoBuffer(of: state, afterStep: step) == nil)
            }
        }
        #expect(state.paretoBufferCheckpoints == policy.paretoBuffer(of: history).points)
        #expect(state.recentCheckpoints.count == RecentHistory<CheckpointDecision>.capacity)
    }

    /// `state` as a service stored it before the window: whole histories, the buffer as points and steps.
    static func olderDocument(of state: RunState, decisions: [Decision]) throws -> [String: Any] {
        func json(_ value: some Encodable) throws -> Any {
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(value), options: .fragmentsAllowed)
        }
        var document = try #require(try json(state) as? [String: Any])
        document["recent_weight_updates"] = nil
        document["recent_checkpoints"] = nil
        document["pareto_buffer_checkpoints"] = nil
        document["weight_history"] = try json(decisions.compactMap { $0.gradients?.update })
        document["checkpoints"] = try json(decisions.compactMap(\.checkpoint))
        document["pareto_buffer"] = try json(state.paretoBuffer)
        document["pareto_buffer_steps"] = state.paretoBufferCheckpoints.map(\.step)
        return document
    }

    @Test("a state stored with whole histories decodes to the state a replay gives now; wrong buffer steps are refused")
    func olderStatesWithWholeHistories() throws {
        let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod()))
        let (state, decisions) = try policy.fold(Self.randomCheckpoints(dimension: 3, count: 40, seed: 9))
        #expect(state.paretoBufferCheckpoints.count >= 2)
        var document = try Self.olderDocument(of: state, decisions: decisions)
        let decode = { (document: [String: Any]) in
            try JSONDecoder().decode(RunState.self, from: JSONSerialization.data(withJSONObject: document))
        }
        #expect(try decode(document) == state)
        #expect(try JSONDecoder().decode(RunState.self, from: JSONEncoder().encode(try decode(document))) == state)

        // Stored before the buffer's steps were kept: each point is that of the latest checkpoint with it.
        document["pareto_buffer_steps"] = nil
        #expect(try decode(document) == state)

        document["pareto_buffer_steps"] = Array(state.paretoBufferCheckpoints.map(\.step).reversed())
        let error = #expect(throws: ValidationError.self) { try decode(document) }
        #expect(error?.field == "state.pareto_buffer_steps")
    }

    @Test("a gradient run's state stored with its whole weight history keeps the latest updates")
    func olderGradientStates() throws {
        let policy = WeightingPolicy(config: makeConfig(gradientMethod(accumulationSteps: 1)))
        var generator = SplitMix64(seed: 41)
        let events = (1...40).map { t in gradients(t, GradientMethodTests.randomGram(&generator)) }
        let (state, decisions) = try policy.fold(events)
        #expect(state.recentWeightUpdates.totalCount == 40)
        #expect(state.recentWeightUpdates.map(\.step) == Array(25...40))
        let document = try Self.olderDocument(of: state, decisions: decisions)
        let older = try JSONDecoder().decode(RunState.self, from: JSONSerialization.data(withJSONObject: document))
        #expect(older == state)
    }
}
