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
    private var sums: [Double] = []
    private var order: [Int] = []
    private var kept: [Double] = []

    init(dimension: Int) {
        self.dimension = dimension
    }

    /// The volume of the box `[0, point]` not covered by the boxes of `set` (row-major, same K); 0 exactly
    /// when a point of `set` weakly dominates `point`. O(|S|·(K + m)) plus the hypervolume of the m
    /// non-dominated clipped points.
    mutating func exclusiveVolume(
        of point: ArraySlice<Double>, against set: [Double], excludingRow excluded: Int = -1
    ) -> Double {
        let k = self.dimension
        let n = set.count / k
        let p = Array(point)
        var boxVolume = 1.0
        for value in p { boxVolume *= value }
        guard n > (excluded >= 0 ? 1 : 0) else { return boxVolume }
        self.clipped.removeAll(keepingCapacity: true)
        self.sums.removeAll(keepingCapacity: true)
        for i in 0..<n where i != excluded {
            var sum = 0.0
            var dominates = true
            for j in 0..<k {
                let value = min(set[i * k + j], p[j])
                if value < p[j] { dominates = false }
                self.clipped.append(value)
                sum += value
            }
            if dominates { return 0 }
            self.sums.append(sum)
        }
        // A clipped point can only be weakly dominated by one with a sum at least as large: visit by
        // decreasing sum and compare with the points kept so far.
        let clippedCount = self.sums.count
        self.order.removeAll(keepingCapacity: true)
        self.order.append(contentsOf: 0..<clippedCount)
        self.order.sort { self.sums[$0] > self.sums[$1] }
        self.kept.removeAll(keepingCapacity: true)
        for i in self.order {
            let base = i * k
            var dominated = false
            var start = 0
            while start < self.kept.count {
                var weakly = true
                for j in 0..<k where self.kept[start + j] < self.clipped[base + j] {
                    weakly = false
                    break
                }
                if weakly {
                    dominated = true
                    break
                }
                start += k
            }
            if !dominated { self.kept.append(contentsOf: self.clipped[base..<(base + k)]) }
        }
        let covered = HypervolumeKernels.volume(self.kept, dimension: k)
        return max(0, boxVolume - covered)
    }
}
