import CRewardWeightingSIMD

/// A growing set of 3-D points (coordinates > 0, reference at the origin) to which points are added one at a
/// time, each addition returning the point's exclusive contribution to the set's hypervolume. The base of the
/// 4-D sweep.
///
/// The set is kept ordered by decreasing z. The contribution of a new point `s` is the volume of its box not
/// covered by the boxes of the stored points: a z-sweep, from `s_z` down, of the stored points clipped to
/// `s`'s box, accumulating `(s_x·s_y − covered area)·Δz` over a ``Staircase``. It stops as soon as a clipped
/// point covers `s`'s whole cross-section, since lower slabs are then covered too. A point whose box is
/// covered entirely is not stored: it can never matter again.
///
/// The clipped staircase lives in a flat sorted array (``FlatStaircase``), not a tree: inside one point's box
/// it holds only that point's few neighbours, so this is several times faster than the treap on real fronts.
/// Most clipped points never reach it: scans of a few comparisons per stored point reject them first (see
/// ``add(x:y:z:)``). O(m + c·s) per addition for m stored points, c of them passing the scans, and a clipped
/// staircase of s points (c, s ≪ m in practice; m in the worst case).
struct SweepFront3D {
    private var xs: [Double] = []
    private var ys: [Double] = []
    private var zs: [Double] = []
    private var staircase: FlatStaircase
    /// Scratch for ``add(x:y:z:)``: the positions that may change the clipped staircase, and those the new
    /// point dominates (see ``collect``).
    private var candidates: [Int] = []
    private var dominated: [Int] = []

    /// Whether the scans run the AVX2 loop (`rw_simd_front3d_scan_avx2`, on CPUs that have it) rather than the
    /// Swift one; both give the same contribution, bit for bit.
    private let vectorScans: Bool

    init(capacity: Int, vectorScans: Bool = VectorInstructions.hasAVX2FMA) {
        self.vectorScans = vectorScans && VectorInstructions.hasAVX2FMA
        self.staircase = FlatStaircase()
        self.xs.reserveCapacity(capacity)
        self.ys.reserveCapacity(capacity)
        self.zs.reserveCapacity(capacity)
    }

    /// Empties the set, keeping its storage for the next sweep.
    mutating func removeAll() {
        guard !self.zs.isEmpty else { return }
        self.xs.removeAll(keepingCapacity: true)
        self.ys.removeAll(keepingCapacity: true)
        self.zs.removeAll(keepingCapacity: true)
    }

    /// Adds `(x, y, z)` and returns its exclusive contribution (0 when a stored point weakly dominates it).
    /// Stored points that the new one dominates are dropped: their boxes lie inside its box from now on.
    ///
    /// Most stored points cannot change the clipped staircase, and two branch-light scans find the few
    /// that can before any of them reaches it:
    /// 1. The stored points at or above `s_z` all clip to the top slab. A clipped point with `x ≥ s_x` lies
    ///    on the box's right edge, where only the highest matters; likewise for `y ≥ s_y` on the top edge.
    /// 2. A clipped point matters only if neither edge point dominates it: `min(x, s_x)` above the top
    ///    edge's x and `min(y, s_y)` above the right edge's y. Edges only grow, so this filter holds for the
    ///    whole sweep. One scan of the top slab finds the edges (and whether a stored point covers the whole
    ///    box), and with the scan of the points below it, down to the first one covering the cross-section,
    ///    collects the points that pass (and the points `s` dominates): see ``collect``.
    /// 3. Only those go through the staircase, in z order.
    mutating func add(x: Double, y: Double, z: Double) -> Double {
        let crossSection = x * y
        let topSlabEnd = self.firstPosition(below: z)
        let scanned =
            self.vectorScans
            ? Self.collectWithAVX2(
                x: x, y: y, z: z, xs: self.xs, ys: self.ys, zs: self.zs, topSlabEnd: topSlabEnd,
                candidates: &self.candidates, dominated: &self.dominated)
            : Self.collect(
                x: x, y: y, z: z, xs: self.xs, ys: self.ys, zs: self.zs, topSlabEnd: topSlabEnd,
                candidates: &self.candidates, dominated: &self.dominated)
        guard let found = scanned else { return 0 }
        // Emptied here, not on entry: most points of a large set are dominated and never reach the staircase.
        self.staircase.removeAll()
        var rightEdgeY = found.rightEdgeY
        var topEdgeX = found.topEdgeX
        var area = 0.0
        if rightEdgeY > 0 { area += self.staircase.insert(x: x, y: rightEdgeY) }
        if topEdgeX > 0 { area += self.staircase.insert(x: topEdgeX, y: y) }
        var uncovered = 0.0
        var previousZ = z
        for index in 0..<found.candidates {
            let position = self.candidates[index]
            let storedX = self.xs[position]
            let storedY = self.ys[position]
            let clippedZ = min(self.zs[position], z)
            uncovered += (crossSection - area) * (previousZ - clippedZ)
            previousZ = clippedZ
            if storedX >= x {
                if storedY >= y {
                    // The cross-section is covered from here down.
                    area = crossSection
                    break
                }
                if storedY > rightEdgeY {
                    rightEdgeY = storedY
                    area += self.staircase.insert(x: x, y: storedY)
                }
            } else if storedY >= y {
                if storedX > topEdgeX {
                    topEdgeX = storedX
                    area += self.staircase.insert(x: storedX, y: y)
                }
            } else if storedX > topEdgeX && storedY > rightEdgeY {
                area += self.staircase.insert(x: storedX, y: storedY)
            }
        }
        if area < crossSection { uncovered += (crossSection - area) * previousZ }
        if found.dominated > 0 { self.removeStored(at: self.dominated[0..<found.dominated]) }
        // Keep the order by decreasing z: insert after every stored point with a z at least as large.
        var low = 0
        var high = self.zs.count
        while low < high {
            let middle = (low + high) / 2
            if self.zs[middle] >= z { low = middle + 1 } else { high = middle }
        }
        Self.insert(x, at: low, into: &self.xs)
        Self.insert(y, at: low, into: &self.ys)
        Self.insert(z, at: low, into: &self.zs)
        return uncovered
    }

    /// `array.insert(value, at: position)` as one append and one `memmove` (Array's own insertion goes through
    /// its generic `replaceSubrange`, a visible cost at one insertion per point).
    @inline(__always)
    private static func insert(_ value: Double, at position: Int, into array: inout [Double]) {
        let count = array.count
        array.append(value)
        guard position < count else { return }
        array.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            (base + position + 1).update(from: base + position, count: count - position)
            base[position] = value
        }
    }

    /// The first position whose stored z is below `z` (the stored points are in decreasing z).
    private func firstPosition(below z: Double) -> Int {
        var low = 0
        var high = self.zs.count
        while low < high {
            let middle = (low &+ high) &>> 1
            if self.zs[middle] >= z { low = middle &+ 1 } else { high = middle }
        }
        return low
    }

    /// The scans of ``add(x:y:z:)``: finds the edges of the top slab (nil when a stored point there covers
    /// the whole box), writes to `candidates` the positions, in order, whose clipped point no edge point
    /// dominates, and to `dominated` those that `(x, y, z)` weakly dominates; returns how many of each.
    ///
    /// The top slab is scanned once: its interior points are kept when they pass the edges found so far (the
    /// final edges, which can only be larger, are checked again when the staircase takes them). Below it,
    /// the filter uses the top slab's edges, and the scan ends at the first point covering the cross-section
    /// (a candidate itself). Writes are branch-free: each position is written and the count moves on when it
    /// qualifies, so both buffers need room for every stored point.
    private static func collect(
        x: Double, y: Double, z: Double, xs: [Double], ys: [Double], zs: [Double], topSlabEnd: Int,
        candidates: inout [Int], dominated: inout [Int]
    ) -> Scan? {
        let count = zs.count
        Self.makeRoom(for: count, in: &candidates, and: &dominated)
        var candidateCount = 0
        var dominatedCount = 0
        var rightEdgeY = 0.0
        var topEdgeX = 0.0
        var covered = false
        candidates.withUnsafeMutableBufferPointer { candidateBuffer in
            dominated.withUnsafeMutableBufferPointer { dominatedBuffer in
                xs.withUnsafeBufferPointer { xs in
                    ys.withUnsafeBufferPointer { ys in
                        zs.withUnsafeBufferPointer { zs in
                            for position in 0..<topSlabEnd {
                                let storedX = xs[position]
                                let storedY = ys[position]
                                let right = storedX >= x
                                let top = storedY >= y
                                if right && top {
                                    // A stored point covers the whole box: most points of a dominated set
                                    // end their scan here.
                                    covered = true
                                    return
                                }
                                rightEdgeY = max(rightEdgeY, right ? storedY : 0)
                                topEdgeX = max(topEdgeX, top ? storedX : 0)
                                candidateBuffer[candidateCount] = position
                                candidateCount &+= !right && !top && storedX > topEdgeX && storedY > rightEdgeY ? 1 : 0
                                dominatedBuffer[dominatedCount] = position
                                dominatedCount &+= storedX <= x && storedY <= y && zs[position] == z ? 1 : 0
                            }
                            var position = topSlabEnd
                            while position < count {
                                let storedX = xs[position]
                                let storedY = ys[position]
                                candidateBuffer[candidateCount] = position
                                candidateCount &+= min(storedX, x) > topEdgeX && min(storedY, y) > rightEdgeY ? 1 : 0
                                dominatedBuffer[dominatedCount] = position
                                dominatedCount &+= storedX <= x && storedY <= y ? 1 : 0
                                if storedX >= x && storedY >= y { break }
                                position &+= 1
                            }
                        }
                    }
                }
            }
        }
        if covered { return nil }
        return (candidateCount, dominatedCount, rightEdgeY, topEdgeX)
    }

    /// What a scan found: how many positions it wrote to each list, and the top slab's edges.
    private typealias Scan = (candidates: Int, dominated: Int, rightEdgeY: Double, topEdgeX: Double)

    /// Grows the scans' output buffers to hold `count` positions each (their writes are branch-free).
    private static func makeRoom(for count: Int, in candidates: inout [Int], and dominated: inout [Int]) {
        if candidates.count < count {
            candidates = [Int](repeating: 0, count: Swift.max(count, 2 * candidates.count))
            dominated = [Int](repeating: 0, count: candidates.count)
        }
    }

    /// ``collect`` with AVX2 (`rw_simd_front3d_scan_avx2`). It finds the top slab's edges in a first pass and
    /// filters its interior points with them, so it may leave out top-slab candidates that ``collect`` keeps
    /// (those the final edges dominate); ``add(x:y:z:)`` rejects exactly those, adding 0 for their empty slab,
    /// so the contribution is the same bit for bit.
    private static func collectWithAVX2(
        x: Double, y: Double, z: Double, xs: [Double], ys: [Double], zs: [Double], topSlabEnd: Int,
        candidates: inout [Int], dominated: inout [Int]
    ) -> Scan? {
        let count = zs.count
        Self.makeRoom(for: count, in: &candidates, and: &dominated)
        var result = rw_simd_front3d_scan_result()
        let found = candidates.withUnsafeMutableBufferPointer { candidateBuffer in
            dominated.withUnsafeMutableBufferPointer { dominatedBuffer in
                xs.withUnsafeBufferPointer { xs in
                    ys.withUnsafeBufferPointer { ys in
                        zs.withUnsafeBufferPointer { zs in
                            rw_simd_front3d_scan_avx2(
                                xs.baseAddress, ys.baseAddress, zs.baseAddress, count, topSlabEnd, x, y, z,
                                candidateBuffer.baseAddress, dominatedBuffer.baseAddress, &result)
                        }
                    }
                }
            }
        }
        guard found != 0 else { return nil }
        return (result.candidates, result.dominated, result.right_edge_y, result.top_edge_x)
    }

    /// Removes the stored points at `positions` (increasing), keeping the others in order.
    private mutating func removeStored(at positions: ArraySlice<Int>) {
        var write = positions[0]
        var next = 0
        for read in positions[0]..<self.zs.count {
            if next < positions.count && positions[next] == read {
                next += 1
                continue
            }
            self.xs[write] = self.xs[read]
            self.ys[write] = self.ys[read]
            self.zs[write] = self.zs[read]
            write += 1
        }
        self.xs.removeLast(self.xs.count - write)
        self.ys.removeLast(self.ys.count - write)
        self.zs.removeLast(self.zs.count - write)
    }
}
