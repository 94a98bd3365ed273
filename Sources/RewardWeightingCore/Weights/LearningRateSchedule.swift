#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The policy learning-rate schedule of a trainer, so the service can recompute `η_t` when the trainer does
/// not send the rate it used.
///
/// ``multiplier(atStep:)`` is the multiplier `λ(s)` that PyTorch's `LambdaLR` applies to the base rate after
/// `s` scheduler steps, exactly as verl builds it (`verl/utils/torch_functional.py` in the paper's code base,
/// `github.com/yining610/dynamic-reward-weighting` at `9ee21eb`, functions `get_constant_schedule_with_warmup`,
/// `get_polynomial_schedule_with_warmup`, `get_cosine_schedule_with_warmup`,
/// `get_exponential_schedule_with_warmup`, selected by `actor.optim.warmup_style` in
/// `verl/workers/fsdp_workers.py`). With `W` = ``warmupSteps``, `T` = ``totalSteps`` and
/// `p(s) = (s − W) / max(1, T − W)`:
///
/// | kind | `s < W` (warmup) | `s ≥ W` |
/// |---|---|---|
/// | ``Kind/constant`` | `s / max(1, W)` | `1` |
/// | ``Kind/polynomial`` | `s / max(1, W)` | `(1 − min(p, 1))^power` |
/// | ``Kind/cosine`` | `m + (1 − m)·s / max(1, W)` | `max(m, m' + c·cos(2π·cycles·p))`, `c = (1 − m)/2`, `m' = (1 + m)/2` |
/// | ``Kind/exponential`` | `s / max(1, W)` | `gamma^(s − W)` |
///
/// (`m` = ``minRatio``.) The paper's runs use `polynomial` with power 1.03, no warmup and no floor: the rate
/// reaches exactly 0 at `s = T`. The trainer's rate at its 1-based global step `t` is `base·λ(t − 1)`
/// (``learningRate(base:atTrainerStep:)``), because verl reads the rate before that step's `scheduler.step()`.
public struct LearningRateSchedule: Hashable, Sendable {
    /// The shape of the decay, named as verl's `warmup_style`.
    public enum Kind: String, CaseIterable, Sendable, Codable {
        /// `λ = 1` after warmup.
        case constant
        /// `λ = (1 − p)^power` after warmup, 0 from `T` on.
        case polynomial
        /// Cosine annealing from 1 down to ``LearningRateSchedule/minRatio``.
        case cosine
        /// `λ = gamma^(s − W)` after warmup.
        case exponential
    }

    /// The shape of the decay.
    public let kind: Kind
    /// `T`, the total number of training steps (verl's `total_training_steps`).
    public let totalSteps: Int
    /// `W`, the number of linear-warmup steps (verl's `lr_warmup_steps`).
    public let warmupSteps: Int
    /// The exponent of ``Kind/polynomial`` (verl's `power`, default 1.03).
    public let power: Double
    /// The decay factor per step of ``Kind/exponential`` (verl's `lm_gamma`, default 0.96).
    public let gamma: Double
    /// `m`, the floor of ``Kind/cosine`` as a fraction of the base rate (verl's `min_lr_ratio`, default 0).
    public let minRatio: Double
    /// The number of cosine waves over `[W, T]` (verl's `num_cycles`, default 0.5: one half-wave from 1 to `m`).
    public let cycles: Double

    /// The default ``power``: 1.03, verl's and the paper's.
    public static let defaultPower = 1.03
    /// The default ``gamma``: 0.96, verl's.
    public static let defaultGamma = 0.96
    /// The default ``minRatio``: 0, no floor.
    public static let defaultMinRatio = 0.0
    /// The default ``cycles``: 0.5, one half-wave.
    public static let defaultCycles = 0.5

    /// Validates a schedule. O(1).
    ///
    /// Every parameter is checked whatever the kind, with its verl name as the field: `total_steps ≥ 1`,
    /// `0 ≤ warmup_steps < total_steps`, `power > 0`, `0 < gamma ≤ 1`, `0 ≤ min_lr_ratio ≤ 1`,
    /// `num_cycles ≥ 0`, all finite.
    /// - Throws: ``ValidationError`` with code `outOfRange` or `nonFinite`.
    public init(
        kind: Kind, totalSteps: Int, warmupSteps: Int = 0, power: Double = Self.defaultPower,
        gamma: Double = Self.defaultGamma, minRatio: Double = Self.defaultMinRatio, cycles: Double = Self.defaultCycles
    ) throws(ValidationError) {
        guard totalSteps >= 1 else {
            throw ValidationError(
                code: .outOfRange, field: "total_steps",
                reason: "is \(totalSteps); the schedule needs at least 1 step")
        }
        guard warmupSteps >= 0, warmupSteps < totalSteps else {
            throw ValidationError(
                code: .outOfRange, field: "warmup_steps",
                reason: "is \(warmupSteps); it must be at least 0 and below total_steps (\(totalSteps))")
        }
        try Self.check(power, field: "power", isValid: { $0 > 0 }, requirement: "must be positive")
        try Self.check(gamma, field: "gamma", isValid: { $0 > 0 && $0 <= 1 }, requirement: "must be in (0, 1]")
        try Self.check(
            minRatio, field: "min_lr_ratio", isValid: { $0 >= 0 && $0 <= 1 }, requirement: "must be in [0, 1]")
        try Self.check(cycles, field: "num_cycles", isValid: { $0 >= 0 }, requirement: "must be non-negative")
        self.kind = kind
        self.totalSteps = totalSteps
        self.warmupSteps = warmupSteps
        self.power = power
        self.gamma = gamma
        self.minRatio = minRatio
        self.cycles = cycles
    }

    /// Parses the kind from its name (`constant`, `polynomial`, `cosine`, `exponential`, ignoring case) and
    /// validates the schedule as ``init(kind:totalSteps:warmupSteps:power:gamma:minRatio:cycles:)`` does.
    /// - Throws: ``ValidationError`` with code `unknownName` and field `schedule` for an unknown name (the
    ///   message lists the valid names), or any error of the other initialiser.
    public init(
        name: String, totalSteps: Int, warmupSteps: Int = 0, power: Double = Self.defaultPower,
        gamma: Double = Self.defaultGamma, minRatio: Double = Self.defaultMinRatio, cycles: Double = Self.defaultCycles
    ) throws(ValidationError) {
        guard let kind = Kind(rawValue: name.lowercased()) else {
            let valid = Kind.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw ValidationError(
                code: .unknownName, field: "schedule",
                reason: "unknown learning-rate schedule \(quoted(name)); expected one of \(valid)")
        }
        try self.init(
            kind: kind, totalSteps: totalSteps, warmupSteps: warmupSteps, power: power, gamma: gamma,
            minRatio: minRatio, cycles: cycles)
    }

    private static func check(
        _ value: Double, field: String, isValid: (Double) -> Bool, requirement: String
    ) throws(ValidationError) {
        guard value.isFinite else {
            throw ValidationError(
                code: .nonFinite, field: field, reason: "is \(value); it must be finite")
        }
        guard isValid(value) else {
            throw ValidationError(code: .outOfRange, field: field, reason: "is \(value); it \(requirement)")
        }
    }

    /// `λ(s)`, the factor applied to the base learning rate after `s` scheduler steps (see the table in the
    /// type's documentation). O(1).
    ///
    /// Departures from verl, only where verl is undefined: a negative `s` is treated as 0; for
    /// ``Kind/polynomial`` the progress `p` is clamped to `[0, 1]`, so `λ = 0` for every `s ≥ T` (verl would
    /// raise a negative number to a fractional power, which Python turns into a complex number). Beyond `T`,
    /// ``Kind/cosine`` keeps verl's formula (the cosine is periodic and stays ≥ `m`) and ``Kind/exponential``
    /// keeps decaying (it ignores `T`, as in verl).
    public func multiplier(atStep step: Int) -> Double {
        let s = Swift.max(step, 0)
        let warmup = self.warmupSteps
        if s < warmup {
            let ramp = Double(s) / Double(Swift.max(1, warmup))
            return self.kind == .cosine ? self.minRatio + (1 - self.minRatio) * ramp : ramp
        }
        let progress = Double(s - warmup) / Double(Swift.max(1, self.totalSteps - warmup))
        switch self.kind {
        case .constant:
            return 1
        case .polynomial:
            return pow(1 - Swift.min(progress, 1), self.power)
        case .cosine:
            let coefficient = (1 - self.minRatio) * 0.5
            let intercept = (1 + self.minRatio) * 0.5
            let x = cos(Double.pi * self.cycles * 2 * progress)
            return Swift.max(self.minRatio, x * coefficient + intercept)
        case .exponential:
            return pow(self.gamma, Double(s - warmup))
        }
    }

    /// The learning rate a trainer used at its 1-based global step `t`: `η_t = base·λ(t − 1)` (verl reads
    /// `get_last_lr()` before that step's `scheduler.step()`, so `t − 1` scheduler steps have been taken).
    /// `t ≤ 1` gives `base·λ(0)`. O(1).
    public func learningRate(base: Double, atTrainerStep t: Int) -> Double {
        base * self.multiplier(atStep: t <= 1 ? 0 : t - 1)
    }
}
