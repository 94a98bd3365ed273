import ArgumentParser

/// The options of `rwctl indicators` and `rwctl runs indicators`: the reference front of IGD and IGD+, and the
/// lattice of EUM's weights.
struct FrontIndicatorOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A reference front (CSV or JSON points, in the coordinates and directions of the points) for IGD and "
                + "IGD+.",
            valueName: "file"))
    var referenceFront: String?

    @Option(help: ArgumentHelp("H, the divisions of the simplex lattice of EUM's weights (≥ 1).", valueName: "H"))
    var divisions = 10

    func validate() throws {
        guard self.divisions >= 1 else {
            throw ValidationError("--divisions: is \(self.divisions); it must be at least 1")
        }
    }
}
