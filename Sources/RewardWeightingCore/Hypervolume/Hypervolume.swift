/// Exact hypervolume kernels, in the maximisation convention.
///
/// The hypervolume of a set `P` with respect to a reference point `r` is the Lebesgue measure of the union
/// of the boxes `[r, p]`, `p ∈ P`:
///
///     HV(P; r) = λ( ⋃_{p ∈ P} [r₁, p₁] × … × [r_K, p_K] )
///
/// Points that are not strictly better than `r` in every coordinate span a box of measure zero: they add
/// nothing and are not errors. The algorithm depends on K:
///
/// | K | algorithm | time |
/// |---|---|---|
/// | 1 | maximum | O(n) |
/// | 2 | sort and sweep | O(n log n) |
/// | 3 | z-sweep over a 2-D staircase in a balanced tree (Beume, Fonseca, López-Ibáñez, Paquete & Vahrenhold 2009, "On the complexity of computing the hypervolume indicator", IEEE TEVC 13(5)) | O(n log n) |
/// | 4 | sweep along objective 4, adding each point's exact 3-D contribution (the idea of HV4D, Guerreiro, Fonseca & Emmerich 2012, "A fast dimension-sweep algorithm for the hypervolume indicator in four dimensions", CCCG) | O(n² log n) |
/// | ≥ 5 | WFG (While, Bradstreet & Barone 2012, "A fast way of calculating exact hypervolumes", IEEE TEVC 16(1)): exclusive volumes of limit sets, sliced along the last objective, down to the 4-D kernel | exponential in K in the worst case |
public enum Hypervolume {
    /// The hypervolume of `points` with respect to `reference` (maximisation).
    ///
    /// An empty set has hypervolume 0.
    /// - Throws: ``ValidationError`` with code `dimensionMismatch` when the reference point's K differs from
    ///   the points'.
    public static func volume(of points: ObjectiveMatrix, reference: ObjectiveVector) throws(ValidationError) -> Double
    {
        try checkDimensions(points, reference)
        let shifted = ShiftedPoints(points, reference: reference)
        return shifted.volume()
    }

    /// ``volume(of:reference:)`` that gives up when `shouldStop` answers true (asked between points of the
    /// K ≥ 4 sweeps and of the WFG recursion; e.g. `{ Task.isCancelled }` for a call whose deadline passed).
    /// - Returns: the hypervolume, or nil when it stopped.
    public static func volume(
        of points: ObjectiveMatrix, reference: ObjectiveVector, stoppingWhen shouldStop: @escaping () -> Bool
    ) throws(ValidationError) -> Double? {
        try checkDimensions(points, reference)
        let stop = KernelStop(shouldStop)
        let volume = ShiftedPoints(points, reference: reference).volume(stop: stop)
        return stop.stopped ? nil : volume
    }

    static func checkDimensions(_ points: ObjectiveMatrix, _ reference: ObjectiveVector) throws(ValidationError) {
        guard points.isEmpty || points.dimension == reference.dimension else {
            throw ValidationError(
                code: .dimensionMismatch, field: "reference",
                reason: "has \(reference.dimension) objectives but the points have K = \(points.dimension)"
            )
        }
    }
}
