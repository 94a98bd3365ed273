import RewardWeightingService

/// `GET /v1/runs/{id}/history`: one row per step at which something was decided (``StepHistory``).
///
///     {"run_id": "r", "objectives": ["accuracy", "length"],
///      "rows": [{"step": 4, "weights": [0.6, 0.4], "learning_rate": 1e-6, "influence": [0.2, 0.1],
///                "delta_hypervolume": null, "r_pareto": null}, …]}
///
/// `?format=csv` gives the same rows as CSV (``csv``): one column per weight and per influence entry, named
/// after the objectives, and empty cells for `null`.
struct HistoryDocument: Encodable {
    struct Row: Encodable {
        let step: Int
        let weights: [Double]
        let learningRate: Double?
        let influence: [Double]?
        let deltaHypervolume: Double?
        let rPareto: Double?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.step, forKey: .step)
            try container.encode(self.weights, forKey: .weights)
            try container.encode(self.learningRate, forKey: .learningRate)
            try container.encode(self.influence, forKey: .influence)
            try container.encode(self.deltaHypervolume, forKey: .deltaHypervolume)
            try container.encode(self.rPareto, forKey: .rPareto)
        }

        private enum CodingKeys: String, CodingKey {
            case step, weights, influence
            case learningRate = "learning_rate"
            case deltaHypervolume = "delta_hypervolume"
            case rPareto = "r_pareto"
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
                deltaHypervolume: row.deltaHypervolume, rPareto: row.metaReward)
        }
    }

    /// The rows as CSV: `step,weight_<objective>…,learning_rate,influence_<objective>…,delta_hypervolume,r_pareto`.
    var csv: String {
        let header =
            ["step"] + self.objectives.map { "weight_\($0)" } + ["learning_rate"]
            + self.objectives.map { "influence_\($0)" } + ["delta_hypervolume", "r_pareto"]
        var lines = [header.map(csvField).joined(separator: ",")]
        for row in self.rows {
            let influence = row.influence?.map(cell) ?? Array(repeating: "", count: self.objectives.count)
            let cells =
                ["\(row.step)"] + row.weights.map(cell) + [cell(row.learningRate)] + influence
                + [cell(row.deltaHypervolume), cell(row.rPareto)]
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
