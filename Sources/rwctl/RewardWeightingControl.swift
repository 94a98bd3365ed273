import ArgumentParser
import RewardWeightingCore

@main
struct RewardWeightingControl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rwctl", abstract: "RewardWeighting command-line tool")
}
