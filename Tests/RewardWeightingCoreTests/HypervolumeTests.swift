import Foundation
import RewardWeightingCore
import RewardWeightingTestSupport
import Testing

@Suite("Hypervolume")
struct HypervolumeTests {
    @Test("hand-computed values")
    func handComputed() throws {
        let reference = try ObjectiveVector([0, 0])
        let staircase = ObjectiveMatrix.rows([[1, 3], [2, 2], [3, 1]], dimension: 2)
        #expect(try Hypervolume.volume(of: staircase, reference: reference) == 6)
        #expect(try Hypervolume.contributions(of: staircase, reference: reference) == [1, 1, 1])
        // A dominated point still covers part of its dominator's box: c = 4 − 1.
        let dominated = ObjectiveMatrix.rows([[2, 2], [1, 1]], dimension: 2)
        #expect(try Hypervolume.contributions(of: dominated, reference: reference) == [3, 0])
        // Points not strictly better than the reference everywhere add nothing and are not errors.
        let outside = ObjectiveMatrix.rows([[0, 5], [-1, 2], [2, 2]], dimension: 2)
        #expect(try Hypervolume.volume(of: outside, reference: reference) == 4)
        #expect(try Hypervolume.contributions(of: outside, reference: reference) == [0, 0, 4])
        let cube = ObjectiveMatrix.rows([[2, 2, 2], [2, 2, 2], [1, 1, 3]], dimension: 3)
        #expect(try Hypervolume.volume(of: cube, reference: try ObjectiveVector([0, 0, 0])) == 9)
        #expect(try Hypervolume.contributions(of: cube, reference: try ObjectiveVector([0, 0, 0])) == [0, 0, 1])
    }

    @Test("an empty set has hypervolume 0")
    func emptySet() throws {
        for k in 1...6 {
            let empty = try ObjectiveMatrix(rows: [], dimension: k)
            let reference = try ObjectiveVector(Array(repeating: 0, count: k))
            #expect(try Hypervolume.volume(of: empty, reference: reference) == 0)
            #expect(try Hypervolume.contributions(of: empty, reference: reference) == [])
        }
    }

    @Test("a reference point of the wrong K is rejected, naming the field")
    func referenceDimension() throws {
        let points = ObjectiveMatrix.rows([[1, 2, 3]], dimension: 3)
        let error = #expect(throws: ValidationError.self) {
            try Hypervolume.volume(of: points, reference: try ObjectiveVector([0, 0]))
        }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.message.contains("reference") == true)
    }

    /// Random sets built to hit the corner cases: coordinates on a small grid (ties, duplicates, dominated
    /// points), values equal to the reference, values worse than it, and per-objective scales 1e-3 and 1e3.
    static func randomSet(_ generator: inout SplitMix64, dimension k: Int, count n: Int) -> ([[Double]], [Double]) {
        let scales = (0..<k).map { _ in [1e-3, 1, 1e3].randomElement(using: &generator)! }
        let offset = (0..<k).map { _ in Double(Int.random(in: -2...2, using: &generator)) }
        let onGrid = Bool.random(using: &generator)
        var points: [[Double]] = []
        for _ in 0..<n {
            if !points.isEmpty && Int.random(in: 0..<6, using: &generator) == 0 {
                points.append(points.randomElement(using: &generator)!)
                continue
            }
            points.append(
                (0..<k).map { j in
                    let unit =
                        onGrid
                        ? Double(Int.random(in: -1...4, using: &generator))
                        : Double.random(in: -0.5..<4, using: &generator)
                    return offset[j] + scales[j] * unit
                })
        }
        return (points, offset)
    }

    @Test("agrees with an exhaustive grid on random sets", arguments: [2, 3, 4, 5, 6])
    func bruteForce(dimension k: Int) throws {
        var generator = SplitMix64(seed: UInt64(k) * 7919)
        let maxCount = k <= 4 ? 9 : 6
        for _ in 0..<(k <= 4 ? 1500 : 600) {
            let n = Int.random(in: 1...maxCount, using: &generator)
            let (rows, referenceValues) = Self.randomSet(&generator, dimension: k, count: n)
            let oracle = GridOracle(points: rows, reference: referenceValues)
            let points = try ObjectiveMatrix(rows: rows)
            let reference = try ObjectiveVector(referenceValues)
            let volume = try Hypervolume.volume(of: points, reference: reference)
            #expect(isClose(volume, oracle.hypervolume, scale: 1e-12), "HV of \(rows) against \(referenceValues)")
            let contributions = try Hypervolume.contributions(of: points, reference: reference)
            for (c, expected) in zip(contributions, oracle.contributions) {
                #expect(
                    isClose(c, expected, scale: max(oracle.hypervolume, 1e-12) * 1e-3),
                    "contributions \(contributions) != \(oracle.contributions) for \(rows) against \(referenceValues)")
            }
        }
    }

    @Test("agrees with the exact rational fixtures (Scripts/generate-hv-fixtures.py)")
    func exactFixtures() throws {
        let root = try #require(try Fixtures.json("exact-hypervolume.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count >= 200)
        for testCase in cases {
            let name = testCase["name"] as! String
            let rows = testCase["points"] as! [[Double]]
            let k = testCase["K"] as! Int
            let reference = try ObjectiveVector(testCase["reference"] as! [Double])
            let points = try ObjectiveMatrix(rows: rows, dimension: k)
            let expected = testCase["hypervolume"] as! Double
            let volume = try Hypervolume.volume(of: points, reference: reference)
            #expect(isClose(volume, expected), "\(name): HV \(volume) != \(expected)")
            let contributions = try Hypervolume.contributions(of: points, reference: reference)
            let expectedContributions = testCase["contributions"] as! [Double]
            for (i, (c, e)) in zip(contributions, expectedContributions).enumerated() {
                #expect(isClose(c, e, scale: max(expected, 1)), "\(name): contribution \(i) is \(c), exactly \(e)")
            }
        }
        let improvements = try #require(root["improvements"] as? [[String: Any]])
        for item in improvements {
            let name = item["name"] as! String
            let reference = try ObjectiveVector(item["reference"] as! [Double])
            let bufferRows = item["buffer"] as! [[Double]]
            let buffer = try ObjectiveMatrix(rows: bufferRows, dimension: reference.dimension)
            let candidate = try ObjectiveVector(item["candidate"] as! [Double])
            let expected = item["improvement"] as! Double
            let actual = try Hypervolume.improvement(adding: candidate, to: buffer, reference: reference)
            #expect(isClose(actual, expected), "\(name): ΔHV \(actual) != \(expected)")
        }
    }

    @Test("agrees with moocore's published testsuite values")
    func publishedTestsuite() throws {
        let folder = Fixtures.directory.appendingPathComponent("hv-testsuite")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix("testsuite-") && $0.hasSuffix(".json") }.sorted()
        #expect(files.count > 200)
        for file in files {
            let data = try Data(contentsOf: folder.appendingPathComponent(file))
            let testCase = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let rows = testCase["points"] as! [[Double]]
            let referenceValues = testCase["reference"] as! [Double]
            let points = try ObjectiveMatrix(rows: rows, dimension: referenceValues.count)
            let reference = try ObjectiveVector(referenceValues)
            let expected = testCase["hv"] as! Double
            let volume = try Hypervolume.volume(of: points, reference: reference)
            #expect(isClose(volume, expected, scale: 0), "\(file): HV \(volume) != \(expected)")
            if let expectedContributions = testCase["contributions"] as? [Double] {
                let contributions = try Hypervolume.contributions(of: points, reference: reference)
                for (i, (c, e)) in zip(contributions, expectedContributions).enumerated() {
                    #expect(isClose(c, e, scale: expected), "\(file): contribution \(i) is \(c), expected \(e)")
                }
            }
        }
    }

    @Test("ΔHV equals HV(B ∪ {v}) − HV(B) and the contribution of v in B ∪ {v}", arguments: [2, 3, 4, 5])
    func improvementConsistency(dimension k: Int) throws {
        var generator = SplitMix64(seed: 42 + UInt64(k))
        for _ in 0..<300 {
            let n = Int.random(in: 1...7, using: &generator)
            let (rows, referenceValues) = Self.randomSet(&generator, dimension: k, count: n + 1)
            let reference = try ObjectiveVector(referenceValues)
            let buffer = try ObjectiveMatrix(rows: Array(rows.dropLast()), dimension: k)
            let candidate = try ObjectiveVector(rows.last!)
            let improvement = try Hypervolume.improvement(adding: candidate, to: buffer, reference: reference)
            let oracle = GridOracle(points: rows, reference: referenceValues)
            let before = GridOracle(points: Array(rows.dropLast()), reference: referenceValues).hypervolume
            #expect(improvement >= 0)
            #expect(isClose(improvement, max(0, oracle.hypervolume - before), scale: max(oracle.hypervolume, 1e-9)))
        }
    }

    @Test("the paper's reference-code vectors (maximize = [true, false, true])")
    func paperVectors() throws {
        let space = try ObjectiveSpace(directions: [.maximize, .minimize, .maximize])
        let reference = try space.toMaximization(try ObjectiveVector([0.5, 800, 0.3]))
        func improvement(_ buffer: [[Double]], _ candidate: [Double]) throws -> Double {
            try Hypervolume.improvement(
                adding: try space.toMaximization(try ObjectiveVector(candidate)),
                to: try space.toMaximization(try ObjectiveMatrix(rows: buffer, dimension: 3)),
                reference: reference)
        }
        #expect(isClose(try improvement([], [0.52, 780, 0.32]), 0.02 * 20 * 0.02, relative: 1e-9))
        #expect(try improvement([], [0.55, 700, 0.25]) == 0)
        #expect(try improvement([], [0.45, 700, 0.35]) == 0)
        #expect(try improvement([], [0.5, 800, 0.3]) == 0)
        #expect(try improvement([[0.52, 780, 0.32]], [0.51, 790, 0.31]) == 0)
        #expect(isClose(try improvement([[0.52, 780, 0.32]], [0.53, 790, 0.31]), 0.001, relative: 1e-9))
        // The reference code raises here (its 1-D base case goes negative); the exact ΔHV is 0.
        #expect(try improvement([[0.52, 780, 0.32]], [0.60, 700, 0.29]) == 0)
    }
}

@Suite("Hypervolume contributions on larger sets")
struct HypervolumeContributionLargeSetTests {
    /// Points near the unit sphere's positive orthant, with some pulled inwards (dominated) and some
    /// duplicated: contributions must equal HV(P) − HV(P without i), computed by the volume kernels.
    @Test("contributions equal HV(P) − HV(P without i)", arguments: [3, 4, 5])
    func leaveOneOut(dimension k: Int) throws {
        var generator = SplitMix64(seed: 77 + UInt64(k))
        for _ in 0..<(k == 3 ? 40 : 15) {
            let n = Int.random(in: 20...(k == 5 ? 40 : 80), using: &generator)
            var rows: [[Double]] = []
            for _ in 0..<n {
                if !rows.isEmpty && Int.random(in: 0..<10, using: &generator) == 0 {
                    rows.append(rows.randomElement(using: &generator)!)
                    continue
                }
                let direction = (0..<k).map { _ in Double.random(in: 0.05...1, using: &generator) }
                let norm = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
                let radius =
                    Int.random(in: 0..<3, using: &generator) == 0 ? Double.random(in: 0.7...1, using: &generator) : 1
                rows.append(direction.map { $0 / norm * radius })
            }
            let reference = try ObjectiveVector(Array(repeating: 0, count: k))
            let points = try ObjectiveMatrix(rows: rows)
            let total = try Hypervolume.volume(of: points, reference: reference)
            let contributions = try Hypervolume.contributions(of: points, reference: reference)
            for i in 0..<n {
                var others = rows
                others.remove(at: i)
                let without = try Hypervolume.volume(
                    of: try ObjectiveMatrix(rows: others, dimension: k), reference: reference)
                #expect(
                    isClose(contributions[i], total - without, relative: 1e-10, scale: total), "point \(i) of \(rows)")
            }
        }
    }
}

extension HypervolumeContributionLargeSetTests {
    /// Points on a coarse grid (coordinates 1…3), so most are dominated, many by exactly one other point (whose
    /// contribution they lower) and some by several, with exact duplicates: every contribution against the
    /// exhaustive grid.
    @Test("K ≥ 5: points with one dominator, several, and duplicates, against the exhaustive grid", arguments: [5, 6])
    func singleDominators(dimension k: Int) throws {
        var generator = SplitMix64(seed: 4242 + UInt64(k))
        for round in 0..<40 {
            let n = 8 + round % 20
            var rows: [[Double]] = (0..<n).map { _ in (0..<k).map { _ in Double(generator.integer(3) + 1) } }
            rows += rows.prefix(round % 3)  // exact duplicates
            let reference = [Double](repeating: 0, count: k)
            let oracle = GridOracle(points: rows, reference: reference)
            let contributions = try Hypervolume.contributions(
                of: try ObjectiveMatrix(rows: rows), reference: try ObjectiveVector(reference))
            for (i, (c, expected)) in zip(contributions, oracle.contributions).enumerated() {
                #expect(isClose(c, expected, scale: oracle.hypervolume * 1e-12), "point \(i) of \(rows)")
            }
        }
    }
}

@Suite("Hypervolume kernels agree with each other")
struct HypervolumeKernelAgreementTests {
    /// Fronts whose 2-D staircase grows past the flat array's limit, so the 3-D sweep moves into its tree;
    /// lifted to K = 4 with a constant last objective, the 4-D kernel (a different sweep) must agree.
    @Test("large staircases: K = 3 against the K = 4 kernel on lifted points", arguments: [300, 1000, 3000])
    func largeStaircase(count n: Int) throws {
        var generator = SplitMix64(seed: UInt64(n))
        var rows: [[Double]] = []
        for i in 0..<n {
            let x = Double(i + 1) + Double.random(in: 0..<0.5, using: &generator)
            let y = Double(n - i) + Double.random(in: 0..<0.5, using: &generator)
            rows.append([x, y, Double.random(in: 0.5...1, using: &generator)])
        }
        let volume3 = try Hypervolume.volume(
            of: try ObjectiveMatrix(rows: rows), reference: ObjectiveVector([0, 0, 0]))
        let lifted = try ObjectiveMatrix(rows: rows.map { $0 + [2] })
        let volume4 = try Hypervolume.volume(of: lifted, reference: ObjectiveVector([0, 0, 0, 0]))
        #expect(isClose(volume4, 2 * volume3, relative: 1e-12))
        let contributions = try Hypervolume.contributions(
            of: try ObjectiveMatrix(rows: rows), reference: ObjectiveVector([0, 0, 0]))
        let liftedContributions = try Hypervolume.contributions(of: lifted, reference: ObjectiveVector([0, 0, 0, 0]))
        // The published tolerance for contributions: 1e-12 · max(|c|, HV).
        for (c3, c4) in zip(contributions, liftedContributions) {
            #expect(isClose(c4, 2 * c3, relative: 1e-12, scale: volume4))
        }
    }

    @Test("the stoppable kernels give the same values when never stopped, and nil once stopped", arguments: [4, 5, 6])
    func stoppingWhen(dimension k: Int) throws {
        var generator = SplitMix64(seed: UInt64(k))
        let points = try ObjectiveMatrix(
            rows: (0..<40).map { _ in (0..<k).map { _ in generator.unit() } }, dimension: k)
        let reference = try ObjectiveVector(Array(repeating: 0, count: k))
        let candidate = try ObjectiveVector(Array(repeating: 0.7, count: k))
        #expect(
            try Hypervolume.volume(of: points, reference: reference, stoppingWhen: { false })
                == Hypervolume.volume(of: points, reference: reference))
        #expect(
            try Hypervolume.contributions(of: points, reference: reference, stoppingWhen: { false })
                == Hypervolume.contributions(of: points, reference: reference))
        #expect(
            try Hypervolume.improvement(adding: candidate, to: points, reference: reference, stoppingWhen: { false })
                == Hypervolume.improvement(adding: candidate, to: points, reference: reference))
        // A condition that answers yes on its third question: the kernel asks, stops and returns nil.
        func afterTwo() -> () -> Bool {
            var asked = 0
            return {
                asked += 1
                return asked > 2
            }
        }
        #expect(try Hypervolume.volume(of: points, reference: reference, stoppingWhen: afterTwo()) == nil)
        #expect(try Hypervolume.contributions(of: points, reference: reference, stoppingWhen: afterTwo()) == nil)
        #expect(
            try Hypervolume.improvement(adding: candidate, to: points, reference: reference, stoppingWhen: afterTwo())
                == nil)
    }
}

@Suite("Hypervolume at K = 4 and 5 against slices of the kernel one dimension down")
struct Hypervolume4DSliceTests {
    /// HV at K as the sum over the slabs between consecutive distinct values of the last objective of the
    /// slab's height times the (K−1)-dimensional hypervolume of the points at or above it: an independent
    /// computation (at K = 5 its limit sets go past the radix sort's threshold too).
    static func slicedVolume(_ rows: [[Double]]) throws -> Double {
        let k = rows[0].count
        let levels = Set(rows.map { $0[k - 1] }).sorted(by: >)
        var volume = 0.0
        for (index, level) in levels.enumerated() {
            let below = index + 1 < levels.count ? levels[index + 1] : 0
            let above = try ObjectiveMatrix(rows: rows.filter { $0[k - 1] >= level }.map { Array($0[0..<(k - 1)]) })
            let reference = try ObjectiveVector([Double](repeating: 0, count: k - 1))
            volume += (level - below) * (try Hypervolume.volume(of: above, reference: reference))
        }
        return volume
    }

    @Test(
        "grid sets (ties, duplicates, dominated points) and fronts on a sphere",
        arguments: [(4, false, 60), (4, false, 400), (4, true, 60), (4, true, 400), (5, false, 300), (5, true, 200)])
    func agreesWithSlices(dimension k: Int, sphere: Bool, count n: Int) throws {
        var generator = SplitMix64(seed: UInt64(n * k) * (sphere ? 3 : 5))
        for _ in 0..<(n > 100 ? 3 : 40) {
            let rows: [[Double]] = (0..<n).map { _ in
                if sphere {
                    let v = (0..<k).map { _ in abs(generator.symmetric()) + 1e-3 }
                    let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    return v.map { $0 / norm }
                }
                return (0..<k).map { _ in Double(Int.random(in: 1...6, using: &generator)) }
            }
            let reference = try ObjectiveVector([Double](repeating: 0, count: k))
            let volume = try Hypervolume.volume(of: try ObjectiveMatrix(rows: rows), reference: reference)
            let expected = try Self.slicedVolume(rows)
            #expect(isClose(volume, expected, relative: 1e-12), "K = \(k), n = \(n), sphere: \(sphere)")
        }
    }
}
