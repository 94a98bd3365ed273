import RewardWeightingCore

/// The front quality indicators `rwctl indicators FILE` and `rwctl runs indicators ID` print: of the
/// non-dominated points of a set, in the maximisation convention, as morl-baselines reports them.
enum FrontIndicators {
    /// `cardinality`, `sparsity`, `expected_utility` and `weights`, then `igd` and `igd_plus` when a reference
    /// front is given, as JSON members in that order.
    /// - Parameters:
    ///   - points: the points in the maximisation convention (at least one).
    ///   - referenceFront: the reference front in the maximisation convention, or `nil`.
    ///   - divisions: H of EUM's simplex lattice, ≥ 1.
    /// - Throws: ``InputError`` for a dimension mismatch or non-finite results.
    static func members(
        of points: ObjectiveMatrix, referenceFront: ObjectiveMatrix?, divisions: Int
    ) throws(InputError) -> [(String, String)] {
        let front = points.selecting(rows: ParetoFront.nondominatedIndices(of: points))
        let weights = ExpectedUtility.simplexLattice(dimension: front.dimension, divisions: divisions)
        var members: [(String, String)] = [
            ("cardinality", "\(front.count)"),
            ("sparsity", JSONText.number(Sparsity.of(front))),
            (
                "expected_utility",
                JSONText.number(try InputError.checking { try ExpectedUtility.of(front, weights: weights) })
            ),
            ("weights", "\(weights.count)"),
        ]
        if let reference = referenceFront {
            members += [
                (
                    "igd",
                    JSONText.number(
                        try InputError.checking { try GenerationalDistance.inverted(of: front, reference: reference) })
                ),
                (
                    "igd_plus",
                    JSONText.number(
                        try InputError.checking {
                            try GenerationalDistance.invertedPlus(of: front, reference: reference)
                        })
                ),
            ]
        }
        return members
    }

    /// A reference front read from `path` (a CSV table, or a JSON list of points under `"points"`) in the
    /// coordinates and directions of `space`, turned into the maximisation convention.
    /// - Throws: ``InputError`` naming `--reference-front`.
    static func loadReferenceFront(_ path: String, space: ObjectiveSpace) throws(InputError) -> ObjectiveMatrix {
        let source = InputSource(path: path, label: "--reference-front")
        let bytes = try source.readAll()
        let first = bytes.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
        let rows: [[Double]]
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            rows = try ObjectiveDocument(parsing: bytes, source: source.name).rows
        } else {
            rows = try CSVPoints(parsing: bytes, source: source.name).rows
        }
        return try InputError.checking {
            let matrix = try ObjectiveMatrix(rows: rows, dimension: space.dimension, field: "reference_front")
            return try space.toMaximization(matrix)
        }
    }
}
