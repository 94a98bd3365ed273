extension Hypervolume {
    /// The exclusive contribution of every point, in input order:
    ///
    ///     c_i = HV(P; r) − HV(P without element i; r)
    ///
    /// `P` is a list, not a set: a point that appears twice contributes 0 for each copy, a dominated point
    /// contributes 0 (yet it still covers part of the box of the point that dominates it), and a point not
    /// strictly better than the reference in every coordinate contributes 0.
    ///
    /// Every contribution is computed directly as an uncovered volume, never as the difference of two large
    /// hypervolumes, so small contributions keep their relative precision.
    ///
    /// | K | algorithm | time |
    /// |---|---|---|
    /// | 1 | the best point's lead over the second | O(n) |
    /// | 2 | neighbours on the sorted front, less what dominated points cover | O(n log n) |
    /// | 3 | z-sweep keeping every front point's exclusive cross-section (``ExclusiveSweep3D``) | O(n log n) |
    /// | 4 | sweep along objective 4 over 3-D contribution sweeps of clipped sets (``ExclusiveSweep4D``) | O(n² log n) |
    /// | ≥ 5 | each non-dominated point's box minus the hypervolume of its limit set (WFG's exclusive volume, ``LimitSet``) against the non-dominated points and those it alone dominates | O(n²·K) plus one limit-set hypervolume per non-dominated point |
    /// - Throws: ``ValidationError`` when the reference point's K differs from the points'.
    public static func contributions(
        of points: ObjectiveMatrix, reference: ObjectiveVector
    ) throws(ValidationError) -> [Double] {
        try Self.contributions(of: points, reference: reference, stop: nil)
    }

    /// ``contributions(of:reference:)`` that gives up when `shouldStop` answers true (asked between points of
    /// the K ≥ 4 sweeps and limit sets; e.g. `{ Task.isCancelled }` for a call whose deadline passed).
    /// - Returns: the contributions, or nil when it stopped.
    public static func contributions(
        of points: ObjectiveMatrix, reference: ObjectiveVector, stoppingWhen shouldStop: @escaping () -> Bool
    ) throws(ValidationError) -> [Double]? {
        let stop = KernelStop(shouldStop)
        let values = try Self.contributions(of: points, reference: reference, stop: stop)
        return stop.stopped ? nil : values
    }

    private static func contributions(
        of points: ObjectiveMatrix, reference: ObjectiveVector, stop: KernelStop?
    ) throws(ValidationError) -> [Double] {
        try checkDimensions(points, reference)
        var result = [Double](repeating: 0, count: points.count)
        let shifted = ShiftedPoints(points, reference: reference)
        let n = shifted.count
        guard n > 0 else { return result }
        let values: [Double]
        switch shifted.dimension {
        case 1: values = contributions1D(shifted.storage)
        case 2: values = contributions2D(shifted.storage)
        case 3: values = ExclusiveSweep3D.contributions(shifted.storage)
        case 4: values = ExclusiveSweep4D.contributions(shifted.storage, stop: stop)
        default: values = contributionsByLimitSets(shifted.storage, dimension: shifted.dimension, stop: stop)
        }
        for (row, value) in zip(shifted.originalIndex, values) { result[row] = value }
        return result
    }

    static func contributions1D(_ s: [Double]) -> [Double] {
        var result = [Double](repeating: 0, count: s.count)
        guard let best = s.indices.max(by: { s[$0] < s[$1] }) else { return result }
        var second = 0.0
        for (i, value) in s.enumerated() where i != best { second = max(second, value) }
        result[best] = s[best] - second
        return result
    }

    /// K = 2: on the front sorted by decreasing x, point i owns the rectangle
    /// `[x_{i+1}, x_i] × [y_{i−1}, y_i]` between its neighbours, less the area that points dominated by it
    /// alone cover inside that rectangle (a 2-D hypervolume with the rectangle's lower corner as reference).
    /// Each dominated point reaches into at most one rectangle: that of the front point with the smallest
    /// x ≥ its own. O(n log n).
    static func contributions2D(_ s: [Double]) -> [Double] {
        let n = s.count / 2
        var result = [Double](repeating: 0, count: n)
        let order = (0..<n).sorted { a, b in
            let (ax, bx) = (s[2 * a], s[2 * b])
            return ax > bx || (ax == bx && s[2 * a + 1] > s[2 * b + 1])
        }
        // The front in decreasing x (increasing y); an exact duplicate of a front point zeroes it.
        var front: [Int] = []
        var duplicated: [Bool] = []
        var others: [Int] = []
        var maxY = 0.0
        for i in order {
            let y = s[2 * i + 1]
            if y > maxY {
                front.append(i)
                duplicated.append(false)
                maxY = y
            } else if let last = front.last, s[2 * last] == s[2 * i], s[2 * last + 1] == y {
                duplicated[duplicated.count - 1] = true
            } else {
                others.append(i)
            }
        }
        // Group the dominated points by the rectangle they reach into: that of the front point with the
        // smallest x ≥ q_x, the last such position in `front` (decreasing x), found by binary search.
        var shadows = [[Double]](repeating: [], count: front.count)
        for q in others {
            let qx = s[2 * q]
            let qy = s[2 * q + 1]
            var position = front.count - 1
            var low = 0
            var high = front.count - 1
            while low <= high {
                let middle = (low + high) / 2
                if s[2 * front[middle]] >= qx {
                    position = middle
                    low = middle + 1
                } else {
                    high = middle - 1
                }
            }
            let lowerX = position + 1 < front.count ? s[2 * front[position + 1]] : 0
            let lowerY = position > 0 ? s[2 * front[position - 1] + 1] : 0
            if qx > lowerX && qy > lowerY { shadows[position].append(contentsOf: [qx - lowerX, qy - lowerY]) }
        }
        for (position, i) in front.enumerated() where !duplicated[position] {
            let lowerX = position + 1 < front.count ? s[2 * front[position + 1]] : 0
            let lowerY = position > 0 ? s[2 * front[position - 1] + 1] : 0
            let rectangle = (s[2 * i] - lowerX) * (s[2 * i + 1] - lowerY)
            let shadow = shadows[position].isEmpty ? 0 : HypervolumeKernels.volume2D(shadows[position])
            result[i] = max(0, rectangle - shadow)
        }
        return result
    }

    /// K ≥ 5: each point's box minus the hypervolume of its limit set against the others. A point that another
    /// weakly dominates contributes 0, and the others' limit sets need not see it unless that other is its only
    /// dominator: removing any other point leaves it covered (through a chain of dominators that ends on a
    /// non-dominated point, since of exact duplicates only the first counts as non-dominated). So a
    /// non-dominated point's limit set is taken against the non-dominated points and the points it alone
    /// dominates, not against all n − 1 (O(n²·K) at worst to find the dominators).
    static func contributionsByLimitSets(_ s: [Double], dimension k: Int, stop: KernelStop? = nil) -> [Double] {
        let n = s.count / k
        let dominator = Self.dominators(s, dimension: k)
        var result = [Double](repeating: 0, count: n)
        // The non-dominated points, packed, and the points each of them alone dominates.
        var front: [Double] = []
        var positionInFront = [Int](repeating: -1, count: n)
        var alone: [Int: [Double]] = [:]
        for i in 0..<n {
            switch dominator[i] {
            case Self.noDominator:
                positionInFront[i] = front.count / k
                front.append(contentsOf: s[(i * k)..<(i * k + k)])
            case let single where single >= 0:
                alone[single, default: []].append(contentsOf: s[(i * k)..<(i * k + k)])
            default:
                break
            }
        }
        var limit = LimitSet(dimension: k)
        var against: [Double] = []
        for i in 0..<n where positionInFront[i] >= 0 {
            if stop.shouldStop() { return result }
            let point = s[(i * k)..<(i * k + k)]
            if let shadow = alone[i] {
                against.removeAll(keepingCapacity: true)
                against.append(contentsOf: front)
                against.append(contentsOf: shadow)
                result[i] = limit.exclusiveVolume(
                    of: point, against: against, excludingRow: positionInFront[i], stop: stop)
            } else {
                result[i] = limit.exclusiveVolume(
                    of: point, against: front, excludingRow: positionInFront[i], stop: stop)
            }
        }
        return result
    }

    /// ``dominators(_:dimension:)``: no other point weakly dominates the point.
    static let noDominator = -1
    /// ``dominators(_:dimension:)``: two or more other points weakly dominate the point.
    static let severalDominators = -2

    /// For each row of `s`, the one other row that weakly dominates it (every coordinate at least as large; of
    /// exact duplicates, the first dominates the later ones), or ``noDominator``, or ``severalDominators``. A
    /// dominator's coordinate sum is at least the point's (rounding is monotone), so each point is compared only
    /// with the rows of at least its sum, taken by decreasing sum (the rows of equal sum on both sides).
    static func dominators(_ s: [Double], dimension k: Int) -> [Int] {
        let n = s.count / k
        var result = [Int](repeating: Self.noDominator, count: n)
        let sums = (0..<n).map { i in s[(i * k)..<(i * k + k)].reduce(0, +) }
        let order = sums.withUnsafeBufferPointer { sums in DecreasingOrder.of(count: n) { sums[$0] } }
        s.withUnsafeBufferPointer { s in
            sums.withUnsafeBufferPointer { sums in
                for (position, i) in order.enumerated() {
                    let base = i &* k
                    var found = Self.noDominator
                    // The rows of larger sum, and past i those of the same sum.
                    var cursor = 0
                    while cursor < n {
                        let j = order[cursor]
                        cursor &+= 1
                        if cursor > position && sums[j] < sums[i] { break }
                        if j == i { continue }
                        let other = j &* k
                        var dominates = true
                        var equal = true
                        for c in 0..<k {
                            let (theirs, ours) = (s[other &+ c], s[base &+ c])
                            if theirs < ours {
                                dominates = false
                                break
                            }
                            if theirs > ours { equal = false }
                        }
                        // Of exact duplicates the first dominates the others, not they it: the relation stays a
                        // strict order, so every dominated point is covered through a chain that ends on a
                        // non-dominated one.
                        guard dominates && !(equal && j > i) else { continue }
                        if found == Self.noDominator {
                            found = j
                        } else {
                            found = Self.severalDominators
                            break
                        }
                    }
                    result[i] = found
                }
            }
        }
        return result
    }
}
