import ArgumentParser
import RewardWeightingAPI
import RewardWeightingCore
import RewardWeightingPolicy

/// `rwctl runs simulate ID|FILE`: what if the run had used other settings — the recorded Gram matrices and
/// checkpoint scores played again under them, the trajectories side by side with the recorded ones.
struct RunsSimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "What-if: replay a run's Gram matrices and checkpoints under other settings or another method.",
        discussion: """
            Prints one row per gradients or checkpoint event: the step, the recorded and the simulated weights, \
            the recorded and the simulated r_pareto. With no option changed it reproduces the recorded \
            trajectory exactly. Reports that carried the trainer's own learning rate keep it. Reports the \
            simulated method does not take (gradients under fixed or hypervolume) are skipped and counted.
            """)

    @OptionGroup var server: ServerOptions

    @Argument(help: "A run id on the server, or an export file.")
    var run: String

    @Option(help: "The method to simulate: fixed, hypervolume or gradient (default: the run's).")
    var method: RunsCreateCommand.Method?

    @Option(help: "The weight learning rate η (gradient method).")
    var eta: Double?

    @Option(help: "The mirror-descent temperature μ (gradient method).")
    var mu: Double?

    @Option(help: "The schedule of η_t: constant, polynomial, cosine or exponential.")
    var schedule: RunsCreateCommand.Schedule?

    @Option(help: "The schedule's total steps.")
    var totalSteps: Int?

    func run() async throws {
        let export = try await RunSource.export(self.run, server: self.server)
        let recordedConfig = try RunSource.config(of: export)
        let config = try self.simulated(recordedConfig)
        let replay = try LogReplay(export.events, config: config, skipReportsOfOtherMethods: true)
        let names = recordedConfig.objectives.map(\.name)
        let exact = self.server.format != .table
        let number = exact ? exactNumber : tableNumber
        var table = TextTable(
            header: ["sequence", "step", "kind"] + names.map { "recorded_\($0)" } + names.map { "simulated_\($0)" }
                + ["recorded_r_pareto", "simulated_r_pareto"])
        var rows: [(Rewardweighting_V1_DecisionEvent, [Double], Double, LogReplay.Entry)] = []
        var recordedWeights = recordedConfig.initialWeights.values
        var recordedMeta = 1.0
        for entry in replay.entries {
            let logged = entry.logged
            switch logged.decision {
            case .gradients(let gradients): recordedWeights = gradients.weights
            case .checkpoint(let checkpoint): recordedMeta = checkpoint.rPareto
            case .resumed(let resumed):
                recordedWeights = resumed.weights
                recordedMeta = resumed.rPareto
            default: continue
            }
            rows.append((logged, recordedWeights, recordedMeta, entry))
        }
        for (logged, weights, meta, entry) in rows {
            table.rows.append(
                ["\(logged.sequence)", "\(logged.step)", DecisionText.kind(logged)] + weights.map(number)
                    + entry.state.weights.map(number) + [number(meta), number(entry.state.metaReward)])
        }
        switch self.server.format {
        case .json:
            let lines = rows.map { logged, weights, meta, entry in
                JSONText.object([
                    ("sequence", "\(logged.sequence)"), ("step", "\(logged.step)"),
                    ("kind", JSONText.string(DecisionText.kind(logged))),
                    ("recorded_weights", JSONText.array(weights)),
                    ("simulated_weights", JSONText.array(entry.state.weights)),
                    ("recorded_r_pareto", JSONText.number(meta)),
                    ("simulated_r_pareto", JSONText.number(entry.state.metaReward)),
                ])
            }
            print(
                JSONText.object([
                    ("run_id", JSONText.string(export.run.runID)), ("skipped_reports", "\(replay.skipped)"),
                    ("rows", JSONText.array(encoded: lines)),
                ]))
        case .csv:
            print(table.csv, terminator: "")
        case .table:
            print(table.rendered, terminator: "")
            if replay.skipped > 0 {
                print("\(replay.skipped) reports skipped: the simulated method does not take them")
            }
        }
    }

    /// The run's configuration with the options given.
    /// - Throws: ``InputError`` naming the option, or the field the configuration refuses.
    func simulated(_ recorded: RunConfig) throws(InputError) -> RunConfig {
        let name = self.method.flatMap { WeightingMethod.Name(rawValue: $0.rawValue) } ?? recorded.method.name
        let base = recorded.method.gradientSettings
        guard name == .gradient || (self.eta == nil && self.mu == nil && self.schedule == nil && self.totalSteps == nil)
        else {
            throw InputError("--eta, --mu, --schedule, --total-steps: apply to --method gradient only")
        }
        let method: WeightingMethod
        switch name {
        case .fixed:
            method = .fixed
        case .hypervolume:
            let settings = try InputError.checking(context: "--method hypervolume") {
                try recorded.method.hypervolumeSettings ?? HypervolumeSettings()
            }
            method = .hypervolume(settings)
        case .gradient:
            guard let eta = self.eta ?? base?.learningRate else {
                throw InputError("--eta: missing; the run did not use the gradient method")
            }
            guard let mu = self.mu ?? base?.mu else {
                throw InputError("--mu: missing; the run did not use the gradient method")
            }
            var schedule = base?.schedule
            if self.schedule != nil || self.totalSteps != nil {
                guard let total = self.totalSteps ?? base?.schedule?.totalSteps else {
                    throw InputError("--total-steps: missing; the schedule needs it")
                }
                let kind =
                    self.schedule.flatMap { LearningRateSchedule.Kind(rawValue: $0.rawValue) }
                    ?? base?.schedule?.kind ?? .constant
                schedule = try InputError.checking(context: "--schedule") {
                    try LearningRateSchedule(kind: kind, totalSteps: total)
                }
            }
            let settings = try InputError.checking(context: "simulated gradient settings") {
                try GradientSettings(
                    learningRate: eta, mu: mu, schedule: schedule, accumulationSteps: base?.accumulationSteps ?? 1,
                    minWeight: base?.mirrorDescent.minWeight, maxWeight: base?.mirrorDescent.maxWeight,
                    update: base?.update ?? .mirrorDescent)
            }
            method = .gradient(settings)
        }
        return try InputError.checking(context: "simulated config") {
            try RunConfig(
                runID: recorded.runID, objectives: recorded.objectives, method: method,
                initialWeights: recorded.initialWeights.values, normalization: recorded.normalization,
                normalizationEpsilon: recorded.normalizationEpsilon,
                scalarization: recorded.scalarization)
        }
    }
}
