/// Pareto dominance in the maximisation convention.
///
/// `u ≻ v` (u dominates v) iff `u_i ≥ v_i` for every i and `u ≠ v`; `u ⪰ v` (weak dominance) drops the
/// second condition.
public enum Dominance {
    /// Whether `u` dominates `v`: at least as good everywhere and better somewhere. O(K).
    @inlinable
    public static func dominates<U: Collection<Double>, V: Collection<Double>>(_ u: U, _ v: V) -> Bool {
        var strictlyBetterSomewhere = false
        for (a, b) in zip(u, v) {
            if a < b { return false }
            if a > b { strictlyBetterSomewhere = true }
        }
        return strictlyBetterSomewhere
    }

    /// Whether `u` weakly dominates `v`: at least as good in every coordinate. O(K).
    @inlinable
    public static func weaklyDominates<U: Collection<Double>, V: Collection<Double>>(_ u: U, _ v: V) -> Bool {
        for (a, b) in zip(u, v) where a < b { return false }
        return true
    }

    /// Row form on a contiguous buffer, for kernels.
    @inlinable
    static func weaklyDominates(
        _ values: UnsafeBufferPointer<Double>, row u: Int, row v: Int, dimension k: Int
    ) -> Bool {
        let a = u * k
        let b = v * k
        for j in 0..<k where values[a + j] < values[b + j] { return false }
        return true
    }
}
