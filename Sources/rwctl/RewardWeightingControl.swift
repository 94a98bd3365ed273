import ArgumentParser
import Foundation

/// `rwctl`: the RewardWeighting command-line tool. It parses input and formats output: the kernels on files are
/// the core's (`RewardWeightingCore`), and `rwctl runs …` asks a running `rw-server` over gRPC.
@main
struct RewardWeightingControl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rwctl",
        abstract:
            "RewardWeighting command-line tool: runs on a server; hypervolumes, Pareto fronts and weights on files.",
        discussion: """
            Exit status: 0 on success, 1 when the server answers with an error, 2 on bad input or bad usage, 3 \
            when the server cannot be reached (the message is on standard error).
            """,
        subcommands: [
            RunsCommand.self, TokensCommand.self, HypervolumeCommand.self, FrontCommand.self, IndicatorsCommand.self,
            WeightsCommand.self,
        ])

    /// Runs the command, mapping every input and usage error to exit status 2 with its message on standard
    /// error (ArgumentParser alone would exit with 64 for usage errors and 1 for others).
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as InputError {
            Self.printError("Error: \(error.message)")
            Self.exit(withError: ExitCode(InputError.exitStatus))
        } catch let error as ServerError {
            Self.printError("Error: \(error.message)")
            Self.exit(withError: ExitCode(error.exitStatus))
        } catch {
            if Self.exitCode(for: error) == .validationFailure {
                Self.printError(Self.fullMessage(for: error))
                Self.exit(withError: ExitCode(InputError.exitStatus))
            }
            Self.exit(withError: error)
        }
    }

    private static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    }
}
