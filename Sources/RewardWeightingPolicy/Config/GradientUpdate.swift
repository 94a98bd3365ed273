import RewardWeightingCore

/// How a gradient run turns the reports of an accumulation window into new weights.
///
/// | update | input | new weights |
/// |---|---|---|
/// | ``mirrorDescent`` | the mean influence `Ī` | `softmax(log w + (η_t/μ)·Ī)` (the paper's §5, Alg. 2) |
/// | ``gramian(_:)`` | the mean Gram matrix `Ḡ` | ``GramianWeighting/rewardWeights(of:)`` of `Ḡ` |
///
/// Both then apply the optional bounds of ``MirrorDescent``. A Gramian update is
/// memoryless: the new weights depend on `Ḡ` only, not on the previous weights, except that a zero `Ḡ` (no
/// gradient signal) leaves them unchanged.
public enum GradientUpdate: Hashable, Sendable {
    /// The paper's exponentiated-gradient step.
    case mirrorDescent
    /// A gradient-balancing weighting of multi-task learning, from `Ḡ` alone.
    case gramian(GramianWeighting)

    /// The name of the mirror-descent update in JSON and on the command line.
    public static let mirrorDescentName = "mirror-descent"

    /// Every update's name: `mirror-descent`, then the Gramian weightings' (``GramianWeighting/Name``).
    public static let names = [mirrorDescentName] + GramianWeighting.Name.allCases.map(\.rawValue)

    /// The update's name: `mirror-descent` or the weighting's (`mgda`, `upgrad`, `dualproj`, `imtl-g`,
    /// `aligned-mtl`, `cagrad`, `pcgrad`).
    public var name: String {
        switch self {
        case .mirrorDescent: Self.mirrorDescentName
        case .gramian(let weighting): weighting.name.rawValue
        }
    }

    /// The Gramian weighting, for a Gramian update.
    public var gramianWeighting: GramianWeighting? {
        if case .gramian(let weighting) = self { return weighting }
        return nil
    }

    /// Builds an update from its name and the settings only some weightings take.
    ///
    /// - Parameters:
    ///   - name: one of ``names`` (case-insensitive).
    ///   - regularization: `ε` of `upgrad` and `dualproj` (`nil`: ``GramianWeighting/defaultRegularization``).
    ///   - alignedMTLScale: `σ` of `aligned-mtl` (`nil`: `min`).
    ///   - conflictAversion: `c` of `cagrad` (`nil`: ``GramianWeighting/defaultConflictAversion``).
    /// - Throws: ``ValidationError``: `unknownName` (field `gradient.update`); `outOfRange` (field
    ///   `gradient.regularization`, `gradient.aligned_mtl_scale` or `gradient.cagrad_c`) for a setting the update
    ///   does not take.
    ///   ``GradientSettings`` checks the value of `ε`.
    public init(
        name: String, regularization: Double? = nil, alignedMTLScale: GramianWeighting.AlignedMTLScale? = nil,
        conflictAversion: Double? = nil
    ) throws(ValidationError) {
        let lowered = name.lowercased()
        let update: GradientUpdate
        switch lowered {
        case Self.mirrorDescentName:
            update = .mirrorDescent
        case GramianWeighting.Name.mgda.rawValue:
            update = .gramian(.mgda)
        case GramianWeighting.Name.upgrad.rawValue:
            update = .gramian(.upgrad(regularization: regularization ?? GramianWeighting.defaultRegularization))
        case GramianWeighting.Name.dualproj.rawValue:
            update = .gramian(.dualProj(regularization: regularization ?? GramianWeighting.defaultRegularization))
        case GramianWeighting.Name.imtlG.rawValue:
            update = .gramian(.imtlG)
        case GramianWeighting.Name.alignedMTL.rawValue:
            update = .gramian(.alignedMTL(alignedMTLScale ?? .min))
        case GramianWeighting.Name.cagrad.rawValue:
            update = .gramian(.cagrad(c: conflictAversion ?? GramianWeighting.defaultConflictAversion))
        case GramianWeighting.Name.pcgrad.rawValue:
            update = .gramian(.pcgrad)
        default:
            let valid = Self.names.map { "'\($0)'" }.joined(separator: ", ")
            throw ValidationError(
                code: .unknownName, field: "gradient.update",
                reason: "unknown update \(quoted(name)); expected one of \(valid)")
        }
        let takesRegularization =
            lowered == GramianWeighting.Name.upgrad.rawValue
            || lowered == GramianWeighting.Name.dualproj.rawValue
        if regularization != nil, !takesRegularization {
            throw ValidationError(
                code: .outOfRange, field: "gradient.regularization",
                reason: "is only used by the 'upgrad' and 'dualproj' updates, not '\(lowered)'")
        }
        if conflictAversion != nil, lowered != GramianWeighting.Name.cagrad.rawValue {
            throw ValidationError(
                code: .outOfRange, field: "gradient.cagrad_c",
                reason: "is only used by the 'cagrad' update, not '\(lowered)'")
        }
        if alignedMTLScale != nil, lowered != GramianWeighting.Name.alignedMTL.rawValue {
            throw ValidationError(
                code: .outOfRange, field: "gradient.aligned_mtl_scale",
                reason: "is only used by the 'aligned-mtl' update, not '\(lowered)'")
        }
        self = update
    }

    /// `ε` of `upgrad` and `dualproj`, else `nil`.
    public var regularization: Double? {
        switch self {
        case .gramian(.upgrad(let epsilon)), .gramian(.dualProj(let epsilon)): epsilon
        default: nil
        }
    }

    /// `c` of `cagrad`, else `nil`.
    public var conflictAversion: Double? {
        if case .gramian(.cagrad(let c)) = self { return c }
        return nil
    }

    /// `σ` of `aligned-mtl`, else `nil`.
    public var alignedMTLScale: GramianWeighting.AlignedMTLScale? {
        if case .gramian(.alignedMTL(let scale)) = self { return scale }
        return nil
    }
}
