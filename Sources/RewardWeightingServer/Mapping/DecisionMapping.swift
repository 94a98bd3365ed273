import RewardWeightingAPI
import RewardWeightingPolicy
import RewardWeightingStore
import SwiftProtobuf

/// The policy's decisions → the replies of the mutating calls and `WatchRun`'s `DecisionEvent`s.
enum DecisionMapping {
    /// `Scalarize`'s reply: the scalar rewards, the weights and `r_pareto` used (and the checkpoint it came
    /// from).
    static func response(_ result: ScalarizeResult) -> Rewardweighting_V1_ScalarizeResponse {
        var response = Rewardweighting_V1_ScalarizeResponse()
        response.scalarizedRewards = result.rewards
        response.weights = result.scalarization.weights.values
        response.rPareto = result.scalarization.metaReward
        if let step = result.scalarization.metaRewardStep { response.rParetoStep = Int64(step) }
        response.idealPoint = result.idealPoint ?? []
        return response
    }

    /// `ReportGradients`' reply.
    static func response(_ decision: GradientDecision) -> Rewardweighting_V1_ReportGradientsResponse {
        var response = Rewardweighting_V1_ReportGradientsResponse()
        response.weights = decision.weights
        response.weightsUpdated = decision.updated
        response.influence = decision.influence
        response.learningRate = decision.learningRate
        return response
    }

    /// `ReportCheckpoint`'s reply, with the buffer as it was right after this checkpoint.
    static func response(
        _ decision: CheckpointDecision, buffer: Rewardweighting_V1_ParetoBuffer
    ) -> Rewardweighting_V1_ReportCheckpointResponse {
        var response = Rewardweighting_V1_ReportCheckpointResponse()
        response.hypervolumeContribution = decision.deltaHypervolume
        response.rPareto = decision.metaReward
        response.enteredBuffer = decision.enteredBuffer
        response.becameReferencePoint = decision.becameReference
        if let scaled = decision.scaledDeltaHypervolume { response.scaledHypervolumeContribution = scaled }
        response.buffer = buffer
        return response
    }

    /// One logged event as `WatchRun` streams it.
    /// - Parameter hypervolume: HV of the buffer after a checkpoint event, when known.
    static func event(_ stored: StoredEvent, hypervolume: Double? = nil) -> Rewardweighting_V1_DecisionEvent {
        var event = Rewardweighting_V1_DecisionEvent()
        event.runID = stored.runID
        event.sequence = Int64(stored.sequence)
        event.step = Int64(stored.step)
        event.recordedAt = Google_Protobuf_Timestamp(date: stored.createdAt)
        event.superseded = stored.isSuperseded
        switch stored.decision {
        case .scalarizeSummary(let summary):
            event.kind = .scalarize
            var decision = Rewardweighting_V1_ScalarizeDecision()
            decision.numResponses = Int64(summary.count)
            decision.weights = summary.weights
            decision.rPareto = summary.metaReward
            decision.objectiveMeans = summary.objectiveMeans
            decision.objectiveStandardDeviations = summary.objectiveStandardDeviations ?? []
            decision.meanScalarized = summary.meanScalarized
            decision.objectiveMaxima = summary.objectiveMaxima ?? []
            event.scalarize = decision
        case .gradients(let gradients):
            event.kind = .gradients
            var decision = Rewardweighting_V1_GradientsDecision()
            decision.influence = gradients.influence
            decision.learningRate = gradients.learningRate
            decision.weightsUpdated = gradients.updated
            decision.weights = gradients.weights
            decision.rawWeights = gradients.update?.rawWeights ?? []
            if case .gradients(let report) = stored.event {
                decision.gram = MatrixMapping.proto(report.gram)
                if let rate = report.learningRate { decision.reportedLearningRate = rate }
            }
            event.gradients = decision
        case .checkpoint(let checkpoint):
            event.kind = .checkpoint
            var decision = Rewardweighting_V1_CheckpointDecision()
            decision.scores = checkpoint.scores
            decision.hypervolumeContribution = checkpoint.deltaHypervolume
            decision.rPareto = checkpoint.metaReward
            decision.enteredBuffer = checkpoint.enteredBuffer
            decision.becameReferencePoint = checkpoint.becameReference
            decision.hypervolume = hypervolume ?? 0
            if let scaled = checkpoint.scaledDeltaHypervolume { decision.scaledHypervolumeContribution = scaled }
            event.checkpoint = decision
        case .created(let creation):
            event.kind = .created
            var decision = Rewardweighting_V1_CreatedDecision()
            decision.config = ConfigMapping.proto(creation.config)
            decision.weights = creation.weights
            event.created = decision
        case .resumed(let resumption):
            event.kind = .resumed
            var decision = Rewardweighting_V1_ResumedDecision()
            decision.fromStep = Int64(resumption.fromStep)
            decision.supersededEvents = Int64(resumption.supersededEvents)
            decision.weights = resumption.weights
            decision.rPareto = resumption.metaReward
            event.resumed = decision
        case .archived(let archival):
            event.kind = .archived
            var decision = Rewardweighting_V1_ArchivedDecision()
            decision.reason = archival.reason
            event.archived = decision
        }
        return event
    }
}
