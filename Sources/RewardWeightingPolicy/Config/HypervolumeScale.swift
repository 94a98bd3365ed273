import RewardWeightingCore

/// How a checkpoint's hypervolume improvement is measured before the meta-reward `r_pareto = f(ΔHV)` sees it.
///
/// The paper measures ΔHV in raw units, the product of the objectives' units (accuracy × tokens × clarity), so
/// on objectives that move by small amounts it stays near 0, `r_pareto` near 0.5, and the method only halves
/// the learning rate (docs/experiment.md). The other scales make ΔHV a dimensionless fraction:
///
/// | scale | the meta-reward's ΔHV | use it when |
/// |---|---|---|
/// | ``raw`` | `ΔHV = HV(B ∪ {v}) − HV(B)` (the paper's, the default) | the objectives' units already make ΔHV of order 1 |
/// | ``referenceBox(ranges:)`` | `ΔHV / Π_k r_k`: the fraction of the box `[reference, reference + r]` | the objectives have known ranges (declared `r`), or their spread so far is a fair unit (observed `r`) |
/// | ``relative`` | `ΔHV / HV(B ∪ {v})`: the share of the new front's hypervolume the checkpoint adds | progress should be judged relative to what the front already covers, whatever the units |
///
/// With observed ranges, `r_k = max_{p ∈ B ∪ {v}} p_k − ref_k` (maximisation convention): the box from the
/// reference point to the ideal point of the buffer and the candidate, so the scaled ΔHV is in `[0, 1]`.
/// ``relative`` is in `[0, 1]` too (1 for the first point to enter an empty buffer); HV(B) is the sum of the
/// ΔHV of every point that entered (hypervolume is additive, and pruning dominated points does not change it).
public enum HypervolumeScale: Hashable, Sendable {
    /// The paper's raw ΔHV.
    case raw
    /// ΔHV divided by the volume of a box with one side per objective: the declared `ranges` (K positive
    /// values in the scores' units), or, when `nil`, the observed spread from the reference point to the best
    /// value so far.
    case referenceBox(ranges: [Double]?)
    /// ΔHV divided by the hypervolume of the buffer after the checkpoint.
    case relative

    /// A scale's name, as it appears in JSON.
    public enum Name: String, Codable, CaseIterable, Hashable, Sendable {
        /// ``HypervolumeScale/raw``.
        case raw
        /// ``HypervolumeScale/referenceBox(ranges:)``.
        case referenceBox = "reference_box"
        /// ``HypervolumeScale/relative``.
        case relative
    }

    /// The scale's name.
    public var name: Name {
        switch self {
        case .raw: .raw
        case .referenceBox: .referenceBox
        case .relative: .relative
        }
    }

    /// The declared ranges of ``referenceBox(ranges:)``, else `nil`.
    public var ranges: [Double]? {
        if case .referenceBox(let ranges) = self { return ranges }
        return nil
    }

    /// Builds a scale from its name and the declared ranges.
    /// - Throws: ``ValidationError``: `unknownName` (field `hypervolume.scale`); for `ranges`
    ///   (field `hypervolume.objective_ranges`) `outOfRange` with a scale other than `reference_box`, `empty`,
    ///   `nonFinite`, or `outOfRange` for a range that is not positive. Their count is checked against K by
    ///   ``RunConfig``.
    public init(name: String, ranges: [Double]? = nil) throws(ValidationError) {
        guard let parsed = Name(rawValue: name.lowercased()) else {
            let valid = Name.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw ValidationError(
                code: .unknownName, field: "hypervolume.scale",
                reason: "unknown scale \(quoted(name)); expected one of \(valid)")
        }
        let field = "hypervolume.objective_ranges"
        if let ranges {
            guard parsed == .referenceBox else {
                throw ValidationError(
                    code: .outOfRange, field: field,
                    reason: "are only used by the 'reference_box' scale, not '\(parsed.rawValue)'")
            }
            _ = try ObjectiveVector(ranges, field: field)
            for (k, range) in ranges.enumerated() where !(range > 0) {
                throw ValidationError(
                    code: .outOfRange, field: field, column: k,
                    reason: "entry \(k) is \(range); every range must be positive")
            }
        }
        switch parsed {
        case .raw: self = .raw
        case .referenceBox: self = .referenceBox(ranges: ranges)
        case .relative: self = .relative
        }
    }

    /// The ΔHV the meta-reward sees, from the raw one.
    /// - Parameters:
    ///   - deltaHypervolume: the raw ΔHV, finite and ≥ 0.
    ///   - candidate: the checkpoint's point, maximisation convention.
    ///   - buffer: the buffer before the checkpoint.
    ///   - reference: the reference point.
    ///   - bufferHypervolume: HV of the buffer before the checkpoint.
    /// - Returns: a finite value ≥ 0; 0 when the raw ΔHV is 0.
    func scaled(
        _ deltaHypervolume: Double, candidate: [Double], buffer: [[Double]], reference: [Double],
        bufferHypervolume: Double
    ) -> Double {
        guard deltaHypervolume > 0 else { return 0 }
        switch self {
        case .raw:
            return deltaHypervolume
        case .referenceBox(let declared):
            // Divided one side at a time, so that a box whose volume overflows a Double still gives the ratio.
            var scaled = deltaHypervolume
            for k in candidate.indices {
                let side =
                    declared?[k]
                    ?? (buffer.reduce(candidate[k]) { max($0, $1[k]) } - reference[k])
                scaled /= side
            }
            return scaled.isFinite ? scaled : Double.greatestFiniteMagnitude
        case .relative:
            return deltaHypervolume / (bufferHypervolume + deltaHypervolume)
        }
    }
}
