import ArgumentParser
import RewardWeightingAPI

/// `rwctl runs front ID`: a run's Pareto buffer in the objectives' own units, its hypervolume, and each point's
/// exclusive contribution.
struct RunsFrontCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "front",
        abstract: "Show a run's Pareto buffer: each point's step, scores, ΔHV at entry and exclusive contribution.",
        discussion: """
            Scores are in the objectives' own units and directions; the hypervolume and contributions are in the \
            maximisation convention against the reference point, computed by the server. JSON: {"run_id", \
            "objectives", "buffer": ParetoBuffer}.
            """)

    @OptionGroup var server: ServerOptions

    @Argument(help: "The run's id.")
    var runID: String

    func run() async throws {
        let run = try await ServerConnection.with(self.server) { connection in
            try await connection.run(self.runID, contributions: true)
        }
        let buffer = run.state.buffer
        let names = run.config.objectives.map(\.name)
        switch self.server.format {
        case .json:
            print(
                JSONText.object([
                    ("run_id", JSONText.string(run.runID)),
                    ("objectives", JSONText.array(encoded: names.map(JSONText.string))),
                    ("buffer", try ProtoJSON.text(buffer)),
                ]))
        case .table, .csv:
            let exact = self.server.format == .csv
            let number = exact ? exactNumber : tableNumber
            var table = TextTable(header: ["step"] + names + ["delta_hypervolume_at_entry", "contribution"])
            table.rows = buffer.points.map { point in
                ["\(point.step)"] + point.scores.map(number)
                    + [
                        number(point.hypervolumeContribution),
                        point.hasExclusiveContribution ? number(point.exclusiveContribution) : "",
                    ]
            }
            if exact {
                print(table.csv, terminator: "")
            } else {
                print(table.rendered, terminator: "")
                let reference = buffer.referencePoint.isEmpty ? "not set yet" : RunText.numbers(buffer.referencePoint)
                print("hypervolume \(tableNumber(buffer.hypervolume)) against the reference point \(reference)")
            }
        }
    }
}
