/// All exclusive hypervolume contributions in three dimensions in O(n log n), by one sweep along z.
///
/// Points are shifted so that the reference point is the origin (coordinates > 0) and visited by
/// decreasing z. At a height z the cross-section of the dominated region is the 2-D staircase `M` of the
/// points above z. Point p's exclusive volume is the integral over z of its exclusive cross-section:
///
///     c_p = ∫ e_p(z) dz,   e_p = (p_x − left_x)·(p_y − right_y) − shadow_p
///
/// where `left_x` and `right_y` come from p's neighbours in `M` (0 at the ends), so that the rectangle is
/// the part of p's box no other point of `M` covers, and `shadow_p` is the area inside that rectangle
/// covered by points that p alone dominates (they still cover part of p's box — a dominated point lowers
/// its dominator's contribution). Those points form a staircase of their own, kept per point in the same
/// treap pool (``Staircase``), with the rectangle's lower corner as origin.
///
/// A new point s at height z changes e for O(1) points plus the ones it removes:
/// - if a point t of `M` dominates s and s reaches into t's rectangle, s joins t's shadow;
/// - otherwise s enters `M`; the points it dominates leave `M` and become s's shadow (their own shadows lie
///   under them and are dropped), its left neighbour's rectangle loses the part below s_y and its right
///   neighbour's the part left of s_x (shadow points outside the new rectangles are dropped).
///
/// Each change first banks `e_p·(z_last − z)`; every point enters `M` at most once and a shadow at most
/// once, and leaves each at most once, so the sweep takes O(n log n) expected time. An exact duplicate
/// lands in its twin's shadow and covers its whole rectangle, so both contribute 0, as they must.
/// This is our own derivation in the spirit of Emmerich & Fonseca (2011), "Computing hypervolume
/// contributions in low dimensions: asymptotically optimal algorithm and complexity results" (EMO).
struct ExclusiveSweep3D {
    private var pool: Staircase
    private var main: Int32 = -1
    private var leftX: [Double] = []
    private var rightY: [Double] = []
    private var shadowRoot: [Int32] = []
    private var shadowArea: [Double] = []
    private var exclusiveArea: [Double] = []
    private var lastZ: [Double] = []
    /// After ``run(_:presortedByZ:)``: every point's exclusive contribution, in input order (entries past
    /// the last run's point count are stale).
    private(set) var contributions: [Double] = []
    private var s: [Double] = []

    /// Computes the contributions of `storage` (row-major, K = 3, coordinates > 0).
    static func contributions(_ storage: [Double]) -> [Double] {
        var sweep = ExclusiveSweep3D()
        _ = sweep.run(storage, presortedByZ: false)
        return Array(sweep.contributions.prefix(storage.count / 3))
    }

    init() {
        self.pool = Staircase()
    }

    /// Runs the sweep on `storage` (row-major, K = 3, coordinates > 0), leaving every point's exclusive
    /// contribution in ``contributions``, and returns the hypervolume of the whole set. Scratch storage is
    /// reused from run to run. When `presortedByZ`, the rows are already in non-increasing z.
    mutating func run(_ storage: [Double], presortedByZ: Bool) -> Double {
        let n = storage.count / 3
        self.s = storage
        self.pool.removeAll()
        self.main = -1
        // Every per-point array keeps at least n entries from run to run. Only the accumulators need
        // clearing: the others are written when a point enters the main staircase, before any read.
        Self.ensureCount(&self.leftX, n, 0)
        Self.ensureCount(&self.rightY, n, 0)
        Self.ensureCount(&self.shadowRoot, n, -1)
        Self.ensureCount(&self.shadowArea, n, 0)
        Self.ensureCount(&self.lastZ, n, 0)
        Self.ensureCount(&self.exclusiveArea, n, 0)
        Self.ensureCount(&self.contributions, n, 0)
        self.exclusiveArea.withUnsafeMutableBufferPointer { $0[0..<n].update(repeating: 0) }
        self.contributions.withUnsafeMutableBufferPointer { $0[0..<n].update(repeating: 0) }
        guard n > 0 else { return 0 }
        let s = self.s
        let order = presortedByZ ? Array(0..<n) : DecreasingOrder.of(s, column: 2, dimension: 3)
        var area = 0.0
        var volume = 0.0
        var previousZ = s[3 * order[0] + 2]
        for p in order {
            let x = s[3 * p]
            let y = s[3 * p + 1]
            let z = s[3 * p + 2]
            volume += area * (previousZ - z)
            previousZ = z
            let insertion = self.pool.insert(into: &self.main, x: x, y: y, id: p, originX: 0, originY: 0)
            if insertion.dominatingID >= 0 {
                let t = insertion.dominatingID
                // t is the point of M with the smallest x ≥ x, so x > left_x(t) already.
                if y > self.rightY[t] {
                    self.bank(t, at: z)
                    let added = self.pool.insert(
                        into: &self.shadowRoot[t], x: x, y: y, id: p, originX: self.leftX[t], originY: self.rightY[t]
                    ).areaAdded
                    self.shadowArea[t] += added
                    self.updateExclusiveArea(t)
                }
                continue
            }
            // p enters M. The points it removed become its shadow.
            area += insertion.areaAdded
            for d in self.pool.removed {
                self.bank(d, at: z)
                self.exclusiveArea[d] = 0
            }
            let left = insertion.leftID
            let right = insertion.rightID
            self.leftX[p] = left >= 0 ? s[3 * left] : 0
            self.rightY[p] = right >= 0 ? s[3 * right + 1] : 0
            self.shadowRoot[p] = self.pool.removedTree
            var shadow = 0.0
            var previousX = self.leftX[p]
            for (dx, dy) in zip(self.pool.removedX, self.pool.removedY) {
                shadow += (dx - previousX) * (dy - self.rightY[p])
                previousX = dx
            }
            self.shadowArea[p] = shadow
            self.lastZ[p] = z
            self.updateExclusiveArea(p)
            if left >= 0 { self.raiseRightY(of: left, to: y, at: z) }
            if right >= 0 { self.raiseLeftX(of: right, to: x, at: z) }
        }
        for p in 0..<n { self.bank(p, at: 0) }
        return volume + area * previousZ
    }

    private static func ensureCount<T>(_ array: inout [T], _ count: Int, _ value: T) {
        if array.count < count { array.append(contentsOf: repeatElement(value, count: count - array.count)) }
    }

    private mutating func bank(_ p: Int, at z: Double) {
        self.contributions[p] += self.exclusiveArea[p] * (self.lastZ[p] - z)
        self.lastZ[p] = z
    }

    private mutating func updateExclusiveArea(_ p: Int) {
        let rectangle = (self.s[3 * p] - self.leftX[p]) * (self.s[3 * p + 1] - self.rightY[p])
        self.exclusiveArea[p] = max(0, rectangle - self.shadowArea[p])
    }

    /// p's right neighbour is now at height `newY`: its rectangle loses the strip below it, and shadow
    /// points no higher than it leave the shadow (a suffix in x).
    private mutating func raiseRightY(of p: Int, to newY: Double, at z: Double) {
        self.bank(p, at: z)
        let oldY = self.rightY[p]
        self.pool.removePoints(from: &self.shadowRoot[p], yAtMost: newY)
        let lastKeptX = self.shadowRoot[p] >= 0 ? self.pool.lastPoint(of: self.shadowRoot[p]).x : self.leftX[p]
        var area = self.shadowArea[p]
        var previousX = lastKeptX
        for (dx, dy) in zip(self.pool.removedX, self.pool.removedY) {
            area -= (dx - previousX) * (dy - oldY)
            previousX = dx
        }
        area -= (newY - oldY) * (lastKeptX - self.leftX[p])
        self.shadowArea[p] = self.shadowRoot[p] >= 0 ? max(0, area) : 0
        self.rightY[p] = newY
        self.updateExclusiveArea(p)
    }

    /// p's left neighbour is now at `newX`: its rectangle loses the strip left of it, and shadow points no
    /// further right leave the shadow (a prefix in x).
    private mutating func raiseLeftX(of p: Int, to newX: Double, at z: Double) {
        self.bank(p, at: z)
        let oldX = self.leftX[p]
        self.pool.removePoints(from: &self.shadowRoot[p], xAtMost: newX)
        var area = self.shadowArea[p]
        var previousX = oldX
        for (dx, dy) in zip(self.pool.removedX, self.pool.removedY) {
            area -= (dx - previousX) * (dy - self.rightY[p])
            previousX = dx
        }
        if self.shadowRoot[p] >= 0 {
            let first = self.pool.firstPoint(of: self.shadowRoot[p])
            area -= (newX - previousX) * (first.y - self.rightY[p])
            self.shadowArea[p] = max(0, area)
        } else {
            self.shadowArea[p] = 0
        }
        self.leftX[p] = newX
        self.updateExclusiveArea(p)
    }
}
