/// A two-dimensional non-dominated set (maximisation, origin as reference) in one sorted array: x strictly
/// increasing, y strictly decreasing.
///
/// The same contract as ``Staircase``'s insertion, for the small staircases of a clipped sweep: a binary
/// search finds the position in O(log s), and an insertion shifts at most s elements. Cheaper than a tree
/// when s stays small; O(s) per insertion in the worst case.
struct FlatStaircase {
    private var xs: [Double] = []
    private var ys: [Double] = []

    /// The number of stored points.
    var count: Int { self.xs.count }

    /// The stored points, in increasing x.
    var points: Zip2Sequence<[Double], [Double]> { zip(self.xs, self.ys) }

    mutating func removeAll() {
        guard !self.xs.isEmpty else { return }  // skips the arrays' uniqueness checks and generic removal
        self.xs.removeAll(keepingCapacity: true)
        self.ys.removeAll(keepingCapacity: true)
    }

    /// Inserts `(x, y)` (coordinates > 0) unless a stored point weakly dominates it, removing the stored
    /// points it dominates; returns the area it adds to the union of boxes `[0, p]`.
    mutating func insert(x: Double, y: Double) -> Double {
        let count = self.xs.count
        // The first position with x ≥ new x.
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) &>> 1
            if self.xs[middle] < x { low = middle &+ 1 } else { high = middle }
        }
        let atOrAbove = low
        if atOrAbove < count && self.ys[atOrAbove] >= y { return 0 }
        // The stored points the new one dominates: those just below it with y ≤ new y, and one with equal x.
        var end = atOrAbove
        if end < count && self.xs[end] == x { end &+= 1 }
        var start = atOrAbove
        while start > 0 && self.ys[start &- 1] <= y { start &-= 1 }
        let leftX = start > 0 ? self.xs[start &- 1] : 0
        let rightY = end < count ? self.ys[end] : 0
        var area = 0.0
        var previousX = leftX
        var position = start
        while position < end {
            area += (self.xs[position] - previousX) * (y - self.ys[position])
            previousX = self.xs[position]
            position &+= 1
        }
        area += (x - previousX) * (y - rightY)
        if end - start == 1 {
            self.xs[start] = x
            self.ys[start] = y
        } else {
            self.xs.replaceSubrange(start..<end, with: CollectionOfOne(x))
            self.ys.replaceSubrange(start..<end, with: CollectionOfOne(y))
        }
        return area
    }
}
