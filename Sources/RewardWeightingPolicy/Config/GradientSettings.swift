import RewardWeightingCore

/// The settings of the gradient method (§5 of the paper, Alg. 2): the mirror-descent step
/// `w ← normalise(w ⊙ exp(η_t·I/μ))`, its learning rate and its accumulation window, or instead of the step
/// a Gramian update (``GradientUpdate``: MGDA, UPGrad, …).
///
/// JSON (the `gradient` object of a ``RunConfig``; only `learning_rate` and `mu` are required, and only with
/// the mirror-descent update):
///
///     {"learning_rate": 1e-6, "mu": 1e-5, "accumulation_steps": 1,
///      "schedule": {"name": "polynomial", "total_steps": 360, "warmup_steps": 0, "power": 1.03},
///      "min_weight": 0.05, "max_weight": 0.9, "update": "mirror-descent"}
///
///     {"update": "upgrad", "regularization": 1e-4, "accumulation_steps": 4}
///
/// The paper's settings: `learning_rate` 1e-6 (the policy's own rate: the reference code uses the actor's
/// learning rate as `η`), `mu` 1e-5 (Qwen3-8B on MATH500) or 1e-4, schedule polynomial with power 1.03 and no
/// warmup (or constant), one accumulation step, no weight bounds.
public struct GradientSettings: Codable, Hashable, Sendable {
    /// The base learning rate `η`; `η_t = η·λ(t − 1)` when a report carries no rate of its own. 0 (unset) is
    /// allowed with a Gramian update, which does not use it.
    public let learningRate: Double
    /// `μ`, the regularisation factor: the step size is `τ_t = η_t/μ`. 0 (unset) is allowed with a Gramian
    /// update.
    public let mu: Double
    /// The learning-rate schedule `λ`, or `nil` for a constant rate (`λ ≡ 1`).
    public let schedule: LearningRateSchedule?
    /// `W`: the influences of W reports are averaged into one update, made when `t % W == 0`.
    public let accumulationSteps: Int
    /// The update rule, with the optional weight bounds (``MirrorDescent/minWeight``,
    /// ``MirrorDescent/maxWeight``), which a Gramian update applies too.
    public let mirrorDescent: MirrorDescent
    /// How the weights are updated: mirror descent (the paper's) or a Gramian weighting.
    public let update: GradientUpdate

    /// Validates the settings.
    ///
    /// The bounds' compatibility with K (`min ≤ 1/K ≤ max`) is checked by ``RunConfig``.
    /// - Throws: ``ValidationError`` naming the field: `gradient.learning_rate` and `gradient.mu` (`nonFinite`,
    ///   or `outOfRange` unless positive; 0 is allowed with a Gramian update), `gradient.accumulation_steps`
    ///   (`outOfRange` below 1), `gradient.min_weight` / `gradient.max_weight` (see
    ///   ``MirrorDescent/init(minWeight:maxWeight:)``), `gradient.regularization` (`nonFinite`, or
    ///   `outOfRange` unless `0 < ε ≤ 1`), `gradient.cagrad_c` (`nonFinite`, or `outOfRange` below 0).
    public init(
        learningRate: Double, mu: Double, schedule: LearningRateSchedule? = nil, accumulationSteps: Int = 1,
        minWeight: Double? = nil, maxWeight: Double? = nil, update: GradientUpdate = .mirrorDescent
    ) throws(ValidationError) {
        let optional = update != .mirrorDescent
        try Self.checkPositive(learningRate, field: "gradient.learning_rate", zeroAllowed: optional)
        try Self.checkPositive(mu, field: "gradient.mu", zeroAllowed: optional)
        if let c = update.conflictAversion {
            guard c.isFinite else {
                throw ValidationError(
                    code: .nonFinite, field: "gradient.cagrad_c", reason: "is \(c); it must be finite")
            }
            guard c >= 0 else {
                throw ValidationError(
                    code: .outOfRange, field: "gradient.cagrad_c", reason: "is \(c); it must be non-negative")
            }
        }
        if let epsilon = update.regularization {
            guard epsilon.isFinite else {
                throw ValidationError(
                    code: .nonFinite, field: "gradient.regularization", reason: "is \(epsilon); it must be finite")
            }
            guard epsilon > 0, epsilon <= 1 else {
                throw ValidationError(
                    code: .outOfRange, field: "gradient.regularization",
                    reason: "is \(epsilon); it must be in (0, 1]")
            }
        }
        guard accumulationSteps >= 1 else {
            throw ValidationError(
                code: .outOfRange, field: "gradient.accumulation_steps",
                reason: "is \(accumulationSteps); it must be at least 1")
        }
        self.learningRate = learningRate
        self.mu = mu
        self.schedule = schedule
        self.accumulationSteps = accumulationSteps
        self.update = update
        self.mirrorDescent = try validating(under: "gradient") { () throws(ValidationError) in
            try MirrorDescent(minWeight: minWeight, maxWeight: maxWeight)
        }
    }

    private static func checkPositive(_ value: Double, field: String, zeroAllowed: Bool) throws(ValidationError) {
        guard value.isFinite else {
            throw ValidationError(code: .nonFinite, field: field, reason: "is \(value); it must be finite")
        }
        guard value > 0 || (zeroAllowed && value == 0) else {
            throw ValidationError(
                code: .outOfRange, field: field, reason: "is \(value); it must be positive")
        }
    }

    /// `η_t` for the trainer's 1-based global step `t`: `η·λ(t − 1)`
    /// (``LearningRateSchedule/learningRate(base:atTrainerStep:)``), or `η` without a schedule.
    public func learningRate(atStep t: Int) -> Double {
        self.schedule?.learningRate(base: self.learningRate, atTrainerStep: t) ?? self.learningRate
    }

    private enum CodingKeys: String, CodingKey {
        case learningRate = "learning_rate"
        case mu
        case schedule
        case accumulationSteps = "accumulation_steps"
        case minWeight = "min_weight"
        case maxWeight = "max_weight"
        case update
        case regularization
        case alignedMTLScale = "aligned_mtl_scale"
        case cagradC = "cagrad_c"
    }

    private enum ScheduleKeys: String, CodingKey {
        case name
        case totalSteps = "total_steps"
        case warmupSteps = "warmup_steps"
        case power
        case gamma
        case minRatio = "min_lr_ratio"
        case cycles = "num_cycles"
    }

    /// Decodes and validates the settings. In `schedule`, `name` and `total_steps` are required; the others
    /// default as in verl (`warmup_steps` 0, `power` 1.03, `gamma` 0.96, `min_lr_ratio` 0, `num_cycles` 0.5).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var schedule: LearningRateSchedule?
        if container.contains(.schedule), try !container.decodeNil(forKey: .schedule) {
            let nested = try container.nestedContainer(keyedBy: ScheduleKeys.self, forKey: .schedule)
            let name = try nested.decode(String.self, forKey: .name)
            let totalSteps = try nested.decode(Int.self, forKey: .totalSteps)
            let warmupSteps = try nested.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? 0
            let power = try nested.decodeIfPresent(Double.self, forKey: .power) ?? LearningRateSchedule.defaultPower
            let gamma = try nested.decodeIfPresent(Double.self, forKey: .gamma) ?? LearningRateSchedule.defaultGamma
            let minRatio =
                try nested.decodeIfPresent(Double.self, forKey: .minRatio) ?? LearningRateSchedule.defaultMinRatio
            let cycles = try nested.decodeIfPresent(Double.self, forKey: .cycles) ?? LearningRateSchedule.defaultCycles
            do throws(ValidationError) {
                schedule = try LearningRateSchedule(
                    name: name, totalSteps: totalSteps, warmupSteps: warmupSteps, power: power, gamma: gamma,
                    minRatio: minRatio, cycles: cycles)
            } catch {
                // The schedule reports an unknown name as field `schedule`; here it is `schedule.name`.
                throw error.field == "schedule"
                    ? error.renamed(to: "gradient.schedule.name") : error.nested(under: "gradient.schedule")
            }
        }
        let update = try GradientUpdate(
            name: try container.decodeIfPresent(String.self, forKey: .update) ?? GradientUpdate.mirrorDescentName,
            regularization: try container.decodeIfPresent(Double.self, forKey: .regularization),
            alignedMTLScale: try container.decodeIfPresent(String.self, forKey: .alignedMTLScale).map {
                (name) throws(ValidationError) in
                guard let scale = GramianWeighting.AlignedMTLScale(rawValue: name) else {
                    throw ValidationError(
                        code: .unknownName, field: "gradient.aligned_mtl_scale",
                        reason: "unknown scale \(quoted(name)); expected 'min', 'median' or 'rmse'")
                }
                return scale
            },
            conflictAversion: try container.decodeIfPresent(Double.self, forKey: .cagradC))
        let mirror = update == .mirrorDescent
        try self.init(
            learningRate: mirror
                ? try container.decode(Double.self, forKey: .learningRate)
                : try container.decodeIfPresent(Double.self, forKey: .learningRate) ?? 0,
            mu: mirror
                ? try container.decode(Double.self, forKey: .mu)
                : try container.decodeIfPresent(Double.self, forKey: .mu) ?? 0,
            schedule: schedule,
            accumulationSteps: try container.decodeIfPresent(Int.self, forKey: .accumulationSteps) ?? 1,
            minWeight: try container.decodeIfPresent(Double.self, forKey: .minWeight),
            maxWeight: try container.decodeIfPresent(Double.self, forKey: .maxWeight),
            update: update)
    }

    /// Encodes every field, the schedule with all its parameters (absent bounds and schedule are omitted).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.learningRate, forKey: .learningRate)
        try container.encode(self.mu, forKey: .mu)
        if let schedule = self.schedule {
            var nested = container.nestedContainer(keyedBy: ScheduleKeys.self, forKey: .schedule)
            try nested.encode(schedule.kind.rawValue, forKey: .name)
            try nested.encode(schedule.totalSteps, forKey: .totalSteps)
            try nested.encode(schedule.warmupSteps, forKey: .warmupSteps)
            try nested.encode(schedule.power, forKey: .power)
            try nested.encode(schedule.gamma, forKey: .gamma)
            try nested.encode(schedule.minRatio, forKey: .minRatio)
            try nested.encode(schedule.cycles, forKey: .cycles)
        }
        try container.encode(self.accumulationSteps, forKey: .accumulationSteps)
        try container.encodeIfPresent(self.mirrorDescent.minWeight, forKey: .minWeight)
        try container.encodeIfPresent(self.mirrorDescent.maxWeight, forKey: .maxWeight)
        // Mirror descent is not written, so configs encoded before updates existed are unchanged.
        if self.update != .mirrorDescent { try container.encode(self.update.name, forKey: .update) }
        try container.encodeIfPresent(self.update.regularization, forKey: .regularization)
        try container.encodeIfPresent(self.update.alignedMTLScale?.rawValue, forKey: .alignedMTLScale)
        try container.encodeIfPresent(self.update.conflictAversion, forKey: .cagradC)
    }
}
