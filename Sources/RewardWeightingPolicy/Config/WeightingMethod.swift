import RewardWeightingCore

/// How a run decides its weights, with the settings of that method (so a run cannot carry settings its
/// method ignores).
///
/// | method | weights | per-step multiplier | reports it takes |
/// |---|---|---|---|
/// | ``fixed`` | the initial weights, for ever | 1 | checkpoints (recorded, front tracked) |
/// | ``hypervolume(_:)`` | the initial weights, for ever | `r_pareto` of the latest earlier checkpoint | checkpoints |
/// | ``gradient(_:)`` | mirror descent on the reported Gram matrices | 1 | gradients, checkpoints (recorded, front tracked) |
public enum WeightingMethod: Hashable, Sendable {
    /// The baseline: a fixed weighted sum.
    case fixed
    /// Hypervolume-guided adaptation (§4, Alg. 1): fixed weights times a meta-reward from each checkpoint's
    /// hypervolume improvement.
    case hypervolume(HypervolumeSettings)
    /// Gradient-based weight optimisation (§5, Alg. 2).
    case gradient(GradientSettings)

    /// A method's name, as it appears in JSON and on the wire.
    public enum Name: String, Codable, CaseIterable, Hashable, Sendable {
        /// ``WeightingMethod/fixed``.
        case fixed
        /// ``WeightingMethod/hypervolume(_:)``.
        case hypervolume
        /// ``WeightingMethod/gradient(_:)``.
        case gradient

        /// Parses a method name (ignoring case).
        /// - Throws: ``ValidationError`` with code `unknownName` and field `method`, listing the valid names.
        public init(parsing name: String) throws(ValidationError) {
            guard let value = Name(rawValue: name.lowercased()) else {
                let valid = Name.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                throw ValidationError(
                    code: .unknownName, field: "method",
                    reason: "unknown method \(quoted(name)); expected one of \(valid)")
            }
            self = value
        }
    }

    /// The method's name.
    public var name: Name {
        switch self {
        case .fixed: .fixed
        case .hypervolume: .hypervolume
        case .gradient: .gradient
        }
    }

    /// The hypervolume settings, for the hypervolume method.
    public var hypervolumeSettings: HypervolumeSettings? {
        if case .hypervolume(let settings) = self { return settings }
        return nil
    }

    /// The gradient settings, for the gradient method.
    public var gradientSettings: GradientSettings? {
        if case .gradient(let settings) = self { return settings }
        return nil
    }
}
