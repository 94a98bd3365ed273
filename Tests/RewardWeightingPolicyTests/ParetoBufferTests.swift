import RewardWeightingCore
import RewardWeightingPolicy
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
}
