import ArgumentParser
import GRPCCore
import RewardWeightingAPI

/// `rwctl runs show ID`: a run's configuration, current state and latest decisions.
struct RunsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a run: its configuration, current state and latest decisions.",
        discussion: "JSON: {\"run\": Run, \"recent_events\": [DecisionEvent…]} (the latest --events events).")

    @OptionGroup var server: ServerOptions

    @Argument(help: "The run's id.")
    var runID: String

    @Option(help: "How many of the latest logged decisions to show (default 5).")
    var events: Int = 5

    mutating func validate() throws {
        guard self.events >= 0 else { throw ValidationError("--events: is \(self.events); it must be at least 0") }
    }

    func run() async throws {
        let (run, recent) = try await ServerConnection.with(self.server) { connection in
            let run = try await connection.run(self.runID)
            let recent = try await Self.latestEvents(
                of: run, count: self.events, connection: connection)
            return (run, recent)
        }
        switch self.server.format {
        case .json:
            print(
                JSONText.object([
                    ("run", try ProtoJSON.text(run)),
                    ("recent_events", JSONText.array(encoded: try recent.map(ProtoJSON.text))),
                ]))
        case .table, .csv:
            let state = run.state
            let steps = [
                ("scalarize", state.hasLastScalarizeStep ? "\(state.lastScalarizeStep)" : "–"),
                ("gradients", state.hasLastGradientsStep ? "\(state.lastGradientsStep)" : "–"),
                ("checkpoint", state.hasLastCheckpointStep ? "\(state.lastCheckpointStep)" : "–"),
            ]
            var fields = TextTable(header: ["field", "value"])
            fields.rows = [
                ["run_id", run.runID],
                ["status", RunText.status(state.status)],
                ["method", RunText.method(run.config.method)],
                ["objectives", run.config.objectives.map(RunText.objective).joined(separator: " ")],
                ["weights", RunText.numbers(state.weights)],
                ["r_pareto", tableNumber(state.rPareto)],
                ["last_steps", steps.map { "\($0.0) \($0.1)" }.joined(separator: ", ")],
                [
                    "buffer",
                    "\(state.buffer.points.count) points, hypervolume \(tableNumber(state.buffer.hypervolume))",
                ],
                ["last_sequence", "\(state.lastSequence)"],
                ["created", RunText.time(run.createdAt)],
                ["updated", RunText.time(state.updatedAt)],
                ["config", try ProtoJSON.text(run.config)],
            ]
            var decisions = TextTable(header: ["sequence", "step", "kind", "decision"])
            decisions.rows = recent.map { event in
                ["\(event.sequence)", "\(event.step)", DecisionText.kind(event), DecisionText.summary(event)]
            }
            if self.server.format == .csv {
                print(fields.csv, terminator: "")
            } else {
                print(fields.rendered)
                print(decisions.rendered, terminator: "")
            }
        }
    }

    /// The run's last `count` logged events, read with `WatchRun` from `last_sequence − count + 1` up to
    /// `last_sequence` (the stream is then closed).
    static func latestEvents(
        of run: Rewardweighting_V1_Run, count: Int, connection: ServerConnection
    ) async throws -> [Rewardweighting_V1_DecisionEvent] {
        let last = run.state.lastSequence
        guard count > 0, last > 0 else { return [] }
        var request = Rewardweighting_V1_WatchRunRequest()
        request.runID = run.runID
        request.fromSequence = max(1, last - Int64(count) + 1)
        return try await connection.trainer.watchRun(
            request, metadata: connection.metadata, options: connection.options
        ) { response in
            var events: [Rewardweighting_V1_DecisionEvent] = []
            for try await event in response.messages {
                events.append(event)
                if event.sequence >= last { break }
            }
            return events
        }
    }
}
