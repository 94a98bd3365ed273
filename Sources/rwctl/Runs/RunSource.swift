import ArgumentParser
import Foundation
import GRPCCore
import RewardWeightingAPI
import RewardWeightingPolicy
import RewardWeightingServer

/// A run for `replay` and `simulate`: an export file (when the argument names a file) or a run on the server.
enum RunSource {
    /// The export of `argument`: the file, if one exists at that path, else the server's run of that id.
    static func export(_ argument: String, server: ServerOptions) async throws -> RunExport {
        if FileManager.default.fileExists(atPath: argument) { return try RunExport.read(file: argument) }
        return try await ServerConnection.with(server) { connection in
            try await RunExport.read(runID: argument, from: connection)
        }
    }

    /// The run's configuration as the policy reads it.
    /// - Throws: ``InputError`` naming the configuration's field.
    static func config(of export: RunExport) throws(InputError) -> RunConfig {
        try Self.config(of: export.run)
    }

    /// A run's configuration, read from the server, as the policy reads it.
    /// - Throws: ``InputError`` naming the configuration's field.
    static func config(of run: Rewardweighting_V1_Run) throws(InputError) -> RunConfig {
        do {
            return try LoggedEventMapping.runConfig(run)
        } catch {
            throw InputError("run \(run.runID): config: \(error.message)")
        }
    }
}
