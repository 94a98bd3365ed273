import ArgumentParser
import RewardWeightingCore

/// `rwctl hypervolume FILE [--contributions]`: the exact hypervolume of a set of points, and optionally each
/// point's exclusive contribution, printed as one JSON object on one line.
struct HypervolumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hypervolume",
        abstract: "Compute the exact hypervolume of a set of points.",
        discussion: """
            Input is JSON, {"reference": [r1, ..., rK], "points": [[p11, ..., p1K], ...], "maximize": true | \
            false | [true, false, ...], "objectives": ["name1", ...]} ("maximize" defaults to true; "objectives" \
            is optional), or CSV with one point per line and an optional header, when --reference is given \
            (directions then come from --maximize, --minimize or --directions). FILE '-' reads standard input. \
            Minimised objectives are negated, in the points and in the reference point, before the hypervolume \
            is computed.

            Output is one JSON object on one line: {"hypervolume": x}, or with --contributions \
            {"hypervolume": x, "contributions": [c1, ..., cn]}, one exclusive contribution per point in input \
            order. Numbers are printed in their shortest form that reads back exactly. An empty point set has \
            hypervolume 0.

            Exit status: 0 on success, 2 on bad input (the message on standard error names the field, row and \
            column).
            """)

    @OptionGroup var input: ObjectiveInputOptions

    @Flag(help: "Also print each point's exclusive hypervolume contribution, in input order.")
    var contributions = false

    func run() async throws {
        let problem = try self.input.load(requireReference: true).maximizationProblem()
        let volume = try InputError.checking {
            try Hypervolume.volume(of: problem.points, reference: problem.reference)
        }
        try InputError.requireFinite([volume], field: "hypervolume")
        var members = [("hypervolume", JSONText.number(volume))]
        if self.contributions {
            let values = try InputError.checking {
                try Hypervolume.contributions(of: problem.points, reference: problem.reference)
            }
            try InputError.requireFinite(values, field: "contributions")
            members.append(("contributions", JSONText.array(values)))
        }
        print(JSONText.object(members))
    }
}
