import ArgumentParser
import RewardWeightingAPI

/// `rwctl runs list`: every run (of the caller's tenant), optionally of one status and method.
struct RunsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the runs: id, method, K, latest step, weights, r_pareto, status, last update.",
        discussion: "JSON: {\"runs\": [Run…]}, every page of ListRuns in run-id order.")

    /// A status filter.
    enum Status: String, CaseIterable, ExpressibleByArgument { case active, archived }
    /// A method filter.
    enum Method: String, CaseIterable, ExpressibleByArgument { case fixed, hypervolume, gradient }

    @OptionGroup var server: ServerOptions

    @Option(help: "Only runs with this status: active or archived.")
    var status: Status?

    @Option(help: "Only runs of this weighting method: fixed, hypervolume or gradient.")
    var method: Method?

    func run() async throws {
        var request = Rewardweighting_V1_ListRunsRequest()
        request.pageSize = 1000
        switch self.status {
        case .active: request.status = .active
        case .archived: request.status = .archived
        case nil: break
        }
        switch self.method {
        case .fixed: request.method = .fixed
        case .hypervolume: request.method = .hypervolume
        case .gradient: request.method = .gradient
        case nil: break
        }
        let runs = try await ServerConnection.with(self.server) { connection in
            var runs: [Rewardweighting_V1_Run] = []
            repeat {
                let page = try await connection.trainer.listRuns(
                    request, metadata: connection.metadata, options: connection.options)
                runs += page.runs
                request.pageToken = page.nextPageToken
            } while !request.pageToken.isEmpty
            return runs
        }
        switch self.server.format {
        case .json:
            // Written out, so that "runs" is there when empty (proto3 JSON would omit it).
            print(JSONText.object([("runs", JSONText.array(encoded: try runs.map(ProtoJSON.text)))]))
        case .table:
            print(Self.table(runs, exact: false).rendered, terminator: "")
        case .csv:
            print(Self.table(runs, exact: true).csv, terminator: "")
        }
    }

    static func table(_ runs: [Rewardweighting_V1_Run], exact: Bool) -> TextTable {
        var table = TextTable(header: ["run_id", "method", "k", "step", "weights", "r_pareto", "status", "updated"])
        for run in runs {
            let state = run.state
            table.rows.append([
                run.runID, RunText.method(run.config.method), "\(run.config.objectives.count)",
                RunText.latestStep(state).map { "\($0)" } ?? "",
                exact ? RunText.exactNumbers(state.weights) : RunText.numbers(state.weights),
                exact ? exactNumber(state.rPareto) : tableNumber(state.rPareto), RunText.status(state.status),
                RunText.time(state.updatedAt),
            ])
        }
        return table
    }
}
