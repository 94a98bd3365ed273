import ArgumentParser

/// `rwctl runs`: inspect and manage the runs of a running `rw-server`, over its gRPC API.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "Inspect and manage the runs of a running rw-server (over gRPC).",
        discussion: """
            Every subcommand takes --server host:port (RW_SERVER; default 127.0.0.1:50051), --token (RW_TOKEN), \
            --tenant for an admin token (RW_TENANT), --tls-ca (RW_TLS_CA; with --tls-client-cert and --tls-client-key \
            for mutual TLS), \
            --timeout seconds and --output table|json|csv (table on a terminal, json otherwise).
            Exit status: 0 on success, 1 when the server answers with an error (the message shows the gRPC \
            status and the field), 2 on bad usage or bad input, 3 when the server cannot be reached.
            """,
        subcommands: [
            RunsListCommand.self, RunsShowCommand.self, RunsCreateCommand.self, RunsFrontCommand.self,
            RunsIndicatorsCommand.self,
            RunsWatchCommand.self,
            RunsExportCommand.self, RunsImportCommand.self, RunsReplayCommand.self, RunsSimulateCommand.self,
            RunsResumeCommand.self, RunsArchiveCommand.self,
        ])
}
