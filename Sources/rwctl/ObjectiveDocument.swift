import RewardWeightingCore

/// The JSON input of `hypervolume` and `front`:
///
///     {"reference": [r_1, …, r_K], "points": [[p_11, …, p_1K], …], "maximize": true | false | [bool, …],
///      "objectives": ["name_1", …, "name_K"]}
///
/// `points` is required. `reference` is required by `hypervolume` only. `maximize` defaults to `true`; one
/// boolean applies to every objective. `objectives` is optional documentation, checked to have K names. A key
/// given as `null` counts as absent.
struct ObjectiveDocument {
    /// The points' rows, as written.
    var rows: [[Double]]
    /// The reference point, when given.
    var reference: [Double]?
    /// The directions from `maximize`.
    var directions: ObjectiveInput.Directions
    /// How many names `objectives` lists, when given.
    var nameCount: Int?

    private struct Fields: JSONFields {
        enum CodingKeys: String, CodingKey, CaseIterable {
            case points, reference, maximize, objectives
        }
        static let keys = CodingKeys.allCases.map(\.rawValue)

        var points: [[JSONNumber]]?
        var reference: [JSONNumber]?
        var maximize: Maximize?
        var objectives: [String]?
    }

    /// `"maximize"`: one boolean for every objective, or one per objective.
    private enum Maximize: Decodable {
        case all(Bool)
        case each([Bool])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let maximize = try? container.decode(Bool.self) {
                self = .all(maximize)
                return
            }
            do {
                self = .each(try container.decode([Bool].self))
            } catch DecodingError.typeMismatch(_, let context)
                where context.codingPath.count == decoder.codingPath.count
            {
                // Neither a boolean nor an array (an entry of the wrong kind is reported with its index).
                let found = JSONInput.found(context).map { ", \($0)" } ?? ""
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected true, false or an array of booleans\(found)")
            }
        }
    }

    /// Decodes a document.
    /// - Parameter source: how messages name the input, e.g. the file name.
    init(parsing bytes: [UInt8], source: String) throws(InputError) {
        let fields = try JSONInput.decode(StrictObject<Fields>.self, from: bytes, source: source).fields
        guard let points = fields.points else {
            throw InputError("points: missing; expected \"points\": [[...], ...] (one array of K numbers per point)")
        }
        self.rows = points.map { $0.map(\.value) }
        self.reference = fields.reference?.map(\.value)
        switch fields.maximize {
        case nil: self.directions = .all(.maximize)
        case .all(let maximize)?: self.directions = .all(maximize ? .maximize : .minimize)
        case .each(let list)?: self.directions = .each(list.map { $0 ? .maximize : .minimize }, field: "maximize")
        }
        self.nameCount = fields.objectives?.count
    }
}
