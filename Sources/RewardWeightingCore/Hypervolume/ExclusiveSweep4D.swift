/// All exclusive hypervolume contributions in four dimensions, by one sweep along the fourth objective w
/// over 3-D contribution sweeps.
///
/// Points (shifted, coordinates > 0) are visited by decreasing w. Point p's 4-D contribution is the
/// integral over w of its exclusive 3-D volume `e_p(w)` among the points above w:
///
///     c_p = ∫ e_p(w) dw
///
/// When a point s arrives, the set above gains s's box. For every stored point q, the part of q's
/// exclusive region that s's box now covers is the exclusive contribution of `q ∧ s` (componentwise
/// minimum) within the stored set clipped to s — clipping is monotone and distributes over the boxes, so
///
///     e_q ← e_q − contribution(q ∧ s; { r ∧ s : r stored }),   e_s = vol(s) − HV({ r ∧ s : r stored })
///
/// One ``ExclusiveSweep3D`` of the clipped set gives both. The stored set is kept in decreasing z, which
/// clipping preserves, so no sweep sorts. A stored point that two others dominate in x, y and z is covered
/// twice over and can never own or shape an exclusive region again: it is dropped, and an arriving point
/// in that position is never stored. (Among equal points the newer one counts as the dominator, so two
/// copies never justify dropping each other.) O(n·m log m) for stored sets of
/// size m, O(n² log n) at worst — the same order as the dedicated HVC4D algorithm of Guerreiro & Fonseca
/// (2018, "Computing and updating hypervolume contributions in up to four dimensions", IEEE TEVC 22(3))
/// up to the logarithm, and far below the n + 1 full hypervolumes a naive method needs.
struct ExclusiveSweep4D: ~Copyable {
    private let s: [Double]
    /// A stored point: its index and its first three coordinates, in place, so that the scans over the stored
    /// set read memory in order.
    private struct StoredPoint {
        var x: Double
        var y: Double
        var z: Double
        var index: Int
    }
    private var stored: [StoredPoint] = []
    private var clipped: [Double] = []
    private var clippedPositions: [Int] = []
    private var exclusive: [Double]
    private var lastW: [Double]
    /// How many stored points weakly dominate each point in x, y and z.
    private var dominators: [Int]
    private var doublyDominated: [Int] = []
    private var dominatedByP: [Int] = []
    private var contributions: [Double]
    private var sweep = ExclusiveSweep3D()

    /// Computes the contributions of `storage` (row-major, K = 4, coordinates > 0).
    static func contributions(_ storage: [Double], stop: KernelStop? = nil) -> [Double] {
        var sweep = ExclusiveSweep4D(storage)
        return sweep.run(stop: stop)
    }

    private init(_ storage: [Double]) {
        let n = storage.count / 4
        self.s = storage
        self.exclusive = Array(repeating: 0, count: n)
        self.lastW = Array(repeating: 0, count: n)
        self.dominators = Array(repeating: 0, count: n)
        self.contributions = Array(repeating: 0, count: n)
        self.clipped = Array(repeating: 0, count: 3 * n)
        self.clippedPositions = Array(repeating: 0, count: n)
    }

    private mutating func run(stop: KernelStop?) -> [Double] {
        let s = self.s
        let n = s.count / 4
        let order = DecreasingOrder.of(s, column: 3, dimension: 4)
        for p in order {
            if stop.shouldStop() { return self.contributions }
            let (x, y, z, w) = (s[4 * p], s[4 * p + 1], s[4 * p + 2], s[4 * p + 3])
            let dominatorsOfP = self.dominatorCount(x: x, y: y, z: z)
            self.lastW[p] = w
            self.dominators[p] = dominatorsOfP
            if dominatorsOfP >= 2 {
                // p's box lies inside two stored boxes: it changes no exclusive region, now or later, and is not
                // stored (so it counts as nobody's dominator). The usual fate of a point in a dominated set,
                // settled by a scan that stops at the second dominator, without clipping the stored set.
                continue
            }
            self.doublyDominated.removeAll(keepingCapacity: true)
            self.dominatedByP.removeAll(keepingCapacity: true)
            var coveringCrossSections = 0
            // Of the clipped points so far that reach p's x (or y), the two largest clipped y (or x).
            var yReachingX = (first: -Double.infinity, second: -Double.infinity)
            var xReachingY = (first: -Double.infinity, second: -Double.infinity)
            // The clipped set, written in place into storage sized for n points, with each clipped point's
            // position in the stored set.
            var clippedCount = 0
            self.clipped.withUnsafeMutableBufferPointer { clipped in
                for (position, q) in self.stored.enumerated() {
                    let (qx, qy, qz) = (q.x, q.y, q.z)
                    if qx <= x && qy <= y && qz <= z { self.dominatedByP.append(position) }
                    guard coveringCrossSections < 2 else { continue }
                    // Once two clipped points cover p's whole x-y cross-section, every lower one lies in
                    // both their boxes: it changes neither the clipped hypervolume nor any exclusive region.
                    if qx >= x && qy >= y { coveringCrossSections += 1 }
                    let (cx, cy, cz) = (min(qx, x), min(qy, y), min(qz, z))
                    // The same holds for one that two earlier clipped points dominate: earlier means higher in
                    // z, and two that reach p's x with a clipped y at least this one's (or the mirror) do.
                    if qx >= x {
                        if cy <= yReachingX.second { continue }
                        yReachingX = cy > yReachingX.first ? (cy, yReachingX.first) : (yReachingX.first, cy)
                    }
                    if qy >= y {
                        if cx <= xReachingY.second { continue }
                        xReachingY = cx > xReachingY.first ? (cx, xReachingY.first) : (xReachingY.first, cx)
                    }
                    clipped[3 &* clippedCount] = cx
                    clipped[3 &* clippedCount &+ 1] = cy
                    clipped[3 &* clippedCount &+ 2] = cz
                    self.clippedPositions[clippedCount] = position
                    clippedCount &+= 1
                }
            }
            for position in self.dominatedByP {
                let q = self.stored[position].index
                self.dominators[q] += 1
                if self.dominators[q] == 2 { self.doublyDominated.append(position) }
            }
            let covered = self.clipped.withUnsafeBufferPointer { clipped in
                self.sweep.run(UnsafeBufferPointer(rebasing: clipped[0..<(3 * clippedCount)]), presortedByZ: true)
            }
            for index in 0..<clippedCount {
                let q = self.stored[self.clippedPositions[index]].index
                let lost = self.sweep.contributions[index]
                if lost > 0 {
                    self.bank(q, at: w)
                    self.exclusive[q] = max(0, self.exclusive[q] - lost)
                }
            }
            self.exclusive[p] = max(0, x * y * z - covered)
            if !self.doublyDominated.isEmpty {
                // Covered twice over from now on: bank what they own (nothing below w) and drop them.
                for position in self.doublyDominated { self.bank(self.stored[position].index, at: w) }
                var next = 0
                var write = 0
                for read in 0..<self.stored.count {
                    if next < self.doublyDominated.count && self.doublyDominated[next] == read {
                        next += 1
                        continue
                    }
                    self.stored[write] = self.stored[read]
                    write += 1
                }
                self.stored.removeLast(self.stored.count - write)
            }
            self.store(p)
        }
        for p in 0..<n { self.bank(p, at: 0) }
        return self.contributions
    }

    /// How many stored points weakly dominate `(x, y, z)` in x, y and z, up to 2 (the scan stops at the second).
    /// Among equal points the newer one counts as the dominator, so that no two points can each be the other's
    /// reason to be dropped: an equal stored point counts, the new one will not count for it. The stored set is
    /// in non-increasing z, so the scan also stops at the first point below z.
    private func dominatorCount(x: Double, y: Double, z: Double) -> Int {
        var found = 0
        for q in self.stored {
            let (qx, qy, qz) = (q.x, q.y, q.z)
            if qz < z { return found }
            if qx >= x && qy >= y && qz >= z && (qx != x || qy != y || qz != z) {
                found &+= 1
                if found == 2 { return 2 }
            }
        }
        return found
    }

    private mutating func bank(_ p: Int, at w: Double) {
        self.contributions[p] += self.exclusive[p] * (self.lastW[p] - w)
        self.lastW[p] = w
    }

    /// Inserts p into the stored set, kept in non-increasing z.
    private mutating func store(_ p: Int) {
        let z = self.s[4 * p + 2]
        var low = 0
        var high = self.stored.count
        while low < high {
            let middle = (low + high) / 2
            if self.stored[middle].z >= z { low = middle + 1 } else { high = middle }
        }
        let s = self.s
        self.stored.insert(StoredPoint(x: s[4 * p], y: s[4 * p + 1], z: z, index: p), at: low)
    }
}
