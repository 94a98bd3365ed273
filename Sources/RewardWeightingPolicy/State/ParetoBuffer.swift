import RewardWeightingCore

/// A run's Pareto buffer as it stood after one of its checkpoints: the reference point and the checkpoints
/// whose points are on the buffer's front, in the order they entered.
///
/// The current buffer is the state's (``RunState/paretoBufferCheckpoints``); an earlier one is folded from the
/// run's checkpoint decisions exactly as ``WeightingPolicy`` built the buffer: the checkpoint that became the
/// reference point sets it; each checkpoint that entered the buffer is added and the points it dominates drop
/// out. No decision is re-made: which points entered, and their ΔHV, are read from the decisions, so the buffer
/// after any past checkpoint can be shown (a retried `ReportCheckpoint` reply shows the buffer as of *its*
/// checkpoint). The decisions are the state's while it still has every one of them, else the run's log's
/// (``DecisionHistory``). Its hypervolume and contributions are kernel results: the service's read models
/// compute them from ``maximisedReferencePoint`` and ``maximisedPoints``.
public struct ParetoBuffer: Hashable, Sendable {
    /// The reference point in the objectives' own units (minimised objectives not negated), if set yet.
    public let referencePoint: [Double]?
    /// The step of the checkpoint that became the reference point (`nil` when the config gave it).
    public let referenceStep: Int?
    /// The checkpoints whose points form the front, in the order they entered the buffer.
    public let points: [CheckpointDecision]
    /// The reference point in the maximisation convention, as the kernels take it.
    public let maximisedReferencePoint: [Double]?

    /// The front's points in the maximisation convention, in ``points`` order.
    public var maximisedPoints: [[Double]] { self.points.map(\.point) }
}

extension ParetoBuffer {
    /// The checkpoints on the buffer after `checkpoints` (decisions in step order), in the order they entered:
    /// each checkpoint that entered is added and the points it dominates drop out, as ``WeightingPolicy`` built it.
    static func fold(_ checkpoints: some Sequence<CheckpointDecision>, dimension k: Int) -> [CheckpointDecision] {
        var points: [CheckpointDecision] = []
        for checkpoint in checkpoints { Self.add(checkpoint, to: &points, dimension: k) }
        return points
    }

    /// Folds one more checkpoint (the next in step order) into the buffer's `points`.
    static func add(_ checkpoint: CheckpointDecision, to points: inout [CheckpointDecision], dimension k: Int) {
        guard checkpoint.enteredBuffer, checkpoint.point.count == k,
            let kept = ParetoFront.indicesAdding(checkpoint.point, to: points.map(\.point))
        else { return }
        points = kept.map { $0 < points.count ? points[$0] : checkpoint }
    }
}

/// The Pareto buffers after a run's successive checkpoints, folded forward from its ``DecisionHistory``: for a
/// reader that asks for them in step order (a `WatchRun` stream replaying a long run's log), each buffer costs
/// the checkpoints since the previous one, not a fold from the first checkpoint. Asking for an earlier step
/// than the last folds again from the start.
public struct ParetoBufferWalk: Sendable {
    /// The histories the buffers are folded from.
    public private(set) var history: DecisionHistory
    private let policy: WeightingPolicy
    /// How many of the history's checkpoints are folded into ``points``.
    private var folded = 0
    private var points: [CheckpointDecision] = []
    private var becameReference: CheckpointDecision?

    /// A walk over the checkpoints of `history`, a run of `policy`'s config.
    public init(_ history: DecisionHistory, policy: WeightingPolicy) {
        self.history = history
        self.policy = policy
    }

    /// Adds the decisions of the run's next events (not superseded, in log order) to ``history``; the buffers
    /// folded so far stay folded.
    public mutating func extend(with decisions: some Sequence<Decision>) {
        self.history.append(contentsOf: decisions)
    }

    /// The buffer after the checkpoint of `step`: the same as
    /// ``WeightingPolicy/paretoBuffer(of:afterStep:)-(DecisionHistory,_)``.
    public mutating func buffer(afterStep step: Int) -> ParetoBuffer {
        let checkpoints = self.history.checkpoints
        if self.folded > 0 && checkpoints[self.folded - 1].step > step {
            (self.folded, self.points, self.becameReference) = (0, [], nil)
        }
        while self.folded < checkpoints.count && checkpoints[self.folded].step <= step {
            let checkpoint = checkpoints[self.folded]
            if checkpoint.becameReference { self.becameReference = checkpoint }
            ParetoBuffer.add(checkpoint, to: &self.points, dimension: self.policy.config.dimension)
            self.folded += 1
        }
        return self.policy.buffer(afterReference: self.becameReference, points: self.points)
    }
}

extension WeightingPolicy {
    /// The Pareto buffer of `state` after the checkpoint of `step` (after every checkpoint when `nil`), or `nil`
    /// when that needs checkpoints the state no longer keeps (then ask ``paretoBuffer(of:afterStep:)-(DecisionHistory,_)``).
    ///
    /// The current buffer (`nil`, or a step at or after the latest checkpoint) is read from the state in `O(b)`
    /// for `b` points; an earlier one is folded from the state's checkpoints up to `step` while it has all of
    /// them (at most ``RecentHistory/capacity``).
    public func paretoBuffer(of state: RunState, afterStep step: Int?) -> ParetoBuffer? {
        guard let step, step < state.lastCheckpointStep ?? Int.min else { return self.paretoBuffer(of: state) }
        guard state.recentCheckpoints.isComplete else { return nil }
        return self.foldedBuffer(state.recentCheckpoints.prefix { $0.step <= step })
    }

    /// The current Pareto buffer of `state`, after every checkpoint. `O(b)` for `b` points.
    public func paretoBuffer(of state: RunState) -> ParetoBuffer {
        self.buffer(
            reference: state.referencePoint, referenceStep: state.referenceStep, points: state.paretoBufferCheckpoints)
    }

    /// The Pareto buffer after the checkpoint of `step` (after every checkpoint when `nil`), folded from the
    /// run's whole checkpoint history. `O(n·b)` for `n` checkpoints up to `step`.
    public func paretoBuffer(of history: DecisionHistory, afterStep step: Int? = nil) -> ParetoBuffer {
        self.foldedBuffer(history.checkpoints.prefix { checkpoint in step.map { checkpoint.step <= $0 } ?? true })
    }

    /// The buffer after `checkpoints`, the run's first ones in step order.
    private func foldedBuffer(_ checkpoints: some BidirectionalCollection<CheckpointDecision>) -> ParetoBuffer {
        self.buffer(
            afterReference: checkpoints.last { $0.becameReference },
            points: ParetoBuffer.fold(checkpoints, dimension: self.config.dimension))
    }

    /// A buffer of `points` whose reference point is that of the checkpoint that became it, or the config's.
    func buffer(afterReference becameReference: CheckpointDecision?, points: [CheckpointDecision]) -> ParetoBuffer {
        let reference =
            becameReference?.point
            ?? self.config.method.hypervolumeSettings?.referencePoint.map { given in
                zip(given, self.config.space.directions).map { value, direction in direction.sign * value }
            }
        return self.buffer(reference: reference, referenceStep: becameReference?.step, points: points)
    }

    private func buffer(reference: [Double]?, referenceStep: Int?, points: [CheckpointDecision]) -> ParetoBuffer {
        let directions = self.config.space.directions
        return ParetoBuffer(
            referencePoint: reference.map { zip($0, directions).map { value, direction in direction.sign * value } },
            referenceStep: referenceStep, points: points, maximisedReferencePoint: reference)
    }
}
