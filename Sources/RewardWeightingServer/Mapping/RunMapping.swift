import RewardWeightingAPI
import RewardWeightingPolicy
import RewardWeightingService
import SwiftProtobuf

/// A run (``Run``) and its Pareto front (``ParetoFront``) → the wire's `Run`, `RunState` and `ParetoBuffer`.
enum RunMapping {
    /// The run: id, effective configuration, current state, creation time.
    static func proto(_ run: Run, front: ParetoFront) -> Rewardweighting_V1_Run {
        var message = Rewardweighting_V1_Run()
        message.runID = run.runID
        message.config = ConfigMapping.proto(run.config)
        message.state = Self.state(run, front: front)
        message.createdAt = Google_Protobuf_Timestamp(date: run.createdAt)
        message.tenant = run.tenant
        return message
    }

    /// The run's current state: weights, `r_pareto`, the last applied step of each kind, the Pareto buffer,
    /// the log's last sequence number and the time of the last write.
    static func state(_ run: Run, front: ParetoFront) -> Rewardweighting_V1_RunState {
        let state = run.state
        var proto = Rewardweighting_V1_RunState()
        proto.status = run.status == .archived ? .archived : .active
        proto.weights = state.weights
        proto.rPareto = state.metaReward
        if let step = state.scalarizedThroughStep { proto.lastScalarizeStep = Int64(step) }
        if let step = state.lastGradientStep { proto.lastGradientsStep = Int64(step) }
        if let step = state.lastCheckpointStep { proto.lastCheckpointStep = Int64(step) }
        proto.buffer = Self.buffer(front)
        proto.lastSequence = Int64(run.eventCount)
        proto.updatedAt = Google_Protobuf_Timestamp(date: run.updatedAt)
        return proto
    }

    /// A Pareto front as the wire's buffer: reference point and hypervolume once there is a reference point,
    /// the points with the ΔHV each added when it entered (and their exclusive contributions, when computed).
    static func buffer(_ front: ParetoFront) -> Rewardweighting_V1_ParetoBuffer {
        var buffer = Rewardweighting_V1_ParetoBuffer()
        if let reference = front.referencePoint {
            buffer.referencePoint = reference
            buffer.hypervolume = front.hypervolume
        }
        if let referenceStep = front.referenceStep { buffer.referenceStep = Int64(referenceStep) }
        buffer.points = front.points.map { point in
            var proto = Rewardweighting_V1_ParetoPoint()
            proto.step = Int64(point.step)
            proto.scores = point.scores
            proto.hypervolumeContribution = point.deltaHypervolumeAtEntry
            if let contribution = point.contribution { proto.exclusiveContribution = contribution }
            return proto
        }
        return buffer
    }
}
