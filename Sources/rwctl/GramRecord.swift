import RewardWeightingCore

/// One line of `weights simulate` input: one step's gradient influences `I = G·1`, from a Gram matrix or the
/// data that give it, and optionally the learning rate the trainer used at that step.
///
/// A line is one of
///
///     [[G_11, …, G_1K], …, [G_K1, …, G_KK]]
///     {"gram": [[…], …]}
///     {"gradients": [[g_11, …, g_1P], …, [g_K1, …, g_KP]]}      (G_ij = ⟨g_i, g_j⟩)
///     {"influence": [I_1, …, I_K]}
///
/// and an object may add `"lr": η_t` to override the schedule's rate for that step.
struct GramRecord {
    /// The keys an object line may have.
    static let keys = ["gram", "gradients", "influence", "lr"]

    /// `I_i = Σ_k G_ik`, one value per objective.
    var influence: [Double]
    /// The learning rate given on the line, if any.
    var learningRate: Double?

    /// Parses and validates one line.
    /// - Parameter source: how messages name the line, e.g. `--gram line 3`.
    init(parsing line: ArraySlice<UInt8>, source: String) throws(InputError) {
        let value = try JSONParser.parse(line, source: source)
        if case .array = value {
            self.influence = try Self.gramInfluence(value, source: source)
            self.learningRate = nil
            return
        }
        let members = try value.members(allowed: Self.keys, field: source)
        let given = ["gram", "gradients", "influence"].filter { members[$0] != nil }
        guard given.count == 1 else {
            throw InputError(
                "\(source): expected exactly one of \"gram\", \"gradients\" and \"influence\", found "
                    + (given.isEmpty ? "none" : given.map { "\"\($0)\"" }.joined(separator: ", ")))
        }
        if let gram = members["gram"] {
            self.influence = try Self.gramInfluence(gram, source: source)
        } else if let gradients = members["gradients"] {
            let rows = try gradients.numberRows(field: "\(source): gradients")
            let matrix = try Self.checking(source) { try GramMatrix(gradients: rows, field: "gradients") }
            self.influence = matrix.influence
        } else {
            let values = try members["influence", default: .null].numbers(field: "\(source): influence")
            guard !values.isEmpty else {
                throw InputError("\(source): influence: must have at least one value")
            }
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw InputError(
                    "\(source): influence: entry \(index) is \(values[index]); every influence must be finite "
                        + "(the number is too large for a Double)")
            }
            self.influence = values
        }
        switch members["lr"] {
        case nil, .null?:
            self.learningRate = nil
        case .number(let rate)?:
            guard rate.isFinite, rate >= 0 else {
                throw InputError("\(source): lr: is \(rate); a learning rate must be finite and non-negative")
            }
            self.learningRate = rate
        case let other?:
            throw InputError("\(source): lr: is \(other.kind); expected a number")
        }
    }

    private static func gramInfluence(_ value: JSONValue, source: String) throws(InputError) -> [Double] {
        let rows = try value.numberRows(field: "\(source): gram")
        return try Self.checking(source) { try GramMatrix(rows: rows, field: "gram") }.influence
    }

    /// Runs `body`, adding the line to a core error and, for a non-finite value, the reason (JSON has no
    /// NaN or ∞, so it is a literal that overflowed).
    private static func checking<T>(_ source: String, _ body: () throws -> T) throws(InputError) -> T {
        do {
            return try InputError.checking(body)
        } catch {
            guard let cause = error.cause else { throw error }
            let note = cause.code == .nonFinite && cause.field == "gram" ? "the number is too large for a Double" : nil
            throw InputError(cause, context: source, note: note)
        }
    }
}
