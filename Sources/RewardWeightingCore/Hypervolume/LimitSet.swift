/// The exclusive volume of one point against a set, through its *limit set* (While, Bradstreet & Barone
/// 2012): clip every point of the set to the point's box, drop the clipped points that another one weakly
/// dominates, and subtract their hypervolume from the box's volume:
///
///     exclusive(p, S) = Π_k p_k − HV(nondominated({ min(q, p) : q ∈ S }))
///
/// Reused scratch storage avoids an allocation per call.
struct LimitSet {
    let dimension: Int
    private var clipped: [Double] = []
    private var order: [(sum: Double, row: Int32)] = []
    private var kept: [Double] = []

    init(dimension: Int) {
        self.dimension = dimension
    }

    /// The volume of the box `[0, point]` not covered by the boxes of `set` (row-major, same K); 0 exactly
    /// when a point of `set` weakly dominates `point`. O(|S|·(K + m)) plus the hypervolume of the m
    /// non-dominated clipped points.
    mutating func exclusiveVolume(
        of point: ArraySlice<Double>, against set: [Double], excludingRow excluded: Int = -1, stop: KernelStop? = nil
    ) -> Double {
        let k = self.dimension
        let n = set.count / k
        let p = Array(point)
        var boxVolume = 1.0
        for value in p { boxVolume *= value }
        guard n > (excluded >= 0 ? 1 : 0) else { return boxVolume }
        self.clipped.removeAll(keepingCapacity: true)
        self.order.removeAll(keepingCapacity: true)
        var dominated = false
        set.withUnsafeBufferPointer { set in
            for i in 0..<n where i != excluded {
                var sum = 0.0
                var dominates = true
                for j in 0..<k {
                    let value = min(set[i * k + j], p[j])
                    if value < p[j] { dominates = false }
                    self.clipped.append(value)
                    sum += value
                }
                if dominates {
                    dominated = true
                    return
                }
                self.order.append((sum, Int32(self.order.count)))
            }
        }
        if dominated { return 0 }
        // A clipped point can only be weakly dominated by one with a sum at least as large: visit by
        // decreasing sum and compare with the points kept so far.
        self.order.sort { $0.sum > $1.sum }
        self.kept.removeAll(keepingCapacity: true)
        self.clipped.withUnsafeBufferPointer { clipped in
            for (_, row) in self.order {
                let base = Int(row) * k
                var isDominated = false
                self.kept.withUnsafeBufferPointer { kept in
                    var start = 0
                    while start < kept.count {
                        var weakly = true
                        for j in 0..<k where kept[start + j] < clipped[base + j] {
                            weakly = false
                            break
                        }
                        if weakly {
                            isDominated = true
                            return
                        }
                        start += k
                    }
                }
                if !isDominated { self.kept.append(contentsOf: clipped[base..<(base + k)]) }
            }
        }
        let covered = HypervolumeKernels.volume(self.kept, dimension: k, stop: stop)
        return max(0, boxVolume - covered)
    }
}
