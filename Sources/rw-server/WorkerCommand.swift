import ArgumentParser
import Foundation
import Logging
import RewardWeightingServer
import RewardWeightingWorker

/// `rw-server worker --socket PATH`: the companion kernel worker (`worker.proto`), serving the kernels on a Unix
/// domain socket until SIGTERM or SIGINT. The same executable as the server, so that building `rw-server`
/// builds the worker too; a server started with `--kernels unix:PATH` calls it.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the companion kernel worker on a Unix domain socket (rw-server --kernels unix:PATH uses it).",
        discussion: """
            Prints "ready" on standard output once it listens. Stateless; each request carries its inputs. With \
            --parent-pid it stops when that process dies.
            """)

    @Option(help: "The Unix domain socket to listen on (an existing file there is replaced).")
    var socket: String?

    @Option(help: "Or a TCP address to listen on, HOST:PORT (port 0: ephemeral, printed after \"ready\").")
    var listen: String?

    @Option(help: "Stop when this process (the server that spawned the worker) is no longer the parent.")
    var parentPID: Int32?

    @Option(help: "The most values (points × K, or K × D) one request may carry; larger is RESOURCE_EXHAUSTED.")
    var maxValues: Int = KernelWorkerService.defaultMaximumValues

    @Option(help: "trace, debug, info, notice, warning, error or critical (logs go to standard error).")
    var logLevel: String = "info"

    mutating func validate() throws {
        guard (self.socket == nil) != (self.listen == nil) else {
            throw ValidationError("--socket or --listen: give exactly one")
        }
        if let listen = self.listen, KernelPlacement.Endpoint(parsing: listen, allowedPorts: 0...65535) == nil {
            throw ValidationError("--listen: '\(listen)' is not HOST:PORT")
        }
        guard Logger.Level(rawValue: self.logLevel) != nil else {
            throw ValidationError("--log-level: '\(self.logLevel)' is not a log level")
        }
        guard self.maxValues >= 1 else { throw ValidationError("--max-values: must be at least 1") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: self.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let address: KernelWorkerProcess.Address
        if let listen = self.listen, let endpoint = KernelPlacement.Endpoint(parsing: listen, allowedPorts: 0...65535) {
            address = .tcp(host: endpoint.host, port: endpoint.port)
        } else {
            address = .unixSocket(path: self.socket ?? "")
        }
        try await KernelWorkerProcess.serve(
            address: address, parentPID: self.parentPID, maximumValues: self.maxValues,
            logger: Logger(label: "rw-worker"))
    }
}
