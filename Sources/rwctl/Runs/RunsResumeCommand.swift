import ArgumentParser
import RewardWeightingAPI

/// `rwctl runs resume ID --from-step S`: rewinds a run to its state after step S, as a trainer restarting from
/// that checkpoint does.
struct RunsResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Rewind a run to its state after a step (events of later steps are superseded, not deleted).",
        discussion: "JSON: the ResumeRunResponse (state, superseded_events, sequence).")

    @OptionGroup var server: ServerOptions

    @Argument(help: "The run's id.")
    var runID: String

    @Option(help: "The step to resume after: reports of later steps are superseded.")
    var fromStep: Int64

    mutating func validate() throws {
        guard self.fromStep >= 0 else {
            throw ValidationError("--from-step: is \(self.fromStep); it must be at least 0")
        }
    }

    func run() async throws {
        let response = try await ServerConnection.with(self.server) { connection in
            var request = Rewardweighting_V1_ResumeRunRequest()
            request.runID = self.runID
            request.fromStep = self.fromStep
            return try await connection.trainer.resumeRun(
                request, metadata: connection.metadata, options: connection.options)
        }
        switch self.server.format {
        case .json:
            print(try ProtoJSON.text(response))
        case .table, .csv:
            var table = TextTable(header: [
                "run_id", "from_step", "superseded_events", "sequence", "weights", "r_pareto",
            ])
            let exact = self.server.format == .csv
            table.rows = [
                [
                    self.runID, "\(self.fromStep)", "\(response.supersededEvents)", "\(response.sequence)",
                    exact ? RunText.exactNumbers(response.state.weights) : RunText.numbers(response.state.weights),
                    exact ? exactNumber(response.state.rPareto) : tableNumber(response.state.rPareto),
                ]
            ]
            print(exact ? table.csv : table.rendered, terminator: "")
        }
    }
}
