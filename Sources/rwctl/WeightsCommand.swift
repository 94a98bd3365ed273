import ArgumentParser

/// `rwctl weights`: tools for the gradient-based objective weights.
struct WeightsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Work with the gradient-based objective weights (mirror descent and the Gramian updates).",
        subcommands: [SimulateCommand.self, WeightsCompareCommand.self])
}
