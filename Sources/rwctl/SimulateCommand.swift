import ArgumentParser
import RewardWeightingCore

/// `rwctl weights simulate`: replays the mirror-descent weight update of the gradient method over a sequence
/// of Gram matrices, as the paper's reference trainer applies it, and prints the weights after every step.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay the mirror-descent weight update over a sequence of Gram matrices.",
        discussion: """
            Each non-blank line of the input is one training step t = 1, 2, ... and holds JSON: a K×K Gram \
            matrix [[...], ...], or {"gram": [[...], ...]}, or {"gradients": [[...], ...]} (K gradient \
            vectors), or {"influence": [...]}; an object may add "lr": x to override the learning rate of \
            that step.

            At step t the learning rate is eta·λ(t−1), λ being the schedule with --steps total steps (as verl \
            reads it before the step's scheduler update). The influence is I = G·1 (row sums of G). Every \
            --accumulation W steps (when t is a multiple of W) the weights are updated with the mean I of the \
            last W steps: w ← softmax(log w + (η_t/μ)·I). In between they stay the same.

            Output is one line per step: JSON lines {"step": t, "learning_rate": η_t, "influence": [I_t], \
            "weights": [w after step t]}, or CSV with the header step,learning_rate,w_1,...,w_K. Lines are \
            printed as the input is read; on bad input the tool stops with exit status 2 and a message naming \
            the line.
            """)

    /// The output formats.
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case jsonl, csv
    }

    @Option(help: ArgumentHelp("JSON lines, one Gram matrix per step, or '-' for standard input.", valueName: "file"))
    var gram: String

    @Option(parsing: .unconditional, help: ArgumentHelp("The base policy learning rate η (e.g. 1e-6).", valueName: "η"))
    var eta: Double

    @Option(parsing: .unconditional, help: ArgumentHelp("The regularisation factor μ (e.g. 1e-5).", valueName: "μ"))
    var mu: Double

    @Option(help: "The learning-rate schedule: constant, polynomial, cosine or exponential.")
    var schedule: String = "polynomial"

    @Option(help: ArgumentHelp("The total number of training steps T of the schedule.", valueName: "T"))
    var steps: Int

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("The initial weights, comma-separated (default: uniform).", valueName: "w1,w2,..."))
    var initial: String?

    @Option(help: "The number of linear-warmup steps of the schedule.")
    var warmup: Int = 0

    @Option(help: "The exponent of the polynomial schedule.")
    var power: Double = LearningRateSchedule.defaultPower

    @Option(help: "The decay factor per step of the exponential schedule.")
    var gamma: Double = LearningRateSchedule.defaultGamma

    @Option(name: .customLong("min-lr-ratio"), help: "The floor of the cosine schedule, as a fraction of η.")
    var minLearningRateRatio: Double = 0

    @Option(help: "The number of cosine waves over the steps after warmup.")
    var cycles: Double = LearningRateSchedule.defaultCycles

    @Option(help: ArgumentHelp("Update the weights every W steps with the mean influence.", valueName: "W"))
    var accumulation: Int = 1

    @Option(help: "A lower bound on every weight (default: none, as in the paper).")
    var minWeight: Double?

    @Option(help: "An upper bound on every weight (default: none, as in the paper).")
    var maxWeight: Double?

    @Option(help: ArgumentHelp("The output format.", valueName: "jsonl|csv"))
    var format: OutputFormat = .jsonl

    func run() async throws {
        guard self.eta.isFinite, self.eta >= 0 else {
            throw InputError("--eta: is \(self.eta); the learning rate must be finite and non-negative")
        }
        guard self.mu.isFinite, self.mu > 0 else {
            throw InputError("--mu: is \(self.mu); the regularisation factor must be finite and positive")
        }
        guard self.accumulation >= 1 else {
            throw InputError("--accumulation: is \(self.accumulation); it must be at least 1")
        }
        let schedule = try Self.checkingOptions {
            try LearningRateSchedule(
                name: self.schedule, totalSteps: self.steps, warmupSteps: self.warmup, power: self.power,
                gamma: self.gamma, minRatio: self.minLearningRateRatio, cycles: self.cycles)
        }
        let descent = try Self.checkingOptions {
            try MirrorDescent(minWeight: self.minWeight, maxWeight: self.maxWeight)
        }
        // The weights with their exact logits while one underflows (MirrorDescent keeps Lemma 5.1's closed form).
        var weights = try self.initial.map { (text) throws(InputError) in
            let values = try parseNumberList(text, option: "--initial")
            return ExactWeights(try InputError.checking { try WeightVector(values, field: "--initial") })
        }
        if let weights { self.printHeader(dimension: weights.weights.dimension) }

        var reader = try InputSource(path: self.gram, label: "--gram").lines()
        var lineNumber = 0
        var step = 0
        var influenceSum: [Double] = []
        while let line = try reader.next() {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            step += 1
            let source = "--gram line \(lineNumber)"
            guard step <= self.steps else {
                throw InputError("\(source): step \(step) is beyond --steps \(self.steps)")
            }
            let record = try GramRecord(parsing: line, source: source)
            let current: ExactWeights
            if let weights {
                current = weights
            } else {
                current = ExactWeights(.uniform(count: record.influence.count))
                self.printHeader(dimension: current.weights.dimension)
            }
            guard record.influence.count == current.weights.dimension else {
                throw InputError(
                    "\(source): has K = \(record.influence.count) objectives but the weights have K = "
                        + "\(current.weights.dimension)")
            }
            let learningRate =
                record.learningRate ?? schedule.learningRate(base: self.eta, atTrainerStep: step)
            if influenceSum.isEmpty { influenceSum = Array(repeating: 0, count: current.weights.dimension) }
            for k in influenceSum.indices { influenceSum[k] += record.influence[k] }

            var updated = current
            if step % self.accumulation == 0 {
                // The reference code's order: mean over the W steps, then one update with this step's η_t.
                let mean = influenceSum.map { $0 / Double(self.accumulation) }
                updated = try InputError.checking(context: source) {
                    try descent.step(from: current, influence: mean, stepSize: learningRate / self.mu)
                }
                influenceSum = []
            }
            weights = updated
            self.printStep(step, learningRate: learningRate, influence: record.influence, weights: updated.weights)
        }
    }

    /// The command-line options behind the core's field names, for messages.
    private static let optionNames = [
        "total_steps": "--steps", "warmup_steps": "--warmup", "power": "--power", "gamma": "--gamma",
        "min_lr_ratio": "--min-lr-ratio", "num_cycles": "--cycles", "schedule": "--schedule",
        "min_weight": "--min-weight", "max_weight": "--max-weight",
    ]

    /// Runs `body`, naming the command-line option in a core error about a field of the schedule or bounds.
    private static func checkingOptions<T>(_ body: () throws -> T) throws(InputError) -> T {
        do {
            return try InputError.checking(body)
        } catch {
            guard let cause = error.cause, let option = Self.optionNames[cause.field] else { throw error }
            throw InputError(cause, context: option)
        }
    }

    private func printHeader(dimension: Int) {
        guard self.format == .csv else { return }
        print((["step", "learning_rate"] + (1...dimension).map { "w_\($0)" }).joined(separator: ","))
    }

    private func printStep(_ step: Int, learningRate: Double, influence: [Double], weights: WeightVector) {
        switch self.format {
        case .jsonl:
            print(
                JSONText.object([
                    ("step", String(step)),
                    ("learning_rate", JSONText.number(learningRate)),
                    ("influence", JSONText.array(influence)),
                    ("weights", JSONText.array(weights.values)),
                ]))
        case .csv:
            print(
                ([String(step), JSONText.number(learningRate)] + weights.values.map(JSONText.number)).joined(
                    separator: ","))
        }
    }
}
