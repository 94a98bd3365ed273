import RewardWeightingCore

/// How Scalarize turns a response's K rewards into one: the weighted sum (the paper's) or a Tchebycheff form
/// against an ideal point (``TchebycheffScalarization``).
///
/// | ``Kind`` | JSON | scalar reward of response i |
/// |---|---|---|
/// | ``Kind/linear`` (default) | `linear` | `r_pareto·Σ_k w_k·r_ik` |
/// | ``Kind/tchebycheff`` | `tchebycheff` | `−r_pareto·max_k w_k·(z*_k − r_ik)` |
/// | ``Kind/smoothTchebycheff`` | `smooth_tchebycheff` | `−r_pareto·μ·log Σ_k exp(w_k·(z*_k − r_ik)/μ)` |
///
/// `z*` is ``idealPoint`` when the config declares one (in the rewards' units, higher is better), otherwise it
/// is **tracked from the data**: the component-wise maximum of the batch being scalarised and of every batch
/// recorded at an earlier step (``RunState/trackedIdealPoint(beforeStep:)``). The rule makes a retry of a
/// batch answer the same as the first call, also when a shim sends many batches per step. The Tchebycheff
/// forms need the rewards as sent (``RewardNormalization/disabled``).
///
/// JSON (inside ``RunConfig``): `"scalarization": "smooth_tchebycheff", "smoothing": 0.1, "ideal_point": [1, 0, 1]`;
/// `smoothing` only with `smooth_tchebycheff` (default 0.1), `ideal_point` only with a Tchebycheff form.
public struct ScalarizationSettings: Hashable, Sendable {
    /// The scalarising function.
    public enum Kind: String, Codable, CaseIterable, Hashable, Sendable {
        /// `Σ_k w_k·r_k` (`linear`).
        case linear
        /// `−max_k w_k·(z*_k − r_k)` (`tchebycheff`).
        case tchebycheff
        /// `−μ·log Σ_k exp(w_k·(z*_k − r_k)/μ)` (`smooth_tchebycheff`).
        case smoothTchebycheff = "smooth_tchebycheff"

        /// Parses `linear`, `tchebycheff` or `smooth_tchebycheff` (ignoring case).
        /// - Throws: ``ValidationError`` with code `unknownName` and field `scalarization`.
        public init(name: String) throws(ValidationError) {
            guard let kind = Kind(rawValue: name.lowercased()) else {
                throw ValidationError(
                    code: .unknownName, field: "scalarization",
                    reason: "unknown scalarization \(quoted(name)); expected 'linear', 'tchebycheff' or "
                        + "'smooth_tchebycheff'")
            }
            self = kind
        }
    }

    /// The scalarising function.
    public let kind: Kind
    /// μ of the smooth form, finite and positive; `nil` for the other kinds.
    public let smoothing: Double?
    /// The declared ideal point `z*` (K finite values, the rewards' units), or `nil` to track it from the data.
    public let idealPoint: [Double]?

    /// The paper's weighted sum.
    public static let linear = ScalarizationSettings(validated: .linear, smoothing: nil, idealPoint: nil)

    /// Validates the settings. K of ``idealPoint`` is checked by ``RunConfig``.
    /// - Parameters:
    ///   - smoothing: μ, only with ``Kind/smoothTchebycheff`` (`nil` there: ``TchebycheffScalarization/defaultSmoothing``).
    ///   - idealPoint: only with a Tchebycheff kind.
    /// - Throws: ``ValidationError``: field `smoothing` (given with another kind, or not finite and positive),
    ///   `ideal_point` (given with `linear`, empty, or a value that is not finite).
    public init(kind: Kind, smoothing: Double? = nil, idealPoint: [Double]? = nil) throws(ValidationError) {
        var mu: Double?
        if kind == .smoothTchebycheff {
            let value = smoothing ?? TchebycheffScalarization.defaultSmoothing
            guard value.isFinite, value > 0 else {
                throw ValidationError(
                    code: value.isFinite ? .outOfRange : .nonFinite, field: "smoothing",
                    reason: "is \(value); it must be finite and positive")
            }
            mu = value
        } else if smoothing != nil {
            throw ValidationError(
                code: .outOfRange, field: "smoothing",
                reason: "is only allowed with scalarization 'smooth_tchebycheff', not '\(kind.rawValue)'")
        }
        if let idealPoint {
            guard kind != .linear else {
                throw ValidationError(
                    code: .outOfRange, field: "ideal_point",
                    reason: "is only allowed with a Tchebycheff scalarization, not 'linear'")
            }
            _ = try ObjectiveVector(idealPoint, field: "ideal_point")
        }
        self.init(validated: kind, smoothing: mu, idealPoint: idealPoint)
    }

    private init(validated kind: Kind, smoothing: Double?, idealPoint: [Double]?) {
        self.kind = kind
        self.smoothing = smoothing
        self.idealPoint = idealPoint
    }

    /// Whether the scalar rewards depend on an ideal point (the Tchebycheff kinds).
    public var usesIdealPoint: Bool { self.kind != .linear }
}
