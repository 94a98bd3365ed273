import RewardWeightingCore

/// Points, an optional reference point and the objective directions, validated by the core: what
/// `hypervolume` and `front` compute on, whichever format they were read from.
struct ObjectiveInput {
    /// How the directions were given.
    enum Directions {
        /// The same direction for every objective.
        case all(ObjectiveDirection)
        /// One direction per objective; `field` names the input in messages (`maximize`, `--directions`).
        case each([ObjectiveDirection], field: String)
    }

    /// The points in their original coordinates, or `nil` when there are none and nothing tells K.
    let points: ObjectiveMatrix?
    /// The reference point in its original coordinates, when one was given.
    let reference: ObjectiveVector?
    /// The objectives' directions, or `nil` when K is unknown (no points and no reference).
    let space: ObjectiveSpace?

    /// Validates the input.
    ///
    /// K is the reference point's length when there is one, so every row is checked against it; but when all
    /// rows agree with each other and only the reference differs, the reference is reported as the odd one.
    ///
    /// - Parameters:
    ///   - names: the objectives' names and where they came from, when the input names them.
    ///   - note: a hint appended to a core error's message (e.g. the CSV line of the offending row).
    init(
        rows: [[Double]], reference: [Double]?, directions: Directions, names: (field: String, count: Int)? = nil,
        note: (ValidationError) -> String? = { _ in nil }
    ) throws(InputError) {
        let rowDimension = rows.first?.count
        let dimension: Int?
        if let reference, let rowDimension, reference.count != rowDimension,
            rows.allSatisfy({ $0.count == rowDimension })
        {
            dimension = rowDimension
        } else {
            dimension = reference?.count ?? rowDimension
        }
        guard let dimension else {
            self.points = nil
            self.reference = nil
            self.space = nil
            return
        }

        do throws(ValidationError) {
            self.points = try ObjectiveMatrix(rows: rows, dimension: dimension, field: "points")
        } catch {
            throw InputError(error, note: note(error))
        }

        let space: ObjectiveSpace
        switch directions {
        case .all(let direction):
            space = try InputError.checking {
                try ObjectiveSpace(directions: Array(repeating: direction, count: dimension))
            }
        case .each(let list, let field):
            guard list.count == dimension else {
                let entries = list.count == 1 ? "1 entry" : "\(list.count) entries"
                throw InputError("\(field): has \(entries), expected K = \(dimension) (one per objective)")
            }
            space = try InputError.checking { try ObjectiveSpace(directions: list) }
        }
        self.space = space

        if let reference {
            do throws(ValidationError) {
                let vector = try ObjectiveVector(reference, field: "reference")
                // Checks the reference's K against the space's.
                _ = try space.toMaximization(vector)
                self.reference = vector
            } catch {
                throw InputError(error, note: note(error))
            }
        } else {
            self.reference = nil
        }

        if let names, names.count != dimension {
            let count = names.count == 1 ? "1 name" : "\(names.count) names"
            throw InputError("\(names.field): has \(count), expected K = \(dimension) (one per objective)")
        }
    }

    /// The points and the reference mapped into the maximisation convention (minimised objectives negated),
    /// as the kernels expect them.
    /// - Throws: ``InputError`` when there is no reference point.
    func maximizationProblem() throws(InputError) -> (points: ObjectiveMatrix, reference: ObjectiveVector) {
        guard let points = self.points, let reference = self.reference, let space = self.space else {
            throw InputError(
                "reference: missing; a hypervolume needs a reference point (\"reference\" in JSON, "
                    + "--reference for CSV)")
        }
        return try InputError.checking {
            (try space.toMaximization(points), try space.toMaximization(reference))
        }
    }

    /// The points mapped into the maximisation convention, or `nil` when there are none and K is unknown.
    func maximizationPoints() throws(InputError) -> ObjectiveMatrix? {
        guard let points = self.points, let space = self.space else { return nil }
        return try InputError.checking { try space.toMaximization(points) }
    }
}
