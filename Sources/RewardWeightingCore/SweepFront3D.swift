/// A growing set of 3-D points (coordinates > 0, reference at the origin) to which points are added one at a
/// time, each addition returning the point's exclusive contribution to the set's hypervolume. The base of the
/// 4-D sweep.
///
/// The set is kept ordered by decreasing z. The contribution of a new point `s` is the volume of its box not
/// covered by the boxes of the stored points: a z-sweep, from `s_z` down, of the stored points clipped to
/// `s`'s box, accumulating `(s_x·s_y − covered area)·Δz` over a ``Staircase``. It stops as soon as a clipped
/// point covers `s`'s whole cross-section, since lower slabs are then covered too. A point whose box is
/// covered entirely is not stored: it can never matter again. O(m log m) per addition for m stored points.
struct SweepFront3D {
    private var xs: [Double] = []
    private var ys: [Double] = []
    private var zs: [Double] = []
    private var staircase: Staircase

    init(capacity: Int) {
        self.staircase = Staircase(capacity: capacity)
        self.xs.reserveCapacity(capacity)
        self.ys.reserveCapacity(capacity)
        self.zs.reserveCapacity(capacity)
    }

    /// Adds `(x, y, z)` and returns its exclusive contribution (0 when a stored point weakly dominates it).
    mutating func add(x: Double, y: Double, z: Double) -> Double {
        let count = self.zs.count
        self.staircase.removeAll()
        let crossSection = x * y
        var area = 0.0
        var uncovered = 0.0
        var previousZ = z
        var fullyCoveredAtTop = false
        var position = 0
        while position < count {
            let clippedZ = min(self.zs[position], z)
            uncovered += (crossSection - area) * (previousZ - clippedZ)
            previousZ = clippedZ
            let clippedX = min(self.xs[position], x)
            let clippedY = min(self.ys[position], y)
            if clippedX == x && clippedY == y {
                // The cross-section is covered from here down.
                fullyCoveredAtTop = clippedZ == z
                area = crossSection
                break
            }
            area += self.staircase.insert(x: clippedX, y: clippedY, id: position).areaAdded
            position += 1
        }
        if fullyCoveredAtTop { return 0 }
        if area < crossSection { uncovered += (crossSection - area) * previousZ }
        // Keep the order by decreasing z: insert after every stored point with a z at least as large.
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self.zs[middle] >= z { low = middle + 1 } else { high = middle }
        }
        self.xs.insert(x, at: low)
        self.ys.insert(y, at: low)
        self.zs.insert(z, at: low)
        return uncovered
    }
}
