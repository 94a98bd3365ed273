import ArgumentParser
import RewardWeightingCore

/// `rwctl front FILE`: the non-dominated subset of a set of points, printed as one JSON object on one line.
struct FrontCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "front",
        abstract: "Select the non-dominated points (the Pareto front).",
        discussion: """
            Input is the same as for 'hypervolume' (JSON or CSV); the reference point is optional and only \
            validated. Minimised objectives are negated before dominance is decided. Of several equal \
            non-dominated points only the first is kept.

            Output is one JSON object on one line: {"indices": [i, ...], "points": [[...], ...]}, the kept \
            points' 0-based input indices in increasing order and their coordinates as given (not negated).

            Exit status: 0 on success, 2 on bad input.
            """)

    @OptionGroup var input: ObjectiveInputOptions

    func run() async throws {
        let input = try self.input.load(requireReference: false)
        var indices: [Int] = []
        var rows: [[Double]] = []
        if let points = input.points, let mapped = try input.maximizationPoints() {
            indices = ParetoFront.nondominatedIndices(of: mapped)
            rows = indices.map { points.row($0) }
        }
        print(JSONText.object([("indices", JSONText.array(indices)), ("points", JSONText.rows(rows))]))
    }
}
