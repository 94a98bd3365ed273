import RewardWeightingCore

/// The configuration of one training run, fixed when the run is created.
///
/// Every value is validated by the initialiser (and by decoding, which goes through it); an invalid config
/// cannot exist. Errors are ``ValidationError``s whose field is the JSON path of the offending value
/// (`run_id`, `objectives[2].name`, `initial_weights`, `gradient.schedule.total_steps`, …).
///
/// JSON:
///
///     {"run_id": "qwen3-math-01",
///      "objectives": [{"name": "accuracy", "direction": "maximize"},
///                     {"name": "response_length", "direction": "minimize"},
///                     {"name": "clarity", "direction": "maximize"}],
///      "method": "hypervolume",
///      "hypervolume": {"meta_reward": "tanh"},
///      "initial_weights": [0.5, 0.25, 0.25],
///      "normalization": "none"}
///
/// `gradient` (``GradientSettings``) is required with `"method": "gradient"`, `hypervolume`
/// (``HypervolumeSettings``) is optional with `"method": "hypervolume"`, and neither is allowed with another
/// method. `initial_weights` (default uniform), `normalization` (default `none`), `normalization_epsilon`
/// (default 1e-6) and `scalarization` with its `smoothing` and `ideal_point` (``ScalarizationSettings``,
/// default `linear`) are optional.
///
/// Equality compares the configuration as given: `initial_weights` `[2, 1, 1]` and `[0.5, 0.25, 0.25]` are
/// the same weights but different configs (what `CreateRun`'s idempotency compares).
public struct RunConfig: Codable, Hashable, Sendable {
    /// The run's id: 1 to 128 characters from `A–Z a–z 0–9 . _ -`, starting with a letter or digit (it
    /// appears in URLs such as `/v1/runs/{id}`).
    public let runID: String
    /// The K objectives, in the order of every vector and matrix column the run receives.
    public let objectives: [Objective]
    /// The weighting method and its settings.
    public let method: WeightingMethod
    /// The initial weights, normalised (`w_k = v_k / Σ_j v_j`); uniform when none were given.
    public let initialWeights: WeightVector
    /// What Scalarize does to the rewards before weighting them.
    public let normalization: RewardNormalization
    /// `ε` of the group normalisation (`r̂ = (r − mean)/(std + ε)`), default 1e-6 as verl's GRPO; TRL uses 1e-4.
    public let normalizationEpsilon: Double
    /// How Scalarize combines a response's K rewards: the weighted sum (default) or a Tchebycheff form.
    public let scalarization: ScalarizationSettings
    /// The objectives' directions, the map of checkpoint scores into the maximisation convention.
    public let space: ObjectiveSpace
    /// The initial weights as given, or `nil` for the uniform default.
    private let givenInitialWeights: [Double]?

    /// The longest accepted run id.
    public static let maximumRunIDLength = 128

    /// Validates a configuration.
    ///
    /// - Parameters:
    ///   - initialWeights: finite, non-negative, positive sum, K entries; normalised. `nil`: uniform (§5.2).
    /// - Throws: ``ValidationError`` naming the field: `run_id` (empty, too long, a character outside the
    ///   allowed set), `objectives` (empty), `objectives[i].name` (blank, or a duplicate of an earlier name),
    ///   `initial_weights` (wrong K, NaN/∞, negative, zero sum), `hypervolume.reference_point` (wrong K),
    ///   `gradient.min_weight` / `gradient.max_weight` (bounds that K weights summing to 1 cannot satisfy),
    ///   `normalization_epsilon` (not finite and positive), `ideal_point` (wrong K), `scalarization` (a
    ///   Tchebycheff form with group normalisation).
    public init(
        runID: String, objectives: [Objective], method: WeightingMethod, initialWeights: [Double]? = nil,
        normalization: RewardNormalization = .disabled,
        normalizationEpsilon: Double = RunConfig.defaultNormalizationEpsilon,
        scalarization: ScalarizationSettings = .linear
    ) throws(ValidationError) {
        try Self.checkRunID(runID)
        try Self.checkObjectives(objectives)
        let k = objectives.count
        let weights: WeightVector
        if let initialWeights {
            guard initialWeights.count == k else {
                throw ValidationError(
                    code: .dimensionMismatch, field: "initial_weights",
                    reason: "has \(initialWeights.count) entries, expected K = \(k)")
            }
            weights = try WeightVector(initialWeights, field: "initial_weights")
        } else {
            weights = .uniform(count: k)
        }
        switch method {
        case .fixed:
            break
        case .hypervolume(let settings):
            if let reference = settings.referencePoint, reference.count != k {
                throw ValidationError(
                    code: .dimensionMismatch, field: "hypervolume.reference_point",
                    reason: "has \(reference.count) values, expected K = \(k)")
            }
            if let ranges = settings.scale.ranges, ranges.count != k {
                throw ValidationError(
                    code: .dimensionMismatch, field: "hypervolume.objective_ranges",
                    reason: "has \(ranges.count) values, expected K = \(k)")
            }
        case .gradient(let settings):
            if settings.update == .gramian(.pcgrad), k > GramianWeighting.pcgradMaximumDimension {
                throw ValidationError(
                    code: .outOfRange, field: "gradient.update",
                    reason: "'pcgrad' takes at most K = \(GramianWeighting.pcgradMaximumDimension) objectives (its "
                        + "exact expectation over orders); this run has K = \(k)")
            }
            // The bounds are checked against K by the rule that applies them.
            _ = try validating(under: "gradient") { () throws(ValidationError) in
                try settings.mirrorDescent.step(
                    from: .uniform(count: k), influence: Array(repeating: 0, count: k), stepSize: 0)
            }
        }
        guard normalizationEpsilon.isFinite, normalizationEpsilon > 0 else {
            throw ValidationError(
                code: normalizationEpsilon.isFinite ? .outOfRange : .nonFinite, field: "normalization_epsilon",
                reason: "is \(normalizationEpsilon); it must be finite and positive")
        }
        if let ideal = scalarization.idealPoint, ideal.count != k {
            throw ValidationError(
                code: .dimensionMismatch, field: "ideal_point",
                reason: "has \(ideal.count) values, expected K = \(k)")
        }
        if scalarization.usesIdealPoint && normalization == .group {
            throw ValidationError(
                code: .outOfRange, field: "scalarization",
                reason: "'\(scalarization.kind.rawValue)' measures the rewards as sent against an ideal point; it "
                    + "cannot be combined with normalization 'group'")
        }
        self.runID = runID
        self.objectives = objectives
        self.scalarization = scalarization
        self.method = method
        self.initialWeights = weights
        self.givenInitialWeights = initialWeights
        self.normalization = normalization
        self.normalizationEpsilon = normalizationEpsilon
        self.space = try ObjectiveSpace(directions: objectives.map(\.direction))
    }

    /// K, the number of objectives.
    public var dimension: Int { self.objectives.count }

    /// Checks a run id's syntax (see ``runID``): every call that names a run checks it, so a malformed id is
    /// `INVALID_ARGUMENT` naming `run_id` rather than an unknown run.
    /// - Throws: ``ValidationError`` (field `run_id`).
    public static func checkRunID(_ runID: String) throws(ValidationError) {
        guard !runID.isEmpty else {
            throw ValidationError(code: .empty, field: "run_id", reason: "must not be empty")
        }
        guard runID.utf8.count <= Self.maximumRunIDLength else {
            throw ValidationError(
                code: .outOfRange, field: "run_id",
                reason: "has \(runID.utf8.count) bytes; at most \(Self.maximumRunIDLength) are allowed")
        }
        for (index, byte) in runID.utf8.enumerated() {
            let isAlphanumeric =
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            let isPunctuation = byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            guard isAlphanumeric || (index > 0 && isPunctuation) else {
                throw ValidationError(
                    code: .outOfRange, field: "run_id",
                    reason: "\(quoted(runID)) has a character not allowed at position \(index); use A–Z, a–z, "
                        + "0–9, '.', '_' and '-', starting with a letter or digit")
            }
        }
    }

    private static func checkObjectives(_ objectives: [Objective]) throws(ValidationError) {
        guard !objectives.isEmpty else {
            throw ValidationError(
                code: .empty, field: "objectives", reason: "at least one objective is needed")
        }
        var firstIndex: [String: Int] = [:]
        for (i, objective) in objectives.enumerated() {
            let field = "objectives[\(i)].name"
            guard !objective.name.allSatisfy(\.isWhitespace) else {
                throw ValidationError(code: .empty, field: field, reason: "must not be blank")
            }
            if let earlier = firstIndex[objective.name] {
                throw ValidationError(
                    code: .outOfRange, field: field,
                    reason: "\(quoted(objective.name)) is already the name of objectives[\(earlier)]; "
                        + "names must be unique")
            }
            firstIndex[objective.name] = i
        }
    }

    /// The default `ε` of the group normalisation: 1e-6, verl's GRPO (``Scalarization/defaultNormalizationEpsilon``).
    public static let defaultNormalizationEpsilon = Scalarization.defaultNormalizationEpsilon

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case objectives
        case method
        case hypervolume
        case gradient
        case initialWeights = "initial_weights"
        case normalization
        case normalizationEpsilon = "normalization_epsilon"
        case scalarization
        case smoothing
        case idealPoint = "ideal_point"
    }

    /// Decodes and validates a configuration (see the type's documentation for the JSON shape).
    /// - Throws: ``ValidationError`` for invalid values (naming the JSON path), `DecodingError` for a
    ///   malformed document.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let methodName = try WeightingMethod.Name(parsing: try container.decode(String.self, forKey: .method))
        for (key, owner) in [(CodingKeys.hypervolume, WeightingMethod.Name.hypervolume), (.gradient, .gradient)]
        where owner != methodName && container.contains(key) {
            if try container.decodeNil(forKey: key) { continue }
            throw ValidationError(
                code: .outOfRange, field: key.stringValue,
                reason: "settings for method '\(owner.rawValue)' are not allowed with method "
                    + "'\(methodName.rawValue)'")
        }
        let method: WeightingMethod
        switch methodName {
        case .fixed:
            method = .fixed
        case .hypervolume:
            method = .hypervolume(
                try container.decodeIfPresent(HypervolumeSettings.self, forKey: .hypervolume)
                    ?? HypervolumeSettings())
        case .gradient:
            guard let settings = try container.decodeIfPresent(GradientSettings.self, forKey: .gradient) else {
                throw ValidationError(
                    code: .empty, field: "gradient",
                    reason: "settings (at least learning_rate and mu) are required with method 'gradient'")
            }
            method = .gradient(settings)
        }
        var normalization = RewardNormalization.disabled
        if let name = try container.decodeIfPresent(String.self, forKey: .normalization) {
            normalization = try RewardNormalization(name: name)
        }
        var scalarization = ScalarizationSettings.linear
        var kind: ScalarizationSettings.Kind?
        if let name = try container.decodeIfPresent(String.self, forKey: .scalarization) {
            kind = try ScalarizationSettings.Kind(name: name)
        }
        let smoothing = try container.decodeIfPresent(Double.self, forKey: .smoothing)
        let idealPoint = try container.decodeIfPresent([Double].self, forKey: .idealPoint)
        if kind != nil || smoothing != nil || idealPoint != nil {
            scalarization = try ScalarizationSettings(
                kind: kind ?? .linear, smoothing: smoothing, idealPoint: idealPoint)
        }
        try self.init(
            runID: try container.decode(String.self, forKey: .runID),
            objectives: try container.decode([Objective].self, forKey: .objectives),
            method: method,
            initialWeights: try container.decodeIfPresent([Double].self, forKey: .initialWeights),
            normalization: normalization,
            normalizationEpsilon: try container.decodeIfPresent(Double.self, forKey: .normalizationEpsilon)
                ?? Self.defaultNormalizationEpsilon,
            scalarization: scalarization)
    }

    /// Encodes the configuration as given (`initial_weights` only when given).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.runID, forKey: .runID)
        try container.encode(self.objectives, forKey: .objectives)
        try container.encode(self.method.name, forKey: .method)
        switch self.method {
        case .fixed: break
        case .hypervolume(let settings): try container.encode(settings, forKey: .hypervolume)
        case .gradient(let settings): try container.encode(settings, forKey: .gradient)
        }
        try container.encodeIfPresent(self.givenInitialWeights, forKey: .initialWeights)
        try container.encode(self.normalization, forKey: .normalization)
        try container.encode(self.normalizationEpsilon, forKey: .normalizationEpsilon)
        if self.scalarization != .linear {  // configs from before Tchebycheff encode as they did
            try container.encode(self.scalarization.kind, forKey: .scalarization)
            try container.encodeIfPresent(self.scalarization.smoothing, forKey: .smoothing)
            try container.encodeIfPresent(self.scalarization.idealPoint, forKey: .idealPoint)
        }
    }
}
