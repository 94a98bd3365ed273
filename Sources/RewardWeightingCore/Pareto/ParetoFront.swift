/// The non-dominated subset of a set of points (maximisation).
public enum ParetoFront {
    /// The indices, in increasing order, of the points that no other point dominates. Of several equal
    /// non-dominated points only the first is kept, so the result is a set.
    ///
    /// | K | algorithm | time |
    /// |---|---|---|
    /// | 1 | maximum | O(n) |
    /// | 2 | sort by x, sweep the best y | O(n log n) |
    /// | 3 | sort by z, sweep a 2-D ``Staircase`` | O(n log n) |
    /// | ≥ 4 | sort by coordinate sum, compare with the kept points | O(n·m·K) for m kept points |
    public static func nondominatedIndices(of points: ObjectiveMatrix) -> [Int] {
        let n = points.count
        guard n > 0 else { return [] }
        let k = points.dimension
        let s = points.storage
        var kept: [Int] = []
        switch k {
        case 1:
            kept = [s.indices.max(by: { s[$0] < s[$1] || (s[$0] == s[$1] && $0 > $1) })!]
        case 2:
            let order = (0..<n).sorted { a, b in lexicographicallyBetter(s, a, b, columns: [0, 1], dimension: 2) }
            var maxY = -Double.infinity
            for i in order where s[2 * i + 1] > maxY {
                kept.append(i)
                maxY = s[2 * i + 1]
            }
        case 3:
            let order = (0..<n).sorted { a, b in lexicographicallyBetter(s, a, b, columns: [2, 0, 1], dimension: 3) }
            // Only the staircase's dominance test is used here, which needs no particular origin.
            var staircase = Staircase(capacity: n)
            for i in order {
                let insertion = staircase.insert(x: s[3 * i], y: s[3 * i + 1], id: i)
                if insertion.dominatingID < 0 { kept.append(i) }
            }
        default:
            var sums = [Double](repeating: 0, count: n)
            for i in 0..<n { for j in 0..<k { sums[i] += s[i * k + j] } }
            // Rounding keeps sums monotone, so a dominating point never has a smaller sum; on equal sums the
            // lexicographically larger point (a dominator is) comes first, then the lower index.
            let order = (0..<n).sorted { a, b in
                if sums[a] != sums[b] { return sums[a] > sums[b] }
                for j in 0..<k where s[a * k + j] != s[b * k + j] { return s[a * k + j] > s[b * k + j] }
                return a < b
            }
            for i in order {
                var dominated = false
                for q in kept {
                    var weakly = true
                    for j in 0..<k where s[q * k + j] < s[i * k + j] {
                        weakly = false
                        break
                    }
                    if weakly {
                        dominated = true
                        break
                    }
                }
                if !dominated { kept.append(i) }
            }
        }
        return kept.sorted()
    }

    /// What ``nondominatedIndices(of:)`` gives for `front` with `point` appended, in O(n·K) instead of a
    /// recomputation, for a `front` that is already non-dominated with no two equal points (as every result of
    /// ``nondominatedIndices(of:)`` is):
    /// - nil when a point of `front` weakly dominates `point` (the result is then `0..<n`: `point` is dominated,
    ///   or equal to an earlier point);
    /// - otherwise the indices, increasing, of the points of `front` that `point` does not weakly dominate,
    ///   then `n`, the index of `point`.
    public static func indicesAdding(_ point: [Double], to front: [[Double]]) -> [Int]? {
        var kept: [Int] = []
        kept.reserveCapacity(front.count + 1)
        for (index, other) in front.enumerated() {
            if Dominance.weaklyDominates(other, point) { return nil }
            if !Dominance.weaklyDominates(point, other) { kept.append(index) }
        }
        kept.append(front.count)
        return kept
    }

    /// The non-dominated points themselves, in input order.
    public static func nondominated(_ points: ObjectiveMatrix) -> ObjectiveMatrix {
        points.selecting(rows: nondominatedIndices(of: points))
    }

    /// Orders rows by decreasing values of `columns`, in that priority, then by increasing index, so that a
    /// dominating or equal earlier point always comes first.
    private static func lexicographicallyBetter(
        _ s: [Double], _ a: Int, _ b: Int, columns: [Int], dimension k: Int
    ) -> Bool {
        for j in columns where s[a * k + j] != s[b * k + j] { return s[a * k + j] > s[b * k + j] }
        return a < b
    }
}
