/// A two-dimensional non-dominated set (maximisation, origin as reference) of identified points in one sorted
/// array: x strictly increasing, y strictly decreasing.
///
/// ``insert(x:y:id:)`` keeps the contract of ``Staircase/insert(into:x:y:id:originX:originY:)`` with the
/// origin as reference: the dominating point's id, or the area added, the new point's neighbours and the
/// points it removed (in ``removed``, ``removedX`` and ``removedY``, increasing x). A binary search finds the
/// position and an insertion moves the entries after it, so an insertion costs O(log s + s) for s stored
/// points: cheaper than the treap's splits and merges while s is in the hundreds, and quadratic when it
/// grows with n, which is why ``ExclusiveSweep3D`` moves its staircase into a treap past a limit.
struct IndexedFlatStaircase {
    private struct Entry {
        var x: Double
        var y: Double
        var id: Int
    }

    private var entries: [Entry] = []
    /// Ids of the points the last insertion removed, in increasing x.
    private(set) var removed: [Int] = []
    /// Coordinates of the removed points, parallel to ``removed``.
    private(set) var removedX: [Double] = []
    private(set) var removedY: [Double] = []

    /// The number of stored points.
    var count: Int { self.entries.count }

    /// Empties the staircase, keeping its storage.
    mutating func removeAll() {
        self.entries.removeAll(keepingCapacity: true)
        self.clearRemoved()
    }

    /// Calls `body` with every stored point, in increasing x.
    func forEach(_ body: (_ x: Double, _ y: Double, _ id: Int) -> Void) {
        for entry in self.entries { body(entry.x, entry.y, entry.id) }
    }

    /// Inserts `(x, y)` (coordinates > 0) unless a stored point weakly dominates it, removing the stored
    /// points it dominates.
    @inline(__always)
    mutating func insert(x: Double, y: Double, id: Int) -> Staircase.Insertion {
        self.clearRemoved()
        let count = self.entries.count
        var start = 0
        var end = 0
        var leftX = 0.0
        var rightY = 0.0
        var leftID = -1
        var rightID = -1
        var dominatingID = -1
        self.entries.withUnsafeBufferPointer { e in
            // The first position with x ≥ new x: the only candidate dominator.
            var low = 0
            var high = count
            while low < high {
                let middle = (low &+ high) &>> 1
                if e[middle].x < x { low = middle &+ 1 } else { high = middle }
            }
            if low < count && e[low].y >= y {
                dominatingID = e[low].id
                return
            }
            // The stored points the new one dominates: those just before it with y ≤ new y, and one with equal x.
            end = low
            if end < count && e[end].x == x { end &+= 1 }
            start = low
            while start > 0 && e[start &- 1].y <= y { start &-= 1 }
            if start > 0 {
                leftX = e[start &- 1].x
                leftID = e[start &- 1].id
            }
            if end < count {
                rightY = e[end].y
                rightID = e[end].id
            }
        }
        if dominatingID >= 0 {
            return Staircase.Insertion(dominatingID: dominatingID, areaAdded: 0, leftID: -1, rightID: -1)
        }
        // Area added: strip by strip, the new height y minus the height the old staircase had there.
        var area = 0.0
        var previousX = leftX
        var position = start
        while position < end {
            let entry = self.entries[position]
            area += (entry.x - previousX) * (y - entry.y)
            previousX = entry.x
            self.removed.append(entry.id)
            self.removedX.append(entry.x)
            self.removedY.append(entry.y)
            position &+= 1
        }
        area += (x - previousX) * (y - rightY)
        let new = Entry(x: x, y: y, id: id)
        if end - start == 1 {
            self.entries[start] = new
        } else if start == end {
            self.entries.insert(new, at: start)
        } else {
            self.entries.replaceSubrange(start..<end, with: CollectionOfOne(new))
        }
        return Staircase.Insertion(dominatingID: -1, areaAdded: area, leftID: leftID, rightID: rightID)
    }

    private mutating func clearRemoved() {
        // Most insertions remove nothing; skip the (not free) clearing of empty arrays.
        guard !self.removed.isEmpty else { return }
        self.removed.removeAll(keepingCapacity: true)
        self.removedX.removeAll(keepingCapacity: true)
        self.removedY.removeAll(keepingCapacity: true)
    }
}
