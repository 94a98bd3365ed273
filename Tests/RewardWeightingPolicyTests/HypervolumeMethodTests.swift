import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One row of the reference code's table (notes/reference-code.md, "Test vectors"): with the reference
/// (0.5, 800, 0.3) and `maximize = [T, F, T]`, the buffer's other points, a candidate, ΔHV and r.
struct ReferenceCase: Sendable, CustomTestStringConvertible {
    let buffer: [[Double]]
    let candidate: [Double]
    let deltaHypervolume: Double
    let metaReward: Double
    var testDescription: String { "\(self.buffer) + \(self.candidate)" }
}

@Suite("Hypervolume method (Alg. 1)")
struct HypervolumeMethodTests {
    static let reference = [0.5, 800, 0.3]

    static let referenceTable: [ReferenceCase] = [
        ReferenceCase(
            buffer: [], candidate: [0.52, 780, 0.32], deltaHypervolume: 0.008, metaReward: 0.5119997440065535),
        ReferenceCase(buffer: [], candidate: [0.55, 700, 0.25], deltaHypervolume: 0, metaReward: 0.5),
        ReferenceCase(buffer: [], candidate: [0.45, 700, 0.35], deltaHypervolume: 0, metaReward: 0.5),
        ReferenceCase(buffer: [], candidate: [0.5, 800, 0.3], deltaHypervolume: 0, metaReward: 0.5),
        ReferenceCase(buffer: [], candidate: [0.51, 799, 0.31], deltaHypervolume: 1e-4, metaReward: 0.5001499999995),
        ReferenceCase(
            buffer: [[0.52, 780, 0.32]], candidate: [0.51, 790, 0.31], deltaHypervolume: 0, metaReward: 0.5),
        ReferenceCase(
            buffer: [[0.52, 780, 0.32]], candidate: [0.53, 790, 0.31], deltaHypervolume: 0.001,
            metaReward: 0.5014999995),
        // The reference code raises here (its HV's 1-D base case goes negative); the exact ΔHV is 0.
        ReferenceCase(
            buffer: [[0.52, 780, 0.32]], candidate: [0.60, 700, 0.29], deltaHypervolume: 0, metaReward: 0.5),
    ]

    @Test(
        "the reference code's vectors: the first checkpoint is the reference, then ΔHV and r", arguments: referenceTable
    )
    func referenceVectors(row: ReferenceCase) throws {
        let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod()))
        var events = [checkpoint(0, Self.reference)]
        for (i, point) in row.buffer.enumerated() { events.append(checkpoint(i + 1, point)) }
        events.append(checkpoint(row.buffer.count + 1, row.candidate))
        let (state, decisions) = try policy.fold(events)

        let first = try #require(decisions[0].checkpoint)
        #expect(first.becameReference)
        #expect(first.deltaHypervolume == 0)
        #expect(first.metaReward == 1)
        #expect(!first.enteredBuffer)
        #expect(state.referencePoint == [0.5, -800, 0.3])
        #expect(state.referenceStep == 0)

        let last = try #require(decisions.last?.checkpoint)
        #expect(abs(last.deltaHypervolume - row.deltaHypervolume) <= 1e-15)
        #expect(abs(last.metaReward - row.metaReward) <= 1e-12)
        #expect(last.enteredBuffer == (row.deltaHypervolume > 0))
        #expect(!last.becameReference)
        #expect(state.metaReward == last.metaReward)
        #expect(state.scalarization(atStep: last.step + 1)?.metaReward == last.metaReward)
        let previous = try #require(decisions[decisions.count - 2].checkpoint)
        #expect(state.scalarization(atStep: last.step)?.metaReward == previous.metaReward)
    }

    @Test("a reference point in the config makes the first checkpoint an ordinary candidate")
    func configuredReference() throws {
        let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod(referencePoint: Self.reference)))
        #expect(policy.initialState.referencePoint == [0.5, -800, 0.3])
        let (state, decisions) = try policy.fold([checkpoint(0, [0.52, 780, 0.32])])
        let decision = try #require(decisions[0].checkpoint)
        #expect(!decision.becameReference)
        #expect(decision.enteredBuffer)
        #expect(abs(decision.metaReward - 0.5119997440065535) <= 1e-12)
        #expect(state.referenceStep == nil)
        #expect(policy.paretoFront(of: state) == [[0.52, 780, 0.32]])
        #expect(state.paretoBuffer == [[0.52, -780, 0.32]])
    }

    /// Cells of the integer grid covered by the boxes `[0, p]` of `points` (integer coordinates above the
    /// reference at 0): an exact, brute-force hypervolume in units of one cell.
    static func coveredCells(_ points: [[Int]]) -> Int {
        guard !points.isEmpty else { return 0 }
        let upper = (0..<3).map { j in points.map { $0[j] }.max()! }
        var count = 0
        for x in 0..<max(upper[0], 0) {
            for y in 0..<max(upper[1], 0) {
                for z in 0..<max(upper[2], 0) where points.contains(where: { $0[0] > x && $0[1] > y && $0[2] > z }) {
                    count += 1
                }
            }
        }
        return count
    }

    @Test("20 checkpoints: ΔHV, r_pareto and the buffer match a brute-force grid recomputation")
    func twentyCheckpoints() throws {
        // Scores on a grid: accuracy 0.5 + a/100, length 800 − 10·b, clarity 0.3 + c/100; (a, b, c) = (0, 0, 0)
        // is the reference, so one grid cell has volume 0.01·10·0.01 = 0.001 in the maximisation convention.
        func scores(_ g: [Int]) -> [Double] {
            [0.5 + Double(g[0]) / 100, 800 - Double(10 * g[1]), 0.3 + Double(g[2]) / 100]
        }
        var generator = SplitMix64(seed: 20)
        var grid: [[Int]] = [[0, 0, 0]]
        for i in 1..<20 {
            let drift = i / 4
            grid.append((0..<3).map { _ in Int(generator.next() % 9) - 2 + drift })
        }
        grid[7] = grid[6]  // an exact repeat contributes nothing
        grid[12] = [-1, 5, 5]  // worse than the reference in accuracy

        let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod()))
        var state = policy.initialState
        var entered: [[Int]] = []  // the reference code's append-only buffer, never pruned
        var expectedMetaRewards: [(step: Int, value: Double)] = [(0, 1)]
        var enteredCount = 0
        var decisions: [Decision] = []
        for (i, g) in grid.enumerated() {
            let step = 3 * i
            let (next, decision) = try policy.apply(checkpoint(step, scores(g)), to: state)
            state = next
            decisions.append(decision)
            let result = try #require(decision.checkpoint)
            if i == 0 {
                #expect(result.becameReference)
                continue
            }
            let cells = Self.coveredCells(entered + [g]) - Self.coveredCells(entered)
            let expectedDelta = Double(cells) * 0.001
            #expect(abs(result.deltaHypervolume - expectedDelta) <= 1e-12, "checkpoint \(i) at \(g)")
            #expect(abs(result.metaReward - (0.5 + 1.5 * tanh(expectedDelta))) <= 1e-12)
            #expect(result.enteredBuffer == (cells > 0), "checkpoint \(i) at \(g)")
            if cells > 0 {
                entered.append(g)
                enteredCount += 1
            }
            expectedMetaRewards.append((step, result.metaReward))

            // The buffer is the non-dominated subset of the entered points, in the order they entered.
            let front = entered.filter { p in
                !entered.contains { q in q != p && zip(q, p).allSatisfy { $0 >= $1 } }
            }
            #expect(policy.paretoFront(of: state) == front.map(scores))
            #expect(result.bufferSize == front.count)
        }
        #expect(enteredCount >= 5)
        #expect(enteredCount < 19)
        #expect(state.recentCheckpoints.totalCount == 20)
        #expect(state.recentCheckpoints.count == RecentHistory<CheckpointDecision>.capacity)

        // r_pareto for step t is the latest checkpoint's at a step < t: from the state's kept checkpoints for the
        // steps after the oldest of them, from the log's decisions for every step.
        let uniform = WeightVector.uniform(count: 3).values
        let history = DecisionHistory(decisions)
        let oldestKept = try #require(state.recentCheckpoints.first).step
        for t in 0...62 {
            let expected = expectedMetaRewards.last { $0.step < t }?.value ?? 1
            let logged = history.scalarization(atStep: t, initialWeights: state.initialWeights)
            #expect(logged.metaReward == expected, "step \(t)")
            #expect(logged.weights.values == uniform)
            if t > oldestKept {
                #expect(state.scalarization(atStep: t) == logged, "step \(t)")
            } else {
                #expect(state.scalarization(atStep: t) == nil, "step \(t)")
            }
        }
    }

    @Test("r_pareto from the checkpoint after step s applies to steps > s, 1 before any checkpoint")
    func timing() throws {
        let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod()))
        let (state, _) = try policy.fold([
            checkpoint(0, Self.reference), checkpoint(5, [0.52, 780, 0.32]), checkpoint(9, [0.53, 790, 0.31]),
        ])
        let r5 = 0.5 + 1.5 * tanh(0.008)
        let r9 = 0.5 + 1.5 * tanh(0.001)
        for t in 0...5 {
            #expect(state.scalarization(atStep: t)?.metaReward == 1)
        }
        #expect(state.scalarization(atStep: 0)?.metaRewardStep == nil)
        #expect(state.scalarization(atStep: 1)?.metaRewardStep == 0)
        for t in 6...9 {
            #expect(abs(try #require(state.scalarization(atStep: t)).metaReward - r5) <= 1e-12)
            #expect(state.scalarization(atStep: t)?.metaRewardStep == 5)
        }
        #expect(abs(try #require(state.scalarization(atStep: 10)).metaReward - r9) <= 1e-12)
        #expect(state.scalarization(atStep: 10)?.metaRewardStep == 9)
        #expect(state.metaRewardStep == 9)
    }

    @Test("a checkpoint after a Scalarize of a later step is applied and flagged late")
    func lateCheckpoint() throws {
        let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod()))
        let (_, decisions) = try policy.fold([
            checkpoint(0, Self.reference), summary(1), checkpoint(1, [0.52, 780, 0.32]), summary(3),
            checkpoint(2, [0.53, 790, 0.31]),
        ])
        #expect(decisions[2].checkpoint?.isLate == false)
        #expect(decisions[4].checkpoint?.isLate == true)
    }

    @Test("fixed and gradient runs track the front but keep r_pareto = 1", arguments: ["fixed", "gradient"])
    func otherMethodsTrackTheFront(name: String) throws {
        let policy = WeightingPolicy(config: makeConfig(name == "fixed" ? .fixed : gradientMethod()))
        let (state, decisions) = try policy.fold([checkpoint(0, Self.reference), checkpoint(4, [0.52, 780, 0.32])])
        let decision = try #require(decisions[1].checkpoint)
        #expect(abs(decision.deltaHypervolume - 0.008) <= 1e-15)
        #expect(decision.enteredBuffer)
        #expect(decision.metaReward == 1)
        #expect(decision.isLate == false)
        #expect(state.scalarization(atStep: 5)?.metaReward == 1)
        #expect(policy.paretoFront(of: state) == [[0.52, 780, 0.32]])
    }

    @Test("the alternative meta-rewards are selectable", arguments: MetaReward.allCases)
    func alternativeMetaRewards(kind: MetaReward) throws {
        let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod(metaReward: kind)))
        let (_, decisions) = try policy.fold([checkpoint(0, Self.reference), checkpoint(1, [0.52, 780, 0.32])])
        let decision = try #require(decisions[1].checkpoint)
        #expect(decision.metaReward == kind(decision.deltaHypervolume))
    }

    @Test("a point that dominates buffer points replaces them")
    func dominatedPointsLeave() throws {
        let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod()))
        let (state, _) = try policy.fold([
            checkpoint(0, Self.reference), checkpoint(1, [0.52, 780, 0.32]), checkpoint(2, [0.55, 790, 0.31]),
            checkpoint(3, [0.56, 770, 0.33]),
        ])
        #expect(policy.paretoFront(of: state) == [[0.56, 770, 0.33]])
        #expect(state.recentCheckpoints.map(\.enteredBuffer) == [false, true, true, true])
    }
}
