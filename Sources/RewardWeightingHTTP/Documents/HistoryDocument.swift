import RewardWeightingService

/// `GET /v1/runs/{id}/history`: one row per step at which something was decided (``StepHistory``).
///
///     {"run_id": "r", "objectives": ["accuracy", "length"],
///      "rows": [{"step": 4, "weights": [0.6, 0.4], "learning_rate": 1e-6, "influence": [0.2, 0.1],
///                "delta_hypervolume": null, "r_pareto": null, "responses": 512,
///                "reward_means": [0.7, 310.5], "reward_standard_deviations": [0.2, 41.0],
///                "cosines": [[1, -0.3], [-0.3, 1]], "gradient_norms": [0.02, 0.005],
///                "gradient_norm_ratios": [1, 0.25]}, …]}
///
/// `?format=csv` gives the same rows as CSV (``csv``): one column per weight, influence, reward mean and reward
/// standard deviation, named after the objectives, one per cosine above the diagonal (`cosine_<a>_<b>`), one
/// per gradient norm and norm ratio (`gradient_norm_<objective>`, `gradient_norm_ratio_<objective>`), and empty
/// cells for `null`.
struct HistoryDocument: Encodable {
    struct Row: Encodable {
        let step: Int
        let weights: [Double]
        let learningRate: Double?
        let influence: [Double]?
        let deltaHypervolume: Double?
        let rPareto: Double?
        let responses: Int
        let rewardMeans: [Double]?
        let rewardStandardDeviations: [Double]?
        let cosines: [[Double?]]?
        let gradientNorms: [Double]?
        let gradientNormRatios: [Double]?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.step, forKey: .step)
            try container.encode(self.weights, forKey: .weights)
            try container.encode(self.learningRate, forKey: .learningRate)
            try container.encode(self.influence, forKey: .influence)
            try container.encode(self.deltaHypervolume, forKey: .deltaHypervolume)
            try container.encode(self.rPareto, forKey: .rPareto)
            try container.encode(self.responses, forKey: .responses)
            try container.encode(self.rewardMeans, forKey: .rewardMeans)
            try container.encode(self.rewardStandardDeviations, forKey: .rewardStandardDeviations)
            try container.encode(self.cosines, forKey: .cosines)
            try container.encode(self.gradientNorms, forKey: .gradientNorms)
            try container.encode(self.gradientNormRatios, forKey: .gradientNormRatios)
        }

        private enum CodingKeys: String, CodingKey {
            case step, weights, influence, responses, cosines
            case rewardMeans = "reward_means"
            case rewardStandardDeviations = "reward_standard_deviations"
            case learningRate = "learning_rate"
            case deltaHypervolume = "delta_hypervolume"
            case rPareto = "r_pareto"
            case gradientNorms = "gradient_norms"
            case gradientNormRatios = "gradient_norm_ratios"
        }
    }

    let runID: String
    let objectives: [String]
    let rows: [Row]

    init(_ history: StepHistory, of run: Run) {
        self.runID = run.runID
        self.objectives = run.config.objectives.map(\.name)
        self.rows = history.rows.map { row in
            Row(
                step: row.step, weights: row.weights, learningRate: row.learningRate, influence: row.influence,
                deltaHypervolume: row.deltaHypervolume, rPareto: row.metaReward, responses: row.scalarizedResponses,
                rewardMeans: row.rewardMeans, rewardStandardDeviations: row.rewardStandardDeviations,
                cosines: row.cosines, gradientNorms: row.gradientNorms, gradientNormRatios: row.gradientNormRatios)
        }
    }

    /// The rows as CSV: `step,weight_<objective>…,learning_rate,influence_<objective>…,delta_hypervolume,
    /// r_pareto,responses,reward_mean_<objective>…,reward_std_<objective>…,cosine_<a>_<b>…,
    /// gradient_norm_<objective>…,gradient_norm_ratio_<objective>…` (pairs `a` before `b` in the objectives'
    /// order).
    var csv: String {
        let k = self.objectives.count
        let pairs = (0..<k).flatMap { i in ((i + 1)..<k).map { j in (i, j) } }
        let header =
            ["step"] + self.objectives.map { "weight_\($0)" } + ["learning_rate"]
            + self.objectives.map { "influence_\($0)" } + ["delta_hypervolume", "r_pareto", "responses"]
            + self.objectives.map { "reward_mean_\($0)" } + self.objectives.map { "reward_std_\($0)" }
            + pairs.map { "cosine_\(self.objectives[$0.0])_\(self.objectives[$0.1])" }
            + self.objectives.map { "gradient_norm_\($0)" } + self.objectives.map { "gradient_norm_ratio_\($0)" }
        var lines = [header.map(csvField).joined(separator: ",")]
        let empty = Array(repeating: "", count: k)
        for row in self.rows {
            let cosines = pairs.map { pair in cell(row.cosines?[pair.0][pair.1] ?? nil) }
            let cells =
                ["\(row.step)"] + row.weights.map(cell) + [cell(row.learningRate)]
                + (row.influence?.map(cell) ?? empty) + [cell(row.deltaHypervolume), cell(row.rPareto)]
                + ["\(row.responses)"] + (row.rewardMeans?.map(cell) ?? empty)
                + (row.rewardStandardDeviations?.map(cell) ?? empty) + cosines
                + (row.gradientNorms?.map(cell) ?? empty) + (row.gradientNormRatios?.map(cell) ?? empty)
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case objectives, rows
    }
}

/// A number's cell: its shortest round-tripping text, empty for `nil`.
private func cell(_ value: Double?) -> String {
    value.map { "\($0)" } ?? ""
}

/// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
private func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
