import ArgumentParser
import Configuration
import Foundation
import Logging
import RewardWeightingServer

/// `rw-server`: serves the RewardWeighting gRPC API until SIGTERM or SIGINT.
///
/// Its configuration is read with swift-configuration (``ServerConfigurationReader``): each flag, else its
/// `RW_*` environment variable, else the JSON file of `--config`, else the default (design §7: gRPC on
/// 127.0.0.1:50051, SQLite under `./data`, kernels in a spawned worker, no auth). `docs/configuration.md` lists every key.
@main
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rw-server",
        abstract: "Serve the RewardWeighting gRPC API (TrainerService) over HTTP/2, and its HTTP/JSON read API.",
        discussion: """
            `rw-server [options]` is `rw-server serve [options]`: each setting comes from its flag, else its \
            environment variable, else the --config JSON file, else its default (docs/configuration.md):
            \(ServerConfigurationKey.all.map { "  \($0.flag)  \($0.variable)  \($0.defaultValue)" }.joined(separator: "\n"))
            SIGTERM or SIGINT shut the server down gracefully: calls in flight finish, then it exits.
            Without --auth-tokens the server is open and binds loopback addresses only (docs/security.md).
            SIGHUP reloads the --auth-tokens file and the TLS certificate and key.
            `rw-server worker --socket PATH` runs the companion kernel worker instead (see --kernels).
            """,
        subcommands: [ServeCommand.self, WorkerCommand.self],
        defaultSubcommand: ServeCommand.self)
}

/// `rw-server serve` (the default subcommand): the server itself.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the gRPC API and the HTTP/JSON read API (the default subcommand).")

    @Option(help: "The address to bind, IPv4 or IPv6 (RW_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "The TCP port; 0 binds an ephemeral port (RW_PORT; default 50051).")
    var port: Int?

    @Option(help: "The address the HTTP/JSON API binds (RW_HTTP_HOST; default 127.0.0.1).")
    var httpHost: String?

    @Option(help: "The HTTP port; 0 binds an ephemeral port (RW_HTTP_PORT; default 8080).")
    var httpPort: Int?

    @Option(help: "A file to write the bound HTTP port to once listening (RW_HTTP_PORT_FILE).")
    var httpPortFile: String?

    @Option(
        help: """
            Chart.js for the dashboard at / (RW_DASHBOARD_CHART_JS; default \(ServerConfigurationKey.dashboardChartJs.defaultValue), \
            from Debian's libjs-chart.js); without it the dashboard shows tables.
            """)
    var dashboardChartJs: String?

    @Option(
        help: "Where the kernels run: spawn, in-process, or unix:PATH for a kernel worker (RW_KERNELS; default spawn).")
    var kernels: String?

    @Option(help: "none or in-process: what a call does when no kernel worker is reachable (RW_KERNELS_FALLBACK).")
    var kernelsFallback: String?

    @Option(help: "The SQLite database file (RW_DATABASE; default ./data/rewardweighting.sqlite).")
    var database: String?

    @Option(
        help: """
            A PostgreSQL database instead of SQLite, postgres://USER:PASSWORD@HOST:PORT/DATABASE (RW_DATABASE_URL); \
            any number of servers may share it.
            """)
    var databaseUrl: String?

    @Option(
        help: """
            A YAML or JSON file of accepted bearer tokens (SHA-256 hashes, each with a tenant and a role), \
            reloaded on SIGHUP (RW_AUTH_TOKENS); without it the server is open and binds loopback only.
            """)
    var authTokens: String?

    @Flag(help: "Let a server without --auth-tokens bind a non-loopback address (RW_INSECURE_NO_AUTH=1).")
    var insecureNoAuth = false

    @Option(help: "A PEM certificate chain: gRPC and HTTP take TLS only (RW_TLS_CERT; with --tls-key).")
    var tlsCert: String?

    @Option(help: "The PEM private key of --tls-cert (RW_TLS_KEY).")
    var tlsKey: String?

    @Option(help: "PEM CAs of accepted client certificates: mutual TLS (RW_TLS_CLIENT_CA).")
    var tlsClientCa: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (RW_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(help: "The largest request message accepted, in bytes (RW_MAX_MESSAGE_BYTES; default 16 MiB).")
    var maxMessageBytes: Int?

    @Option(help: "The most objectives a run may have (RW_MAX_OBJECTIVES; default 16).")
    var maxObjectives: Int?

    @Option(help: "The most reward values (N×K) in one Scalarize call (RW_MAX_BATCH_VALUES; default 2097152).")
    var maxBatchValues: Int?

    @Option(help: "The most points of a run's Pareto buffer (RW_MAX_BUFFER_SIZE; default 4096).")
    var maxBufferSize: Int?

    @Option(help: "The most runs of one tenant (RW_MAX_RUNS_PER_TENANT; default 10000).")
    var maxRunsPerTenant: Int?

    @Option(help: "Calls a second per tenant, 0 for no limit (RW_TENANT_REQUEST_RATE; default 10000).")
    var tenantRequestRate: Int?

    @Option(help: "The most calls a tenant may make at once (RW_TENANT_REQUEST_BURST; default 20000).")
    var tenantRequestBurst: Int?

    @Option(
        help: """
            Seconds after which a run that no call uses and no stream watches leaves memory, loaded again on its \
            next call; 0 keeps every run (RW_RUN_IDLE_TIMEOUT; default 600).
            """)
    var runIdleTimeout: Int?

    @Option(help: "A file to write the bound port to once listening (RW_PORT_FILE).")
    var portFile: String?

    @Option(help: "A JSON file of configuration keys, below flags and environment variables (RW_CONFIG).")
    var config: String?

    @Flag(
        help: """
            Also serve the benchmark-only BenchmarkService (an Echo RPC with Scalarize's messages), for \
            Benchmarks/load-test.sh (RW_ENABLE_BENCHMARK_SERVICE=1).
            """)
    var enableBenchmarkService = false

    func run() async throws {
        var flags: [ServerConfigurationKey: ConfigContent] = [:]
        if let host { flags[.host] = .string(host) }
        if let port { flags[.port] = .int(port) }
        if let httpHost { flags[.httpHost] = .string(httpHost) }
        if let httpPort { flags[.httpPort] = .int(httpPort) }
        if let httpPortFile { flags[.httpPortFile] = .string(httpPortFile) }
        if let dashboardChartJs { flags[.dashboardChartJs] = .string(dashboardChartJs) }
        if let kernels { flags[.kernels] = .string(kernels) }
        if let kernelsFallback { flags[.kernelsFallback] = .string(kernelsFallback) }
        if let database { flags[.database] = .string(database) }
        if let databaseUrl { flags[.databaseUrl] = .string(databaseUrl) }
        if let authTokens { flags[.authTokens] = .string(authTokens) }
        if self.insecureNoAuth { flags[.insecureNoAuth] = .bool(true) }
        if let tlsCert { flags[.tlsCert] = .string(tlsCert) }
        if let tlsKey { flags[.tlsKey] = .string(tlsKey) }
        if let tlsClientCa { flags[.tlsClientCa] = .string(tlsClientCa) }
        if let logLevel { flags[.logLevel] = .string(logLevel) }
        if let maxMessageBytes { flags[.maxMessageBytes] = .int(maxMessageBytes) }
        if let maxObjectives { flags[.maxObjectives] = .int(maxObjectives) }
        if let maxBatchValues { flags[.maxBatchValues] = .int(maxBatchValues) }
        if let maxBufferSize { flags[.maxBufferSize] = .int(maxBufferSize) }
        if let maxRunsPerTenant { flags[.maxRunsPerTenant] = .int(maxRunsPerTenant) }
        if let tenantRequestRate { flags[.tenantRequestRate] = .int(tenantRequestRate) }
        if let tenantRequestBurst { flags[.tenantRequestBurst] = .int(tenantRequestBurst) }
        if let runIdleTimeout { flags[.runIdleTimeout] = .int(runIdleTimeout) }
        if let portFile { flags[.portFile] = .string(portFile) }
        if let config { flags[.config] = .string(config) }
        // The flag can only turn the service on; without it, the environment or the file decides.
        if self.enableBenchmarkService { flags[.enableBenchmarkService] = .bool(true) }

        var configuration: RewardWeightingServer.Configuration
        do {
            let reader = try await ServerConfigurationReader.make(
                flags: flags, environment: ProcessInfo.processInfo.environment)
            configuration = try RewardWeightingServer.Configuration(reading: reader)
        } catch let error as ConfigurationError {
            throw ValidationError("\(error)")
        }
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]

        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let server = try RewardWeightingServer(configuration: configuration, logger: Logger(label: "rw-server"))
        try await server.run()
    }
}
