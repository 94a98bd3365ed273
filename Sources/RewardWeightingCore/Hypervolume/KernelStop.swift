/// The stop condition of a long hypervolume kernel (``Hypervolume/volume(of:reference:stoppingWhen:)``): the
/// outer loops of the K ≥ 4 sweeps and of the WFG recursion ask it between points, and once it answers yes
/// every level returns at once. The value computed then is meaningless, and the public entry points return nil.
final class KernelStop {
    private let condition: () -> Bool
    /// Whether the condition has answered yes.
    private(set) var stopped = false

    init(_ condition: @escaping () -> Bool) {
        self.condition = condition
    }

    /// Whether to stop now: the condition, asked until it first answers yes.
    func shouldStop() -> Bool {
        if !self.stopped && self.condition() { self.stopped = true }
        return self.stopped
    }
}

extension Optional where Wrapped == KernelStop {
    /// Whether a kernel that may have no stop condition should stop now.
    func shouldStop() -> Bool { self?.shouldStop() ?? false }
}
