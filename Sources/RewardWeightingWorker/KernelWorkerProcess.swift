import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import UnixSignals

/// The worker process (`rw-server worker --socket PATH`): serves ``KernelWorkerService`` on a Unix domain
/// socket until SIGTERM or SIGINT (calls in flight finish), and stops when its parent dies: it checks its parent
/// process id every ``parentCheckInterval`` (a SIGKILLed server leaves no orphan worker behind).
public enum KernelWorkerProcess {
    /// The line written to standard output once the socket listens: what a parent waits for.
    public static let readyLine = "ready"
    /// How often the worker checks that its parent is alive: 250 ms.
    public static let parentCheckInterval = Duration.milliseconds(250)

    /// Serves until a shutdown signal.
    /// - Parameters:
    ///   - socketPath: the socket to listen on (an existing file there is replaced).
    ///   - parentPID: the process that spawned this one, if any: the worker stops when its parent process id
    ///     is no longer this one (the parent died and the worker was re-parented), and at once if it already is.
    ///   - maximumValues: the cap on one request's values (``KernelWorkerService/maximumValues``).
    public static func serve(
        socketPath: String, parentPID: Int32? = nil,
        maximumValues: Int = KernelWorkerService.defaultMaximumValues, logger: Logger
    ) async throws {
        if let parentPID {
            guard getppid() == parentPID else {
                logger.notice(
                    "the parent process is gone; the kernel worker exits", metadata: ["parent": "\(parentPID)"])
                return
            }
        }
        try? FileManager.default.removeItem(atPath: socketPath)
        let transport = HTTP2ServerTransport.Posix(
            address: .unixDomainSocket(path: socketPath), transportSecurity: .plaintext,
            config: .defaults { $0.rpc.maxRequestPayloadSize = Int(Int32.max) })
        let server = GRPCServer(transport: transport, services: [KernelWorkerService(maximumValues: maximumValues)])
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            group.addTask {
                _ = try await transport.listeningAddress
                logger.info("kernel worker listening", metadata: ["socket": "\(socketPath)"])
                FileHandle.standardOutput.write(Data((Self.readyLine + "\n").utf8))
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
        try? FileManager.default.removeItem(atPath: socketPath)
    }
}
