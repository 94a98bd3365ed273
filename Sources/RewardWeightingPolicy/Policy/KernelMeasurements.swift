import RewardWeightingCore

/// A kernel computation an event needs before the policy can apply it, with all of its inputs: the service
/// runs it on its kernel backend (possibly another process) and hands the result back in
/// ``KernelMeasurements``. Only checkpoint reports need one (``WeightingPolicy/measurement(for:in:)``).
public enum KernelQuery: Hashable, Sendable {
    /// `ΔHV(candidate, buffer)` against `reference` (``Hypervolume/improvement(adding:to:reference:)``), in the
    /// maximisation convention.
    case hypervolumeImprovement(candidate: ObjectiveVector, buffer: ObjectiveMatrix, reference: ObjectiveVector)
}

/// The kernel results an event is applied with (``WeightingPolicy/apply(_:to:measured:)``).
///
/// On the live path they come from the service's kernel backend; on replay they are read back from the
/// event's recorded decision (``recorded(in:)``), so a replay calls no kernel and reproduces the state bit for
/// bit.
public struct KernelMeasurements: Hashable, Sendable {
    /// ΔHV of a checkpoint against the buffer, for a checkpoint that does not become the reference point.
    public var hypervolumeImprovement: Double?

    /// Measurements with the given results.
    public init(hypervolumeImprovement: Double? = nil) {
        self.hypervolumeImprovement = hypervolumeImprovement
    }

    /// No measurement: for events that need none.
    public static let none = KernelMeasurements()

    /// The measurements that produced `decision`, as it recorded them: a checkpoint decision's ΔHV.
    ///
    /// A recorded ΔHV is the one the policy kept (0 where rounding made a dominated point look like an
    /// improvement), which applied again takes the same branch and gives the same state.
    public static func recorded(in decision: Decision) -> KernelMeasurements {
        switch decision {
        case .checkpoint(let checkpoint):
            checkpoint.becameReference ? .none : KernelMeasurements(hypervolumeImprovement: checkpoint.deltaHypervolume)
        case .gradients, .scalarizeSummary, .created, .resumed, .archived:
            .none
        }
    }
}
