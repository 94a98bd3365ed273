import ArgumentParser
import RewardWeightingAPI
import RewardWeightingCore

/// `rwctl runs indicators ID`: the front quality indicators of a run's Pareto buffer.
struct RunsIndicatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators",
        abstract: "Front quality indicators of a run's Pareto buffer: cardinality, sparsity, EUM, and IGD/IGD+.",
        discussion: """
            The indicators of 'rwctl indicators FILE', taken of the run's Pareto buffer (its checkpoint scores, \
            in the maximisation convention: the run's minimised objectives negated). --reference-front is read \
            in the objectives' own units and directions, like the buffer's scores. The buffer's cardinality \
            and sparsity are also in GET /v1/runs/{id}/front; EUM and IGD need a weight grid or a reference \
            front, so they are computed here.

            JSON: {"run_id", "objectives", "cardinality", "sparsity", "expected_utility", "weights", "igd", \
            "igd_plus"} (the last two only with a reference front). Table and CSV: one indicator per row.

            Exit status: 0 on success, 1 when the server refused the call, 2 on bad input or an empty buffer, \
            3 when the server cannot be reached.
            """)

    @OptionGroup var server: ServerOptions

    @Argument(help: "The run's id.")
    var runID: String

    @OptionGroup var indicators: FrontIndicatorOptions

    func run() async throws {
        let run = try await ServerConnection.with(self.server) { connection in try await connection.run(self.runID) }
        let names = run.config.objectives.map(\.name)
        let rows = run.state.buffer.points.map(\.scores)
        guard !rows.isEmpty else {
            throw InputError("buffer: run \(JSONText.string(self.runID)) has no point in its Pareto buffer yet")
        }
        let space = try RunSource.config(of: run).space
        let points = try InputError.checking {
            try space.toMaximization(try ObjectiveMatrix(rows: rows, dimension: names.count, field: "buffer"))
        }
        let reference = try self.indicators.referenceFront.map { path throws(InputError) in
            try FrontIndicators.loadReferenceFront(path, space: space)
        }
        let members = try FrontIndicators.members(
            of: points, referenceFront: reference, divisions: self.indicators.divisions)
        switch self.server.format {
        case .json:
            print(
                JSONText.object(
                    [
                        ("run_id", JSONText.string(run.runID)),
                        ("objectives", JSONText.array(encoded: names.map(JSONText.string))),
                    ] + members))
        case .table, .csv:
            var table = TextTable(header: ["indicator", "value"])
            table.rows = members.map { [$0.0, $0.1] }
            print(self.server.format == .csv ? table.csv : table.rendered, terminator: "")
        }
    }
}
