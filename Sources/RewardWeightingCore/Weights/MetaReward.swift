#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The meta-reward `r_pareto = f(ΔHV)` of the hypervolume method (§4, Alg. 1): a checkpoint's hypervolume
/// contribution turned into a factor that multiplies the next steps' scalarised rewards.
///
/// | case | name | formula | range for ΔHV ≥ 0 |
/// |---|---|---|---|
/// | ``tanh`` (default) | `tanh` | `0.5 + 1.5·tanh(ΔHV)` | [0.5, 2) |
/// | ``tanh3`` | `tanh3` | `0.5 + 1.5·tanh(3·ΔHV)` | [0.5, 2) |
/// | ``sigmoidPlusOne`` | `sigmoid_plus_one` | `1 + σ(ΔHV)`, `σ(x) = 1/(1 + e^(−x))` | [1.5, 2) |
/// | ``twoSigmoid`` | `two_sigmoid` | `2·σ(ΔHV)` | [1, 2) |
///
/// The first is the paper's and the reference code's choice; the others are the alternatives the paper
/// searched. Every value is at least 0.5, so a trainer can divide it out.
public enum MetaReward: String, Sendable, CaseIterable, Codable {
    /// `0.5 + 1.5·tanh(ΔHV)`, the paper's meta-reward.
    case tanh
    /// `0.5 + 1.5·tanh(3·ΔHV)`.
    case tanh3
    /// `1 + σ(ΔHV)`.
    case sigmoidPlusOne = "sigmoid_plus_one"
    /// `2·σ(ΔHV)`.
    case twoSigmoid = "two_sigmoid"

    /// The meta-reward used when a run names none.
    public static let `default`: MetaReward = .tanh

    /// Parses a name: one of `tanh`, `tanh3`, `sigmoid_plus_one`, `two_sigmoid`, ignoring case, with `-` accepted
    /// for `_`. O(length of the name).
    /// - Throws: ``ValidationError`` with code `unknownName` and field `meta_reward`, listing the valid names.
    public init(name: String) throws(ValidationError) {
        let normalized = String(name.lowercased().map { $0 == "-" ? "_" : $0 })
        guard let value = MetaReward(rawValue: normalized) else {
            let valid = MetaReward.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw ValidationError(
                code: .unknownName, field: "meta_reward",
                reason: "unknown meta-reward \(quoted(name)); expected one of \(valid)")
        }
        self = value
    }

    /// `r_pareto = f(max(0, ΔHV))` for this case's `f` (see the table above). O(1).
    ///
    /// A negative argument is clamped to 0 first, as the reference code does
    /// (`hv_contribution = max(hv_contribution, 0.0)`), so the result is never below the value at 0; NaN is
    /// treated as 0 (no improvement). `+∞` gives the supremum 2.
    public func callAsFunction(_ deltaHypervolume: Double) -> Double {
        let x = deltaHypervolume > 0 ? deltaHypervolume : 0
        switch self {
        case .tanh: return 0.5 + 1.5 * hyperbolicTangent(x)
        case .tanh3: return 0.5 + 1.5 * hyperbolicTangent(3 * x)
        case .sigmoidPlusOne: return 1 + logistic(x)
        case .twoSigmoid: return 2 * logistic(x)
        }
    }
}

/// The C library's `tanh`, named apart from the enum case `.tanh`.
@inline(__always)
private func hyperbolicTangent(_ x: Double) -> Double {
    tanh(x)
}

/// `σ(x) = 1/(1 + e^(−x))`, evaluated without overflow for either sign of `x`.
@inline(__always)
private func logistic(_ x: Double) -> Double {
    if x >= 0 {
        return 1 / (1 + exp(-x))
    } else {
        let e = exp(x)
        return e / (1 + e)
    }
}
