/// A two-dimensional non-dominated set (maximisation) with the origin as reference: points ordered by
/// strictly increasing x, hence strictly decreasing y, kept in a treap (a randomised balanced search tree,
/// expected depth O(log n)).
///
/// ``insert(x:y:id:)`` adds a point unless a stored point weakly dominates it, removes the stored points it
/// dominates and reports the area it adds to the union of boxes `[0, p]`. Each point is inserted and removed
/// at most once, so a sweep of n insertions costs O(n log n) expected time.
struct Staircase {
    /// The outcome of an insertion.
    struct Insertion {
        /// The id of the stored point that weakly dominates the new one (which was therefore not inserted),
        /// or −1.
        var dominatingID: Int
        /// Whether that dominating point is equal to the new one in both coordinates.
        var dominatedByEqual: Bool
        /// The area the new point adds to the union of boxes.
        var areaAdded: Double
        /// The neighbours of the new point after insertion (−1 for none): the left one has smaller x and
        /// larger y, the right one larger x and smaller y.
        var leftID: Int
        var rightID: Int
    }

    private var xs: [Double] = []
    private var ys: [Double] = []
    private var ids: [Int] = []
    private var priorities: [UInt32] = []
    private var lefts: [Int32] = []
    private var rights: [Int32] = []
    private var root: Int32 = -1
    private var random: UInt32 = 0x9E37_79B9
    /// Ids of the points the last insertion removed, in increasing x.
    private(set) var removed: [Int] = []
    /// Coordinates of the removed points, parallel to ``removed``.
    private(set) var removedX: [Double] = []
    private(set) var removedY: [Double] = []
    /// The points the last insertion removed, as a treap that can serve as another staircase's root.
    private(set) var removedTree: Int32 = -1

    init(capacity: Int = 0) {
        self.reserve(capacity)
    }

    mutating func reserve(_ capacity: Int) {
        self.xs.reserveCapacity(capacity)
        self.ys.reserveCapacity(capacity)
        self.ids.reserveCapacity(capacity)
        self.priorities.reserveCapacity(capacity)
        self.lefts.reserveCapacity(capacity)
        self.rights.reserveCapacity(capacity)
    }

    /// Empties the staircase, keeping its storage.
    mutating func removeAll() {
        self.xs.removeAll(keepingCapacity: true)
        self.ys.removeAll(keepingCapacity: true)
        self.ids.removeAll(keepingCapacity: true)
        self.priorities.removeAll(keepingCapacity: true)
        self.lefts.removeAll(keepingCapacity: true)
        self.rights.removeAll(keepingCapacity: true)
        self.root = -1
    }

    var isEmpty: Bool { self.root < 0 }

    /// Inserts `(x, y)` (coordinates > 0) unless it is weakly dominated.
    mutating func insert(x: Double, y: Double, id: Int) -> Insertion {
        var root = self.root
        defer { self.root = root }
        return self.insert(into: &root, x: x, y: y, id: id, originX: 0, originY: 0)
    }

    /// Inserts `(x, y)` into the staircase rooted at `root` (one of several sharing this node pool) unless
    /// it is weakly dominated; the area added is measured from the origin `(originX, originY)`, below every
    /// stored point. The dominated points it removes are listed in ``removed`` and kept, as a treap of their
    /// own, in ``removedTree``.
    mutating func insert(
        into root: inout Int32, x: Double, y: Double, id: Int, originX: Double, originY: Double
    ) -> Insertion {
        self.removed.removeAll(keepingCapacity: true)
        self.removedX.removeAll(keepingCapacity: true)
        self.removedY.removeAll(keepingCapacity: true)
        self.removedTree = -1
        // below: x < new x; atOrAbove: x ≥ new x.
        let (below, atOrAbove) = self.split(root, lessThan: x)
        if atOrAbove >= 0 {
            let first = self.first(atOrAbove)
            if self.ys[Int(first)] >= y {
                root = self.merge(below, atOrAbove)
                let equal = self.xs[Int(first)] == x && self.ys[Int(first)] == y
                return Insertion(
                    dominatingID: self.ids[Int(first)], dominatedByEqual: equal, areaAdded: 0, leftID: -1, rightID: -1)
            }
        }
        // The stored points dominated by the new one: a suffix of `below` (y ≤ new y), and in `atOrAbove` at
        // most its first point, when it has the same x.
        let (kept, dominatedBelow) = self.split(below, yGreaterThan: y)
        self.collect(dominatedBelow)
        self.removedTree = dominatedBelow
        var above = atOrAbove
        if above >= 0 {
            let first = self.first(above)
            if self.xs[Int(first)] == x {
                let (equalX, rest) = self.split(above, lessThanOrEqual: x)
                self.collect(equalX)
                self.removedTree = self.merge(dominatedBelow, equalX)
                above = rest
            }
        }
        let leftNode = kept >= 0 ? self.last(kept) : -1
        let rightNode = above >= 0 ? self.first(above) : -1
        let leftX = leftNode >= 0 ? self.xs[Int(leftNode)] : originX
        let rightY = rightNode >= 0 ? self.ys[Int(rightNode)] : originY
        // Area added: strip by strip, the new height y minus the height the old staircase had there.
        var area = 0.0
        var previousX = leftX
        for j in 0..<self.removedX.count {
            area += (self.removedX[j] - previousX) * (y - self.removedY[j])
            previousX = self.removedX[j]
        }
        area += (x - previousX) * (y - rightY)

        let node = Int32(self.xs.count)
        self.xs.append(x)
        self.ys.append(y)
        self.ids.append(id)
        self.random ^= self.random << 13
        self.random ^= self.random >> 17
        self.random ^= self.random << 5
        self.priorities.append(self.random)
        self.lefts.append(-1)
        self.rights.append(-1)
        root = self.merge(self.merge(kept, node), above)
        return Insertion(
            dominatingID: -1, dominatedByEqual: false, areaAdded: area,
            leftID: leftNode >= 0 ? self.ids[Int(leftNode)] : -1,
            rightID: rightNode >= 0 ? self.ids[Int(rightNode)] : -1)
    }

    /// Removes the points with x ≤ `bound` from the staircase at `root`, listing them in ``removed``.
    mutating func removePoints(from root: inout Int32, xAtMost bound: Double) {
        self.clearRemoved()
        let (removed, kept) = self.split(root, lessThanOrEqual: bound)
        self.collect(removed)
        root = kept
    }

    /// Removes the points with y ≤ `bound` from the staircase at `root`, listing them in ``removed``.
    mutating func removePoints(from root: inout Int32, yAtMost bound: Double) {
        self.clearRemoved()
        let (kept, removed) = self.split(root, yGreaterThan: bound)
        self.collect(removed)
        root = kept
    }

    /// The coordinates of the point with the smallest x in the staircase at `root` (which is not empty).
    func firstPoint(of root: Int32) -> (x: Double, y: Double) {
        let node = Int(self.first(root))
        return (self.xs[node], self.ys[node])
    }

    /// The coordinates of the point with the largest x in the staircase at `root` (which is not empty).
    func lastPoint(of root: Int32) -> (x: Double, y: Double) {
        let node = Int(self.last(root))
        return (self.xs[node], self.ys[node])
    }

    private mutating func clearRemoved() {
        self.removed.removeAll(keepingCapacity: true)
        self.removedX.removeAll(keepingCapacity: true)
        self.removedY.removeAll(keepingCapacity: true)
    }

    // MARK: treap primitives

    private func first(_ t: Int32) -> Int32 {
        var t = t
        while self.lefts[Int(t)] >= 0 { t = self.lefts[Int(t)] }
        return t
    }

    private func last(_ t: Int32) -> Int32 {
        var t = t
        while self.rights[Int(t)] >= 0 { t = self.rights[Int(t)] }
        return t
    }

    /// Splits into (x < key, x ≥ key).
    private mutating func split(_ t: Int32, lessThan key: Double) -> (Int32, Int32) {
        if t < 0 { return (-1, -1) }
        if self.xs[Int(t)] < key {
            let (a, b) = self.split(self.rights[Int(t)], lessThan: key)
            self.rights[Int(t)] = a
            return (t, b)
        } else {
            let (a, b) = self.split(self.lefts[Int(t)], lessThan: key)
            self.lefts[Int(t)] = b
            return (a, t)
        }
    }

    /// Splits into (x ≤ key, x > key).
    private mutating func split(_ t: Int32, lessThanOrEqual key: Double) -> (Int32, Int32) {
        if t < 0 { return (-1, -1) }
        if self.xs[Int(t)] <= key {
            let (a, b) = self.split(self.rights[Int(t)], lessThanOrEqual: key)
            self.rights[Int(t)] = a
            return (t, b)
        } else {
            let (a, b) = self.split(self.lefts[Int(t)], lessThanOrEqual: key)
            self.lefts[Int(t)] = b
            return (a, t)
        }
    }

    /// Splits into (y > key, y ≤ key); y decreases along the order, so the first part is a prefix.
    private mutating func split(_ t: Int32, yGreaterThan key: Double) -> (Int32, Int32) {
        if t < 0 { return (-1, -1) }
        if self.ys[Int(t)] > key {
            let (a, b) = self.split(self.rights[Int(t)], yGreaterThan: key)
            self.rights[Int(t)] = a
            return (t, b)
        } else {
            let (a, b) = self.split(self.lefts[Int(t)], yGreaterThan: key)
            self.lefts[Int(t)] = b
            return (a, t)
        }
    }

    /// Joins two treaps whose keys are ordered (every key of `a` below every key of `b`).
    private mutating func merge(_ a: Int32, _ b: Int32) -> Int32 {
        if a < 0 { return b }
        if b < 0 { return a }
        if self.priorities[Int(a)] > self.priorities[Int(b)] {
            self.rights[Int(a)] = self.merge(self.rights[Int(a)], b)
            return a
        } else {
            self.lefts[Int(b)] = self.merge(a, self.lefts[Int(b)])
            return b
        }
    }

    /// Appends the nodes of `t`, in order, to the removed lists.
    private mutating func collect(_ t: Int32) {
        if t < 0 { return }
        self.collect(self.lefts[Int(t)])
        self.removed.append(self.ids[Int(t)])
        self.removedX.append(self.xs[Int(t)])
        self.removedY.append(self.ys[Int(t)])
        self.collect(self.rights[Int(t)])
    }
}
