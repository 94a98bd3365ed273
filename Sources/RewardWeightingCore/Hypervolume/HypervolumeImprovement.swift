extension Hypervolume {
    /// The hypervolume a candidate adds to a buffer, clamped at 0:
    ///
    ///     ΔHV(v, B) = max(0, HV(B ∪ {v}; r) − HV(B; r))
    ///
    /// computed directly as the volume of `v`'s box that no box of `B` covers (the box minus the
    /// hypervolume of `B`'s limit set at `v`), so it is exact to rounding and never the difference of two
    /// large numbers. It is 0 when `v` is not strictly better than `r` everywhere or when `B` dominates it.
    ///
    /// The paper's reference code computes the difference of two hypervolumes with a 1-D base case that is
    /// not clamped at 0, and raises on a negative value when the candidate beats the reference everywhere
    /// but in the last objective; the exact value there is 0, which is what this returns.
    /// - Throws: ``ValidationError`` when K differs between buffer, candidate and reference.
    public static func improvement(
        adding candidate: ObjectiveVector, to buffer: ObjectiveMatrix, reference: ObjectiveVector
    ) throws(ValidationError) -> Double {
        try Self.improvement(adding: candidate, to: buffer, reference: reference, stop: nil)
    }

    /// ``improvement(adding:to:reference:)`` that gives up when `shouldStop` answers true (asked between points
    /// of the K ≥ 4 sweeps and of the WFG recursion).
    /// - Returns: ΔHV, or nil when it stopped.
    public static func improvement(
        adding candidate: ObjectiveVector, to buffer: ObjectiveMatrix, reference: ObjectiveVector,
        stoppingWhen shouldStop: @escaping () -> Bool
    ) throws(ValidationError) -> Double? {
        let stop = KernelStop(shouldStop)
        let value = try Self.improvement(adding: candidate, to: buffer, reference: reference, stop: stop)
        return stop.stopped ? nil : value
    }

    private static func improvement(
        adding candidate: ObjectiveVector, to buffer: ObjectiveMatrix, reference: ObjectiveVector, stop: KernelStop?
    ) throws(ValidationError) -> Double {
        try checkDimensions(buffer, reference)
        guard candidate.dimension == reference.dimension else {
            throw ValidationError(
                code: .dimensionMismatch, field: "candidate",
                reason: "has \(candidate.dimension) objectives but the reference has K = \(reference.dimension)"
            )
        }
        let k = reference.dimension
        var shiftedCandidate = [Double](repeating: 0, count: k)
        for j in 0..<k {
            let d = candidate[j] - reference[j]
            guard d > 0 else { return 0 }
            shiftedCandidate[j] = d
        }
        let shiftedBuffer = ShiftedPoints(buffer, reference: reference)
        var limit = LimitSet(dimension: k)
        return limit.exclusiveVolume(of: shiftedCandidate[...], against: shiftedBuffer.storage, stop: stop)
    }
}
