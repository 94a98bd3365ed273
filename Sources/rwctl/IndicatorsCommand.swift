import ArgumentParser
import RewardWeightingCore

/// `rwctl indicators FILE`: the front quality indicators of a point set, printed as one JSON object on one line.
struct IndicatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators",
        abstract: "Front quality indicators of a set of points: cardinality, sparsity, EUM, and IGD/IGD+.",
        discussion: """
            Input is the same as for 'front' (JSON or CSV, with the objectives' directions). The indicators \
            are taken, as morl-baselines reports them, of the non-dominated points of the input, in the \
            maximisation convention (minimised objectives negated):

              cardinality       the number of non-dominated points
              sparsity          PGMORL's: Σ over objectives of the squared gaps between sorted values, / (n − 1)
              expected_utility  EUM: the mean over the weights of the simplex lattice with --divisions H of \
            the best weighted sum (w·p)
              igd, igd_plus     with --reference-front FILE: the mean distance from each reference point to \
            the nearest point (IGD+: counting only where the point is worse)

            The reference front is read like the input (a CSV table or a JSON list of points under "points") \
            in the input's coordinates and directions.

            Output: {"cardinality": n, "sparsity": s, "expected_utility": u, "weights": W, \
            "igd": d, "igd_plus": d+} (the last two only with a reference front).

            Exit status: 0 on success, 2 on bad input.
            """)

    @OptionGroup var input: ObjectiveInputOptions

    @OptionGroup var indicators: FrontIndicatorOptions

    func run() async throws {
        let input = try self.input.load(requireReference: false)
        guard let points = try input.maximizationPoints(), !points.isEmpty, let space = input.space else {
            throw InputError("points: the input holds no points")
        }
        let reference = try self.indicators.referenceFront.map { path throws(InputError) in
            try FrontIndicators.loadReferenceFront(path, space: space)
        }
        let members = try FrontIndicators.members(
            of: points, referenceFront: reference, divisions: self.indicators.divisions)
        print(JSONText.object(members))
    }
}
