import RewardWeightingAPI

/// One logged decision as a line of text: its kind and what it decided.
enum DecisionText {
    /// `scalarize`, `gradients`, `checkpoint`, `created`, `resumed` or `archived`.
    static func kind(_ event: Rewardweighting_V1_DecisionEvent) -> String {
        switch event.decision {
        case .created: "created"
        case .scalarize: "scalarize"
        case .gradients: "gradients"
        case .checkpoint: "checkpoint"
        case .resumed: "resumed"
        case .archived: "archived"
        case nil: "unknown"
        }
    }

    /// What the decision did, in a few words: `N=16, weights 0.5 0.25 0.25, r_pareto 1`.
    static func summary(_ event: Rewardweighting_V1_DecisionEvent) -> String {
        var text: String
        switch event.decision {
        case .created(let created):
            text = "weights \(RunText.numbers(created.weights))"
        case .scalarize(let scalarize):
            text =
                "N=\(scalarize.numResponses), weights \(RunText.numbers(scalarize.weights)), "
                + "r_pareto \(tableNumber(scalarize.rPareto))"
        case .gradients(let gradients):
            text =
                "η_t \(tableNumber(gradients.learningRate)), influence \(RunText.numbers(gradients.influence)), "
                + (gradients.weightsUpdated ? "weights → \(RunText.numbers(gradients.weights))" : "accumulated")
        case .checkpoint(let checkpoint):
            text =
                "scores \(RunText.numbers(checkpoint.scores)), ΔHV \(tableNumber(checkpoint.hypervolumeContribution)), "
                + "r_pareto \(tableNumber(checkpoint.rPareto))"
            if checkpoint.becameReferencePoint { text += ", reference point" }
            if checkpoint.enteredBuffer { text += ", entered the buffer" }
        case .resumed(let resumed):
            text =
                "from step \(resumed.fromStep), \(resumed.supersededEvents) events superseded, weights "
                + RunText.numbers(resumed.weights)
        case .archived(let archived):
            text = archived.reason.isEmpty ? "archived" : "reason: \(archived.reason)"
        case nil:
            text = ""
        }
        return event.superseded ? text + " (superseded)" : text
    }
}
