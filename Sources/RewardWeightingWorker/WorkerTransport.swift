import GRPCNIOTransportHTTP2Posix

/// The HTTP/2 settings of the connection between `rw-server` and its kernel worker, both ends.
///
/// grpc-swift's defaults (a 64 KiB flow-control window, 16 KiB frames) suit many small calls from many
/// peers. The worker has one peer, and a streamed Gram sends hundreds of MiB through it: with the default
/// window the sender stops every 64 KiB to wait for a window update, a round trip each time. A 16 MiB window
/// and 1 MiB frames let a 1 MiB slice go out without waiting.
public enum WorkerTransport {
    /// The flow-control window each end offers: 16 MiB.
    public static let targetWindowSize = 16 << 20
    /// The largest HTTP/2 frame: 1 MiB.
    public static let maxFrameSize = 1 << 20

    /// The worker's server-side settings: these windows, and no limit on a request's size beyond the
    /// service's own (`maximumValues`).
    public static var serverConfig: HTTP2ServerTransport.Posix.Config {
        .defaults {
            $0.rpc.maxRequestPayloadSize = Int(Int32.max)
            $0.http2.targetWindowSize = Self.targetWindowSize
            $0.http2.maxFrameSize = Self.maxFrameSize
        }
    }

    /// The server's client-side settings for a worker connection.
    public static var clientConfig: HTTP2ClientTransport.Posix.Config {
        .defaults {
            $0.http2.targetWindowSize = Self.targetWindowSize
            $0.http2.maxFrameSize = Self.maxFrameSize
        }
    }
}
