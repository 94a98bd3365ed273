import ArgumentParser
import RewardWeightingAPI
import RewardWeightingCore
import RewardWeightingPolicy

/// `rwctl weights compare ID|FILE`: a gradient run's recorded Gram matrices replayed under every Gram-based
/// update — the paper's mirror descent and the Gramian weightings — with the weight trajectories side by side.
struct WeightsCompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract:
            "Replay a gradient run's Gram matrices under every Gram-based update; print the weights side by side.",
        discussion: """
            The run is read from the server (by id) or from an export file (rwctl runs export). Every update \
            replays the same log offline with this rwctl's policy, as rwctl runs replay does (resumes rewind, \
            the run's accumulation window and weight bounds are kept), and only the update differs: \
            mirror-descent (with the run's η, μ and schedule, or --eta/--mu for a run that had none), mgda, \
            upgrad, dualproj (ε 1e-4), imtl-g, aligned-mtl (σ = min), cagrad (c = 0.5) and pcgrad (K ≤ 8). The run's own \
            update reproduces its \
            recorded weights exactly. One row per gradients event: the sequence, the step and, for each update, \
            the K weights after it (columns UPDATE:OBJECTIVE). JSON: {"run_id", "objectives", "updates", "rows": \
            [{"sequence", "step", "weights": {UPDATE: [K numbers]}}]}.
            """)

    @OptionGroup var server: ServerOptions

    @Argument(help: "A run id on the server, or an export file.")
    var run: String

    @Option(help: "The updates to compare, comma-separated (default: all of them, mirror-descent first).")
    var updates: String?

    @Option(help: "η for mirror descent, when the run used a Gramian update (which needs none).")
    var eta: Double?

    @Option(help: "μ for mirror descent, when the run used a Gramian update.")
    var mu: Double?

    func run() async throws {
        let export = try await RunSource.export(self.run, server: self.server)
        let recorded = try RunSource.config(of: export)
        guard let base = recorded.method.gradientSettings else {
            throw InputError(
                "run \(export.run.runID) uses method '\(recorded.method.name.rawValue)'; only gradient runs record "
                    + "Gram matrices")
        }
        var names = try self.selectedUpdates()
        if self.updates == nil, recorded.dimension > GramianWeighting.pcgradMaximumDimension {
            names.removeAll { $0 == GramianWeighting.Name.pcgrad.rawValue }  // PCGrad takes K ≤ 8
        }
        var replays: [(name: String, replay: LogReplay)] = []
        for name in names {
            let config = try self.config(recorded, base: base, update: name)
            replays.append((name, try LogReplay(export.events, config: config)))
        }
        let objectives = recorded.objectives.map(\.name)
        // The gradients events, in log order, and each update's weights after them.
        let indices = export.events.indices.filter {
            if case .gradients = export.events[$0].decision { return true }
            return false
        }
        switch self.server.format {
        case .json:
            let rows = indices.map { index in
                let logged = export.events[index]
                let weights = replays.map { ($0.name, JSONText.array($0.replay.entries[index].state.weights)) }
                return JSONText.object([
                    ("sequence", "\(logged.sequence)"), ("step", "\(logged.step)"),
                    ("weights", JSONText.object(weights)),
                ])
            }
            print(
                JSONText.object([
                    ("run_id", JSONText.string(export.run.runID)),
                    ("objectives", JSONText.array(encoded: objectives.map(JSONText.string))),
                    ("updates", JSONText.array(encoded: names.map(JSONText.string))),
                    ("rows", JSONText.array(encoded: rows)),
                ]))
        case .table, .csv:
            let number = self.server.format == .csv ? exactNumber : tableNumber
            var table = TextTable(
                header: ["sequence", "step"] + names.flatMap { name in objectives.map { "\(name):\($0)" } })
            for index in indices {
                let logged = export.events[index]
                table.rows.append(
                    ["\(logged.sequence)", "\(logged.step)"]
                        + replays.flatMap { $0.replay.entries[index].state.weights.map(number) })
            }
            print(self.server.format == .csv ? table.csv : table.rendered, terminator: "")
        }
    }

    /// The update names to compare, checked.
    func selectedUpdates() throws(InputError) -> [String] {
        guard let text = self.updates else { return GradientUpdate.names }
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for name in names where !GradientUpdate.names.contains(name) {
            throw InputError(
                "--updates: unknown update '\(name)'; expected some of \(GradientUpdate.names.joined(separator: ", "))")
        }
        guard !names.isEmpty else { throw InputError("--updates: give at least one update") }
        return names
    }

    /// The run's configuration with `update` in place of its own.
    func config(_ recorded: RunConfig, base: GradientSettings, update name: String) throws(InputError) -> RunConfig {
        let update: GradientUpdate
        if base.update.name == name {
            update = base.update
        } else {
            update = try InputError.checking(context: "--updates") { try GradientUpdate(name: name) }
        }
        let eta = self.eta ?? base.learningRate
        let mu = self.mu ?? base.mu
        if update == .mirrorDescent, eta == 0 || mu == 0 {
            throw InputError(
                "--eta, --mu: the run used '\(base.update.name)', which has no η or μ; give both to compare with "
                    + "mirror descent, or leave it out of --updates")
        }
        let settings = try InputError.checking(context: "\(name) settings") {
            try GradientSettings(
                learningRate: eta, mu: mu, schedule: base.schedule, accumulationSteps: base.accumulationSteps,
                minWeight: base.mirrorDescent.minWeight, maxWeight: base.mirrorDescent.maxWeight, update: update)
        }
        return try InputError.checking(context: "\(name) config") {
            try RunConfig(
                runID: recorded.runID, objectives: recorded.objectives, method: .gradient(settings),
                initialWeights: recorded.initialWeights.values, normalization: recorded.normalization,
                normalizationEpsilon: recorded.normalizationEpsilon,
                scalarization: recorded.scalarization)
        }
    }
}
