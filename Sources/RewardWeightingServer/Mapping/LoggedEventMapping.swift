import GRPCCore
import RewardWeightingAPI
import RewardWeightingCore
import RewardWeightingPolicy

/// A run and its log as the API carries them (`GetRun`, `WatchRun`, and the files `rwctl runs export` writes),
/// read back into the policy's types, so that a log taken over the API can be replayed offline with
/// ``WeightingPolicy`` — the same code the server runs.
///
/// Every `DecisionEvent` carries the report it records (a gradients event its Gram matrix and the learning
/// rate the trainer sent, a checkpoint its scores, a Scalarize summary its batch statistics), which is what
/// makes this possible.
public enum LoggedEventMapping {
    /// The configuration of a `Run` message.
    /// - Throws: `RPCError` `INVALID_ARGUMENT` naming the `config.…` field the policy refuses.
    public static func runConfig(_ run: Rewardweighting_V1_Run) throws(RPCError) -> RunConfig {
        try ConfigMapping.runConfig(runID: run.runID, run.config)
    }

    /// The report (or life-cycle entry) one logged event records.
    /// - Throws: `RPCError` `INVALID_ARGUMENT` naming the field (`gradients.gram` for a gradients event logged
    ///   before events carried their Gram matrix, and every field the policy refuses).
    public static func runEvent(_ event: Rewardweighting_V1_DecisionEvent) throws(RPCError) -> RunEvent {
        let step = Int(event.step)
        guard let decision = event.decision else {
            throw ErrorMapping.invalidArgument(field: "decision", reason: "event \(event.sequence) has no decision")
        }
        if case .gradients(let gradients) = decision, !gradients.hasGram {
            throw ErrorMapping.invalidArgument(
                field: "gradients.gram",
                reason: "event \(event.sequence) has no Gram matrix (logged by a server older than the log format "
                    + "that carries it); it cannot be replayed")
        }
        let gram: GramMatrix? =
            if case .gradients(let gradients) = decision { try MatrixMapping.gram(gradients.gram) } else { nil }
        if case .created(let created) = decision {
            return .created(RunCreation(config: try ConfigMapping.runConfig(runID: event.runID, created.config)))
        }
        do throws(ValidationError) {
            switch decision {
            case .created:
                preconditionFailure("handled above")
            case .scalarize(let scalarize):
                return .scalarizeSummary(
                    try ScalarizeSummary(
                        step: step, count: Int(scalarize.numResponses), objectiveMeans: scalarize.objectiveMeans,
                        objectiveStandardDeviations: scalarize.objectiveStandardDeviations.isEmpty
                            ? nil : scalarize.objectiveStandardDeviations,
                        meanScalarized: scalarize.meanScalarized, weights: scalarize.weights,
                        metaReward: scalarize.rPareto,
                        objectiveMaxima: scalarize.objectiveMaxima.isEmpty ? nil : scalarize.objectiveMaxima))
            case .gradients(let gradients):
                return .gradients(
                    try GradientReport(
                        step: step, gram: gram!,
                        learningRate: gradients.hasReportedLearningRate ? gradients.reportedLearningRate : nil))
            case .checkpoint(let checkpoint):
                return .checkpoint(try CheckpointReport(step: step, scores: checkpoint.scores))
            case .resumed(let resumed):
                return .resumed(
                    try RunResumption(
                        fromStep: Int(resumed.fromStep), supersededEvents: Int(resumed.supersededEvents),
                        weights: resumed.weights, metaReward: resumed.rPareto))
            case .archived(let archived):
                return .archived(try RunArchival(step: step, reason: archived.reason))
            }
        } catch {
            throw ErrorMapping.rpcError(error)
        }
    }
}
