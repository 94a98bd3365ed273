import Configuration
import Logging
import RewardWeightingCore
import RewardWeightingHTTP
import RewardWeightingPostgres
import RewardWeightingService
import RewardWeightingStore
import ServiceLifecycle
import UnixSignals

extension RewardWeightingServer {
    /// Where and how the server listens and stores its runs. The defaults are the design's (§7): gRPC on
    /// 127.0.0.1:50051, SQLite at `./data/rewardweighting.sqlite`.
    public struct Configuration: Sendable {
        /// The address to bind: an IPv4 address, or an IPv6 one (containing `:`). Default `127.0.0.1`. Without
        /// ``authTokensPath``, only a loopback address is accepted (unless ``insecureNoAuth``).
        public var host: String
        /// The TCP port; 0 binds an ephemeral port (read it from ``RewardWeightingServer/listeningAddress`` or
        /// ``portFile``). Default 50051.
        public var port: Int
        /// The address the HTTP/JSON side (``OpsRoutes``) binds. Default `127.0.0.1`.
        public var httpHost: String
        /// The HTTP TCP port; 0 binds an ephemeral port (read it from
        /// ``RewardWeightingServer/httpListeningPort`` or ``httpPortFile``). Default 8080.
        public var httpPort: Int
        /// A file to write the bound HTTP port to (one line) once it listens, or `nil`.
        public var httpPortFile: String?
        /// Chart.js for the dashboard (``DashboardAssets``), or `nil` for tables only. Default
        /// ``DashboardAssets/defaultChartJSPath``.
        public var dashboardChartJsPath: String?
        /// Where the kernels run. Default ``KernelPlacement/inProcess`` for an embedded server; the `kernels` key
        /// (and so `rw-server`) defaults to ``KernelPlacement/default``, a spawned worker.
        public var kernels: KernelPlacement
        /// Whether a call that needs an unreachable kernel worker runs the kernel in-process instead of failing
        /// `UNAVAILABLE` (``ServerConfigurationKey/kernelsFallback``). Default `false`.
        public var kernelsFallbackInProcess: Bool
        /// The SQLite database file (created, with its directory, when missing); unused when ``databaseURL`` is
        /// set.
        public var databasePath: String
        /// A PostgreSQL database (a libpq URL, ``PostgresDatabaseURL``) to keep the runs in instead of SQLite, or
        /// `nil`. Any number of servers may share it.
        public var databaseURL: String?
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
        /// The log level of the server's logger (``ServerConfigurationKey/logLevel``). Default `info`.
        public var logLevel: Logger.Level
        /// Whether to serve the benchmark-only `BenchmarkService` (``BenchmarkEchoService``) next to
        /// `TrainerService`. Default `false`: it is for load tests (docs/performance.md), not for trainers.
        public var enableBenchmarkService: Bool
        /// The bearer-token file (``ServerConfigurationKey/authTokens``); `nil`: the server is open.
        public var authTokensPath: String?
        /// Whether an open server may bind non-loopback addresses (``ServerConfigurationKey/insecureNoAuth``).
        public var insecureNoAuth: Bool
        /// The PEM certificate chain for TLS (``ServerConfigurationKey/tlsCert``); `nil`: plaintext.
        public var tlsCertificatePath: String?
        /// The PEM private key for TLS (``ServerConfigurationKey/tlsKey``).
        public var tlsKeyPath: String?
        /// The PEM CAs of accepted client certificates (``ServerConfigurationKey/tlsClientCa``); `nil`: no mTLS.
        public var tlsClientCAPath: String?
        /// The sizes and counts a call may reach (``ServerConfigurationKey/maxObjectives`` and the next keys).
        public var limits: ServiceLimits
        /// Calls a second per tenant; 0: no limit (``ServerConfigurationKey/tenantRequestRate``).
        public var tenantRequestRate: Int
        /// The most calls a tenant may make at once (``ServerConfigurationKey/tenantRequestBurst``).
        public var tenantRequestBurst: Int
        /// Seconds after which an unused, unwatched run leaves memory; 0: never
        /// (``ServerConfigurationKey/runIdleTimeout``).
        public var runIdleTimeoutSeconds: Int

        /// The transport's own payload limit, 4× ``maxReceiveMessageBytes`` (at most `Int32.max`).
        public var transportMessageLimit: Int {
            let (product, overflow) = self.maxReceiveMessageBytes.multipliedReportingOverflow(by: 4)
            return overflow ? Int(Int32.max) : min(product, Int(Int32.max))
        }

        /// The default largest request message: 16 MiB (a `Scalarize` batch of about 2 million values).
        public static let defaultMaxReceiveMessageBytes = 16 * 1024 * 1024
        /// The default address: loopback only (a server without tokens binds nothing else).
        public static let defaultHost = "127.0.0.1"
        /// The default gRPC port.
        public static let defaultPort = 50051
        /// The default HTTP port.
        public static let defaultHTTPPort = 8080
        /// The default log level.
        public static let defaultLogLevel = Logger.Level.info
        /// The default request rate per tenant: 10 000 calls a second, far above one trainer's few calls a step.
        public static let defaultTenantRequestRate = 10_000
        /// The default burst per tenant: 20 000 calls.
        public static let defaultTenantRequestBurst = 20_000
        /// The default idle time before a run leaves memory: 10 minutes, several checkpoint intervals of a trainer
        /// that validates often, far beyond the seconds between its steps.
        public static let defaultRunIdleTimeoutSeconds = 600

        /// A configuration; every parameter has the design's default.
        public init(
            host: String = Configuration.defaultHost, port: Int = Configuration.defaultPort,
            httpHost: String = Configuration.defaultHost, httpPort: Int = Configuration.defaultHTTPPort,
            httpPortFile: String? = nil, dashboardChartJsPath: String? = DashboardAssets.defaultChartJSPath,
            kernels: KernelPlacement = .inProcess, kernelsFallbackInProcess: Bool = false,
            databasePath: String = SQLiteRunStore.defaultPath, databaseURL: String? = nil,
            maxReceiveMessageBytes: Int = Configuration.defaultMaxReceiveMessageBytes, portFile: String? = nil,
            gracefulShutdownSignals: [UnixSignal] = [], enableBenchmarkService: Bool = false,
            logLevel: Logger.Level = Configuration.defaultLogLevel, authTokensPath: String? = nil,
            insecureNoAuth: Bool = false, limits: ServiceLimits = .default,
            tenantRequestRate: Int = Configuration.defaultTenantRequestRate,
            tenantRequestBurst: Int = Configuration.defaultTenantRequestBurst, tlsCertificatePath: String? = nil,
            tlsKeyPath: String? = nil, tlsClientCAPath: String? = nil,
            runIdleTimeoutSeconds: Int = Configuration.defaultRunIdleTimeoutSeconds
        ) {
            self.runIdleTimeoutSeconds = runIdleTimeoutSeconds
            self.tlsCertificatePath = tlsCertificatePath
            self.tlsKeyPath = tlsKeyPath
            self.tlsClientCAPath = tlsClientCAPath
            self.limits = limits
            self.tenantRequestRate = tenantRequestRate
            self.tenantRequestBurst = tenantRequestBurst
            self.authTokensPath = authTokensPath
            self.insecureNoAuth = insecureNoAuth
            self.host = host
            self.port = port
            self.httpHost = httpHost
            self.httpPort = httpPort
            self.httpPortFile = httpPortFile
            self.dashboardChartJsPath = dashboardChartJsPath
            self.kernels = kernels
            self.kernelsFallbackInProcess = kernelsFallbackInProcess
            self.databasePath = databasePath
            self.databaseURL = databaseURL
            self.maxReceiveMessageBytes = maxReceiveMessageBytes
            self.portFile = portFile
            self.gracefulShutdownSignals = gracefulShutdownSignals
            self.enableBenchmarkService = enableBenchmarkService
            self.logLevel = logLevel
        }

        /// Reads every ``ServerConfigurationKey`` from `config` (a `swift-configuration` reader over the flags, the
        /// `RW_*` environment variables and the config file, in that precedence), the default for each key that
        /// none of them sets.
        /// - Throws: ``ConfigurationError`` naming the key for a value that is not of the key's type or range.
        public init(reading config: ConfigReader) throws(ConfigurationError) {
            let levelName = try Self.string(config, .logLevel) ?? Self.defaultLogLevel.rawValue
            guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
                let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError(key: .logLevel, reason: "\(quoted(levelName)) is not one of \(names)")
            }
            let port = try Self.int(config, .port) ?? Self.defaultPort
            guard (0...65535).contains(port) else {
                throw ConfigurationError(key: .port, reason: "is \(port); expected 0 to 65535")
            }
            let httpPort = try Self.int(config, .httpPort) ?? Self.defaultHTTPPort
            guard (0...65535).contains(httpPort) else {
                throw ConfigurationError(key: .httpPort, reason: "is \(httpPort); expected 0 to 65535")
            }
            let kernels =
                try Self.string(config, .kernels).map { text throws(ConfigurationError) in
                    try KernelPlacement(parsing: text)
                } ?? .default
            let fallback = try Self.string(config, .kernelsFallback) ?? "none"
            guard ["none", "in-process"].contains(fallback) else {
                throw ConfigurationError(key: .kernelsFallback, reason: "'\(fallback)' is not none or in-process")
            }
            let maxMessageBytes = try Self.int(config, .maxMessageBytes) ?? Self.defaultMaxReceiveMessageBytes
            guard maxMessageBytes >= 1 else {
                throw ConfigurationError(key: .maxMessageBytes, reason: "is \(maxMessageBytes); it must be at least 1")
            }
            func atLeast(_ minimum: Int, _ key: ServerConfigurationKey, default value: Int) throws(ConfigurationError)
                -> Int
            {
                let read = try Self.int(config, key) ?? value
                guard read >= minimum else {
                    throw ConfigurationError(key: key, reason: "is \(read); it must be at least \(minimum)")
                }
                return read
            }
            let limits = ServiceLimits(
                maxObjectives: try atLeast(1, .maxObjectives, default: ServiceLimits.default.maxObjectives),
                maxBatchValues: try atLeast(1, .maxBatchValues, default: ServiceLimits.default.maxBatchValues),
                maxBufferSize: try atLeast(1, .maxBufferSize, default: ServiceLimits.default.maxBufferSize),
                maxRunsPerTenant: try atLeast(1, .maxRunsPerTenant, default: ServiceLimits.default.maxRunsPerTenant))
            let rate = try atLeast(0, .tenantRequestRate, default: Self.defaultTenantRequestRate)
            let burst = try atLeast(1, .tenantRequestBurst, default: Self.defaultTenantRequestBurst)
            let idle = try atLeast(0, .runIdleTimeout, default: Self.defaultRunIdleTimeoutSeconds)
            let tlsCert = try Self.string(config, .tlsCert)
            let tlsKey = try Self.string(config, .tlsKey)
            let tlsClientCA = try Self.string(config, .tlsClientCa)
            if (tlsCert == nil) != (tlsKey == nil) {
                throw ConfigurationError(
                    key: tlsCert == nil ? .tlsCert : .tlsKey, reason: "tlsCert and tlsKey go together; one is missing")
            }
            if tlsClientCA != nil && tlsCert == nil {
                throw ConfigurationError(key: .tlsClientCa, reason: "mutual TLS needs tlsCert and tlsKey")
            }
            let databaseURL = try Self.string(config, .databaseUrl)
            if let databaseURL {
                do throws(RunStoreError) {
                    _ = try PostgresDatabaseURL(databaseURL)
                } catch {
                    throw ConfigurationError(key: .databaseUrl, reason: error.reason)
                }
            }
            self.init(
                host: try Self.string(config, .host) ?? Self.defaultHost, port: port,
                httpHost: try Self.string(config, .httpHost) ?? Self.defaultHost, httpPort: httpPort,
                httpPortFile: try Self.string(config, .httpPortFile),
                dashboardChartJsPath: try Self.string(config, .dashboardChartJs) ?? DashboardAssets.defaultChartJSPath,
                kernels: kernels, kernelsFallbackInProcess: fallback == "in-process",
                databasePath: try Self.string(config, .database) ?? SQLiteRunStore.defaultPath,
                databaseURL: databaseURL,
                maxReceiveMessageBytes: maxMessageBytes, portFile: try Self.string(config, .portFile),
                enableBenchmarkService: try Self.bool(config, .enableBenchmarkService) ?? false, logLevel: level,
                authTokensPath: try Self.string(config, .authTokens),
                insecureNoAuth: try Self.bool(config, .insecureNoAuth) ?? false, limits: limits,
                tenantRequestRate: rate, tenantRequestBurst: burst, tlsCertificatePath: tlsCert, tlsKeyPath: tlsKey,
                tlsClientCAPath: tlsClientCA, runIdleTimeoutSeconds: idle)
        }

        private static func string(_ config: ConfigReader, _ key: ServerConfigurationKey) throws(ConfigurationError)
            -> String?
        {
            config.string(forKey: ConfigKey(key.key))
        }

        private static func int(_ config: ConfigReader, _ key: ServerConfigurationKey) throws(ConfigurationError)
            -> Int?
        {
            if let value = config.int(forKey: ConfigKey(key.key)) { return value }
            if let text = config.string(forKey: ConfigKey(key.key)) {
                throw ConfigurationError(key: key, reason: "\(quoted(text)) is not an integer")
            }
            return nil
        }

        private static func bool(_ config: ConfigReader, _ key: ServerConfigurationKey) throws(ConfigurationError)
            -> Bool?
        {
            if let value = config.bool(forKey: ConfigKey(key.key)) { return value }
            if let text = config.string(forKey: ConfigKey(key.key)) {
                throw ConfigurationError(key: key, reason: "\(quoted(text)) is not a boolean (true/false, yes/no, 1/0)")
            }
            return nil
        }
    }
}
