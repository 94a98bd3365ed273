import GRPCCore
import ServiceLifecycle

/// A `GRPCClient` as a swift-service-lifecycle `Service`: it maintains the client's connections until the group
/// shuts down gracefully, then lets the calls in flight finish and closes them (the kernel worker's client).
public struct GRPCClientService<Transport: ClientTransport>: Service {
    /// The client to run.
    public let client: GRPCClient<Transport>

    /// Wraps `client`.
    public init(client: GRPCClient<Transport>) {
        self.client = client
    }

    /// Runs the connections until graceful shutdown.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await self.client.runConnections()
        } onGracefulShutdown: {
            self.client.beginGracefulShutdown()
        }
    }
}
