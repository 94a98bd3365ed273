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
/// once, and leaves each at most once, so the sweep takes O(n log n) expected time. `M` itself starts in a
/// sorted array (``IndexedFlatStaircase``), whose binary search and short moves beat the treap's splits and
/// merges while it holds hundreds of points (on a 3-D sphere of 10⁴ points it peaks near 500), and moves
/// into the treap pool once it exceeds ``flatMainLimit`` points, which keeps the bound on any input. An exact duplicate
/// lands in its twin's shadow and covers its whole rectangle, so both contribute 0, as they must.
/// This is our own derivation in the spirit of Emmerich & Fonseca (2011), "Computing hypervolume
/// contributions in low dimensions: asymptotically optimal algorithm and complexity results" (EMO).
struct ExclusiveSweep3D: ~Copyable {
    /// The size of `M` past which it moves from the sorted array into the treap pool.
    static let flatMainLimit = 1024

    private var pool: Staircase
    /// `M` while it is flat; once ``flatLimit`` is passed, `M` is the treap at ``main``.
    private var flatMain = IndexedFlatStaircase()
    /// Whether `M` is still the sorted array (after a run: whether it stayed one to the end).
    private(set) var mainIsFlat = true
    private let flatLimit: Int
    private var main: Int32 = -1
    /// What the sweep keeps of one point, together: one or two cache lines where seven arrays took seven. Held
    /// in storage of its own (``points``, for ``pointCapacity`` points), so that the sweep's many small updates
    /// are plain stores, without an array's uniqueness check; the sweep is not copyable, and frees it.
    private struct PointState {
        var x = 0.0
        var y = 0.0
        var leftX = 0.0
        var rightY = 0.0
        var shadowArea = 0.0
        var exclusiveArea = 0.0
        var lastZ = 0.0
        var contribution = 0.0
        /// The root of the point's shadow in the pool, written when it enters `M`.
        var shadowRoot: Int32 = -1
    }
    private var points: UnsafeMutablePointer<PointState>
    private var pointCapacity = 0
    /// After ``run(_:presortedByZ:)``: every point's exclusive contribution, in input order (entries past
    /// the last run's point count are stale).
    private(set) var contributions: [Double] = []

    /// Computes the contributions of `storage` (row-major, K = 3, coordinates > 0).
    static func contributions(_ storage: [Double]) -> [Double] {
        var sweep = ExclusiveSweep3D()
        _ = storage.withUnsafeBufferPointer { sweep.run($0, presortedByZ: false) }
        return Array(sweep.contributions.prefix(storage.count / 3))
    }

    /// - Parameter flatLimit: the size of `M` past which it moves into the treap (tests set 0 and `Int.max`
    ///   to compare the two).
    init(flatLimit: Int = Self.flatMainLimit) {
        self.pool = Staircase()
        self.flatLimit = flatLimit
        self.points = .allocate(capacity: 0)
    }

    deinit {
        self.points.deallocate()
    }

    /// Runs the sweep on `storage` (row-major, K = 3, coordinates > 0), leaving every point's exclusive
    /// contribution in ``contributions``, and returns the hypervolume of the whole set. Scratch storage is
    /// reused from run to run. When `presortedByZ`, the rows are already in non-increasing z.
    mutating func run(_ s: UnsafeBufferPointer<Double>, presortedByZ: Bool) -> Double {
        let n = s.count / 3
        self.pool.removeAll()
        self.pool.reserveCapacity(n)
        self.main = -1
        self.flatMain.removeAll()
        self.mainIsFlat = self.flatLimit > 0
        // The per-point storage keeps room for the most points any run had; each run starts every state afresh.
        if n > self.pointCapacity {
            self.points.deallocate()
            self.points = .allocate(capacity: n)
            self.pointCapacity = n
        }
        Self.ensureCount(&self.contributions, n, 0)
        guard n > 0 else { return 0 }
        for i in 0..<n { (self.points + i).initialize(to: PointState(x: s[3 &* i], y: s[3 &* i &+ 1])) }
        let order = presortedByZ ? [] : DecreasingOrder.of(count: n, key: { s[3 &* $0 &+ 2] })
        var area = 0.0
        var volume = 0.0
        var previousZ = s[3 * (presortedByZ ? 0 : order[0]) + 2]
        for index in 0..<n {
            let p = presortedByZ ? index : order[index]
            let x = s[3 * p]
            let y = s[3 * p + 1]
            let z = s[3 * p + 2]
            volume += area * (previousZ - z)
            previousZ = z
            let insertion =
                self.mainIsFlat
                ? self.flatMain.insert(x: x, y: y, id: p)
                : self.pool.insert(into: &self.main, x: x, y: y, id: p, originX: 0, originY: 0)
            if insertion.dominatingID >= 0 {
                let t = insertion.dominatingID
                // t is the point of M with the smallest x ≥ x, so x > left_x(t) already.
                if y > self.points[t].rightY {
                    self.bank(t, at: z)
                    let added = self.pool.insert(
                        into: &self.points[t].shadowRoot, x: x, y: y, id: p, originX: self.points[t].leftX,
                        originY: self.points[t].rightY
                    ).areaAdded
                    self.points[t].shadowArea += added
                    self.updateExclusiveArea(t)
                }
                continue
            }
            // p enters M. The points it removed become its shadow.
            area += insertion.areaAdded
            if self.mainIsFlat {
                var shadowRoot: Int32 = -1
                for j in 0..<self.flatMain.removed.count {
                    let (d, dx, dy) = self.removedPoint(j)
                    self.pool.append(to: &shadowRoot, x: dx, y: dy, id: d)
                }
                self.enter(p, at: z, insertion, shadowRoot: shadowRoot)
                if self.flatMain.count > self.flatLimit { self.moveMainIntoTreap() }
            } else {
                self.enter(p, at: z, insertion, shadowRoot: self.pool.removedTree)
            }
        }
        for p in 0..<n {
            self.bank(p, at: 0)
            self.contributions[p] = self.points[p].contribution
        }
        return volume + area * previousZ
    }

    /// The j-th point (id and coordinates, in increasing x) that the last insertion into `M` removed. Read
    /// by index, so that the loops over them do not retain the arrays.
    private func removedPoint(_ j: Int) -> (id: Int, x: Double, y: Double) {
        self.mainIsFlat
            ? (self.flatMain.removed[j], self.flatMain.removedX[j], self.flatMain.removedY[j])
            : (self.pool.removed[j], self.pool.removedX[j], self.pool.removedY[j])
    }

    /// p enters `M` with the neighbours of `insertion`; the points it removed (``removedPoint(_:)``) leave `M`
    /// and form its shadow, the treap at `shadowRoot`.
    private mutating func enter(_ p: Int, at z: Double, _ insertion: Staircase.Insertion, shadowRoot: Int32) {
        let removedCount = self.mainIsFlat ? self.flatMain.removed.count : self.pool.removed.count
        for j in 0..<removedCount {
            let d = self.removedPoint(j).id
            self.bank(d, at: z)
            self.points[d].exclusiveArea = 0
        }
        let left = insertion.leftID
        let right = insertion.rightID
        self.points[p].leftX = left >= 0 ? self.points[left].x : 0
        self.points[p].rightY = right >= 0 ? self.points[right].y : 0
        self.points[p].shadowRoot = shadowRoot
        var shadow = 0.0
        var previousX = self.points[p].leftX
        for j in 0..<removedCount {
            let (_, dx, dy) = self.removedPoint(j)
            shadow += (dx - previousX) * (dy - self.points[p].rightY)
            previousX = dx
        }
        self.points[p].shadowArea = shadow
        self.points[p].lastZ = z
        self.updateExclusiveArea(p)
        if left >= 0 { self.raiseRightY(of: left, to: self.points[p].y, at: z) }
        if right >= 0 { self.raiseLeftX(of: right, to: self.points[p].x, at: z) }
    }

    /// `M` has outgrown the sorted array: from here on it is a treap in the pool.
    private mutating func moveMainIntoTreap() {
        var root: Int32 = -1
        let flat = self.flatMain
        flat.forEach { x, y, id in self.pool.append(to: &root, x: x, y: y, id: id) }
        self.main = root
        self.flatMain.removeAll()
        self.mainIsFlat = false
    }

    private static func ensureCount<T>(_ array: inout [T], _ count: Int, _ value: T) {
        if array.count < count { array.append(contentsOf: repeatElement(value, count: count - array.count)) }
    }

    private mutating func bank(_ p: Int, at z: Double) {
        self.points[p].contribution += self.points[p].exclusiveArea * (self.points[p].lastZ - z)
        self.points[p].lastZ = z
    }

    private mutating func updateExclusiveArea(_ p: Int) {
        let point = self.points[p]
        let rectangle = (point.x - point.leftX) * (point.y - point.rightY)
        self.points[p].exclusiveArea = max(0, rectangle - point.shadowArea)
    }

    /// p's right neighbour is now at height `newY`: its rectangle loses the strip below it, and shadow
    /// points no higher than it leave the shadow (a suffix in x).
    private mutating func raiseRightY(of p: Int, to newY: Double, at z: Double) {
        self.bank(p, at: z)
        let oldY = self.points[p].rightY
        self.pool.removePoints(from: &self.points[p].shadowRoot, yAtMost: newY)
        let lastKeptX =
            self.points[p].shadowRoot >= 0 ? self.pool.lastPoint(of: self.points[p].shadowRoot).x : self.points[p].leftX
        var area = self.points[p].shadowArea
        var previousX = lastKeptX
        for (dx, dy) in zip(self.pool.removedX, self.pool.removedY) {
            area -= (dx - previousX) * (dy - oldY)
            previousX = dx
        }
        area -= (newY - oldY) * (lastKeptX - self.points[p].leftX)
        self.points[p].shadowArea = self.points[p].shadowRoot >= 0 ? max(0, area) : 0
        self.points[p].rightY = newY
        self.updateExclusiveArea(p)
    }

    /// p's left neighbour is now at `newX`: its rectangle loses the strip left of it, and shadow points no
    /// further right leave the shadow (a prefix in x).
    private mutating func raiseLeftX(of p: Int, to newX: Double, at z: Double) {
        self.bank(p, at: z)
        let oldX = self.points[p].leftX
        self.pool.removePoints(from: &self.points[p].shadowRoot, xAtMost: newX)
        var area = self.points[p].shadowArea
        var previousX = oldX
        for (dx, dy) in zip(self.pool.removedX, self.pool.removedY) {
            area -= (dx - previousX) * (dy - self.points[p].rightY)
            previousX = dx
        }
        if self.points[p].shadowRoot >= 0 {
            let first = self.pool.firstPoint(of: self.points[p].shadowRoot)
            area -= (newX - previousX) * (first.y - self.points[p].rightY)
            self.points[p].shadowArea = max(0, area)
        } else {
            self.points[p].shadowArea = 0
        }
        self.points[p].leftX = newX
        self.updateExclusiveArea(p)
    }
}
