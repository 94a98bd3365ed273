import RewardWeightingCore

/// The JSON input of `hypervolume` and `front`:
///
///     {"reference": [r_1, …, r_K], "points": [[p_11, …, p_1K], …], "maximize": true | false | [bool, …],
///      "objectives": ["name_1", …, "name_K"]}
///
/// `points` is required. `reference` is required by `hypervolume` only. `maximize` defaults to `true`; one
/// boolean applies to every objective. `objectives` is optional documentation, checked to have K names.
struct ObjectiveDocument {
    /// The keys a document may have.
    static let keys = ["points", "reference", "maximize", "objectives"]

    /// The points' rows, as written.
    var rows: [[Double]]
    /// The reference point, when given.
    var reference: [Double]?
    /// The directions from `maximize`.
    var directions: ObjectiveInput.Directions
    /// How many names `objectives` lists, when given.
    var nameCount: Int?

    /// Decodes a document.
    /// - Parameter source: how messages name the input, e.g. the file name.
    init(parsing bytes: [UInt8], source: String) throws(InputError) {
        let value = try JSONParser.parse(bytes, source: source)
        let members = try value.members(allowed: Self.keys, field: source)

        guard let points = members["points"] else {
            throw InputError("points: missing; expected \"points\": [[...], ...] (one array of K numbers per point)")
        }
        self.rows = try points.numberRows(field: "points")

        switch members["reference"] {
        case nil, .null?: self.reference = nil
        case let reference?: self.reference = try reference.numbers(field: "reference")
        }

        switch members["maximize"] {
        case nil, .null?: self.directions = .all(.maximize)
        case .bool(let maximize)?: self.directions = .all(maximize ? .maximize : .minimize)
        case .array(let entries)?:
            var list: [ObjectiveDirection] = []
            for (index, entry) in entries.enumerated() {
                guard case .bool(let maximize) = entry else {
                    throw InputError("maximize: entry \(index) is \(entry.kind); expected true or false")
                }
                list.append(maximize ? .maximize : .minimize)
            }
            self.directions = .each(list, field: "maximize")
        case let other?:
            throw InputError("maximize: is \(other.kind); expected true, false or an array of booleans")
        }

        switch members["objectives"] {
        case nil, .null?: self.nameCount = nil
        case .array(let names)?:
            if let index = names.firstIndex(where: { if case .string = $0 { false } else { true } }) {
                throw InputError("objectives: entry \(index) is \(names[index].kind); expected a name")
            }
            self.nameCount = names.count
        case let other?:
            throw InputError("objectives: is \(other.kind); expected an array of names")
        }
    }
}
