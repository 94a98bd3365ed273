/// Two-dimensional non-dominated sets (maximisation) kept in treaps (randomised balanced search trees,
/// expected depth O(log n)) that share one node pool: points ordered by strictly increasing x, hence
/// strictly decreasing y.
///
/// ``insert(into:x:y:id:originX:originY:)`` adds a point unless a stored point weakly dominates it, removes
/// the stored points it dominates and reports the area it adds to the union of boxes `[origin, p]`. Each
/// point is inserted and removed at most once per staircase, so a sweep of n insertions costs O(n log n)
/// expected time. Several staircases may live in one pool (the 3-D contribution sweep keeps one per point);
/// each is named by its root.
struct Staircase {
    /// The outcome of an insertion.
    struct Insertion {
        /// The id of the stored point that weakly dominates the new one (which was therefore not inserted),
        /// or −1.
        var dominatingID: Int
        /// The area the new point adds to the union of boxes.
        var areaAdded: Double
        /// The neighbours of the new point after insertion (−1 for none): the left one has smaller x and
        /// larger y, the right one larger x and smaller y.
        var leftID: Int
        var rightID: Int
    }

    /// One treap node; `left`/`right` index the pool, −1 for none.
    private struct Node {
        var x: Double
        var y: Double
        var id: Int32
        var priority: UInt32
        var left: Int32
        var right: Int32
    }

    private typealias Nodes = UnsafeMutablePointer<Node>

    private var nodes: [Node] = []
    private var root: Int32 = -1
    private var random: UInt32 = 0x9E37_79B9
    /// Ids of the points the last insertion or removal took out, in increasing x.
    private(set) var removed: [Int] = []
    /// Coordinates of the removed points, parallel to ``removed``.
    private(set) var removedX: [Double] = []
    private(set) var removedY: [Double] = []
    /// The points the last insertion removed, as a treap that can serve as another staircase's root.
    private(set) var removedTree: Int32 = -1
    /// Scratch stack for in-order traversals.
    private var stack: [Int32] = []

    init(capacity: Int = 0) {
        self.nodes.reserveCapacity(capacity)
    }

    /// Makes room for `capacity` nodes in all, so that a sweep that knows its size grows the pool once.
    mutating func reserveCapacity(_ capacity: Int) {
        self.nodes.reserveCapacity(capacity)
    }

    /// Empties the pool, keeping its storage.
    mutating func removeAll() {
        self.nodes.removeAll(keepingCapacity: true)
        self.root = -1
    }

    /// Inserts `(x, y)` (coordinates > 0) into the pool's default staircase unless it is weakly dominated.
    mutating func insert(x: Double, y: Double, id: Int) -> Insertion {
        var root = self.root
        defer { self.root = root }
        return self.insert(into: &root, x: x, y: y, id: id, originX: 0, originY: 0)
    }

    /// Inserts `(x, y)` into the staircase rooted at `root` unless it is weakly dominated; the area added is
    /// measured from `(originX, originY)`, below every stored point. The dominated points it removes are
    /// listed in ``removed`` and kept, as a treap of their own, in ``removedTree``.
    mutating func insert(
        into root: inout Int32, x: Double, y: Double, id: Int, originX: Double, originY: Double
    ) -> Insertion {
        self.clearRemoved()
        self.removedTree = -1
        // Read-only descent first: the stored point with the smallest x ≥ new x is the only candidate
        // dominator, and most rejected points need nothing more.
        var candidate: Int32 = -1
        self.nodes.withUnsafeMutableBufferPointer { buffer in
            let n = buffer.baseAddress!
            var t = root
            while t >= 0 {
                if n[Int(t)].x < x {
                    t = n[Int(t)].right
                } else {
                    candidate = t
                    t = n[Int(t)].left
                }
            }
        }
        if candidate >= 0 && self.nodes[Int(candidate)].y >= y {
            return Insertion(dominatingID: Int(self.nodes[Int(candidate)].id), areaAdded: 0, leftID: -1, rightID: -1)
        }
        let node = Int32(self.nodes.count)
        self.nodes.append(Node(x: x, y: y, id: Int32(id), priority: self.nextPriority(), left: -1, right: -1))
        var removedTree: Int32 = -1
        var leftNode: Int32 = -1
        var rightNode: Int32 = -1
        var newRoot: Int32 = -1
        self.nodes.withUnsafeMutableBufferPointer { buffer in
            let n = buffer.baseAddress!
            // below: x < new x; atOrAbove: x ≥ new x.
            let (below, atOrAbove) = Self.split(n, root, lessThan: x)
            // The stored points the new one dominates: a suffix of `below` (y ≤ new y), and in `atOrAbove`
            // at most its first point, when it has the same x.
            let (kept, dominatedBelow) = Self.split(n, below, yGreaterThan: y)
            removedTree = dominatedBelow
            var above = atOrAbove
            if above >= 0 && n[Int(Self.first(n, above))].x == x {
                let (equalX, rest) = Self.split(n, above, lessThanOrEqual: x)
                removedTree = Self.merge(n, dominatedBelow, equalX)
                above = rest
            }
            leftNode = kept >= 0 ? Self.last(n, kept) : -1
            rightNode = above >= 0 ? Self.first(n, above) : -1
            newRoot = Self.merge(n, Self.merge(n, kept, node), above)
        }
        root = newRoot
        self.removedTree = removedTree
        self.collect(removedTree)
        let leftX = leftNode >= 0 ? self.nodes[Int(leftNode)].x : originX
        let rightY = rightNode >= 0 ? self.nodes[Int(rightNode)].y : originY
        // Area added: strip by strip, the new height y minus the height the old staircase had there.
        var area = 0.0
        var previousX = leftX
        for j in 0..<self.removedX.count {
            area += (self.removedX[j] - previousX) * (y - self.removedY[j])
            previousX = self.removedX[j]
        }
        area += (x - previousX) * (y - rightY)
        return Insertion(
            dominatingID: -1, areaAdded: area,
            leftID: leftNode >= 0 ? Int(self.nodes[Int(leftNode)].id) : -1,
            rightID: rightNode >= 0 ? Int(self.nodes[Int(rightNode)].id) : -1)
    }

    /// Appends `(x, y)` to the staircase at `root` (−1 for a new one), as its point of largest x: its x must
    /// exceed, and its y lie below, every stored point's. Builds a staircase from points already in order in
    /// O(log s) each, without the searches of an insertion.
    mutating func append(to root: inout Int32, x: Double, y: Double, id: Int) {
        let node = Int32(self.nodes.count)
        self.nodes.append(Node(x: x, y: y, id: Int32(id), priority: self.nextPriority(), left: -1, right: -1))
        let old = root
        root = self.nodes.withUnsafeMutableBufferPointer { Self.merge($0.baseAddress!, old, node) }
    }

    private mutating func nextPriority() -> UInt32 {
        self.random ^= self.random << 13
        self.random ^= self.random >> 17
        self.random ^= self.random << 5
        return self.random
    }

    /// Removes the points with x ≤ `bound` from the staircase at `root`, listing them in ``removed``.
    mutating func removePoints(from root: inout Int32, xAtMost bound: Double) {
        self.clearRemoved()
        var removedPart: Int32 = -1
        var keptPart: Int32 = -1
        self.nodes.withUnsafeMutableBufferPointer { buffer in
            (removedPart, keptPart) = Self.split(buffer.baseAddress!, root, lessThanOrEqual: bound)
        }
        self.collect(removedPart)
        root = keptPart
    }

    /// Removes the points with y ≤ `bound` from the staircase at `root`, listing them in ``removed``.
    mutating func removePoints(from root: inout Int32, yAtMost bound: Double) {
        self.clearRemoved()
        var removedPart: Int32 = -1
        var keptPart: Int32 = -1
        self.nodes.withUnsafeMutableBufferPointer { buffer in
            (keptPart, removedPart) = Self.split(buffer.baseAddress!, root, yGreaterThan: bound)
        }
        self.collect(removedPart)
        root = keptPart
    }

    /// The coordinates of the point with the smallest x in the staircase at `root` (which is not empty).
    func firstPoint(of root: Int32) -> (x: Double, y: Double) {
        var t = root
        while self.nodes[Int(t)].left >= 0 { t = self.nodes[Int(t)].left }
        return (self.nodes[Int(t)].x, self.nodes[Int(t)].y)
    }

    /// The coordinates of the point with the largest x in the staircase at `root` (which is not empty).
    func lastPoint(of root: Int32) -> (x: Double, y: Double) {
        var t = root
        while self.nodes[Int(t)].right >= 0 { t = self.nodes[Int(t)].right }
        return (self.nodes[Int(t)].x, self.nodes[Int(t)].y)
    }

    private mutating func clearRemoved() {
        // Most insertions remove nothing; skip the (not free) clearing of empty arrays.
        guard !self.removed.isEmpty else { return }
        self.removed.removeAll(keepingCapacity: true)
        self.removedX.removeAll(keepingCapacity: true)
        self.removedY.removeAll(keepingCapacity: true)
    }

    /// Appends the nodes of `t`, in order, to the removed lists (iteratively, with an explicit stack).
    private mutating func collect(_ t: Int32) {
        guard t >= 0 else { return }
        var current = t
        while current >= 0 || !self.stack.isEmpty {
            while current >= 0 {
                self.stack.append(current)
                current = self.nodes[Int(current)].left
            }
            let node = self.nodes[Int(self.stack.removeLast())]
            self.removed.append(Int(node.id))
            self.removedX.append(node.x)
            self.removedY.append(node.y)
            current = node.right
        }
    }

    // MARK: treap primitives on the raw pool

    private static func first(_ n: Nodes, _ t: Int32) -> Int32 {
        var t = t
        while n[Int(t)].left >= 0 { t = n[Int(t)].left }
        return t
    }

    private static func last(_ n: Nodes, _ t: Int32) -> Int32 {
        var t = t
        while n[Int(t)].right >= 0 { t = n[Int(t)].right }
        return t
    }

    /// Splits into (x < key, x ≥ key).
    private static func split(_ n: Nodes, _ t: Int32, lessThan key: Double) -> (Int32, Int32) {
        if t < 0 { return (-1, -1) }
        if n[Int(t)].x < key {
            let (a, b) = split(n, n[Int(t)].right, lessThan: key)
            n[Int(t)].right = a
            return (t, b)
        } else {
            let (a, b) = split(n, n[Int(t)].left, lessThan: key)
            n[Int(t)].left = b
            return (a, t)
        }
    }

    /// Splits into (x ≤ key, x > key).
    private static func split(_ n: Nodes, _ t: Int32, lessThanOrEqual key: Double) -> (Int32, Int32) {
        if t < 0 { return (-1, -1) }
        if n[Int(t)].x <= key {
            let (a, b) = split(n, n[Int(t)].right, lessThanOrEqual: key)
            n[Int(t)].right = a
            return (t, b)
        } else {
            let (a, b) = split(n, n[Int(t)].left, lessThanOrEqual: key)
            n[Int(t)].left = b
            return (a, t)
        }
    }

    /// Splits into (y > key, y ≤ key); y decreases along the order, so the first part is a prefix.
    private static func split(_ n: Nodes, _ t: Int32, yGreaterThan key: Double) -> (Int32, Int32) {
        if t < 0 { return (-1, -1) }
        if n[Int(t)].y > key {
            let (a, b) = split(n, n[Int(t)].right, yGreaterThan: key)
            n[Int(t)].right = a
            return (t, b)
        } else {
            let (a, b) = split(n, n[Int(t)].left, yGreaterThan: key)
            n[Int(t)].left = b
            return (a, t)
        }
    }

    /// Joins two treaps whose keys are ordered (every key of `a` below every key of `b`).
    private static func merge(_ n: Nodes, _ a: Int32, _ b: Int32) -> Int32 {
        if a < 0 { return b }
        if b < 0 { return a }
        if n[Int(a)].priority > n[Int(b)].priority {
            n[Int(a)].right = merge(n, n[Int(a)].right, b)
            return a
        } else {
            n[Int(b)].left = merge(n, a, n[Int(b)].left)
            return b
        }
    }
}
