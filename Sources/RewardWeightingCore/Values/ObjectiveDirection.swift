/// Whether an objective is to be maximised or minimised.
///
/// Every Pareto and hypervolume kernel works in the maximisation convention; ``ObjectiveSpace`` negates the
/// coordinates of minimised objectives before they reach a kernel.
public enum ObjectiveDirection: String, Hashable, Sendable, CaseIterable, Codable {
    /// Larger is better.
    case maximize
    /// Smaller is better (e.g. mean response length).
    case minimize

    /// Parses `max`/`maximize`/`min`/`minimize` (case-insensitive).
    public init(parsing name: String) throws(ValidationError) {
        switch name.lowercased() {
        case "max", "maximize", "maximise": self = .maximize
        case "min", "minimize", "minimise": self = .minimize
        default:
            throw ValidationError(
                code: .unknownName, field: "direction",
                reason: "unknown direction \(quoted(name)); expected 'maximize' or 'minimize'")
        }
    }

    /// The factor that maps a coordinate of this direction into the maximisation convention.
    @inlinable public var sign: Double { self == .maximize ? 1 : -1 }
}
