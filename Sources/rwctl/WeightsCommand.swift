import ArgumentParser

/// `rwctl weights`: tools for the gradient-based objective weights.
struct WeightsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Work with the gradient-based (mirror-descent) objective weights.",
        subcommands: [SimulateCommand.self])
}
