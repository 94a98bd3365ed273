import RewardWeightingAPI
import RewardWeightingPolicy
import RewardWeightingStore
import SwiftProtobuf

/// A stored run (``RunSnapshot``) → the wire's `Run` and `RunState`.
enum RunMapping {
    /// The run: id, configuration as given, current state, creation time.
    static func proto(_ snapshot: RunSnapshot) -> Rewardweighting_V1_Run {
        var run = Rewardweighting_V1_Run()
        run.runID = snapshot.runID
        run.config = ConfigMapping.proto(snapshot.config)
        run.state = Self.state(snapshot)
        run.createdAt = Google_Protobuf_Timestamp(date: snapshot.createdAt)
        return run
    }

    /// The run's current state: weights, `r_pareto`, the last applied step of each kind, the Pareto buffer,
    /// the log's last sequence number and the time of the last write.
    static func state(_ snapshot: RunSnapshot) -> Rewardweighting_V1_RunState {
        let state = snapshot.state
        var proto = Rewardweighting_V1_RunState()
        proto.status = snapshot.status == .archived ? .archived : .active
        proto.weights = state.weights
        proto.rPareto = state.metaReward
        if let step = state.scalarizedThroughStep { proto.lastScalarizeStep = Int64(step) }
        if let step = state.lastGradientStep { proto.lastGradientsStep = Int64(step) }
        if let step = state.lastCheckpointStep { proto.lastCheckpointStep = Int64(step) }
        proto.buffer = ParetoBufferHistory(config: snapshot.config, state: state).buffer()
        proto.lastSequence = Int64(snapshot.eventCount)
        proto.updatedAt = Google_Protobuf_Timestamp(date: snapshot.updatedAt)
        return proto
    }
}
