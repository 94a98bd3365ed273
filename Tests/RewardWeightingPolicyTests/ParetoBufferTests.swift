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
        let initial = policy.paretoBuffer(of: state, afterStep: 0)
        #expect(initial.referencePoint == [0.5, 800, 0.3])
        #expect(initial.referenceStep == 0)
        #expect(initial.points.isEmpty)

        let afterFirst = policy.paretoBuffer(of: state, afterStep: 1)
        #expect(afterFirst.points.map(\.step) == [1])

        let afterSecond = policy.paretoBuffer(of: state, afterStep: 2)
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
        for step in [Int?.none] + (0..<80).map(Optional.some) {
            let entered = checkpoints.filter { $0.enteredBuffer && $0.step <= (step ?? Int.max) }
            let front = entered.filter { point in !entered.contains { dominates($0.scores, point.scores) } }
            let buffer = policy.paretoBuffer(of: state, afterStep: step)
            #expect(buffer.points.map(\.step) == front.map(\.step), "after step \(String(describing: step))")
            #expect(buffer.referenceStep == 0)
            #expect(buffer.referencePoint == checkpoints[0].scores)
        }
        #expect(state.paretoBufferSteps == policy.paretoBuffer(of: state).points.map(\.step))
    }

    @Test("a state stored before the buffer's steps were kept decodes to the same state; wrong steps are refused")
    func bufferStepsOfOlderStates() throws {
        let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod()))
        let (state, _) = try policy.fold(Self.randomCheckpoints(dimension: 3, count: 40, seed: 9))
        #expect(state.paretoBufferSteps.count >= 2)
        var document = try #require(
            JSONSerialization.jsonObject(with: JSONEncoder().encode(state)) as? [String: Any])
        document["pareto_buffer_steps"] = nil
        let older = try JSONDecoder().decode(RunState.self, from: JSONSerialization.data(withJSONObject: document))
        #expect(older == state)

        document["pareto_buffer_steps"] = Array(state.paretoBufferSteps.reversed())
        let error = #expect(throws: ValidationError.self) {
            try JSONDecoder().decode(RunState.self, from: JSONSerialization.data(withJSONObject: document))
        }
        #expect(error?.field == "state.pareto_buffer_steps")
    }
}
