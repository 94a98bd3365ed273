import RewardWeightingService

/// `GET /v1/runs/{id}/front`: the Pareto buffer in the objectives' own units, its hypervolume (maximisation
/// convention, against the reference point), its cardinality and sparsity, and each point's exclusive
/// contribution (``ParetoFront``).
///
///     {"run_id": "r", "objectives": ["accuracy", "length"], "reference_point": [0.3, 900], "reference_step": 0,
///      "hypervolume": 12.5, "cardinality": 1, "sparsity": 0,
///      "points": [{"step": 5, "scores": [0.4, 850], "delta_hypervolume_at_entry": 5.0, "contribution": 2.5}]}
struct FrontDocument: Encodable {
    struct Point: Encodable {
        let step: Int
        let scores: [Double]
        let deltaHypervolumeAtEntry: Double
        let contribution: Double?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.step, forKey: .step)
            try container.encode(self.scores, forKey: .scores)
            try container.encode(self.deltaHypervolumeAtEntry, forKey: .deltaHypervolumeAtEntry)
            try container.encode(self.contribution, forKey: .contribution)
        }

        private enum CodingKeys: String, CodingKey {
            case step, scores, contribution
            case deltaHypervolumeAtEntry = "delta_hypervolume_at_entry"
        }
    }

    let runID: String
    let objectives: [String]
    let referencePoint: [Double]?
    let referenceStep: Int?
    let hypervolume: Double
    let sparsity: Double
    let points: [Point]

    init(_ front: ParetoFront, of run: Run) {
        self.runID = run.runID
        self.objectives = run.config.objectives.map(\.name)
        self.referencePoint = front.referencePoint
        self.referenceStep = front.referenceStep
        self.hypervolume = front.hypervolume
        self.sparsity = front.sparsity
        self.points = front.points.map { point in
            Point(
                step: point.step, scores: point.scores, deltaHypervolumeAtEntry: point.deltaHypervolumeAtEntry,
                contribution: point.contribution)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.runID, forKey: .runID)
        try container.encode(self.objectives, forKey: .objectives)
        try container.encode(self.referencePoint, forKey: .referencePoint)
        try container.encode(self.referenceStep, forKey: .referenceStep)
        try container.encode(self.hypervolume, forKey: .hypervolume)
        try container.encode(self.points.count, forKey: .cardinality)
        try container.encode(self.sparsity, forKey: .sparsity)
        try container.encode(self.points, forKey: .points)
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case objectives, hypervolume, cardinality, sparsity, points
        case referencePoint = "reference_point"
        case referenceStep = "reference_step"
    }
}
