import ArgumentParser
import Foundation
import Logging
import RewardWeightingServer

/// `rw-server`: serves the RewardWeighting gRPC API until SIGTERM or SIGINT.
///
/// Every flag has an environment variable that is used when the flag is absent, and a default that is used when
/// both are (design §7: gRPC on 127.0.0.1:50051, SQLite under `./data`, in-process kernels, no auth).
@main
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rw-server",
        abstract: "Serve the RewardWeighting gRPC API (TrainerService) over HTTP/2.",
        discussion: """
            Each option falls back to its environment variable, then to its default:
              --host               RW_HOST               127.0.0.1
              --port               RW_PORT               50051 (0: an ephemeral port)
              --database           RW_DATABASE           ./data/rewardweighting.sqlite
              --log-level          RW_LOG_LEVEL          info
              --max-message-bytes  RW_MAX_MESSAGE_BYTES  16777216
              --port-file          RW_PORT_FILE          (none)
              --enable-benchmark-service
                                   RW_ENABLE_BENCHMARK_SERVICE
                                                         off (1, true, yes or on: on)
            SIGTERM or SIGINT shut the server down gracefully: calls in flight finish, then it exits.
            There is no authentication yet: keep the host a loopback address.
            """)

    @Option(help: "The address to bind, IPv4 or IPv6 (RW_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "The TCP port; 0 binds an ephemeral port (RW_PORT; default 50051).")
    var port: Int?

    @Option(help: "The SQLite database file (RW_DATABASE; default ./data/rewardweighting.sqlite).")
    var database: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (RW_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(help: "The largest request message accepted, in bytes (RW_MAX_MESSAGE_BYTES; default 16 MiB).")
    var maxMessageBytes: Int?

    @Option(help: "A file to write the bound port to once listening (RW_PORT_FILE).")
    var portFile: String?

    @Flag(
        help: """
            Also serve the benchmark-only BenchmarkService (an Echo RPC with Scalarize's messages), for \
            Benchmarks/load-test.sh (RW_ENABLE_BENCHMARK_SERVICE=1).
            """)
    var enableBenchmarkService = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let levelName = self.logLevel ?? environment["RW_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("log-level: '\(levelName)' is not one of \(names)")
        }
        let port = try Self.setting(self.port, "RW_PORT", environment, default: 50051) { Int($0) }
        guard (0...65535).contains(port) else {
            throw ValidationError("port: is \(port); expected 0 to 65535")
        }
        let maxMessageBytes = try Self.setting(
            self.maxMessageBytes, "RW_MAX_MESSAGE_BYTES", environment,
            default: RewardWeightingServer.Configuration.defaultMaxReceiveMessageBytes
        ) { Int($0) }
        guard maxMessageBytes >= 1 else {
            throw ValidationError("max-message-bytes: is \(maxMessageBytes); it must be at least 1")
        }
        // The flag can only turn the service on; without it, the environment decides.
        let enableBenchmarkService = try Self.setting(
            self.enableBenchmarkService ? true : nil, "RW_ENABLE_BENCHMARK_SERVICE", environment, default: false
        ) { Self.bool($0) }
        let configuration = RewardWeightingServer.Configuration(
            host: self.host ?? environment["RW_HOST"] ?? "127.0.0.1",
            port: port,
            databasePath: self.database ?? environment["RW_DATABASE"] ?? "./data/rewardweighting.sqlite",
            maxReceiveMessageBytes: maxMessageBytes,
            portFile: self.portFile ?? environment["RW_PORT_FILE"],
            gracefulShutdownSignals: [.sigterm, .sigint],
            enableBenchmarkService: enableBenchmarkService)

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let server = try RewardWeightingServer(configuration: configuration, logger: Logger(label: "rw-server"))
        try await server.run()
    }

    /// `1`, `true`, `yes` or `on` → true; `0`, `false`, `no`, `off` or empty → false; otherwise `nil`.
    private static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off", "": false
        default: nil
        }
    }

    /// The flag's value, else the environment variable's (parsed), else `fallback`.
    private static func setting<Value>(
        _ flag: Value?, _ variable: String, _ environment: [String: String], default fallback: Value,
        parse: (String) -> Value?
    ) throws -> Value {
        if let flag { return flag }
        guard let text = environment[variable] else { return fallback }
        guard let value = parse(text) else {
            throw ValidationError("\(variable): '\(text)' is not a valid value")
        }
        return value
    }
}
