import GRPCCore
import ServiceLifecycle

/// A `GRPCServer` as a swift-service-lifecycle `Service`: it serves until the group shuts down gracefully,
/// then stops accepting calls and returns once the calls in flight have finished.
///
/// grpc-swift-extras (which ships `GRPCServiceLifecycle`) is not available here, so this is its ten-line
/// equivalent.
public struct GRPCServerService<Transport: ServerTransport>: Service {
    /// The server to run.
    public let server: GRPCServer<Transport>

    /// Wraps `server`.
    public init(server: GRPCServer<Transport>) {
        self.server = server
    }

    /// Serves until graceful shutdown, then drains the calls in flight.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await self.server.serve()
        } onGracefulShutdown: {
            self.server.beginGracefulShutdown()
        }
    }
}
