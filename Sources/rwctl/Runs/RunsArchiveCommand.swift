import ArgumentParser
import RewardWeightingAPI

/// `rwctl runs archive ID`: stops a run from accepting reports; it stays readable.
struct RunsArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archive a run: reads keep working, every mutating call is refused (FAILED_PRECONDITION).",
        discussion: "Archiving an archived run changes nothing. JSON: the ArchiveRunResponse (state, sequence).")

    @OptionGroup var server: ServerOptions

    @Argument(help: "The run's id.")
    var runID: String

    @Option(help: "Why, recorded in the archived event (at most 1024 bytes).")
    var reason: String = ""

    func run() async throws {
        let response = try await ServerConnection.with(self.server) { connection in
            var request = Rewardweighting_V1_ArchiveRunRequest()
            request.runID = self.runID
            request.reason = self.reason
            return try await connection.trainer.archiveRun(
                request, metadata: connection.metadata, options: connection.options)
        }
        switch self.server.format {
        case .json:
            print(try ProtoJSON.text(response))
        case .table, .csv:
            var table = TextTable(header: ["run_id", "status", "sequence"])
            table.rows = [[self.runID, RunText.status(response.state.status), "\(response.sequence)"]]
            print(self.server.format == .csv ? table.csv : table.rendered, terminator: "")
        }
    }
}
