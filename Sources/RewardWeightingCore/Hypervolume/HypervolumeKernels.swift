import CRewardWeightingSIMD

/// The exact hypervolume kernels on points shifted so that the reference point is the origin (every
/// coordinate positive, row-major storage). ``Hypervolume`` validates input and dispatches here.
enum HypervolumeKernels {
    /// The hypervolume of `storage` (row-major, K = `dimension`, all coordinates > 0) against the origin.
    static func volume(_ storage: [Double], dimension: Int, stop: KernelStop? = nil) -> Double {
        let n = storage.count / dimension
        guard n > 0 else { return 0 }
        switch dimension {
        case 1: return storage.max()!
        case 2: return volume2D(storage)
        case 3: return volume3D(storage)
        case 4: return volume4D(storage, stop: stop)
        default: return volumeWFG(storage, dimension: dimension, stop: stop)
        }
    }

    /// K = 2: sort by x decreasing and sweep, adding the slab each point adds above the previous maximum y.
    /// O(n log n).
    static func volume2D(_ s: [Double]) -> Double {
        let n = s.count / 2
        let order = (0..<n).sorted { a, b in
            let (ax, bx) = (s[2 * a], s[2 * b])
            return ax > bx || (ax == bx && s[2 * a + 1] > s[2 * b + 1])
        }
        var area = 0.0
        var maxY = 0.0
        for i in order {
            let y = s[2 * i + 1]
            if y > maxY {
                area += s[2 * i] * (y - maxY)
                maxY = y
            }
        }
        return area
    }

    /// K = 3: sweep along z from the top; between consecutive z values the cross-section is the area of the
    /// 2-D staircase of the points above, updated in O(log n) amortised per point. O(n log n) (Beume et al.
    /// 2009).
    ///
    /// The staircase starts in a flat sorted array (``FlatStaircase``), whose binary search and short moves
    /// beat a tree while it is small, and moves into a balanced tree (``Staircase``) once it exceeds
    /// ``flatStaircaseLimit`` points, which keeps the O(n log n) bound on any input.
    static func volume3D(_ s: [Double]) -> Double {
        let n = s.count / 3
        let order = DecreasingOrder.of(s, column: 2, dimension: 3)
        var flat = FlatStaircase()
        var tree: Staircase? = nil
        var area = 0.0
        var volume = 0.0
        var previousZ = s[3 * order[0] + 2]
        for i in order {
            let z = s[3 * i + 2]
            volume += area * (previousZ - z)
            previousZ = z
            if tree == nil {
                area += flat.insert(x: s[3 * i], y: s[3 * i + 1])
                if flat.count > flatStaircaseLimit {
                    var moved = Staircase(capacity: n)
                    for (x, y) in flat.points { _ = moved.insert(x: x, y: y, id: 0) }
                    tree = moved
                }
            } else {
                area += tree!.insert(x: s[3 * i], y: s[3 * i + 1], id: i).areaAdded
            }
        }
        return volume + area * previousZ
    }

    /// The staircase size beyond which the 3-D sweep switches from a sorted array to a balanced tree.
    static let flatStaircaseLimit = 256

    /// K = 4: sweep along objective 4 from the top. The 3-D volume of the points above grows by each new
    /// point's exclusive 3-D contribution, computed by a z-sweep of the points above clipped to its box (see
    /// ``SweepFront3D``). O(n² log n).
    /// - Parameter vectorScans: whether the 3-D contributions scan with AVX2 where the CPU has it (the default;
    ///   tests compare both).
    static func volume4D(
        _ s: [Double], stop: KernelStop? = nil,
        vectorScans: Bool = VectorInstructions.hasAVX2FMA
    ) -> Double {
        var workspace = Volume4DWorkspace(capacity: s.count / 4, vectorScans: vectorScans)
        return s.withUnsafeBufferPointer { s in Self.volume4D(s, stop: stop, workspace: &workspace) }
    }

    /// ``volume4D(_:stop:vectorScans:)`` in `workspace`'s storage, which a caller sweeping many sets (the limit
    /// sets of WFG) reuses, so that a sweep allocates nothing once the storage has grown.
    static func volume4D(
        _ s: UnsafeBufferPointer<Double>, stop: KernelStop?, workspace: inout Volume4DWorkspace
    ) -> Double {
        let n = s.count / 4
        guard n > 0 else { return 0 }
        DecreasingOrder.of(count: n, key: { s[4 &* $0 &+ 3] }, into: &workspace.order)
        workspace.front.removeAll()
        var volume3D = 0.0
        var volume = 0.0
        var previousW = s[4 * workspace.order[0] + 3]
        for index in 0..<n {
            if stop.shouldStop() { return 0 }
            let i = workspace.order[index]
            let w = s[4 * i + 3]
            volume += volume3D * (previousW - w)
            previousW = w
            volume3D += workspace.front.add(x: s[4 * i], y: s[4 * i + 1], z: s[4 * i + 2])
        }
        return volume + volume3D * previousW
    }

    /// K ≥ 5: WFG (While, Bradstreet & Barone 2012). Points are taken in decreasing order of the last
    /// objective; each point's exclusive volume against the points before it is its box's height times the
    /// (K−1)-dimensional exclusive volume of its projection, which is the projection's box volume minus the
    /// hypervolume of the non-dominated *limit set* (the earlier points clipped to its box). The recursion
    /// ends in the 4-D kernel.
    /// - Parameter vectorScans: whether the K = 4 limit sets are filtered and swept with AVX2 where the CPU has it
    ///   (the default; tests compare both).
    static func volumeWFG(
        _ s: [Double], dimension k: Int, stop: KernelStop? = nil, vectorScans: Bool = VectorInstructions.hasAVX2FMA
    ) -> Double {
        var workspace = WFGWorkspace(dimension: k, vectorScans: vectorScans)
        return Self.volumeWFG(s, dimension: k, stop: stop, workspace: &workspace)
    }

    /// ``volumeWFG(_:dimension:stop:vectorScans:)`` in `workspace`'s storage, which a caller computing many
    /// volumes (the K ≥ 6 limit sets) reuses.
    static func volumeWFG(
        _ s: [Double], dimension k: Int, stop: KernelStop?, workspace: inout WFGWorkspace
    ) -> Double {
        let m = k - 1
        DecreasingOrder.of(count: s.count / k, key: { s[k &* $0 &+ m] }, into: &workspace.order)
        workspace.projected.removeAll(keepingCapacity: true)
        var volume = 0.0
        for i in workspace.order {
            if stop.shouldStop() { return 0 }
            let point = s[(k * i)..<(k * i + m)]
            let exclusive = workspace.limit.exclusiveVolume(of: point, against: workspace.projected, stop: stop)
            if exclusive > 0 {
                volume += s[k * i + k - 1] * exclusive
                // A projection this one weakly dominates clips, for every later point, to a point this one's
                // clipping dominates: it adds nothing to any later limit set, and leaves the set.
                Self.removeRows(
                    of: &workspace.projected, dimension: m, weaklyDominatedBy: point,
                    vectorScans: workspace.vectorScans)
                workspace.projected.append(contentsOf: point)
            }
        }
        return volume
    }
}

extension HypervolumeKernels {
    /// Removes the rows of `rows` (row-major, `dimension` columns) that `point` weakly dominates (every
    /// coordinate at most the point's), keeping the others in order; at 4 columns with AVX2 when `vectorScans`
    /// (the same rows either way).
    static func removeRows(
        of rows: inout [Double], dimension m: Int, weaklyDominatedBy point: ArraySlice<Double>,
        vectorScans: Bool = false
    ) {
        let n = rows.count / m
        var kept = 0
        let first = point.startIndex
        if vectorScans && m == 4 {
            let p = SIMD4(point[first], point[first + 1], point[first + 2], point[first + 3])
            kept = rows.withUnsafeMutableBufferPointer { rows in
                withUnsafePointer(to: p) { p in
                    rw_simd_remove_dominated4_avx2(
                        rows.baseAddress, n, UnsafeRawPointer(p).assumingMemoryBound(to: Double.self))
                }
            }
            rows.removeLast((n - kept) * m)
            return
        }
        rows.withUnsafeMutableBufferPointer { rows in
            for row in 0..<n {
                let base = row &* m
                // Every coordinate compared, without an early exit: a branch per coordinate mispredicts more
                // often than the few comparisons it saves.
                var dominated: UInt8 = 1
                for j in 0..<m { dominated &= unsafeBitCast(rows[base &+ j] <= point[first &+ j], to: UInt8.self) }
                if dominated != 0 { continue }
                if kept != row {
                    for j in 0..<m { rows[kept &* m &+ j] = rows[base &+ j] }
                }
                kept &+= 1
            }
        }
        rows.removeLast((n - kept) * m)
    }
}

/// The storage of WFG at one K (``HypervolumeKernels/volumeWFG(_:dimension:stop:workspace:)``): its order, the
/// projections so far and the limit set one dimension down, kept between volumes.
struct WFGWorkspace {
    var order: [Int] = []
    var projected: [Double] = []
    var limit: LimitSet
    /// Whether the removals of dominated projections use AVX2 (at K = 5, where the CPU has it).
    let vectorScans: Bool

    init(dimension k: Int, vectorScans: Bool = VectorInstructions.hasAVX2FMA) {
        self.limit = LimitSet(dimension: k - 1, vectorScans: vectorScans)
        self.vectorScans = vectorScans && VectorInstructions.hasAVX2FMA
    }
}

/// The storage of a 4-D sweep (``HypervolumeKernels/volume4D(_:stop:workspace:)``): its 3-D front and its order,
/// kept between sweeps.
struct Volume4DWorkspace {
    var front: SweepFront3D
    var order: [Int] = []

    init(capacity: Int = 0, vectorScans: Bool = VectorInstructions.hasAVX2FMA) {
        self.front = SweepFront3D(capacity: capacity, vectorScans: vectorScans)
    }
}
