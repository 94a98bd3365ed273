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
/// and an object may add `"lr": η_t` to override the schedule's rate for that step. A key given as `null`
/// counts as absent.
struct GramRecord {
    /// `I_i = Σ_k G_ik`, one value per objective.
    var influence: [Double]
    /// The learning rate given on the line, if any.
    var learningRate: Double?

    private struct Fields: JSONFields {
        enum CodingKeys: String, CodingKey, CaseIterable {
            case gram, gradients, influence, lr
        }
        static let keys = CodingKeys.allCases.map(\.rawValue)

        var gram: [[JSONNumber]]?
        var gradients: [[JSONNumber]]?
        var influence: [JSONNumber]?
        var lr: JSONNumber?
    }

    /// A line: a bare Gram matrix or an object.
    private enum Line: JSONDocument {
        case gram([[JSONNumber]])
        case object(Fields)

        static var expectation: String { "a Gram matrix [[...], ...] or " + StrictObject<Fields>.expectation }
        static var rootArrayField: String? { "gram" }

        init(from decoder: any Decoder) throws {
            if (try? decoder.unkeyedContainer()) != nil {
                self = .gram(try [[JSONNumber]](from: decoder))
            } else {
                self = .object(try StrictObject<Fields>(from: decoder).fields)
            }
        }
    }

    /// Parses and validates one line.
    /// - Parameter source: how messages name the line, e.g. `--gram line 3`.
    init(parsing line: ArraySlice<UInt8>, source: String) throws(InputError) {
        let fields: Fields
        switch try JSONInput.decode(Line.self, from: line, source: source, fieldContext: source) {
        case .gram(let rows):
            self.influence = try Self.gramInfluence(rows, source: source)
            self.learningRate = nil
            return
        case .object(let object):
            fields = object
        }
        var given: [String] = []
        if fields.gram != nil { given.append("gram") }
        if fields.gradients != nil { given.append("gradients") }
        if fields.influence != nil { given.append("influence") }
        guard given.count == 1 else {
            throw InputError(
                "\(source): expected exactly one of \"gram\", \"gradients\" and \"influence\", found "
                    + (given.isEmpty ? "none" : given.map { "\"\($0)\"" }.joined(separator: ", ")))
        }
        if let gram = fields.gram {
            self.influence = try Self.gramInfluence(gram, source: source)
        } else if let gradients = fields.gradients {
            let rows = gradients.map { $0.map(\.value) }
            self.influence = try InputError.checking(context: source) {
                try GramMatrix(gradients: rows, field: "gradients")
            }.influence
        } else {
            let values = (fields.influence ?? []).map(\.value)
            guard !values.isEmpty else {
                throw InputError("\(source): influence: must have at least one value")
            }
            self.influence = values
        }
        if let rate = fields.lr?.value, rate < 0 {
            throw InputError("\(source): lr: is \(rate); a learning rate must be non-negative")
        }
        self.learningRate = fields.lr?.value
    }

    private static func gramInfluence(_ rows: [[JSONNumber]], source: String) throws(InputError) -> [Double] {
        let rows = rows.map { $0.map(\.value) }
        return try InputError.checking(context: source) { try GramMatrix(rows: rows, field: "gram") }.influence
    }
}
