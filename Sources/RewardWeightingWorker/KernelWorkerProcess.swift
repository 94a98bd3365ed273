import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import UnixSignals

/// The worker process (`rw-server worker --socket PATH`, or `--listen HOST:PORT`): serves ``KernelWorkerService``
/// on a Unix domain socket or TCP until SIGTERM or SIGINT (calls in flight finish), and stops when its parent dies: it checks its parent
/// process id every ``parentCheckInterval`` (a SIGKILLed server leaves no orphan worker behind).
public enum KernelWorkerProcess {
    /// The line written to standard output once the worker listens (followed by the port for TCP): what a
    /// parent waits for.
    public static let readyLine = "ready"
    /// How often the worker checks that its parent is alive: 250 ms.
    public static let parentCheckInterval = Duration.milliseconds(250)

    /// Where a worker listens.
    public enum Address: Sendable {
        /// A Unix domain socket (an existing file there is replaced).
        case unixSocket(path: String)
        /// A TCP address (IPv4 or IPv6 host, port; 0 for an ephemeral one, announced in the ready line).
        case tcp(host: String, port: Int)
    }

    /// Serves until a shutdown signal.
    /// - Parameters:
    ///   - address: where to listen.
    ///   - parentPID: the process that spawned this one, if any: the worker stops when its parent process id
    ///     is no longer this one (the parent died and the worker was re-parented), and at once if it already is.
    ///   - maximumValues: the cap on one request's values (``KernelWorkerService/maximumValues``).
    public static func serve(
        address: Address, parentPID: Int32? = nil,
        maximumValues: Int = KernelWorkerService.defaultMaximumValues, logger: Logger
    ) async throws {
        if let parentPID {
            guard getppid() == parentPID else {
                logger.notice(
                    "the parent process is gone; the kernel worker exits", metadata: ["parent": "\(parentPID)"])
                return
            }
        }
        let socketAddress: GRPCNIOTransportHTTP2Posix.SocketAddress
        switch address {
        case .unixSocket(let path):
            try? FileManager.default.removeItem(atPath: path)
            socketAddress = .unixDomainSocket(path: path)
        case .tcp(let host, let port):
            socketAddress = host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port)
        }
        let transport = HTTP2ServerTransport.Posix(
            address: socketAddress, transportSecurity: .plaintext,
            config: WorkerTransport.serverConfig)
        let server = GRPCServer(
            transport: ScheduledDeadlineTransport(wrapping: transport),
            services: [KernelWorkerService(maximumValues: maximumValues, logger: logger)])
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            group.addTask {
                let bound = try await transport.listeningAddress
                logger.info("kernel worker listening", metadata: ["address": "\(bound)"])
                // "ready", and for TCP the bound port: "ready 50061".
                let port = bound.ipv4?.port ?? bound.ipv6?.port
                // A parent that died while the worker started has closed the pipe: the write fails (EPIPE), and
                // the worker, whom nobody waits for, stops.
                do {
                    try FileHandle.standardOutput.write(
                        contentsOf: Data((Self.readyLine + (port.map { " \($0)" } ?? "") + "\n").utf8))
                } catch {
                    logger.notice(
                        "nobody reads the ready line; the kernel worker stops", metadata: ["error": "\(error)"])
                    server.beginGracefulShutdown()
                }
            }
            if let parentPID {
                group.addTask {
                    while getppid() == parentPID { try await Task.sleep(for: Self.parentCheckInterval) }
                    logger.notice(
                        "the parent process died; the kernel worker stops", metadata: ["parent": "\(parentPID)"])
                }
            }
            group.addTask {
                for await signal in signals {
                    logger.info("kernel worker shutting down", metadata: ["signal": "\(signal)"])
                    server.beginGracefulShutdown()
                    return
                }
            }
            // The ready announcement finishes first; then a signal, the parent's death or the server's end.
            try await group.next()
            try await group.next()
            server.beginGracefulShutdown()
            group.cancelAll()
        }
        if case .unixSocket(let path) = address { try? FileManager.default.removeItem(atPath: path) }
    }
}
