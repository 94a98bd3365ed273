import RewardWeightingStore
import ServiceLifecycle
import UnixSignals

extension RewardWeightingServer {
    /// Where and how the server listens and stores its runs. The defaults are the design's (§7): gRPC on
    /// 127.0.0.1:50051, SQLite at `./data/rewardweighting.sqlite`.
    public struct Configuration: Sendable {
        /// The address to bind: an IPv4 address, or an IPv6 one (containing `:`). Default `127.0.0.1`: there is
        /// no authentication yet, so the server should be reachable from this machine only.
        public var host: String
        /// The TCP port; 0 binds an ephemeral port (read it from ``RewardWeightingServer/listeningAddress`` or
        /// ``portFile``). Default 50051.
        public var port: Int
        /// The SQLite database file (created, with its directory, when missing).
        public var databasePath: String
        /// The largest request message accepted, in bytes; a larger one is answered `RESOURCE_EXHAUSTED` before
        /// it is decoded. Default 16 MiB (a `Scalarize` batch of about 2 million values).
        ///
        /// The HTTP/2 transport stops reading a message at 4× this size (``transportMessageLimit``) and resets the
        /// stream, so a client sending far more than the limit sees `UNAVAILABLE`/`CANCELLED` instead; that
        /// backstop bounds the memory one request can take.
        public var maxReceiveMessageBytes: Int
        /// A file to write the bound port to (one line) once the server listens, or `nil`.
        public var portFile: String?
        /// The signals that shut the server down gracefully (calls in flight finish, watch streams end with
        /// `UNAVAILABLE`). Empty for an embedded server; `rw-server` uses SIGTERM and SIGINT.
        public var gracefulShutdownSignals: [UnixSignal]
        /// Whether to serve the benchmark-only `BenchmarkService` (``BenchmarkEchoService``) next to
        /// `TrainerService`. Default `false`: it is for load tests (docs/performance.md), not for trainers.
        public var enableBenchmarkService: Bool

        /// The transport's own payload limit, 4× ``maxReceiveMessageBytes`` (at most `Int32.max`).
        public var transportMessageLimit: Int {
            let (product, overflow) = self.maxReceiveMessageBytes.multipliedReportingOverflow(by: 4)
            return overflow ? Int(Int32.max) : min(product, Int(Int32.max))
        }

        /// The default largest request message: 16 MiB.
        public static let defaultMaxReceiveMessageBytes = 16 * 1024 * 1024

        /// A configuration; every parameter has the design's default.
        public init(
            host: String = "127.0.0.1", port: Int = 50051, databasePath: String = SQLiteRunStore.defaultPath,
            maxReceiveMessageBytes: Int = Configuration.defaultMaxReceiveMessageBytes, portFile: String? = nil,
            gracefulShutdownSignals: [UnixSignal] = [], enableBenchmarkService: Bool = false
        ) {
            self.host = host
            self.port = port
            self.databasePath = databasePath
            self.maxReceiveMessageBytes = maxReceiveMessageBytes
            self.portFile = portFile
            self.gracefulShutdownSignals = gracefulShutdownSignals
            self.enableBenchmarkService = enableBenchmarkService
        }
    }
}
