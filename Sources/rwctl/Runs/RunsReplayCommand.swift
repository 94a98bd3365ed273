import ArgumentParser
import RewardWeightingPolicy

/// `rwctl runs replay ID|FILE`: plays a run's log again with the policy, offline, and checks that every
/// decision and the final state equal the stored ones bit for bit.
struct RunsReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a run's log with the policy offline; check every decision and the state bit for bit.",
        discussion: """
            The run is read from the server (by id) or from an export file. Each report is applied in log \
            order with this rwctl's policy and kernels, each resume rewinds as the server does; every recorded \
            decision (weights, η_t, influence, ΔHV, r_pareto), every superseded flag and the server's current \
            state (weights, r_pareto, Pareto buffer) must come out the same, bit for bit. Exit 0 when they do; \
            exit 1 naming the first diverging sequence and field otherwise. JSON: {"run_id", "events", \
            "identical", "divergence": null | {"sequence", "field", "recorded", "replayed"}}.
            """)

    @OptionGroup var server: ServerOptions

    @Argument(help: "A run id on the server, or an export file.")
    var run: String

    func run() async throws {
        let export = try await RunSource.export(self.run, server: self.server)
        let replay = try LogReplay(export.events, config: try RunSource.config(of: export))
        let divergence = replay.firstDivergence(from: export.run)
        switch self.server.format {
        case .json:
            let detail = divergence.map { d in
                JSONText.object([
                    ("sequence", "\(d.sequence)"), ("field", JSONText.string(d.field)),
                    ("recorded", JSONText.string(d.recorded)), ("replayed", JSONText.string(d.replayed)),
                ])
            }
            print(
                JSONText.object([
                    ("run_id", JSONText.string(export.run.runID)), ("events", "\(export.events.count)"),
                    ("identical", "\(divergence == nil)"), ("divergence", detail ?? "null"),
                ]))
        case .table, .csv:
            if divergence == nil {
                print(
                    "\(export.run.runID): replayed \(export.events.count) events; every decision and the final state "
                        + "equal the stored ones bit for bit")
            }
        }
        if let divergence {
            throw ServerError(
                message: "\(export.run.runID): \(divergence.message)", exitStatus: ServerError.failedStatus,
                code: .dataLoss)
        }
    }
}
