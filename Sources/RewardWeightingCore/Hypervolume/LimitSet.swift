import CRewardWeightingSIMD

/// The exclusive volume of one point against a set, through its *limit set* (While, Bradstreet & Barone
/// 2012): clip every point of the set to the point's box, drop the clipped points that another one weakly
/// dominates, and subtract their hypervolume from the box's volume:
///
///     exclusive(p, S) = Π_k p_k − HV(nondominated({ min(q, p) : q ∈ S }))
///
/// Reused scratch storage avoids an allocation per call.
struct LimitSet {
    let dimension: Int
    private var clipped: [Double] = []
    private var sums: [Double] = []
    private var kept: [Double] = []
    /// The same scratch for K = 4, the limit sets of every WFG level above 5: one vector per point.
    private var clipped4: [SIMD4<Double>] = []
    private var kept4: [SIMD4<Double>] = []
    private var order: [Int] = []
    private var bucketStarts: [Int] = []
    /// The kept rows of a K ≥ 5 limit set, exactly (``kept`` is scratch sized for the largest set so far).
    private var keptRows: [Double] = []
    /// The point of a K ≥ 5 limit set, copied once per call.
    private var point: [Double] = []
    /// The WFG storage of the K ≥ 5 limit sets' volumes, reused from one to the next (in an array: a struct
    /// cannot hold its own type directly).
    private var innerWFG: [WFGWorkspace] = []
    /// The 4-D sweep of the K = 4 limit sets, reused from one to the next.
    private var sweep4D: Volume4DWorkspace
    /// Whether the dominance filters (K ≥ 4) and the K = 4 sweep use AVX2 where the CPU has it; both give the
    /// same volume, bit for bit.
    private let vectorScans: Bool

    init(dimension: Int, vectorScans: Bool = VectorInstructions.hasAVX2FMA) {
        self.dimension = dimension
        self.vectorScans = vectorScans && VectorInstructions.hasAVX2FMA
        self.sweep4D = Volume4DWorkspace(vectorScans: vectorScans)
    }

    /// The volume of the box `[0, point]` not covered by the boxes of `set` (row-major, same K); 0 exactly
    /// when a point of `set` weakly dominates `point`. O(|S|·(K + m)) plus the hypervolume of the m
    /// non-dominated clipped points.
    mutating func exclusiveVolume(
        of point: ArraySlice<Double>, against set: [Double], excludingRow excluded: Int = -1, stop: KernelStop? = nil
    ) -> Double {
        let k = self.dimension
        if k == 4 { return self.exclusiveVolume4(of: point, against: set, excludingRow: excluded, stop: stop) }
        let n = set.count / k
        self.point.removeAll(keepingCapacity: true)
        self.point.append(contentsOf: point)
        let p = self.point
        var boxVolume = 1.0
        for value in p { boxVolume *= value }
        guard n > (excluded >= 0 ? 1 : 0) else { return boxVolume }
        // Scratch sized once per call and written through pointers (an `append` per coordinate checks the
        // array's uniqueness and capacity every time).
        if self.clipped.count < n * k { self.clipped = [Double](repeating: 0, count: n * k) }
        if self.sums.count < n { self.sums = [Double](repeating: 0, count: n) }
        if self.kept.count < n * k { self.kept = [Double](repeating: 0, count: n * k) }
        var count = 0
        var dominated = false
        var smallest = Double.infinity
        var largest = -Double.infinity
        set.withUnsafeBufferPointer { set in
            p.withUnsafeBufferPointer { p in
                self.clipped.withUnsafeMutableBufferPointer { clipped in
                    self.sums.withUnsafeMutableBufferPointer { sums in
                        for i in 0..<n where i != excluded {
                            var sum = 0.0
                            var dominates = true
                            let base = count &* k
                            for j in 0..<k {
                                let value = min(set[i &* k &+ j], p[j])
                                if value < p[j] { dominates = false }
                                clipped[base &+ j] = value
                                sum += value
                            }
                            if dominates {
                                dominated = true
                                return
                            }
                            sums[count] = sum
                            smallest = min(smallest, sum)
                            largest = max(largest, sum)
                            count &+= 1
                        }
                    }
                }
            }
        }
        if dominated { return 0 }
        // A clipped point can only be weakly dominated by one with a sum at least as large: visit by
        // decreasing bucket of sums and compare with the points kept so far. Within a bucket a later point
        // may dominate a kept one, which then leaves (a sort by exact sum, a radix sort at these sizes, costs
        // more than those few removals).
        self.bucketOrder(ofSums: count, smallest: smallest, largest: largest)
        var keptCount = 0
        self.clipped.withUnsafeBufferPointer { clipped in
            self.kept.withUnsafeMutableBufferPointer { kept in
                for row in self.order {
                    let base = row &* k
                    var isDominated = false
                    if self.vectorScans && k >= 4 {  // four lanes, then the rest one by one
                        isDominated =
                            rw_simd_any_weakly_dominates_avx2(
                                kept.baseAddress, keptCount, k, clipped.baseAddress! + base) != 0
                    } else {
                        var start = 0
                        while start < keptCount &* k {
                            var weakly = true
                            for j in 0..<k where kept[start &+ j] < clipped[base &+ j] {
                                weakly = false
                                break
                            }
                            if weakly {
                                isDominated = true
                                break
                            }
                            start &+= k
                        }
                    }
                    if isDominated { continue }
                    // The kept points the new one weakly dominates (none equals it: that one would dominate it).
                    var write = 0
                    for read in 0..<keptCount {
                        var weakly = true
                        for j in 0..<k where clipped[base &+ j] < kept[read &* k &+ j] {
                            weakly = false
                            break
                        }
                        if weakly { continue }
                        if write != read {
                            for j in 0..<k { kept[write &* k &+ j] = kept[read &* k &+ j] }
                        }
                        write &+= 1
                    }
                    keptCount = write
                    for j in 0..<k { kept[keptCount &* k &+ j] = clipped[base &+ j] }
                    keptCount &+= 1
                }
            }
        }
        self.keptRows.removeAll(keepingCapacity: true)
        self.keptRows.append(contentsOf: self.kept[0..<(keptCount * k)])
        let covered: Double
        if k >= 5 {
            if self.innerWFG.isEmpty { self.innerWFG = [WFGWorkspace(dimension: k, vectorScans: self.vectorScans)] }
            covered = HypervolumeKernels.volumeWFG(
                self.keptRows, dimension: k, stop: stop, workspace: &self.innerWFG[0])
        } else {
            covered = HypervolumeKernels.volume(self.keptRows, dimension: k, stop: stop)
        }
        return max(0, boxVolume - covered)
    }

    /// ``exclusiveVolume(of:against:excludingRow:stop:)`` at K = 4, a point per `SIMD4` (comparisons unrolled
    /// by hand: the generic SIMD functions are not always inlined). The points below p on one axis only cut p's
    /// box down first (see below); the dominance filter then runs on the rest, in sum buckets with removals.
    private mutating func exclusiveVolume4(
        of point: ArraySlice<Double>, against set: [Double], excludingRow excluded: Int, stop: KernelStop?
    ) -> Double {
        let first = point.startIndex
        let p = SIMD4(point[first], point[first + 1], point[first + 2], point[first + 3])
        let n = set.count / 4
        guard n > (excluded >= 0 ? 1 : 0) else { return ((1.0 * p[0]) * p[1]) * p[2] * p[3] }
        if self.clipped4.count < n {
            self.clipped4 = [SIMD4<Double>](repeating: .zero, count: n)
            self.sums = [Double](repeating: 0, count: n)
        }
        var count = 0
        var dominated = false
        // Of the clipped points below p on one axis only, the largest value w_j on that axis j (−∞: none). Those
        // points' boxes cover exactly the part of p's box with x_j ≤ w_j on some such axis, so what is left of
        // p's box is the box U from o (o_j = w_j on those axes, 0 elsewhere) to p. A point whose value on any axis
        // is at most that axis's w_j lies in a covered part and leaves; every other point meets U in the box from
        // o to it. So the exclusive volume is vol(U) − HV({q − o}) over the points that stay: those below p on
        // one axis only never reach the filter or the sweep. On a sphere this settles about four fifths of the
        // points before the general filter.
        var largestOnAxis = SIMD4<Double>(repeating: -.infinity)
        set.withUnsafeBufferPointer { set in
            self.clipped4.withUnsafeMutableBufferPointer { clipped in
                if self.vectorScans {  // the same pass in AVX2: the same values, bit for bit
                    let written = withUnsafePointer(to: p) { p in
                        withUnsafeMutablePointer(to: &largestOnAxis) { largest in
                            clipped.withMemoryRebound(to: Double.self) { clipped in
                                rw_simd_clip4_avx2(
                                    set.baseAddress, n, excluded,
                                    UnsafeRawPointer(p).assumingMemoryBound(to: Double.self),
                                    clipped.baseAddress,
                                    UnsafeMutableRawPointer(largest).assumingMemoryBound(to: Double.self))
                            }
                        }
                    }
                    if written < 0 {
                        dominated = true
                    } else {
                        count = written
                    }
                    return
                }
                for i in 0..<n where i != excluded {
                    let base = 4 &* i
                    let value = SIMD4(
                        min(set[base], p[0]), min(set[base &+ 1], p[1]), min(set[base &+ 2], p[2]),
                        min(set[base &+ 3], p[3]))
                    // The axes where the value is below p's, as bits (without a branch per axis: they are as
                    // unpredictable as the points).
                    @inline(__always) func bit(_ isBelow: Bool, _ axis: Int) -> Int {
                        Int(unsafeBitCast(isBelow, to: UInt8.self)) &<< axis
                    }
                    let below =
                        bit(value[0] < p[0], 0) | bit(value[1] < p[1], 1) | bit(value[2] < p[2], 2)
                        | bit(value[3] < p[3], 3)
                    if below == 0 {
                        dominated = true
                        return
                    }
                    if below & (below &- 1) == 0 {
                        let axis = below.trailingZeroBitCount
                        largestOnAxis[axis] = max(largestOnAxis[axis], value[axis])
                        continue
                    }
                    clipped[count] = value
                    count &+= 1
                }
            }
        }
        if dominated { return 0 }
        let origin = pointwiseMax(largestOnAxis, .zero)
        let box = p - origin
        let boxVolume = ((1.0 * box[0]) * box[1]) * box[2] * box[3]
        var smallest = Double.infinity
        var largest = -Double.infinity
        self.clipped4.withUnsafeMutableBufferPointer { clipped in
            self.sums.withUnsafeMutableBufferPointer { sums in
                var kept = 0
                for row in 0..<count {
                    let value = clipped[row]
                    // On an axis where the value is p's, the largest below p is smaller: only axes below p match.
                    let covered =
                        unsafeBitCast(value[0] <= largestOnAxis[0], to: UInt8.self)
                        | unsafeBitCast(value[1] <= largestOnAxis[1], to: UInt8.self)
                        | unsafeBitCast(value[2] <= largestOnAxis[2], to: UInt8.self)
                        | unsafeBitCast(value[3] <= largestOnAxis[3], to: UInt8.self)
                    if covered != 0 { continue }
                    let shifted = value - origin
                    let sum = ((shifted[0] + shifted[1]) + shifted[2]) + shifted[3]
                    clipped[kept] = shifted
                    sums[kept] = sum
                    smallest = min(smallest, sum)
                    largest = max(largest, sum)
                    kept &+= 1
                }
                count = kept
            }
        }
        self.bucketOrder(ofSums: count, smallest: smallest, largest: largest)
        self.kept4.removeAll(keepingCapacity: true)
        self.clipped4.withUnsafeBufferPointer { clipped in
            for row in self.order {
                let candidate = clipped[row]
                // Most candidates are dominated: look for a dominator first, and only for a kept candidate
                // remove the kept points it dominates.
                let isDominated = self.kept4.withUnsafeBufferPointer { kept in
                    guard self.vectorScans else {
                        return kept.contains { other in
                            (other[0] >= candidate[0]) && (other[1] >= candidate[1]) && (other[2] >= candidate[2])
                                && (other[3] >= candidate[3])
                        }
                    }
                    return kept.withMemoryRebound(to: Double.self) { points in
                        rw_simd_any_weakly_dominates4_avx2(
                            points.baseAddress, kept.count, candidate[0], candidate[1], candidate[2], candidate[3])
                            != 0
                    }
                }
                if isDominated { continue }
                self.kept4.removeAll { other in
                    (candidate[0] >= other[0]) && (candidate[1] >= other[1]) && (candidate[2] >= other[2])
                        && (candidate[3] >= other[3])
                }
                self.kept4.append(candidate)
            }
        }
        if self.kept4.count <= Self.inclusionExclusionLimit {  // most of a uniform K = 5 set's: no sweep
            return max(0, boxVolume - Self.unionVolume(ofAtMostFive: self.kept4))
        }
        // A `SIMD4<Double>` is four consecutive doubles: the kept points are already the sweep's row-major input.
        let covered = self.kept4.withUnsafeBufferPointer { kept in
            kept.withMemoryRebound(to: Double.self) { kept in  // 4 × count doubles
                HypervolumeKernels.volume4D(kept, stop: stop, workspace: &self.sweep4D)
            }
        }
        return max(0, boxVolume - covered)
    }

    /// The most points ``unionVolume(ofAtMostFive:)`` takes.
    static let inclusionExclusionLimit = 5

    /// The volume of the union of the boxes `[0, q]` of at most five 4-D points, by inclusion–exclusion: the sum
    /// over the non-empty subsets of ±vol(their componentwise minimum), + for odd sizes. Every term is at most the
    /// union's volume, so with the positive and the negative terms summed apart the result is within a few tens of
    /// units in the last place of it; at most 31 products where a sweep costs far more.
    static func unionVolume(ofAtMostFive points: [SIMD4<Double>]) -> Double {
        let count = points.count
        precondition(count <= Self.inclusionExclusionLimit)
        return withUnsafeTemporaryAllocation(of: SIMD4<Double>.self, capacity: 1 << count) { minimum in
            var added = 0.0
            var subtracted = 0.0
            for subset in 1..<(1 << count) {
                let lowest = subset.trailingZeroBitCount
                let rest = subset & (subset &- 1)
                let box = rest == 0 ? points[lowest] : pointwiseMin(minimum[rest], points[lowest])
                minimum[subset] = box
                let volume = ((box[0] * box[1]) * box[2]) * box[3]
                if subset.nonzeroBitCount & 1 == 1 { added += volume } else { subtracted += volume }
            }
            return added - subtracted
        }
    }

    /// The buckets of ``bucketOrder(ofSums:smallest:largest:)``.
    private static let sumBuckets = 32
    /// Up to this many points, ``bucketOrder(ofSums:smallest:largest:)`` leaves them in their order.
    private static let unorderedLimit = 16

    /// Sets ``order`` to the rows `0..<count` by decreasing bucket of their ``sums`` (32 equal-width buckets
    /// between the smallest and largest sum), rows in increasing order within a bucket; up to
    /// ``unorderedLimit`` rows, in increasing order (the filters' removals make any order correct).
    private mutating func bucketOrder(ofSums count: Int, smallest: Double, largest: Double) {
        if count <= Self.unorderedLimit {
            // So few points that the removals cost less than the buckets: in the order given.
            self.order.removeAll(keepingCapacity: true)
            self.order.append(contentsOf: 0..<count)
            return
        }
        let buckets = Self.sumBuckets
        let scale = largest > smallest ? Double(buckets) / (largest - smallest) : 0
        self.bucketStarts.removeAll(keepingCapacity: true)
        self.bucketStarts.append(contentsOf: repeatElement(0, count: buckets + 1))
        self.order.removeAll(keepingCapacity: true)
        self.order.append(contentsOf: repeatElement(0, count: count))
        self.sums.withUnsafeBufferPointer { sums in
            self.bucketStarts.withUnsafeMutableBufferPointer { starts in
                // Bucket b (0 = the largest sums) holds sums with (largest − sum)·scale in [b, b + 1).
                @inline(__always) func bucket(_ sum: Double) -> Int {
                    min(buckets - 1, Int((largest - sum) * scale))
                }
                for row in 0..<count { starts[bucket(sums[row]) + 1] &+= 1 }
                for b in 0..<buckets { starts[b + 1] &+= starts[b] }
                self.order.withUnsafeMutableBufferPointer { order in
                    for row in 0..<count {
                        let b = bucket(sums[row])
                        order[starts[b]] = row
                        starts[b] &+= 1
                    }
                }
            }
        }
    }
}
